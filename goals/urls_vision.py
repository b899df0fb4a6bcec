"""URLs of the collective vision: vision statements, system goals, standards frameworks."""

from django.urls import path

from . import vision_views as views

urlpatterns = [
    path("vision/", views.vision, name="vision"),
    path("vision/edit/", views.vision_edit, name="vision_edit"),
    path("vision/schools/<int:pk>/edit/", views.school_vision_edit, name="school_vision_edit"),
    path("vision/system-goals/", views.system_goal_list, name="system_goal_list"),
    path("vision/system-goals/add/", views.system_goal_create, name="system_goal_create"),
    path("vision/system-goals/<int:pk>/", views.system_goal_edit, name="system_goal_edit"),
    path(
        "vision/system-goals/<int:pk>/archive/",
        views.system_goal_archive,
        name="system_goal_archive",
    ),
    path(
        "vision/system-goals/<int:pk>/restore/",
        views.system_goal_restore,
        name="system_goal_restore",
    ),
    path("vision/standards/", views.framework_list, name="framework_list"),
    path("vision/standards/<int:pk>/", views.framework_edit, name="framework_edit"),
    path("vision/standards/<int:pk>/domains/add/", views.domain_create, name="domain_create"),
    path("vision/standards/domains/<int:pk>/", views.domain_edit, name="domain_edit"),
    path("vision/standards/domains/<int:pk>/delete/", views.domain_delete, name="domain_delete"),
    path(
        "vision/standards/domains/<int:pk>/components/add/",
        views.component_create,
        name="component_create",
    ),
    path("vision/standards/components/<int:pk>/", views.component_edit, name="component_edit"),
    path(
        "vision/standards/components/<int:pk>/delete/",
        views.component_delete,
        name="component_delete",
    ),
]
