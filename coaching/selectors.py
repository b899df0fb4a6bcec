"""Reads behind the coaching pages, each in a fixed number of queries.

The support cadence: every approved goal expects a check-in at the district's interval,
counted from the later of the last conversation and the goal's approval.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from evidence.selectors import TierState, tier_overviews
from evidence.services import EVIDENCE_GOAL_STATUSES
from goals.models import Goal
from pplearn.models import District, Role, School, SchoolYear, User

from .models import CoachAssignment, Conversation, NextStep, ReminderSettings

DEFAULT_CHECKIN_INTERVAL_DAYS = ReminderSettings._meta.get_field("checkin_interval_days").default

# Which of a teacher's goals of the year counts as "current": the one in progress first.
GOAL_PREFERENCE = [
    Goal.Status.APPROVED,
    Goal.Status.PROPOSED,
    Goal.Status.CHANGES_REQUESTED,
    Goal.Status.DRAFT,
    Goal.Status.COMPLETE,
]


def checkin_interval_days(district: District | int) -> int:
    """The district's check-in interval; the default when it has no reminder settings."""
    district_id = district if isinstance(district, int) else district.pk
    interval = (
        ReminderSettings.objects.filter(district_id=district_id)
        .values_list("checkin_interval_days", flat=True)
        .first()
    )
    return interval or DEFAULT_CHECKIN_INTERVAL_DAYS


@dataclass
class CaseloadRow:
    """One assignment, as the coach's caseload and the principal's overdue list show it."""

    assignment: CoachAssignment
    goal: Goal | None
    tiers: list[TierState]
    last_conversation_on: datetime.date | None
    last_conversation_id: int | None
    next_due: datetime.date | None
    days_overdue: int
    today: datetime.date
    open_steps: int = 0
    sort_key: tuple = field(default=(), repr=False)

    @property
    def teacher(self) -> User:
        return self.assignment.teacher

    @property
    def coach(self) -> User:
        return self.assignment.coach

    @property
    def school(self) -> School:
        return self.assignment.school

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue > 0

    @property
    def days_until_due(self) -> int | None:
        return (self.next_due - self.today).days if self.next_due else None


def _current_goal(goals: Iterable[Goal]) -> Goal | None:
    ranked = sorted(
        (g for g in goals if g.status in GOAL_PREFERENCE),
        key=lambda g: (GOAL_PREFERENCE.index(g.status), -g.updated_at.timestamp()),
    )
    return ranked[0] if ranked else None


def _last_conversation(field_name: str) -> Subquery:
    return Subquery(
        Conversation.objects.filter(
            coach=OuterRef("coach"),
            teacher=OuterRef("teacher"),
            school_year=OuterRef("school_year"),
        )
        .order_by("-held_on", "-created_at")
        .values(field_name)[:1]
    )


def _rows(
    assignments: QuerySet[CoachAssignment],
    *,
    school_year: SchoolYear,
    today: datetime.date | None,
    with_tiers: bool,
) -> list[CaseloadRow]:
    """The assignments as rows, the most overdue first, then the next due, then by name."""
    today = today or timezone.localdate()
    interval = datetime.timedelta(days=checkin_interval_days(school_year.district_id))
    goals = Goal.objects.filter(school_year=school_year).exclude(status=Goal.Status.WITHDRAWN)
    open_steps = (
        NextStep.objects.filter(
            conversation__coach=OuterRef("coach"),
            conversation__teacher=OuterRef("teacher"),
            conversation__school_year=OuterRef("school_year"),
            done_at__isnull=True,
        )
        .order_by()
        .values("conversation__teacher")
        .annotate(n=Count("pk"))
        .values("n")
    )
    assignments = (
        assignments.filter(school_year=school_year, teacher__is_active=True)
        .select_related("coach", "teacher", "school")
        .annotate(
            last_on=_last_conversation("held_on"),
            last_id=_last_conversation("pk"),
            open_steps=Coalesce(Subquery(open_steps, output_field=IntegerField()), 0),
        )
        .prefetch_related(Prefetch("teacher__goals", queryset=goals, to_attr="year_goals"))
    )
    rows = []
    for assignment in assignments:
        goal = _current_goal(assignment.teacher.year_goals)
        next_due = None
        if goal is not None and goal.status == Goal.Status.APPROVED:
            approved_on = timezone.localdate(goal.decided_at) if goal.decided_at else None
            # A goal-setting talk before the approval does not make the first check-in late.
            since = [d for d in (assignment.last_on, approved_on) if d is not None]
            next_due = max(since) + interval if since else today
        days_overdue = max((today - next_due).days, 0) if next_due else 0
        row = CaseloadRow(
            assignment=assignment,
            goal=goal,
            tiers=[],
            last_conversation_on=assignment.last_on,
            last_conversation_id=assignment.last_id,
            next_due=next_due,
            days_overdue=days_overdue,
            today=today,
            open_steps=assignment.open_steps,
        )
        row.sort_key = (
            -days_overdue,
            next_due is None,
            next_due or datetime.date.max,
            assignment.teacher.full_name.lower(),
            assignment.pk,
        )
        rows.append(row)
    if with_tiers:
        # Evidence opens once a goal is approved: before that every tier would read "locked".
        shown = [r for r in rows if r.goal is not None and r.goal.status in EVIDENCE_GOAL_STATUSES]
        overviews = tier_overviews([r.goal for r in shown])
        for row in shown:
            row.tiers = overviews[row.goal.pk]
    rows.sort(key=lambda r: r.sort_key)
    return rows


