"""URLs of the review queue and the scoring page."""

urlpatterns: list = []
