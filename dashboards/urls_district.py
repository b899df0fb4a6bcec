from django.urls import path

from . import district_views

urlpatterns = [
    path("dashboards/district/", district_views.district_dashboard_page, name="district"),
    path(
        "dashboards/district/<slug:table>.csv",
        district_views.district_dashboard_csv,
        name="district_csv",
    ),
]
