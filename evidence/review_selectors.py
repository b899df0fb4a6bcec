"""Reads behind the review queue and the scoring page."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone

from pplearn.models import School

from .models import Artifact, Claim, CriterionScore, QueueTally, Review, Submission
from .review_permissions import queue_schools

# How long a median turnaround is kept when no decision is recorded: decisions also leave
# the 30 days with the clock alone, so the figure is at most this late for them.
MEDIAN_KEPT_SECONDS = 300


@dataclass(frozen=True)
class QueueFilters:
    school_id: int | None = None
    tier: int | None = None
    teacher: str = ""
    older_than_days: int | None = None
    claim: str = ""  # "", "unclaimed", "mine", "others"


def queue_school_choices(*, user) -> list[School]:
    """The schools of the user's queue by name (id and name only): read once per page."""
    return list(queue_schools(user).order_by("name", "pk").only("pk", "name"))


def _scope(user, school_ids: Sequence[int] | None):
    # The ids read once by the page, or the schools' subquery for callers without them.
    return queue_schools(user).values("pk") if school_ids is None else list(school_ids)


def queue_for_reviewer(
    *, user, filters: QueueFilters, school_ids: Sequence[int] | None = None
) -> QuerySet[Submission]:
    """Submitted evidence of the schools the user serves, the longest waiting first."""
    items = Submission.objects.filter(
        status=Submission.Status.SUBMITTED, goal__school_id__in=_scope(user, school_ids)
    )
    if filters.school_id:
        items = items.filter(goal__school_id=filters.school_id)
    if filters.tier:
        items = items.filter(tier=filters.tier)
    if filters.teacher:
        items = items.filter(
            Q(goal__teacher__full_name__icontains=filters.teacher)
            | Q(goal__teacher__email__icontains=filters.teacher)
        )
    if filters.older_than_days:
        cutoff = timezone.now() - datetime.timedelta(days=filters.older_than_days)
        items = items.filter(submitted_at__lte=cutoff)
    if filters.claim == "unclaimed":
        items = items.filter(claim__isnull=True)
    elif filters.claim == "mine":
        items = items.filter(claim__reviewer=user)
    elif filters.claim == "others":
        items = items.filter(claim__isnull=False).exclude(claim__reviewer=user)
    return items.select_related(
        "goal", "goal__teacher", "goal__school", "claim", "claim__reviewer"
    ).order_by("submitted_at", "pk")


@dataclass(frozen=True)
class QueueTallies:
    """The waiting items of a queue per school and tier, with those in review, and the user's.

    `waiting` and `claimed` are {(school, tier): n}; `mine` counts the user's claims the same
    way. Every count the queue shows, and the total of any school, tier and status filter,
    comes from these few numbers instead of counting the items (issue 8).
    """

    waiting: dict[tuple[int, int], int] = field(default_factory=dict)
    claimed: dict[tuple[int, int], int] = field(default_factory=dict)
    mine: dict[tuple[int, int], int] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        total = sum(self.waiting.values())
        counts = {
            "total": total,
            "unclaimed": total - sum(self.claimed.values()),
            "mine": sum(self.mine.values()),
        }
        for tier in (1, 2, 3, 4):
            counts[f"tier{tier}"] = sum(n for (_, t), n in self.waiting.items() if t == tier)
        return counts

    def matching(self, filters: QueueFilters) -> int | None:
        """How many items the filters leave, or None when only counting them can tell."""
        if filters.teacher or filters.older_than_days:
            return None

        def total(numbers: dict[tuple[int, int], int]) -> int:
            return sum(
                n
                for (school, tier), n in numbers.items()
                if (not filters.school_id or school == filters.school_id)
                and (not filters.tier or tier == filters.tier)
            )

        if filters.claim == "unclaimed":
            return total(self.waiting) - total(self.claimed)
        if filters.claim == "mine":
            return total(self.mine)
        if filters.claim == "others":
            return total(self.claimed) - total(self.mine)
        return total(self.waiting)


def queue_tallies(
    *, user, school_ids: Sequence[int] | None = None, with_mine: bool = True
) -> QueueTallies:
    """The queue's tallies: kept by PostgreSQL's triggers, counted on other databases."""
    scope = _scope(user, school_ids)
    if connection.vendor == "postgresql":
        rows = QueueTally.objects.filter(school_id__in=scope).values_list(
            "school_id", "tier", "waiting", "claimed"
        )
    else:
        rows = QueueTally.objects.recount(scope)
    mine = {}
    if with_mine:
        # A reviewer holds a few claims at a time: counting them stays small at any size.
        mine = {
            (school, tier): n
            for school, tier, n in Claim.objects.filter(
                reviewer=user,
                submission__status=Submission.Status.SUBMITTED,
                submission__goal__school_id__in=scope,
            )
            .order_by()
            .values_list("submission__goal__school_id", "submission__tier")
            .annotate(n=Count("pk"))
        }
    return QueueTallies(
        waiting={(school, tier): w for school, tier, w, _ in rows if w},
        claimed={(school, tier): c for school, tier, _, c in rows if c},
        mine=mine,
    )


