"""Every change to a team and its meeting notes: checked, audited, atomic."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from pplearn.audit import audit_record
from pplearn.models import Membership, Role, School, SchoolYear, User

from .models import SystemGoal, Team, TeamMeeting
from .services import system_goals_check
from .team_permissions import (
    can_add_meeting,
    can_edit_meeting,
    can_manage_team,
    can_manage_teams_at,
)

# The note fields of a meeting, in the order of the four PLC questions, then the rest.
MEETING_FIELDS = ("learn", "evidence", "intervene", "extend", "other_notes")


def _school_check(*, actor: User, school: School) -> None:
    if school.district_id != actor.district_id:
        raise ValidationError("Choose a school of your own district.", code="other_district")
    if not school.is_active:
        raise ValidationError(
            f"{school.name} is deactivated: it cannot have new teams.", code="inactive_school"
        )


def _school_year_check(*, school: School, school_year: SchoolYear | None) -> SchoolYear:
    if school_year is None:
        school_year = school.district.current_school_year()
    if school_year is None:
        raise ValidationError(
            "Your district has no current school year yet. Ask your district administrator "
            "to set one up.",
            code="no_school_year",
        )
    if school_year.district_id != school.district_id:
        raise ValidationError("That school year belongs to another district.", code="school_year")
    return school_year


def _name_check(*, name: str, school: School, school_year: SchoolYear, team: Team | None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError("Give the team a name.", code="name_required")
    clash = Team.objects.filter(school=school, school_year=school_year, name__iexact=name)
    if team is not None:
        clash = clash.exclude(pk=team.pk)
    if clash.exists():
        raise ValidationError(
            f"{school.name} already has a team called {name} in {school_year.name}.",
            code="name_taken",
        )
    return name


def _kind_check(kind: str) -> str:
    if kind not in Team.Kind.values:
        raise ValidationError("Choose a grade-level team or a PLC.", code="kind")
    return kind


def members_check(*, members: Iterable[User], school: School) -> list[User]:
    """Refuse anyone who is not an active teacher of the team's school."""
    chosen = list(members)
    teachers = set(
        Membership.objects.filter(
            role=Role.TEACHER,
            school=school,
            user__is_active=True,
            user__in=[m.pk for m in chosen],
        ).values_list("user_id", flat=True)
    )
    wrong = [m for m in chosen if m.pk not in teachers]
    if wrong:
        names = ", ".join(m.full_name or m.email for m in wrong)
        raise ValidationError(
            f"Only active teachers of {school.name} can be members: {names}.",
            code="member_not_teacher",
        )
    return chosen


def facilitator_check(
    *, facilitator: User | None, members: list[User], school: School
) -> User | None:
    """The facilitator is one of the members or an active coach of the school."""
    if facilitator is None:
        return None
    if facilitator.pk in {m.pk for m in members}:
        return facilitator
    is_coach = Membership.objects.filter(
        role=Role.COACH, school=school, user=facilitator, user__is_active=True
    ).exists()
    if not is_coach:
        raise ValidationError(
            f"The facilitator must be a member of the team or a coach of {school.name}.",
            code="facilitator",
        )
    return facilitator


def _snapshot(team: Team) -> dict:
    return {
        "name": team.name,
        "kind": team.kind,
        "school_year": team.school_year_id,
        "facilitator": team.facilitator_id,
        "goal_statement": team.goal_statement,
        "members": sorted(team.members.values_list("pk", flat=True)),
        "system_goals": sorted(team.system_goals.values_list("pk", flat=True)),
    }


def team_create(
    *,
    actor: User,
    school: School,
    name: str,
    kind: str = Team.Kind.PLC,
    school_year: SchoolYear | None = None,
    members: Iterable[User] = (),
    facilitator: User | None = None,
    goal_statement: str = "",
    system_goals: Iterable[SystemGoal] = (),
) -> Team:
    """Form a grade-level team or PLC at a school, in the current school year by default."""
    _school_check(actor=actor, school=school)
    if not can_manage_teams_at(actor, school):
        raise PermissionDenied("You cannot form teams at this school.")
    with transaction.atomic():
        school_year = _school_year_check(school=school, school_year=school_year)
        name = _name_check(name=name, school=school, school_year=school_year, team=None)
        members = members_check(members=members, school=school)
        facilitator = facilitator_check(facilitator=facilitator, members=members, school=school)
        chosen_goals = system_goals_check(system_goals=system_goals, school=school)
        team = Team.objects.create(
            school=school,
            school_year=school_year,
            name=name,
            kind=_kind_check(kind),
            facilitator=facilitator,
            goal_statement=goal_statement.strip(),
        )
        team.members.set(members)
        team.system_goals.set(chosen_goals)
        audit_record(
            actor=actor,
            verb="team.create",
            target=team,
            district=school.district,
            data={"school": school.pk, **_snapshot(team)},
        )
    return team


