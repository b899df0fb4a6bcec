"""URLs of teams and PLCs."""

urlpatterns: list = []
