"""The figures of a school's dashboard for one school year, each aggregated in the database."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, RowNumber, TruncMonth
from django.utils import timezone

from coaching.models import Conversation
from evidence.models import TIER_NAMES, TIERS, Payout, Review, Submission
from goals.models import Goal, SystemGoal
from pplearn.models import Membership, Role, School, SchoolYear

# Goals that went through approval: a complete goal was approved first.
APPROVED_STATUSES = (Goal.Status.APPROVED, Goal.Status.COMPLETE)
COVERAGE_DAYS = 30
STALLED_DAYS = 30
ZERO = Decimal("0")


@dataclass(frozen=True)
class Participation:
    teachers: int
    with_approved_goal: int

    @property
    def percent(self) -> int | None:
        if not self.teachers:
            return None
        return round(100 * self.with_approved_goal / self.teachers)


@dataclass(frozen=True)
class Coverage:
    approved_goals: int
    with_conversation: int

    @property
    def percent(self) -> int | None:
        if not self.approved_goals:
            return None
        return round(100 * self.with_conversation / self.approved_goals)


def _goals(school: School, school_year: SchoolYear):
    return Goal.objects.filter(school=school, school_year=school_year)


def participation_for_school(*, school: School, school_year: SchoolYear) -> Participation:
    """Active teachers of the school, and how many have an approved goal this year."""
    approved = _goals(school, school_year).filter(
        teacher=OuterRef("user"), status__in=APPROVED_STATUSES
    )
    totals = (
        Membership.objects.filter(school=school, role=Role.TEACHER, user__is_active=True)
        .annotate(has_goal=Exists(approved))
        .aggregate(
            teachers=Count("user", distinct=True),
            with_goal=Count("user", distinct=True, filter=Q(has_goal=True)),
        )
    )
    return Participation(teachers=totals["teachers"], with_approved_goal=totals["with_goal"])


def goal_figures(
    *, school: School, school_year: SchoolYear, today: datetime.date | None = None
) -> tuple[list[tuple[str, int]], Coverage]:
    """Every goal status with its count (zeros included), and the coaching coverage:
    approved goals, and those whose teacher had a coaching conversation lately.

    One pass over the school's goals (issue 8: one query where there were two).
    """
    today = today or timezone.localdate()
    recent = Conversation.objects.filter(
        teacher=OuterRef("teacher"),
        school_year=school_year,
        held_on__gt=today - datetime.timedelta(days=COVERAGE_DAYS),
        held_on__lte=today,
    )
    approved = Q(status=Goal.Status.APPROVED)
    totals = (
        _goals(school, school_year)
        .annotate(has_recent=Exists(recent))
        .aggregate(
            **{f"status_{s.value}": Count("pk", filter=Q(status=s.value)) for s in Goal.Status},
            coached=Count("pk", filter=approved & Q(has_recent=True)),
        )
    )
    statuses = [(s.label, totals[f"status_{s.value}"]) for s in Goal.Status]
    coverage = Coverage(
        approved_goals=totals[f"status_{Goal.Status.APPROVED.value}"],
        with_conversation=totals["coached"],
    )
    return statuses, coverage


def submission_figures(*, school: School, school_year: SchoolYear) -> tuple[list[dict], int]:
    """Per tier, goals whose evidence reached a reviewer and goals that passed it; and the
    submissions waiting for a decision.

    One pass over the school's submissions (issue 8: one query where there were two).
    """
    sent = ~Q(status=Submission.Status.DRAFT)
    passed = Q(status=Submission.Status.PASSED)
    totals = Submission.objects.filter(
        goal__school=school, goal__school_year=school_year
    ).aggregate(
        backlog=Count("pk", filter=Q(status=Submission.Status.SUBMITTED)),
        **{
            f"reached_{tier}": Count("goal", distinct=True, filter=sent & Q(tier=tier))
            for tier in TIERS
        },
        **{
            f"passed_{tier}": Count("goal", distinct=True, filter=passed & Q(tier=tier))
            for tier in TIERS
        },
    )
    funnel = [
        {
            "tier": tier,
            "name": TIER_NAMES[tier],
            "reached": totals[f"reached_{tier}"],
            "passed": totals[f"passed_{tier}"],
        }
        for tier in TIERS
    ]
    return funnel, totals["backlog"]


def alignment_for_school(*, school: School, school_year: SchoolYear) -> list[SystemGoal]:
    """The active system goals that apply at the school this year, each with its goal count.

    Withdrawn goals do not count: nobody works on them any more.
    """
    through = SystemGoal.schools.through
    names_school = through.objects.filter(systemgoal=OuterRef("pk"), school=school)
    names_any = through.objects.filter(systemgoal=OuterRef("pk"))
    system_goals = list(
        SystemGoal.objects.active()
        .filter(district_id=school.district_id, school_year=school_year)
        .filter(Exists(names_school) | ~Exists(names_any))
    )
    # Counted from the school's own goals, in one grouped query: a count joined to the
    # system goals read every goal of the district linked to each (93 ms at 200 schools).
    counts = dict(
        Goal.system_goals.through.objects.filter(goal__school=school, goal__school_year=school_year)
        .exclude(goal__status=Goal.Status.WITHDRAWN)
        .order_by()
        .values_list("systemgoal")
        .annotate(n=Count("pk"))
    )
    for system_goal in system_goals:
        system_goal.goal_count = counts.get(system_goal.pk, 0)
    system_goals.sort(key=lambda system_goal: (-system_goal.goal_count, system_goal.title))
    return system_goals


def median_turnarounds(
    *, ids: list[int], school_year: SchoolYear, by_school: bool
) -> dict[int | None, datetime.timedelta]:
    """The median wait from submission to decision, per school or (key None) over all reviews.

    The database ranks the reviews and returns only the middle one or two of each group;
    a group of even size has the mean of its two middle waits.
    """
    group = F("submission__goal__school") if by_school else None
    middle = (
        Review.objects.filter(
            submission__goal__school__in=ids, submission__goal__school_year=school_year
        )
        .order_by()
        .annotate(
            group_id=group if by_school else Value(None, output_field=IntegerField()),
            rank=Window(RowNumber(), partition_by=group, order_by=[F("waited"), F("pk")]),
            size=Window(Count("pk"), partition_by=group),
        )
        .filter(rank__gte=(F("size") + 1) / 2, rank__lte=(F("size") + 2) / 2)
        .values_list("group_id", "waited")
    )
    waits: dict[int | None, list[datetime.timedelta]] = {}
    for group_id, waited in middle:
        waits.setdefault(group_id, []).append(waited)
    return {key: sum(values, datetime.timedelta()) / len(values) for key, values in waits.items()}


def median_turnaround(*, school: School, school_year: SchoolYear) -> datetime.timedelta | None:
    """The median wait from submission to decision of the year's reviews at the school."""
    return median_turnarounds(ids=[school.pk], school_year=school_year, by_school=False).get(None)