def team_update(
    *,
    actor: User,
    team: Team,
    name: str,
    kind: str,
    school_year: SchoolYear,
    members: Iterable[User],
    facilitator: User | None,
    goal_statement: str,
    system_goals: Iterable[SystemGoal],
) -> Team:
    """Change a team's name, kind, year, members, facilitator or team goal."""
    if not can_manage_team(actor, team):
        raise PermissionDenied("You cannot change this team.")
    school = team.school
    with transaction.atomic():
        # Lock the row so that two managers saving at once cannot lose each other's members.
        team = Team.objects.select_for_update().get(pk=team.pk)
        team.school = school
        before = _snapshot(team)
        school_year = _school_year_check(school=school, school_year=school_year)
        name = _name_check(name=name, school=school, school_year=school_year, team=team)
        members = members_check(members=members, school=school)
        facilitator = facilitator_check(facilitator=facilitator, members=members, school=school)
        chosen_goals = system_goals_check(system_goals=system_goals, school=school)
        team.name = name
        team.kind = _kind_check(kind)
        team.school_year = school_year
        team.facilitator = facilitator
        team.goal_statement = goal_statement.strip()
        team.save()
        team.members.set(members)
        team.system_goals.set(chosen_goals)
        after = _snapshot(team)
        changed = sorted(key for key in after if after[key] != before[key])
        if changed:
            audit_record(
                actor=actor,
                verb="team.update",
                target=team,
                district=school.district,
                data={
                    "changed": changed,
                    "from": {key: before[key] for key in changed},
                    "to": {key: after[key] for key in changed},
                },
            )
    return team


def _notes_check(*, met_on: datetime.date, notes: dict[str, str]) -> dict[str, str]:
    if met_on > timezone.localdate():
        raise ValidationError("The meeting date cannot be in the future.", code="future_date")
    cleaned = {name: (notes.get(name) or "").strip() for name in MEETING_FIELDS}
    if not any(cleaned.values()):
        raise ValidationError(
            "Write something under at least one of the questions.", code="empty_notes"
        )
    return cleaned


def team_meeting_add(
    *,
    actor: User,
    team: Team,
    met_on: datetime.date,
    learn: str = "",
    evidence: str = "",
    intervene: str = "",
    extend: str = "",
    other_notes: str = "",
) -> TeamMeeting:
    """Record a team meeting's notes under the four PLC questions."""
    if not can_add_meeting(actor, team):
        raise PermissionDenied("You cannot add notes to this team.")
    notes = _notes_check(
        met_on=met_on,
        notes={
            "learn": learn,
            "evidence": evidence,
            "intervene": intervene,
            "extend": extend,
            "other_notes": other_notes,
        },
    )
    with transaction.atomic():
        meeting = TeamMeeting.objects.create(team=team, met_on=met_on, created_by=actor, **notes)
        audit_record(
            actor=actor,
            verb="team.meeting_add",
            target=meeting,
            district=team.school.district,
            data={"team": team.pk, "met_on": met_on.isoformat()},
        )
    return meeting


def team_meeting_update(
    *,
    actor: User,
    meeting: TeamMeeting,
    met_on: datetime.date,
    learn: str = "",
    evidence: str = "",
    intervene: str = "",
    extend: str = "",
    other_notes: str = "",
) -> TeamMeeting:
    """Correct a meeting's notes: their author or a manager of the team."""
    if not can_edit_meeting(actor, meeting):
        raise PermissionDenied("You cannot change these notes.")
    notes = _notes_check(
        met_on=met_on,
        notes={
            "learn": learn,
            "evidence": evidence,
            "intervene": intervene,
            "extend": extend,
            "other_notes": other_notes,
        },
    )
    with transaction.atomic():
        fields = {"met_on": met_on, **notes}
        changed = sorted(name for name, value in fields.items() if getattr(meeting, name) != value)
        if not changed:
            return meeting
        for name in changed:
            setattr(meeting, name, fields[name])
        meeting.save(update_fields=changed)
        audit_record(
            actor=actor,
            verb="team.meeting_update",
            target=meeting,
            district=meeting.team.school.district,
            data={"team": meeting.team_id, "changed": changed},
        )
    return meeting
