from django.urls import path

from . import district_views

urlpatterns = [
    path("dashboards/district/", district_views.district_dashboard, name="district"),
]
