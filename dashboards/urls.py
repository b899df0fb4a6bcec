from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("dashboards/schools/<int:pk>/", views.school_dashboard, name="school"),
    path(
        "dashboards/schools/<int:pk>/<slug:table>.csv",
        views.school_dashboard_csv,
        name="school_csv",
    ),
]
