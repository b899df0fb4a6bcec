"""Reads behind the review queue and the scoring page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone

from .models import Artifact, CriterionScore, Review, Submission
from .review_permissions import queue_schools


@dataclass(frozen=True)
class QueueFilters:
    school_id: int | None = None
    tier: int | None = None
    teacher: str = ""
    older_than_days: int | None = None
    claim: str = ""  # "", "unclaimed", "mine", "others"


def queue_for_reviewer(*, user, filters: QueueFilters) -> QuerySet[Submission]:
    """Submitted evidence of the schools the user serves, the longest waiting first."""
    items = Submission.objects.filter(
        status=Submission.Status.SUBMITTED, goal__school__in=queue_schools(user)
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


def queue_counts(*, user) -> dict[str, int]:
    """How many items wait in the user's queue, in total, per tier and unclaimed."""
    items = Submission.objects.filter(
        status=Submission.Status.SUBMITTED, goal__school__in=queue_schools(user)
    )
    return items.aggregate(
        total=Count("pk"),
        unclaimed=Count("pk", filter=Q(claim__isnull=True)),
        mine=Count("pk", filter=Q(claim__reviewer=user)),
        tier1=Count("pk", filter=Q(tier=1)),
        tier2=Count("pk", filter=Q(tier=2)),
        tier3=Count("pk", filter=Q(tier=3)),
        tier4=Count("pk", filter=Q(tier=4)),
    )


class _Median(Aggregate):
    """PostgreSQL's median: the middle value, or the mean of the two middle ones."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def median_turnaround(*, user, days: int = 30) -> datetime.timedelta | None:
    """The median wait of decisions in the last days, for the user's schools."""
    reviews = Review.objects.filter(
        decided_at__gte=timezone.now() - datetime.timedelta(days=days),
        submission__goal__school__in=queue_schools(user),
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
