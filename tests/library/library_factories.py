"""Helpers for the library tests: goals whose Tier 4 passed, artifacts, published entries."""

from __future__ import annotations

from django.core.files.base import ContentFile

from evidence.models import Artifact, LearningResource, Submission
from goals.models import Goal
from library import services
from library.models import LibraryEntry
from pplearn.models import Role, School, User
from tests.evidence.evidence_factories import approved_goal, passed_tier, png_bytes
from tests.factories import make_person

S = Submission.Status


def tier4_goal(
    world,
    *,
    teacher: User | None = None,
    reflection: str = "",
    title: str = "Number talks every morning",
    **fields,
) -> Goal:
    """An approved goal with all four tiers passed; the Tier 4 reflection as given."""
    goal = approved_goal(world, teacher=teacher, title=title, **fields)
    for tier in (1, 2, 3, 4):
        submission = passed_tier(goal, tier)
    if reflection:
        Submission.objects.filter(pk=submission.pk).update(reflection=reflection)
    Submission.objects.filter(pk=submission.pk).update(
        practice_overview="Ten minutes a day: a dot image, think time, share strategies.",
        resource_links="https://example.org/number-talks",
    )
    return goal


def tier4_of(goal: Goal) -> Submission:
    return goal.submissions.get(tier=4, status=S.PASSED)


def artifact(
    submission: Submission,
    *,
    title: str = "Lesson plan",
    shows_students: bool = False,
    link: bool = False,
) -> Artifact:
    """A stored PNG (or a link) on a submission, written through the ORM."""
    fields = {
        "submission": submission,
        "purpose": Artifact.Purpose.PLAN if submission.tier == 4 else Artifact.Purpose.ARTIFACT,
        "title": title,
        "shows_students": shows_students,
        "uploaded_by": submission.goal.teacher,
    }
    if link:
        return Artifact.objects.create(
            kind=Artifact.Kind.LINK, url="https://example.org/x", **fields
        )
    item = Artifact(
        kind=Artifact.Kind.IMAGE,
        original_name=f"{title}.png",
        content_type="image/png",
        size=100,
        **fields,
    )
    item.file.save("upload", ContentFile(png_bytes()), save=False)
    item.save()
    return item


def resource(
    submission: Submission, title: str = "Number Talks (Parrish, 2010)"
) -> LearningResource:
    return LearningResource.objects.create(
        submission=submission,
        title=title,
        kind=LearningResource.Kind.BOOK,
        citation="Parrish, S. Number Talks. Math Solutions, 2010.",
        research_based=True,
    )


def publish(goal: Goal, **overrides) -> LibraryEntry:
    """Publish the goal's practice as its teacher, with sensible defaults."""
    kwargs = {
        "title": goal.title,
        "summary": "Short daily number talks that get every student explaining.",
        "practice": "Show a dot image, give think time, collect strategies.",
        "grade_band": School.GradeBand.ELEMENTARY,
        "subject": LibraryEntry.Subject.MATH,
    }
    kwargs.update(overrides)
    return services.entry_publish(goal=goal, actor=goal.teacher, **kwargs)


def colleague(world, school: School | None = None, **fields) -> User:
    """A teacher of the same district (school B unless told)."""
    return make_person(Role.TEACHER, school=school or world.school_b, **fields)


def stranger(world) -> User:
    """A teacher of the other district."""
    return make_person(Role.TEACHER, school=world.other_school)
