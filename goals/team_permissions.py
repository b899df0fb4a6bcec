"""Who may see and change teams and their meeting notes. Teams out of reach answer 404."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from pplearn.models import Membership, Role, School

from .models import Team, TeamMeeting

# Roles held at a school that let a person manage the school's teams.
SCHOOL_MANAGER_ROLES = (Role.PRINCIPAL, Role.COACH, Role.COORDINATOR)
# District-wide roles that let a person manage every team of their district.
DISTRICT_MANAGER_ROLES = (Role.COORDINATOR, Role.DISTRICT_ADMIN)


def _is_signed_in(user) -> bool:
    return user.is_authenticated and user.is_active


def can_manage_teams_at(user, school: School) -> bool:
    """The school's principal and coaches, the district's coordinators and administrators."""
    if not _is_signed_in(user):
        return False
    if user.has_role(Role.PRINCIPAL, school):
        return True
    if user.has_role(Role.COACH, school):
        return True
    if user.has_role(Role.COORDINATOR, school):
        return True
    return user.has_role(Role.DISTRICT_ADMIN, school)


def can_manage_team(user, team: Team) -> bool:
    return can_manage_teams_at(user, team.school)


def is_team_member(user, team: Team) -> bool:
    """Read the members from the prefetch cache when the page already loaded them."""
    return any(member.pk == user.pk for member in team.members.all())


def can_view_team(user, team: Team) -> bool:
    """Members, the facilitator, and whoever manages teams at the team's school."""
    if not _is_signed_in(user):
        return False
    if team.facilitator_id == user.pk:
        return True
    if is_team_member(user, team):
        return True
    return can_manage_team(user, team)


def can_add_meeting(user, team: Team) -> bool:
    """Everyone who sees the team takes part in it, so everyone may write notes."""
    return can_view_team(user, team)


def can_edit_meeting(user, meeting: TeamMeeting) -> bool:
    """The author of the notes, while still on the team, or a manager of the team."""
    if not can_view_team(user, meeting.team):
        return False
    if meeting.created_by_id == user.pk:
        return True
    return can_manage_team(user, meeting.team)


def manageable_schools(user) -> QuerySet[School]:
    """Schools whose teams the user may create and edit."""
    if not _is_signed_in(user):
        return School.objects.none()
    memberships = Membership.objects.filter(user=user)
    direct = memberships.filter(role__in=SCHOOL_MANAGER_ROLES, school__isnull=False)
    wide = memberships.filter(role__in=DISTRICT_MANAGER_ROLES, school__isnull=True)
    return School.objects.filter(
        Q(pk__in=direct.values("school")) | Q(district__in=wide.values("district"))
    )


def teams_visible_to(user) -> QuerySet[Team]:
    """Teams the user may see: the one place that decides it."""
    if not _is_signed_in(user):
        return Team.objects.none()
    member_of = Team.members.through.objects.filter(user=user).values("team")
    return Team.objects.filter(
        Q(pk__in=member_of) | Q(facilitator=user) | Q(school__in=manageable_schools(user))
    )


def get_team_for_viewer_or_404(user, pk: int) -> Team:
    return get_object_or_404(
        teams_visible_to(user).select_related(
            "school", "school__district", "school_year", "facilitator"
        ),
        pk=pk,
    )


def get_team_for_manager_or_404(user, pk: int) -> Team:
    team = get_team_for_viewer_or_404(user, pk)
    if not can_manage_team(user, team):
        raise Http404("No such team")
    return team


def get_meeting_for_editor_or_404(user, team_pk: int, pk: int) -> TeamMeeting:
    team = get_team_for_viewer_or_404(user, team_pk)
    # Through the team's manager, so that meeting.team is this very team object.
    meeting = get_object_or_404(team.meetings.select_related("created_by"), pk=pk)
    if not can_edit_meeting(user, meeting):
        raise Http404("No such meeting notes")
    return meeting
