"""URLs of the collective vision: vision statements, system goals, standards frameworks."""

urlpatterns: list = []
