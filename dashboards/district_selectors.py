"""The figures of the district dashboard: each one aggregated in the database, grouped by school.

`count_figures` counts them from the data in a fixed number of queries whatever the number of
schools; dashboards.rollups keeps its result per school and year, which the page reads. The
definitions are the school dashboard's (see selectors.py); a test checks that each school's
row equals its own dashboard.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from coaching.models import Conversation
from evidence.models import TIERS, Payout, Submission
from goals.models import Goal, SystemGoal
from pplearn.models import District, Membership, Role, School, SchoolYear

from .selectors import (
    APPROVED_STATUSES,
    COVERAGE_DAYS,
    STALLED_DAYS,
    ZERO,
    Coverage,
    Participation,
    _sum,
    median_turnarounds,
)


@dataclass
class SchoolFigures:
    """One school's figures for a year (or, with no school, the total of several schools)."""

    school: School | None
    teachers: int = 0
    with_approved_goal: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    reached: dict[int, int] = field(default_factory=dict)
    passed: dict[int, int] = field(default_factory=dict)
    backlog: int = 0
    median_turnaround: datetime.timedelta | None = None
    approved_goals: int = 0
    coached: int = 0
    stalled: int = 0
    payouts: int = 0
    stipends: Decimal = ZERO
    credit: Decimal = ZERO
    # {system goal id: goals other than withdrawn}, for the alignment table.
    alignment: dict[int, int] = field(default_factory=dict)
    # When the figures that move with the clock were counted (coverage, stalled, turnaround).
    counted_at: datetime.datetime | None = None

    @property
    def participation(self) -> int | None:
        return Participation(self.teachers, self.with_approved_goal).percent

    @property
    def coverage(self) -> int | None:
        return Coverage(self.approved_goals, self.coached).percent

    @property
    def goals(self) -> int:
        return sum(self.statuses.values())


def _zeros(school: School | None) -> SchoolFigures:
    return SchoolFigures(
        school=school,
        statuses=dict.fromkeys(Goal.Status.values, 0),
        reached=dict.fromkeys(TIERS, 0),
        passed=dict.fromkeys(TIERS, 0),
    )


def _ids(schools: list[School]) -> list[int]:
    return [school.pk for school in schools]


def _participation(ids: list[int], school_year: SchoolYear):
    approved = Goal.objects.filter(
        teacher=OuterRef("user"),
        school=OuterRef("school"),
        school_year=school_year,
        status__in=APPROVED_STATUSES,
    )
    return (
        Membership.objects.filter(school__in=ids, role=Role.TEACHER, user__is_active=True)
        .order_by()
        .values("school")
        .annotate(
            teachers=Count("user", distinct=True),
            with_approved_goal=Count("user", distinct=True, filter=Q(Exists(approved))),
        )
    )


def _goals(ids: list[int], school_year: SchoolYear, now: datetime.datetime):
    """Goals by status, coaching coverage and stalled goals: one pass over the goals."""
    today = timezone.localdate(now)
    recent = Conversation.objects.filter(
        teacher=OuterRef("teacher"),
        school_year=school_year,
        held_on__gt=today - datetime.timedelta(days=COVERAGE_DAYS),
        held_on__lte=today,
    )
    waiting = Submission.objects.filter(goal=OuterRef("pk"), status=Submission.Status.SUBMITTED)
    last_change = (
        Submission.objects.filter(goal=OuterRef("pk"))
        .order_by()
        .values("goal")
        .annotate(latest=Max("updated_at"))
        .values("latest")
    )
    approved = Q(status=Goal.Status.APPROVED)
    statuses = {
        f"status_{status.value}": Count("pk", filter=Q(status=status)) for status in Goal.Status
    }
    return (
        Goal.objects.filter(school__in=ids, school_year=school_year)
        # Activity is the approval or any change to the goal's evidence (as on the school's).
        .alias(
            last_activity=Coalesce(
                Greatest(F("decided_at"), Subquery(last_change)), F("created_at")
            )
        )
        .order_by()
        .values("school")
        .annotate(
            **statuses,
            approved_goals=Count("pk", filter=approved),
            coached=Count("pk", filter=approved & Q(Exists(recent))),
            stalled=Count(
                "pk",
                filter=approved
                & Q(last_activity__lt=now - datetime.timedelta(days=STALLED_DAYS))
                & ~Q(Exists(waiting)),
            ),
        )
    )


