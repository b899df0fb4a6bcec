from django.urls import path

from . import views
from .urls_district import urlpatterns as district_patterns
from .urls_growth import urlpatterns as growth_patterns

app_name = "dashboards"

urlpatterns = [
    path("dashboards/schools/<int:pk>/", views.school_dashboard, name="school"),
    path(
        "dashboards/schools/<int:pk>/<slug:table>.csv",
        views.school_dashboard_csv,
        name="school_csv",
    ),
    *district_patterns,
    *growth_patterns,
]
