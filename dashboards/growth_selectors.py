"""The reads behind a teacher's growth record and portfolio: every figure aggregated in the
database, in a fixed number of queries however many goals and years the teacher has."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Max, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from coaching.models import Conversation
from evidence.models import (
    TIER_NAMES,
    TIERS,
    Artifact,
    CriterionScore,
    LearningResource,
    Review,
    Submission,
)
from goals.models import Goal, StandardComponent, SystemGoal
from pplearn.models import SchoolYear, User

S = Submission.Status
ZERO = Decimal("0")
# A version counts once it reached a reviewer; a draft is still the teacher's own.
SUBMITTED_STATUSES = [S.SUBMITTED, S.RETURNED, S.PASSED, S.SUPERSEDED]


def _money(expression) -> Coalesce:
    return Coalesce(
        expression, Value(ZERO), output_field=DecimalField(max_digits=12, decimal_places=2)
    )


@dataclass(frozen=True)
class TierRecord:
    """One tier of one goal: its versions, when it passed, and what passing earned."""

    tier: int
    versions: int
    returned: int
    waiting: int
    passed: int
    passed_at: datetime.datetime | None
    amount: Decimal
    credit: Decimal

    @property
    def name(self) -> str:
        return TIER_NAMES[self.tier]

    @property
    def state(self) -> str:
        if self.passed_at is not None:
            return "passed"
        if self.waiting:
            return "submitted"
        return "returned"


@dataclass
class GoalRecord:
    goal: Goal
    tiers: list[TierRecord] = field(default_factory=list)
    feedback: list[Review] = field(default_factory=list)
    passed: list[Submission] = field(default_factory=list)


@dataclass
class YearRecord:
    school_year: SchoolYear
    goals: list[GoalRecord]
    tiers_passed: int = 0
    amount: Decimal = ZERO
    credit: Decimal = ZERO
    conversations: int = 0
    last_conversation: datetime.date | None = None


@dataclass(frozen=True)
class Totals:
    tiers_passed: int
    amount: Decimal
    credit: Decimal


@dataclass
class GrowthRecord:
    years: list[YearRecord]
    by_tier: list[dict]
    totals: Totals
    conversations: int

    @property
    def goal_count(self) -> int:
        return sum(len(year.goals) for year in self.years)


def _goals(teacher: User) -> QuerySet[Goal]:
    """The teacher's goals with their school, year and system goals, newest first."""
    return (
        Goal.objects.filter(teacher=teacher)
        .select_related("school", "school_year")
        .prefetch_related(Prefetch("system_goals", queryset=SystemGoal.objects.order_by("title")))
        .order_by("-school_year__start_date", "-created_at", "-pk")
    )


def _with_standards(goals: QuerySet[Goal]) -> QuerySet[Goal]:
    """The standards each goal is tagged with (the portfolio prints them; the record not)."""
    return goals.prefetch_related(
        Prefetch(
            "standard_components",
            queryset=StandardComponent.objects.select_related("domain__framework").order_by(
                "domain__framework__name", "domain__position", "position", "name"
            ),
        )
    )


def _tier_records(goal_ids) -> dict[int, list[TierRecord]]:
    """Per goal and tier: versions submitted, returns, waiting, passing date and earnings."""
    rows = (
        Submission.objects.filter(goal__in=goal_ids)
        .filter(status__in=SUBMITTED_STATUSES)
        .order_by()
        .values("goal_id", "tier")
        .annotate(
            versions=Count("pk"),
            returned=Count("pk", filter=Q(status__in=[S.RETURNED, S.SUPERSEDED])),
            waiting=Count("pk", filter=Q(status=S.SUBMITTED)),
            passed=Count("pk", filter=Q(status=S.PASSED)),
            passed_at=Max("decided_at", filter=Q(status=S.PASSED)),
            amount=_money(Sum("payout__amount", filter=Q(status=S.PASSED))),
            credit=_money(Sum("payout__credit", filter=Q(status=S.PASSED))),
        )
        .order_by("goal_id", "tier")
    )
    records: dict[int, list[TierRecord]] = defaultdict(list)
    for row in rows:
        goal_id = row.pop("goal_id")
        records[goal_id].append(TierRecord(**row))
    return records


def _feedback(goal_ids) -> dict[int, list[Review]]:
    """Every decision on the goals' evidence, returned and passed, in tier and version order."""
    reviews = (
        Review.objects.filter(submission__goal__in=goal_ids)
        .select_related("submission", "reviewer")
        .prefetch_related(
            Prefetch(
                "scores",
                queryset=CriterionScore.objects.select_related("criterion")
                .filter(criterion__is_prerequisite=False)
                .filter(Q(on_track=False) | ~Q(comment=""))
                .order_by("criterion__position", "pk"),
                to_attr="noted_scores",
            )
        )
        .order_by("submission__tier", "submission__version")
    )
    by_goal: dict[int, list[Review]] = defaultdict(list)
    for review in reviews:
        by_goal[review.submission.goal_id].append(review)
    return by_goal


def _add(into, tier: TierRecord) -> None:
    into.tiers_passed += tier.passed
    into.amount += tier.amount
    into.credit += tier.credit


