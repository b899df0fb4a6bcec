"""District administrators manage their schools and people here."""

from __future__ import annotations

import copy

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import services
from .forms import PeopleFilterForm, PersonForm, SchoolForm, SchoolYearForm
from .models import SchoolYear
from .permissions import (
    get_administered_district_or_404,
    get_person_for_admin_or_404,
    get_school_for_admin_or_404,
)
from .selectors import person_list_for_district, school_list_for_district


@login_required
def school_list(request: HttpRequest) -> HttpResponse:
    district = get_administered_district_or_404(request.user)
    schools = school_list_for_district(district=district)
    return render(request, "manage/school_list.html", {"district": district, "schools": schools})


@login_required
def school_create(request: HttpRequest) -> HttpResponse:
    district = get_administered_district_or_404(request.user)
    form = SchoolForm(request.POST or None, district=district)
    if request.method == "POST" and form.is_valid():
        school = services.school_create(actor=request.user, district=district, **form.cleaned_data)
        messages.success(request, f"Added {school.name}.")
        return redirect("manage:school_list")
    return render(request, "manage/school_form.html", {"form": form, "school": None})


@login_required
def school_edit(request: HttpRequest, pk: int) -> HttpResponse:
    school = get_school_for_admin_or_404(request.user, pk)
    # Validation writes the posted values onto the form's instance: give it a copy, so that
    # the service still sees the school as stored and audits what changed.
    form = SchoolForm(request.POST or None, instance=copy.copy(school), district=school.district)
    if request.method == "POST" and form.is_valid():
        services.school_update(actor=request.user, school=school, **form.cleaned_data)
        messages.success(request, f"Saved {school.name}.")
        return redirect("manage:school_list")
    return render(request, "manage/school_form.html", {"form": form, "school": school})


@login_required
@require_POST
def school_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    school = get_school_for_admin_or_404(request.user, pk)
    active = request.POST.get("active") == "1"
    services.school_set_active(actor=request.user, school=school, active=active)
    verb = "reactivated" if active else "deactivated"
    messages.success(request, f"{school.name} is {verb}.")
    return redirect("manage:school_list")


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    district = get_administered_district_or_404(request.user)
    filters = PeopleFilterForm(request.GET or None, district=district)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    people = person_list_for_district(
        district=district,
        search=(criteria.get("q") or "").strip(),
        role=criteria.get("role") or "",
        school_id=criteria["school"].pk if criteria.get("school") else None,
        status=criteria.get("status") or "",
    )
    page = Paginator(people, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filters": filters, "page": page, "query": query.urlencode()}
    template = "manage/_person_rows.html" if request.htmx else "manage/person_list.html"
    return render(request, template, context)


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    district = get_administered_district_or_404(request.user)
    form = PersonForm(request.POST or None, district=district)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = services.person_create(
            actor=request.user,
            district=district,
            email=data["email"],
            full_name=data["full_name"],
            employee_id=data["employee_id"],
            roles=form.role_assignment(),
        )
        messages.success(
            request,
            f"Added {person.full_name}. We emailed {person.email} a link to set a password.",
        )
        return redirect("manage:person_list")
    return render(request, "manage/person_form.html", {"form": form, "person": None})


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_admin_or_404(request.user, pk)
    form = PersonForm(
        request.POST or None,
        initial=PersonForm.initial_for(person),
        district=person.district,
        person=person,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.person_update(
                actor=request.user,
                person=person,
                email=data["email"],
                full_name=data["full_name"],
                employee_id=data["employee_id"],
                roles=form.role_assignment(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Saved {person.full_name}.")
            return redirect("manage:person_list")
    return render(request, "manage/person_form.html", {"form": form, "person": person})


@login_required
@require_POST
def person_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_admin_or_404(request.user, pk)
    active = request.POST.get("active") == "1"
    try:
        services.person_set_active(actor=request.user, person=person, active=active)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("manage:person_edit", pk=person.pk)
    if active:
        messages.success(request, f"{person.full_name} can sign in again.")
    else:
        messages.success(
            request, f"{person.full_name} is deactivated: they cannot sign in; their work is kept."
        )
    return redirect("manage:person_edit", pk=person.pk)


@login_required
@require_POST
def person_send_link(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_admin_or_404(request.user, pk)
    if not person.is_active:
        messages.error(request, "Reactivate this person before sending a sign-in link.")
    else:
        services.person_send_sign_in_link(person=person)
        messages.success(request, f"Emailed a sign-in link to {person.email}.")
    return redirect("manage:person_edit", pk=person.pk)


@login_required
def school_year_list(request: HttpRequest) -> HttpResponse:
    district = get_administered_district_or_404(request.user)
    years = SchoolYear.objects.filter(district=district).order_by("-start_date")
    return render(request, "manage/school_year_list.html", {"years": years})


@login_required
def school_year_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    district = get_administered_district_or_404(request.user)
    year = get_object_or_404(SchoolYear, pk=pk, district=district) if pk else None
    initial = (
        {"name": year.name, "start_date": year.start_date, "end_date": year.end_date}
        if year
        else {}
    )
    form = SchoolYearForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.school_year_save(
                actor=request.user, district=district, school_year=year, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Saved the school year {saved.name}.")
            return redirect("manage:school_year_list")
    return render(request, "manage/school_year_form.html", {"form": form, "year": year})


@login_required
@require_POST
def school_year_make_current(request: HttpRequest, pk: int) -> HttpResponse:
    district = get_administered_district_or_404(request.user)
    year = get_object_or_404(SchoolYear, pk=pk, district=district)
    services.school_year_make_current(actor=request.user, school_year=year)
    messages.success(request, f"{year.name} is now the current school year.")
    return redirect("manage:school_year_list")
