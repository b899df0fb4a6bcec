from django.urls import path

from . import views
from .urls_reminders import urlpatterns as reminder_patterns

app_name = "coaching"

urlpatterns = [
    path("coaching/caseload/", views.caseload, name="caseload"),
    path("coaching/mine/", views.my_coaching, name="my_coaching"),
    path("coaching/assignments/", views.assignment_list, name="assignment_list"),
    path("coaching/assignments/add/", views.assignment_create, name="assignment_create"),
    path(
        "coaching/assignments/<int:pk>/remove/",
        views.assignment_remove,
        name="assignment_remove",
    ),
    path(
        "coaching/teachers/<int:teacher_pk>/conversations/new/",
        views.conversation_create,
        name="conversation_create",
    ),
    path(
        "coaching/conversations/<int:pk>/",
        views.conversation_detail,
        name="conversation_detail",
    ),
    path(
        "coaching/conversations/<int:pk>/edit/",
        views.conversation_edit,
        name="conversation_edit",
    ),
    path(
        "coaching/conversations/<int:pk>/reflect/",
        views.conversation_reflect,
        name="conversation_reflect",
    ),
    path("coaching/steps/<int:pk>/toggle/", views.next_step_toggle, name="next_step_toggle"),
    *reminder_patterns,
]
