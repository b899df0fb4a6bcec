"""URLs of payouts and payroll export."""

urlpatterns: list = []
