"""The district dashboard: the schools a coordinator or administrator oversees, side by side."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from pplearn.models import SchoolYear

from .district_tables import DistrictDashboard, Sort, district_dashboard
from .permissions import district_dashboard_scope_or_404
from .views import csv_response, school_years_and_chosen


def _dashboard(
    request: HttpRequest, *, every_school: bool = False
) -> tuple[DistrictDashboard, list[SchoolYear]]:
    district, schools = district_dashboard_scope_or_404(request.user)
    school_years, school_year = school_years_and_chosen(request, district.pk)
    dashboard = district_dashboard(
        district=district,
        schools=schools,
        school_year=school_year,
        sort=Sort.parse(request.GET.get("sort")),
        page_number=request.GET.get("page"),
        every_school=every_school,
    )
    return dashboard, school_years


@login_required
def district_dashboard_page(request: HttpRequest) -> HttpResponse:
    """Show every school's figures side by side for a school year, sorted as asked."""
    dashboard, school_years = _dashboard(request)
    context = {
        "dashboard": dashboard,
        "district": dashboard.district,
        "school_year": dashboard.school_year,
        "school_years": school_years,
    }
    return render(request, "dashboards/district_dashboard.html", context)


@login_required
def district_dashboard_csv(request: HttpRequest, table: str) -> HttpResponse:
    """Download one table of the district dashboard as CSV, in the order shown."""
    dashboard, _ = _dashboard(request, every_school=True)
    chosen = dashboard.csv_table(table)
    if chosen is None:
        raise Http404("No such table.")
    headers, rows = chosen
    filename = f"district-{dashboard.district.slug}-{dashboard.school_year.name}-{table}.csv"
    return csv_response(headers, rows, filename)