def caseload_for_coach(
    *, coach: User, school_year: SchoolYear, today: datetime.date | None = None
) -> list[CaseloadRow]:
    """The coach's teachers of the year with goal, tiers and check-ins, overdue ones first."""
    return _rows(
        CoachAssignment.objects.filter(coach=coach),
        school_year=school_year,
        today=today,
        with_tiers=True,
    )


def overdue_checkins_for_schools(
    *, schools: Iterable[School], school_year: SchoolYear, today: datetime.date | None = None
) -> list[CaseloadRow]:
    """Overdue check-ins at the schools: who and how late, never what was said."""
    rows = _rows(
        CoachAssignment.objects.filter(school__in=[s.pk for s in schools]),
        school_year=school_year,
        today=today,
        with_tiers=False,
    )
    return [row for row in rows if row.is_overdue]


def overdue_checkins_for_school(
    *, school: School, school_year: SchoolYear, today: datetime.date | None = None
) -> list[CaseloadRow]:
    """Overdue check-ins at one school, for its principal."""
    return overdue_checkins_for_schools(schools=[school], school_year=school_year, today=today)


def conversations_for_teacher(
    *, teacher: User, coach: User | None = None, school_year: SchoolYear | None = None
) -> QuerySet[Conversation]:
    """The teacher's conversations, newest first, with their next steps loaded."""
    conversations = Conversation.objects.filter(teacher=teacher)
    if coach is not None:
        conversations = conversations.filter(coach=coach)
    if school_year is not None:
        conversations = conversations.filter(school_year=school_year)
    return (
        conversations.select_related("coach", "goal", "school_year")
        .prefetch_related(
            Prefetch("next_steps", queryset=NextStep.objects.select_related("done_by"))
        )
        .order_by("-school_year__start_date", "-held_on", "-created_at")
    )


def open_steps_for_teacher(*, teacher: User) -> QuerySet[NextStep]:
    """Next steps not yet ticked off, of every conversation the teacher had."""
    return (
        NextStep.objects.filter(conversation__teacher=teacher, done_at__isnull=True)
        .select_related("conversation", "conversation__coach")
        .order_by("conversation__held_on", "conversation_id", "position", "pk")
    )


def coaches_of_teacher(*, teacher: User, school_year: SchoolYear) -> QuerySet[CoachAssignment]:
    return CoachAssignment.objects.filter(teacher=teacher, school_year=school_year).select_related(
        "coach", "school"
    )


@dataclass
class TeacherAssignments:
    teacher: User
    assignments: list[CoachAssignment]


def assignments_for_school(*, school: School, school_year: SchoolYear) -> list[TeacherAssignments]:
    """The school's active teachers with their coaches of the year, uncoached ones first."""
    teachers = (
        User.objects.filter(
            is_active=True, memberships__role=Role.TEACHER, memberships__school=school
        )
        .distinct()
        .prefetch_related(
            Prefetch(
                "coach_assignments",
                queryset=CoachAssignment.objects.filter(
                    school_year=school_year, school=school
                ).select_related("coach"),
                to_attr="year_coaches",
            )
        )
        .order_by("full_name", "pk")
    )
    listing = [TeacherAssignments(t, list(t.year_coaches)) for t in teachers]
    listing.sort(key=lambda entry: bool(entry.assignments))
    return listing


def coaches_at_school(*, school: School) -> QuerySet[User]:
    return (
        User.objects.filter(
            is_active=True, memberships__role=Role.COACH, memberships__school=school
        )
        .distinct()
        .order_by("full_name", "pk")
    )