def _submissions(ids: list[int], school_year: SchoolYear):
    """Per school: goals that reached and passed each tier, and the review backlog."""
    counts = {}
    for tier in TIERS:
        counts[f"reached_{tier}"] = Count("goal", distinct=True, filter=Q(tier=tier))
        counts[f"passed_{tier}"] = Count(
            "goal", distinct=True, filter=Q(tier=tier, status=Submission.Status.PASSED)
        )
    return (
        Submission.objects.filter(goal__school__in=ids, goal__school_year=school_year)
        .exclude(status=Submission.Status.DRAFT)
        .order_by()
        .values("goal__school")
        .annotate(**counts, backlog=Count("pk", filter=Q(status=Submission.Status.SUBMITTED)))
    )


def _payouts(ids: list[int], school_year: SchoolYear):
    return (
        Payout.objects.filter(
            submission__goal__school__in=ids, submission__goal__school_year=school_year
        )
        .order_by()
        .values("submission__goal__school")
        .annotate(payouts=Count("pk"), stipends=_sum("amount"), credit=_sum("credit"))
    )


def _alignment(ids: list[int], school_year: SchoolYear):
    """Per school and system goal: the goals working on it, withdrawn ones left out."""
    through = Goal.system_goals.through
    return (
        through.objects.filter(goal__school__in=ids, goal__school_year=school_year)
        .exclude(goal__status=Goal.Status.WITHDRAWN)
        .order_by()
        .values("goal__school", "systemgoal")
        .annotate(goals=Count("pk"))
    )


def count_figures(
    *, ids: list[int], school_year: SchoolYear, now: datetime.datetime
) -> dict[int, SchoolFigures]:
    """Each school's figures for the year counted from the data, keyed by school id.

    A fixed number of queries whatever the number of schools; dashboards.rollups keeps the
    result, and the drift test compares the kept rows with this count.
    """
    rows = {pk: _zeros(None) for pk in ids}
    for row in _participation(ids, school_year):
        figures = rows[row["school"]]
        figures.teachers = row["teachers"]
        figures.with_approved_goal = row["with_approved_goal"]
    for row in _goals(ids, school_year, now):
        figures = rows[row["school"]]
        for status in Goal.Status:
            figures.statuses[status.value] = row[f"status_{status.value}"]
        figures.approved_goals = row["approved_goals"]
        figures.coached = row["coached"]
        figures.stalled = row["stalled"]
    for row in _submissions(ids, school_year):
        figures = rows[row["goal__school"]]
        for tier in TIERS:
            figures.reached[tier] = row[f"reached_{tier}"]
            figures.passed[tier] = row[f"passed_{tier}"]
        figures.backlog = row["backlog"]
    for row in _payouts(ids, school_year):
        figures = rows[row["submission__goal__school"]]
        figures.payouts = row["payouts"]
        figures.stipends = row["stipends"]
        figures.credit = row["credit"]
    for row in _alignment(ids, school_year):
        rows[row["goal__school"]].alignment[row["systemgoal"]] = row["goals"]
    for school_id, median in median_turnarounds(
        ids=ids, school_year=school_year, by_school=True
    ).items():
        rows[school_id].median_turnaround = median
    return rows


def total_turnaround(*, ids: list[int], school_year: SchoolYear) -> datetime.timedelta | None:
    """The median turnaround over all the schools' reviews of the year."""
    return median_turnarounds(ids=ids, school_year=school_year, by_school=False).get(None)


def alignment_for_schools(
    *,
    district: District,
    schools: list[School],
    school_year: SchoolYear,
    counts: dict[int, tuple[int, int]],
) -> list[SystemGoal]:
    """Active system goals that apply at any of the schools, with their goals and schools.

    `counts` holds, per system goal, the schools' goals (withdrawn ones left out, as on the
    school dashboard) and the number of schools with any (dashboards.rollups).
    """
    from .rollups import scope_filter

    through = SystemGoal.schools.through
    names_one = through.objects.filter(systemgoal=OuterRef("pk"), school__in=scope_filter(schools))
    names_any = through.objects.filter(systemgoal=OuterRef("pk"))
    goals = list(
        SystemGoal.objects.active()
        .filter(district=district, school_year=school_year)
        .filter(Exists(names_one) | ~Exists(names_any))
        .order_by("title")
    )
    for goal in goals:
        goal.goal_count, goal.school_count = counts.get(goal.pk, (0, 0))
    # Python's sort is stable: equal counts keep the database's order of titles.
    return sorted(goals, key=lambda goal: -goal.goal_count)