@dataclass
class _Sum:
    """Figures added up in Python from the per-goal, per-tier rows (one query for all)."""

    tiers_passed: int = 0
    amount: Decimal = ZERO
    credit: Decimal = ZERO
    versions: int = 0

    def totals(self) -> Totals:
        return Totals(tiers_passed=self.tiers_passed, amount=self.amount, credit=self.credit)


def _goal_figures(goal: Goal, tiers: list[TierRecord]) -> None:
    """Put on the goal its versions submitted, tiers passed and earnings: its tiers' sums."""
    figures = _Sum()
    for tier in tiers:
        figures.versions += tier.versions
        _add(figures, tier)
    goal.versions, goal.tiers_passed = figures.versions, figures.tiers_passed
    goal.amount, goal.credit = figures.amount, figures.credit


def growth_record_for(*, teacher: User) -> GrowthRecord:
    """The teacher's own goals of every year, feedback received, earnings and coaching.

    The goal, year, tier and total figures are all sums of one grouped read of the
    teacher's submissions per goal and tier, so they always agree with each other.
    """
    goals = list(_goals(teacher))
    goal_ids = [goal.pk for goal in goals]
    tiers = _tier_records(goal_ids) if goals else {}
    feedback = _feedback(goal_ids) if goals else {}
    # Counts and dates only: the notes of a conversation stay between coach and teacher.
    coaching = {
        row["school_year"]: row
        for row in Conversation.objects.filter(teacher=teacher)
        .order_by()
        .values("school_year")
        .annotate(n=Count("pk"), last=Max("held_on"))
    }

    by_tier = {tier: _Sum() for tier in TIERS}
    total = _Sum()
    years: list[YearRecord] = []
    for goal in goals:
        record = GoalRecord(goal, tiers.get(goal.pk, []), feedback.get(goal.pk, []))
        if not years or years[-1].school_year.pk != goal.school_year_id:
            coached = coaching.get(goal.school_year_id, {})
            years.append(
                YearRecord(
                    school_year=goal.school_year,
                    goals=[],
                    conversations=coached.get("n", 0),
                    last_conversation=coached.get("last"),
                )
            )
        _goal_figures(goal, record.tiers)
        for tier in record.tiers:
            for into in (years[-1], by_tier[tier.tier], total):
                _add(into, tier)
        years[-1].goals.append(record)
    return GrowthRecord(
        years=years,
        by_tier=[
            {
                "tier": tier,
                "name": TIER_NAMES[tier],
                "passed": figures.tiers_passed,
                "amount": figures.amount,
                "credit": figures.credit,
            }
            for tier, figures in by_tier.items()
        ],
        totals=total.totals(),
        conversations=sum(row["n"] for row in coaching.values()),
    )


# The portfolio: chosen goals, each passed tier with its evidence and feedback.


def portfolio_years(*, teacher: User) -> list[SchoolYear]:
    """The school years in which the teacher has a goal, newest first."""
    return list(
        SchoolYear.objects.filter(goals__teacher=teacher).distinct().order_by("-start_date")
    )


def portfolio_choices(*, teacher: User, school_year: SchoolYear | None) -> list[Goal]:
    """The goals a teacher may put in the portfolio, with how many tiers each passed."""
    goals = Goal.objects.filter(teacher=teacher)
    if school_year is not None:
        goals = goals.filter(school_year=school_year)
    return list(
        goals.select_related("school_year")
        .annotate(tiers_passed=Count("submissions", filter=Q(submissions__status=S.PASSED)))
        .order_by("-school_year__start_date", "-created_at", "-pk")
    )


def portfolio_for(*, teacher: User, goal_ids: list[int]) -> tuple[list[GoalRecord], Totals]:
    """The chosen goals of the teacher, each passed tier with its evidence, and the totals.

    Artifacts marked as showing students are left out: a portfolio leaves the building.
    """
    goals = list(_with_standards(_goals(teacher).filter(pk__in=goal_ids)))
    tiers = _tier_records([goal.pk for goal in goals]) if goals else {}
    total = _Sum()
    for goal in goals:
        _goal_figures(goal, tiers.get(goal.pk, []))
        for tier in tiers.get(goal.pk, []):
            _add(total, tier)
    passed = (
        Submission.objects.filter(goal__in=goals, status=S.PASSED)
        .select_related("review__reviewer", "payout")
        .prefetch_related(
            Prefetch("resources", queryset=LearningResource.objects.order_by("position", "pk")),
            Prefetch(
                "artifacts",
                queryset=Artifact.objects.filter(shows_students=False).order_by(
                    "uploaded_at", "pk"
                ),
                to_attr="shareable_artifacts",
            ),
            Prefetch(
                "review__scores",
                queryset=CriterionScore.objects.select_related("criterion")
                .filter(criterion__is_prerequisite=False)
                .exclude(comment="")
                .order_by("criterion__position", "pk"),
                to_attr="noted_scores",
            ),
        )
        .order_by("tier")
    )
    by_goal: dict[int, list[Submission]] = defaultdict(list)
    for submission in passed:
        by_goal[submission.goal_id].append(submission)
    records = [GoalRecord(goal, passed=by_goal.get(goal.pk, [])) for goal in goals]
    return records, total.totals()
