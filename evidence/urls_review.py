"""URLs of the review queue and the scoring page."""

from django.urls import path

from . import review_views

urlpatterns = [
    path("review/", review_views.review_queue, name="review_queue"),
    path("review/<int:pk>/", review_views.review_score, name="review_score"),
    path("review/<int:pk>/claim/", review_views.review_claim, name="review_claim"),
    path("review/<int:pk>/release/", review_views.review_release, name="review_release"),
]
