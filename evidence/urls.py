from django.urls import path

from . import artifact_views, views
from .urls_payroll import urlpatterns as payroll_patterns
from .urls_review import urlpatterns as review_patterns
from .urls_settings import urlpatterns as settings_patterns

app_name = "evidence"

urlpatterns = [
    path("goals/<int:goal_pk>/tiers/<int:tier>/", views.tier_start, name="tier_start"),
    path("evidence/<int:pk>/", views.submission_detail, name="submission_detail"),
    path("evidence/<int:pk>/edit/", views.submission_edit, name="submission_edit"),
    path("evidence/<int:pk>/autosave/", views.submission_autosave, name="submission_autosave"),
    path("evidence/<int:pk>/submit/", views.submission_submit, name="submission_submit"),
    path("evidence/<int:pk>/recall/", views.submission_recall, name="submission_recall"),
    path("evidence/<int:pk>/revise/", views.submission_revise, name="submission_revise"),
    path("evidence/<int:pk>/resources/", artifact_views.resource_add, name="resource_add"),
    path(
        "evidence/resources/<int:pk>/remove/",
        artifact_views.resource_remove,
        name="resource_remove",
    ),
    path("evidence/<int:pk>/files/", artifact_views.artifact_add, name="artifact_add"),
    path("evidence/files/<int:pk>/", artifact_views.artifact_download, name="artifact_download"),
    path("evidence/files/<int:pk>/remove/", artifact_views.artifact_remove, name="artifact_remove"),
    path(
        "evidence/files/<int:pk>/privacy/",
        artifact_views.artifact_privacy,
        name="artifact_privacy",
    ),
    *review_patterns,
    *payroll_patterns,
    *settings_patterns,
]
