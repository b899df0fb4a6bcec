"""URLs of rubrics, tier rules and the review policy."""

urlpatterns: list = []
