"""Reads behind the evidence pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from goals.models import Goal

from .models import TIER_NAMES, TIERS, Artifact, Rubric, Submission
from .rules import requirement_for_tier  # noqa: F401 - part of the read API
from .services import EVIDENCE_GOAL_STATUSES


@dataclass
class TierState:
    tier: int
    name: str
    state: str  # locked, open, draft, submitted, returned, passed
    submission: Submission | None
    is_target: bool

    @property
    def label(self) -> str:
        return {
            "locked": "Not open yet",
            "open": "Open",
            "draft": "Draft",
            "submitted": "In review",
            "returned": "Returned for revision",
            "passed": "Passed",
        }[self.state]


def tier_overview(goal: Goal) -> list[TierState]:
    """The state of each of the four tiers of a goal, in one query."""
    return tier_overviews([goal])[goal.pk]


def tier_overviews(goals) -> dict[int, list[TierState]]:
    """The tier states of many goals at once, in one query whatever their number."""
    goals = list(goals)
    live: dict[int, dict[int, Submission]] = {goal.pk: {} for goal in goals}
    for submission in Submission.objects.filter(goal__in=[g.pk for g in goals]).exclude(
        status=Submission.Status.SUPERSEDED
    ):
        live[submission.goal_id][submission.tier] = submission
    return {goal.pk: _states(goal, live[goal.pk]) for goal in goals}


def _states(goal: Goal, live: dict[int, Submission]) -> list[TierState]:
    states = []
    all_passed_so_far = goal.status in EVIDENCE_GOAL_STATUSES
    for tier in TIERS:
        submission = live.get(tier)
        if submission is not None:
            state = submission.status
        elif all_passed_so_far:
            state = "open"
        else:
            state = "locked"
        states.append(
            TierState(tier, TIER_NAMES[tier], state, submission, tier == goal.target_tier)
        )
        all_passed_so_far = all_passed_so_far and state == Submission.Status.PASSED
    return states


def submission_for_page(submission: Submission) -> Submission:
    return (
        Submission.objects.filter(pk=submission.pk)
        .select_related("goal", "goal__teacher", "goal__school", "goal__school_year", "rubric")
        .prefetch_related(
            "resources",
            Prefetch("artifacts", queryset=Artifact.objects.order_by("uploaded_at", "pk")),
        )
        .get()
    )


def submission_versions(submission: Submission) -> list[Submission]:
    return list(
        Submission.objects.filter(goal_id=submission.goal_id, tier=submission.tier).order_by(
            "-version"
        )
    )


def rubric_for_tier(*, district, tier: int) -> Rubric | None:
    return (
        Rubric.objects.filter(district=district, tier=tier, is_current=True)
        .prefetch_related("criteria")
        .first()
    )
