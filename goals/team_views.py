"""Team pages: the list, forming and editing a team, the team page and its meeting notes."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from pplearn.models import School

from . import team_selectors, team_services
from .models import Team
from .team_forms import SchoolChoiceForm, TeamForm, TeamMeetingForm
from .team_permissions import (
    can_add_meeting,
    can_edit_meeting,
    can_manage_team,
    get_meeting_for_editor_or_404,
    get_team_for_manager_or_404,
    get_team_for_viewer_or_404,
    is_team_member,
    manageable_schools,
)

MEETINGS_PER_PAGE = 10


def _posted(request: HttpRequest):
    """The submitted data, even when empty, so that an empty form shows its errors."""
    return request.POST if request.method == "POST" else None


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    """The teams the user sees: their own first, then the others by school."""
    listing = team_selectors.team_list_for_user(user=request.user)
    can_create = manageable_schools(request.user).filter(is_active=True).exists()
    return render(
        request, "goals/teams/team_list.html", {"listing": listing, "can_create": can_create}
    )


def _chosen_school(request: HttpRequest, schools: list[School]) -> School | None:
    """The school named in the query, the user's only school, or None to ask."""
    wanted = request.GET.get("school")
    if wanted:
        school = next((s for s in schools if str(s.pk) == wanted), None)
        if school is None:
            raise Http404("You cannot form teams at that school.")
        return school
    return schools[0] if len(schools) == 1 else None


@login_required
def team_create(request: HttpRequest) -> HttpResponse:
    schools_qs = (
        manageable_schools(request.user)
        .filter(is_active=True)
        .select_related("district")
        .order_by("name")
    )
    schools = list(schools_qs)
    if not schools:
        raise Http404("You cannot form teams.")
    school = _chosen_school(request, schools)
    if school is None:
        chooser = SchoolChoiceForm(schools=schools_qs)
        return render(request, "goals/teams/team_school_choice.html", {"form": chooser})
    form = TeamForm(_posted(request), school=school)
    if request.method == "POST" and form.is_valid():
        try:
            team = team_services.team_create(actor=request.user, school=school, **form.cleaned_data)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"Formed {team.name} at {school.name}.")
            return redirect(team)
    return render(
        request, "goals/teams/team_form.html", {"form": form, "school": school, "team": None}
    )


@login_required
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    team = team_selectors.team_for_form(team=get_team_for_manager_or_404(request.user, pk))
    form = TeamForm(_posted(request), school=team.school, team=team)
    if request.method == "POST" and form.is_valid():
        try:
            team = team_services.team_update(actor=request.user, team=team, **form.cleaned_data)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"Saved {team.name}.")
            return redirect(team)
    return render(
        request, "goals/teams/team_form.html", {"form": form, "school": team.school, "team": team}
    )


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    team = team_selectors.team_for_page(
        team=get_team_for_viewer_or_404(user, pk), viewer=request.user
    )
    members = list(team.members.all())
    page = Paginator(team_selectors.team_meetings(team=team), MEETINGS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "team": team,
        "members": members,
        "facilitator_is_member": any(m.pk == team.facilitator_id for m in members),
        "size_hint": team_selectors.team_size_hint(len(members)),
        "is_member": is_team_member(user, team),
        "can_manage": can_manage_team(user, team),
        "page": page,
        "notes": [(note, can_edit_meeting(user, note)) for note in page],
    }
    if can_add_meeting(user, team):
        context["meeting_form"] = _meeting_form(team)
    return render(request, "goals/teams/team_detail.html", context)


def _meeting_form(team: Team, data=None) -> TeamMeetingForm:
    return TeamMeetingForm(
        data,
        initial={"met_on": timezone.localdate()},
        action=reverse("goals:team_meeting_add", args=[team.pk]),
        submit_label="Add notes",
    )


@login_required
def team_meeting_add(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_team_for_viewer_or_404(request.user, pk)
    if not can_add_meeting(request.user, team):
        raise Http404
    form = _meeting_form(team, _posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            team_services.team_meeting_add(actor=request.user, team=team, **form.service_kwargs())
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Meeting notes added.")
            return redirect(team.get_absolute_url() + "#notes")
    return render(
        request, "goals/teams/meeting_form.html", {"form": form, "team": team, "meeting": None}
    )


@login_required
def team_meeting_edit(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    meeting = get_meeting_for_editor_or_404(request.user, pk, meeting_pk)
    team = meeting.team
    # Validation writes the posted values onto the form's instance: give it a copy, so that
    # the service still sees the notes as stored and audits what changed.
    form = TeamMeetingForm(
        _posted(request),
        instance=copy.copy(meeting),
        action=reverse("goals:team_meeting_edit", args=[team.pk, meeting.pk]),
    )
    if request.method == "POST" and form.is_valid():
        try:
            team_services.team_meeting_update(
                actor=request.user, meeting=meeting, **form.service_kwargs()
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Meeting notes saved.")
            return redirect(team.get_absolute_url() + "#notes")
    return render(
        request,
        "goals/teams/meeting_form.html",
        {"form": form, "team": team, "meeting": meeting},
    )
