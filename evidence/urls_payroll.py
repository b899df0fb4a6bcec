"""URLs of payouts and payroll export."""

from django.urls import path

from . import payroll_views

urlpatterns = [
    path("payouts/", payroll_views.payout_list, name="payout_list"),
    path("payouts/export/", payroll_views.payroll_export, name="payroll_export"),
    path(
        "payouts/batches/<int:pk>/download/",
        payroll_views.payroll_batch_download,
        name="payroll_batch_download",
    ),
]
