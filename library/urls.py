from django.urls import path

from . import views

app_name = "library"

urlpatterns = [
    path("library/", views.entry_list, name="list"),
    path("library/mine/", views.entry_mine, name="mine"),
    path("library/saved/", views.entry_saved, name="saved"),
    path("library/recognition/", views.school_recognition, name="school_recognition"),
    path("library/publish/<int:goal_pk>/", views.entry_publish, name="publish"),
    path("library/<int:pk>/", views.entry_detail, name="detail"),
    path("library/<int:pk>/unpublish/", views.entry_unpublish, name="unpublish"),
    path("library/<int:pk>/republish/", views.entry_republish, name="republish"),
    path("library/<int:pk>/bookmark/", views.bookmark_toggle, name="bookmark"),
    path("library/<int:pk>/tried/", views.tried_it, name="tried"),
    path(
        "library/<int:pk>/files/<int:artifact_pk>/",
        views.artifact_download,
        name="artifact_download",
    ),
]