def stalled_goals(*, school: School, school_year: SchoolYear, now: datetime.datetime | None = None):
    """Approved goals without activity for a while and nothing waiting for a reviewer.

    Activity is the approval or any change to the goal's evidence.
    """
    now = now or timezone.now()
    waiting = Submission.objects.filter(goal=OuterRef("pk"), status=Submission.Status.SUBMITTED)
    return (
        _goals(school, school_year)
        .filter(status=Goal.Status.APPROVED)
        .annotate(
            # GREATEST skips NULLs in PostgreSQL: a goal without evidence has its approval.
            last_activity=Coalesce(
                Greatest(F("decided_at"), Max("submissions__updated_at")), F("created_at")
            )
        )
        .filter(last_activity__lt=now - datetime.timedelta(days=STALLED_DAYS))
        .exclude(Exists(waiting))
        .select_related("teacher")
        .order_by("last_activity", "pk")
    )


def _sum(field: str):
    return Coalesce(
        Sum(field), Value(ZERO), output_field=DecimalField(max_digits=12, decimal_places=2)
    )


def earnings_by_tier(*, school: School, school_year: SchoolYear) -> list[dict]:
    """Stipends and credit earned at the school this year, per tier (zeros included)."""
    rows = {
        row["tier"]: row
        for row in Payout.objects.filter(
            submission__goal__school=school, submission__goal__school_year=school_year
        )
        .order_by()
        .values("tier")
        .annotate(count=Count("pk"), amount=_sum("amount"), credit=_sum("credit"))
    }
    return [
        {
            "tier": tier,
            "name": TIER_NAMES[tier],
            "count": rows.get(tier, {}).get("count", 0),
            "amount": rows.get(tier, {}).get("amount", ZERO),
            "credit": rows.get(tier, {}).get("credit", ZERO),
        }
        for tier in TIERS
    ]


def tiers_passed_by_month(*, school: School, school_year: SchoolYear) -> list[dict]:
    """How many tiers passed in each month, for the months in which any did."""
    return list(
        Submission.objects.filter(
            goal__school=school,
            goal__school_year=school_year,
            status=Submission.Status.PASSED,
            decided_at__isnull=False,
        )
        .annotate(month=TruncMonth("decided_at"))
        .order_by()
        .values("month")
        .annotate(passed=Count("pk"))
        .order_by("month")
    )
