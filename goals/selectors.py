"""Reads behind the goal pages, with their joins prefetched."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import Goal, GoalComment, GoalEvent, StandardComponent, SystemGoal


def _with_related(goals: QuerySet[Goal]) -> QuerySet[Goal]:
    return goals.select_related("school", "school_year", "teacher").prefetch_related(
        Prefetch("system_goals", queryset=SystemGoal.objects.order_by("title"))
    )


def goals_for_teacher(*, teacher) -> QuerySet[Goal]:
    """The teacher's own goals of every year, newest year first."""
    return _with_related(Goal.objects.filter(teacher=teacher)).order_by(
        "-school_year__start_date", "-updated_at"
    )


def goals_awaiting_approval(*, user) -> QuerySet[Goal]:
    """Proposed goals the user may decide on, the longest waiting first."""
    return _with_related(Goal.objects.awaiting_approval_by(user)).order_by("proposed_at", "pk")


def goal_history(*, goal: Goal) -> QuerySet[GoalEvent]:
    return goal.events.select_related("actor").order_by("at", "pk")


def goal_comments(*, goal: Goal) -> QuerySet[GoalComment]:
    return goal.comments.select_related("author").order_by("created_at", "pk")


def goal_for_page_queryset() -> QuerySet[Goal]:
    """The goal page's goal with its many-to-many fields, in a fixed number of queries."""
    return Goal.objects.select_related(
        "teacher", "school", "school__district", "school_year", "approved_by", "carried_from"
    ).prefetch_related(
        Prefetch("system_goals", queryset=SystemGoal.objects.order_by("title")),
        # Each component with its domain and framework joined: one query, not three.
        Prefetch(
            "standard_components",
            queryset=StandardComponent.objects.select_related("domain__framework"),
        ),
        "collaborators",
    )


def goals_with_tiers(goals) -> list[Goal]:
    """Attach each goal's tier states and next evidence step, in one extra query."""
    from evidence.selectors import tier_overviews

    goals = list(goals)
    overviews = tier_overviews(goals)
    for goal in goals:
        goal.tiers = overviews[goal.pk]
        goal.evidence_next = _evidence_next(goal.tiers)
        # A closed goal shows its progress only if it has any evidence to show.
        goal.show_tiers = goal.status == Goal.Status.APPROVED or (
            goal.status == Goal.Status.COMPLETE and any(t.submission for t in goal.tiers)
        )
    return goals


def _evidence_next(tiers) -> str:
    """What the teacher does next with their evidence, in words."""
    for state in tiers:
        if state.state == "passed":
            continue
        return {
            "open": f"Start Tier {state.tier}: {state.name.lower()}.",
            "draft": f"Continue your Tier {state.tier} draft.",
            "submitted": f"Tier {state.tier} is with a reviewer.",
            "returned": f"Read the feedback on Tier {state.tier} and revise it.",
            "locked": "",
        }[state.state]
    return "All four tiers passed."
