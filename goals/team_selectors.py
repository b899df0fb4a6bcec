"""Reads behind the team pages, with their joins prefetched so page cost does not grow."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from pplearn.models import Membership, Role, User

from .models import Goal, SystemGoal, Team, TeamMeeting
from .team_permissions import teams_visible_to

# Small groups of about six to ten work well; outside that we only suggest, never refuse.
GROUP_SIZE_MIN = 6
GROUP_SIZE_MAX = 10


def team_size_hint(member_count: int) -> str:
    """A gentle suggestion when a team is smaller or larger than groups that work well."""
    if member_count < GROUP_SIZE_MIN:
        return (
            f"Groups of about {GROUP_SIZE_MIN} to {GROUP_SIZE_MAX} work well; "
            "this team could welcome a few more colleagues."
        )
    if member_count > GROUP_SIZE_MAX:
        return (
            f"Groups of about {GROUP_SIZE_MIN} to {GROUP_SIZE_MAX} work well; "
            "a team this large might split into two."
        )
    return ""


@dataclass
class TeamListing:
    """The teams a person sees: their own first, then the others by school."""

    mine: list[Team]
    others: list[Team]

    def __bool__(self) -> bool:
        return bool(self.mine or self.others)


def team_list_for_user(*, user) -> TeamListing:
    """Teams the user may see, with member counts, the user's own teams apart."""
    member_of = Team.members.through.objects.filter(team=OuterRef("pk"), user=user)
    teams = (
        teams_visible_to(user)
        .select_related("school", "school_year", "facilitator")
        .annotate(
            member_count=Count("members", distinct=True),
            is_mine=Exists(member_of) | Q(facilitator=user),
        )
        .order_by("school__name", "-school_year__start_date", "name", "pk")
    )
    listing = TeamListing(mine=[], others=[])
    for team in teams:
        team.size_hint = team_size_hint(team.member_count)
        (listing.mine if team.is_mine else listing.others).append(team)
    return listing


def team_for_page(*, team: Team, viewer) -> Team:
    """Load a team's members, their goals the viewer may see, and its system goals.

    Members carry `year_goals`: their goals of the team's school year, newest first.
    """
    goals = (
        Goal.objects.visible_to(viewer)
        .filter(school_year_id=team.school_year_id)
        .order_by("-updated_at", "pk")
    )
    return (
        Team.objects.filter(pk=team.pk)
        .select_related("school", "school__district", "school_year", "facilitator")
        .prefetch_related(
            Prefetch(
                "members",
                queryset=User.objects.order_by("full_name", "pk").prefetch_related(
                    Prefetch("goals", queryset=goals, to_attr="year_goals")
                ),
            ),
            Prefetch("system_goals", queryset=SystemGoal.objects.order_by("kind", "title")),
        )
        .get()
    )


def team_meetings(*, team: Team) -> QuerySet[TeamMeeting]:
    """A team's meeting notes, newest first; each note's team is this same object."""
    return team.meetings.select_related("created_by").order_by("-met_on", "-created_at", "-pk")


def team_member_choices(*, school) -> QuerySet[User]:
    """Active teachers of the school: who can join its teams."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__role=Role.TEACHER,
            memberships__school=school,
        )
        .distinct()
        .order_by("full_name", "pk")
    )


def team_facilitator_choices(*, school) -> QuerySet[User]:
    """Active teachers and coaches of the school: who can facilitate one of its teams.

    Each carries `coaches_here`, so the form can tell the coaches apart.
    """
    coaches = Membership.objects.filter(user=OuterRef("pk"), role=Role.COACH, school=school)
    return (
        User.objects.filter(
            is_active=True,
            memberships__role__in=[Role.TEACHER, Role.COACH],
            memberships__school=school,
        )
        .annotate(coaches_here=Exists(coaches))
        .distinct()
        .order_by("full_name", "pk")
    )


def team_for_form(*, team: Team) -> Team:
    """Load what the team form shows as chosen: members and linked system goals."""
    return (
        Team.objects.filter(pk=team.pk)
        .select_related("school", "school__district", "school_year", "facilitator")
        .prefetch_related("members", "system_goals")
        .get()
    )