def queue_counts(*, user, school_ids: Sequence[int] | None = None) -> dict[str, int]:
    """How many items wait in the user's queue, in total, per tier and unclaimed."""
    return queue_tallies(user=user, school_ids=school_ids).counts()


class _Median(Aggregate):
    """PostgreSQL's median: the middle value, or the mean of the two middle ones."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def median_turnaround(
    *, user, days: int = 30, school_ids: Sequence[int] | None = None
) -> datetime.timedelta | None:
    """The median wait of decisions in the last days, for the user's schools.

    A median cannot be added up from parts, and over a district it reads every decision of
    the month, so it is kept (cache) under the newest decision's id: a new decision, and
    nothing else adds one (reviews are never edited or deleted), makes the next page count it
    again at once. Decisions leaving the window with the clock are seen within
    MEDIAN_KEPT_SECONDS.
    """
    if school_ids is None:
        school_ids = list(queue_schools(user).values_list("pk", flat=True))
    newest = Review.objects.aggregate(newest=Max("pk"))["newest"]
    scope = hashlib.sha256(",".join(map(str, sorted(school_ids))).encode()).hexdigest()[:32]
    key = f"evidence:median:{days}:{newest}:{scope}"
    kept = cache.get(key)
    if kept is not None:
        return kept[0]
    median = median_turnaround_recount(school_ids=school_ids, days=days)
    cache.set(key, (median,), MEDIAN_KEPT_SECONDS)
    return median


def median_turnaround_recount(
    *, school_ids: Sequence[int], days: int = 30
) -> datetime.timedelta | None:
    """The median wait of the schools' decisions in the last days, counted now."""
    reviews = Review.objects.filter(
        decided_at__gte=timezone.now() - datetime.timedelta(days=days),
        submission__goal__school_id__in=list(school_ids),
    )
    if connection.vendor == "postgresql":
        # One pass in the database, whatever the number of decisions (issue 8).
        return reviews.aggregate(median=_Median("waited"))["median"]
    count = reviews.count()
    if not count:
        return None
    ordered = reviews.order_by("waited").values_list("waited", flat=True)
    if count % 2:
        return ordered[count // 2]
    low, high = list(ordered[count // 2 - 1 : count // 2 + 1])
    return (low + high) / 2


def next_in_queue(*, user, after: Submission) -> Submission | None:
    """The next item to score: the oldest unclaimed one, or one already claimed by the user."""
    from coaching.models import CoachAssignment

    # Never the reviewer's own evidence, nor that of a teacher they coach: they cannot score it.
    coached = CoachAssignment.objects.filter(
        coach=user, teacher=OuterRef("goal__teacher"), school_year=OuterRef("goal__school_year")
    )
    return (
        queue_for_reviewer(user=user, filters=QueueFilters())
        .filter(Q(claim__isnull=True) | Q(claim__reviewer=user))
        .exclude(pk=after.pk)
        .exclude(goal__teacher=user)
        .exclude(Exists(coached))
        .first()
    )


def submission_for_scoring(pk: int) -> Submission:
    """Everything the scoring page shows, in a fixed number of queries."""
    return scoring_queryset().filter(pk=pk).get()


def scoring_queryset() -> QuerySet[Submission]:
    """Submissions with what the scoring page shows: goal, people, guide, claim, files."""
    return Submission.objects.select_related(
        "goal",
        "goal__teacher",
        "goal__school",
        "goal__school__district",
        "goal__school_year",
        "rubric",
        "previous",
        "claim",
        "claim__reviewer",
    ).prefetch_related(
        "resources",
        Prefetch("artifacts", queryset=Artifact.objects.order_by("uploaded_at", "pk")),
        "goal__system_goals",
        "rubric__criteria",
    )


def earlier_versions(submission: Submission) -> list[Submission]:
    """The earlier versions of this tier with their reviews and scores."""
    return list(
        Submission.objects.filter(
            goal_id=submission.goal_id, tier=submission.tier, version__lt=submission.version
        )
        .select_related("review", "review__reviewer")
        .prefetch_related(
            Prefetch("review__scores", queryset=CriterionScore.objects.select_related("criterion"))
        )
        .order_by("-version")
    )
