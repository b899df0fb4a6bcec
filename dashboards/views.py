"""The school dashboard page and the CSV export of each of its tables."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from evidence.payroll import neutralise
from pplearn.models import SchoolYear
from pplearn.params import whole_number

from .permissions import get_school_for_dashboard_or_404
from .tables import dashboard_tables


def school_years_and_chosen(
    request: HttpRequest, district_id: int
) -> tuple[list[SchoolYear], SchoolYear]:
    """The district's years (one query), and the one asked for, else the current, else the latest.

    A year of another district, or no year at all, is 404.
    """
    years = list(SchoolYear.objects.filter(district_id=district_id).order_by("-start_date"))
    chosen = request.GET.get("year", "")
    if chosen:
        wanted = whole_number(chosen)
        year = next((year for year in years if year.pk == wanted), None)
    else:
        year = next((year for year in years if year.is_current), years[0] if years else None)
    if year is None:
        raise Http404("No such school year.")
    return years, year


@login_required
def school_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the school's dashboard for a school year."""
    school = get_school_for_dashboard_or_404(request.user, pk)
    school_years, school_year = school_years_and_chosen(request, school.district_id)
    context = {
        "school": school,
        "school_year": school_year,
        "school_years": school_years,
        "tables": dashboard_tables(school=school, school_year=school_year),
    }
    return render(request, "dashboards/school_dashboard.html", context)


@login_required
def school_dashboard_csv(request: HttpRequest, pk: int, table: str) -> HttpResponse:
    """Download one table of the dashboard as CSV, spreadsheet formulas made inert."""
    school = get_school_for_dashboard_or_404(request.user, pk)
    _, school_year = school_years_and_chosen(request, school.district_id)
    tables = dashboard_tables(school=school, school_year=school_year)
    if table not in tables:
        raise Http404("No such table.")
    chosen = tables[table]
    filename = f"school-{school.pk}-{school_year.name}-{table}.csv"
    return csv_response(chosen.headers, chosen.rows, filename)


def csv_response(headers: list[str], rows: list[list], filename: str) -> HttpResponse:
    """A CSV download of the rows, every cell that looks like a formula made inert."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(cell) for cell in headers])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
