from django.urls import path

from . import growth_views

urlpatterns = [
    path("growth/", growth_views.growth_record, name="growth"),
    path("growth/portfolio/", growth_views.growth_portfolio, name="growth_portfolio"),
]
