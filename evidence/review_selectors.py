"""Reads behind the review queue and the scoring page."""

from __future__ import annotations

import datetime
import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Aggregate,
    DurationField,
    Exists,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone

from pplearn.lookups import among
from pplearn.models import Role

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


class SchoolIds(list):
    """The ids of a queue's schools, and their district when they are every school of one
    district (a district-wide coordinator's queue): the queries then filter by the district,
    which PostgreSQL plans without weighing 200 ids one by one (about 1 ms a query, issue 8)."""

    def __init__(self, ids, district_id: int | None = None):
        super().__init__(ids)
        self.district_id = district_id


def queue_scope(*, user) -> tuple[list[tuple[int, str]], SchoolIds]:
    """(id, name) of the schools of the user's queue by name, and their ids: read once a page."""
    rows = list(queue_schools(user).order_by("name", "pk").values_list("pk", "name", "district_id"))
    districts = {district for _, _, district in rows}
    # A district-wide coordinator's queue holds every school of the district (inactive ones
    # too), so when no other school is in it, "of this district" names the same schools.
    wide = {
        m.district_id
        for m in user.role_memberships
        if m.role == Role.COORDINATOR and m.school_id is None
    }
    whole = districts.pop() if len(districts) == 1 and districts <= wide else None
    return [(pk, name) for pk, name, _ in rows], SchoolIds([pk for pk, _, _ in rows], whole)


def _in_scope(field: str, user, school_ids: Sequence[int] | None) -> Q:
    # The page's schools read once: their district, or their ids (one array parameter on
    # PostgreSQL); or the schools' subquery for callers without them.
    if school_ids is None:
        return Q(**{f"{field}__in": queue_schools(user).values("pk")})
    district_id = getattr(school_ids, "district_id", None)
    if district_id is not None:
        return Q(**{f"{field.removesuffix('_id')}__district_id": district_id})
    return Q(among(field, school_ids))


def queue_for_reviewer(
    *, user, filters: QueueFilters, school_ids: Sequence[int] | None = None
) -> QuerySet[Submission]:
    """Submitted evidence of the schools the user serves, the longest waiting first."""
    items = Submission.objects.filter(
        _in_scope("goal__school_id", user, school_ids), status=Submission.Status.SUBMITTED
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
class TierCounts:
    """Per tier: the items waiting, those in review, and those in review by the user."""

    waiting: dict[int, int] = field(default_factory=dict)
    claimed: dict[int, int] = field(default_factory=dict)
    mine: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class QueueTallies:
    """The queue's numbers per tier, over all its schools and over the school chosen.

    Every count the queue shows, and the total of any school, tier and status filter, comes
    from these few numbers instead of counting the items (issue 8).
    """

    schools: TierCounts
    chosen: TierCounts | None = None

    def counts(self) -> dict[str, int]:
        every = self.schools
        total = sum(every.waiting.values())
        counts = {
            "total": total,
            "unclaimed": total - sum(every.claimed.values()),
            "mine": sum(every.mine.values()),
        }
        for tier in (1, 2, 3, 4):
            counts[f"tier{tier}"] = every.waiting.get(tier, 0)
        return counts

    def matching(self, filters: QueueFilters) -> int | None:
        """How many items the filters leave, or None when only counting them can tell."""
        if filters.teacher or filters.older_than_days:
            return None
        if filters.school_id and self.chosen is None:
            return None
        numbers = self.chosen if filters.school_id else self.schools

        def total(by_tier: dict[int, int]) -> int:
            return by_tier.get(filters.tier, 0) if filters.tier else sum(by_tier.values())

        if filters.claim == "unclaimed":
            return total(numbers.waiting) - total(numbers.claimed)
        if filters.claim == "mine":
            return total(numbers.mine)
        if filters.claim == "others":
            return total(numbers.claimed) - total(numbers.mine)
        return total(numbers.waiting)


def queue_tallies(
    *,
    user,
    school_ids: Sequence[int] | None = None,
    chosen: int | None = None,
    with_mine: bool = True,
) -> QueueTallies:
    """The queue's numbers per tier, from the tallies PostgreSQL's triggers keep (counted
    from the items on other databases); `chosen` is a school of the queue to count apart."""
    in_chosen = Q(school_id=chosen)
    if connection.vendor == "postgresql":
        sums = {"all_waiting": Sum("waiting"), "all_claimed": Sum("claimed")}
        if chosen:
            sums |= {
                "chosen_waiting": Sum("waiting", filter=in_chosen),
                "chosen_claimed": Sum("claimed", filter=in_chosen),
            }
        rows = list(
            QueueTally.objects.filter(_in_scope("school_id", user, school_ids))
            .order_by()
            .values("tier")
            .annotate(**sums)
        )
    else:
        rows = _tally_rows_counted(user, school_ids, chosen)
    mine = {"all_": Counter(), "chosen_": Counter()}
    if with_mine:
        for tier, school in _my_claims(user, school_ids):
            mine["all_"][tier] += 1
            mine["chosen_"][tier] += school == chosen

    def counts(prefix: str) -> TierCounts:
        return TierCounts(
            waiting={r["tier"]: r[f"{prefix}waiting"] or 0 for r in rows},
            claimed={r["tier"]: r[f"{prefix}claimed"] or 0 for r in rows},
            mine=dict(mine[prefix]),
        )

    return QueueTallies(schools=counts("all_"), chosen=counts("chosen_") if chosen else None)


def _my_claims(user, school_ids: Sequence[int] | None) -> list[tuple[int, int]]:
    """(tier, school) of each item in review by the user, of the queue's schools.

    A reviewer holds a few claims (170 at most in a generated district of 25,000 teachers):
    they are read with their school and kept to the queue's schools here, which costs less
    than joining their goals to test a district's 200 school ids in the database (issue 8).
    """
    claims = Claim.objects.filter(reviewer=user, submission__status=Submission.Status.SUBMITTED)
    if school_ids is None:
        claims = claims.filter(_in_scope("submission__goal__school_id", user, None))
    rows = claims.values_list("submission__tier", "submission__goal__school_id")
    in_queue = None if school_ids is None else set(school_ids)
    return [(tier, school) for tier, school in rows if in_queue is None or school in in_queue]


def _tally_rows_counted(user, school_ids, chosen) -> list[dict]:
    rows: dict[int, dict] = {}
    scope = queue_schools(user).values("pk") if school_ids is None else list(school_ids)
    for school, tier, waiting, claimed in QueueTally.objects.recount(scope):
        row = rows.setdefault(
            tier,
            {
                "tier": tier,
                "all_waiting": 0,
                "all_claimed": 0,
                "chosen_waiting": 0,
                "chosen_claimed": 0,
            },
        )
        row["all_waiting"] += waiting
        row["all_claimed"] += claimed
        if school == chosen:
            row["chosen_waiting"] += waiting
            row["chosen_claimed"] += claimed
    return list(rows.values())


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
