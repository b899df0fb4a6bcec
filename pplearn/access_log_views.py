"""The evidence access log of a school, for its principal."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .access_log import access_log_for_school, get_school_for_access_log_or_404
from .models import Role, User
from .selectors import teachers_at_schools


class AccessLogFilterForm(forms.Form):
    teacher = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="All teachers",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    date_from = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )

    def __init__(self, *args, teachers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = teachers


@login_required
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    """Who viewed which teacher's evidence, and when, at the principal's school."""
    school = get_school_for_access_log_or_404(request.user, request.GET.get("school"))
    teachers = teachers_at_schools(schools=[school])
    form = AccessLogFilterForm(request.GET or None, teachers=teachers)
    criteria = form.cleaned_data if form.is_valid() else {}
    events = access_log_for_school(
        school=school,
        teacher=criteria.get("teacher"),
        date_from=criteria.get("date_from"),
        date_to=criteria.get("date_to"),
    )
    page = Paginator(events, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    # Names of the authors on this page, also of people who no longer teach there.
    authors = {event.data.get("teacher") for event in page}
    names = dict(User.objects.filter(pk__in=authors).values_list("pk", "full_name"))
    rows = [(event, names.get(event.data.get("teacher"), "Unknown")) for event in page]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "school": school,
        "schools": request.user.schools_for_role(Role.PRINCIPAL),
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
    }
    return render(request, "pplearn/access_log.html", context)
