"""The district dashboard: the schools a coordinator or administrator oversees, side by side."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from pplearn.models import SchoolYear

from .district_tables import DistrictDashboard, Sort, district_dashboard
from .permissions import district_dashboard_scope_or_404
from .views import chosen_school_year, csv_response


def _dashboard(request: HttpRequest) -> DistrictDashboard:
    district, schools = district_dashboard_scope_or_404(request.user)
    return district_dashboard(
        district=district,
        schools=schools,
        school_year=chosen_school_year(request, district.pk),
        sort=Sort.parse(request.GET.get("sort")),
    )


@login_required
def district_dashboard_page(request: HttpRequest) -> HttpResponse:
    """Show every school's figures side by side for a school year, sorted as asked."""
    dashboard = _dashboard(request)
    context = {
        "dashboard": dashboard,
        "district": dashboard.district,
        "school_year": dashboard.school_year,
        "school_years": SchoolYear.objects.filter(district=dashboard.district),
    }
    return render(request, "dashboards/district_dashboard.html", context)


@login_required
def district_dashboard_csv(request: HttpRequest, table: str) -> HttpResponse:
    """Download one table of the district dashboard as CSV, in the order shown."""
    dashboard = _dashboard(request)
    chosen = dashboard.csv_table(table)
    if chosen is None:
        raise Http404("No such table.")
    headers, rows = chosen
    filename = f"district-{dashboard.district.slug}-{dashboard.school_year.name}-{table}.csv"
    return csv_response(headers, rows, filename)
