"""URLs of rubrics, tier rules and the review policy."""

from django.urls import path

from . import rubric_views

urlpatterns = [
    path("settings/review/", rubric_views.review_settings, name="review_settings"),
    path("settings/review/rubrics/", rubric_views.rubric_list, name="rubric_list"),
    path(
        "settings/review/rubrics/tier-<int:tier>/edit/",
        rubric_views.rubric_edit,
        name="rubric_edit",
    ),
    path("settings/review/rubrics/<int:pk>/", rubric_views.rubric_version, name="rubric_version"),
]
