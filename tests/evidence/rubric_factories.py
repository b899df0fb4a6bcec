"""Factories and helpers for the scoring guide and review settings tests.

Districts get their tier rules and version 1 of each scoring guide from a post_save signal,
so these only add what the signal does not: goals, submitted evidence, later versions.
"""

from __future__ import annotations

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from evidence.models import Rubric, Submission
from evidence.rubric_services import rubric_revise
from goals.models import Goal
from pplearn.models import District, Role, User
from tests.factories import SchoolFactory, SchoolYearFactory, make_person


def current_rubric(district: District, tier: int) -> Rubric:
    return Rubric.objects.get(district=district, tier=tier, is_current=True)


def rows_of(rubric: Rubric) -> list[dict]:
    """A scoring guide's rows as rubric_revise takes them."""
    return [
        {
            "title": c.title,
            "not_yet": c.not_yet,
            "on_track": c.on_track,
            "is_prerequisite": c.is_prerequisite,
        }
        for c in rubric.criteria.all()
    ]


def snapshot(rubric: Rubric) -> list[tuple]:
    """Everything stored about a version and its rows, to prove it was left alone."""
    rubric.refresh_from_db()
    head = (rubric.pk, rubric.version, rubric.created_at, rubric.created_by_id)
    rows = list(
        rubric.criteria.order_by("pk").values_list(
            "pk", "position", "title", "not_yet", "on_track", "is_prerequisite"
        )
    )
    return [head, *rows]


def revise(rubric: Rubric, actor: User, *, on_track_of_last: str) -> Rubric:
    """Save a new version that rewords the last row's 'On track' text."""
    rows = rows_of(rubric)
    rows[-1]["on_track"] = on_track_of_last
    return rubric_revise(rubric=rubric, actor=actor, criteria=rows)


class ApprovedGoalFactory(DjangoModelFactory):
    """An approved goal aiming at Tier 4, so passing a lower tier does not complete it."""

    class Meta:
        model = Goal

    school = factory.SubFactory(SchoolFactory)
    teacher = factory.LazyAttribute(lambda o: make_person(Role.TEACHER, school=o.school))
    school_year = factory.LazyAttribute(
        lambda o: (
            o.school.district.current_school_year() or SchoolYearFactory(district=o.school.district)
        )
    )
    title = factory.Sequence(lambda n: f"Talk moves {n}")
    inquiry_question = "How can structured talk moves raise participation?"
    status = Goal.Status.APPROVED
    target_tier = 4
    proposed_at = factory.LazyFunction(timezone.now)
    decided_at = factory.LazyFunction(timezone.now)


def make_submitted(goal: Goal, *, tier: int = 1) -> Submission:
    """Evidence sent for review, bound to the scoring guide in force now."""
    return Submission.objects.create(
        goal=goal,
        tier=tier,
        status=Submission.Status.SUBMITTED,
        reflection="A reflection.",
        submitted_at=timezone.now(),
        rubric=current_rubric(goal.school.district, tier),
    )
