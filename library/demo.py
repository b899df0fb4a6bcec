"""The demo library: a few practices published from passed Tier 4 goals, saved and tried."""

from __future__ import annotations

import random

from django.db.models import Exists, OuterRef
from faker import Faker

from evidence import services as evidence_services
from evidence.demo import _decide, _fill
from evidence.models import Submission
from goals.models import Goal
from pplearn.models import District, Role, User
from pplearn.notifications import email_suppressed

from . import services
from .models import LibraryEntry

# How many practices the demo library holds.
ENTRIES = 3
SUBJECT_WORDS = [
    ("history", LibraryEntry.Subject.SOCIAL_STUDIES),
    ("science", LibraryEntry.Subject.SCIENCE),
    ("math", LibraryEntry.Subject.MATH),
    ("reading", LibraryEntry.Subject.ELA),
    ("writing", LibraryEntry.Subject.ELA),
]
COMMENTS = [
    "Tried it with my fourth period: the students took to it in two days.",
    "Worked well after I shortened the first step. Thank you for the clear plan.",
    "",
    "My team is adopting this for the next unit.",
]


def _subject(goal: Goal) -> str:
    title = goal.title.lower()
    return next((s for word, s in SUBJECT_WORDS if word in title), LibraryEntry.Subject.ACROSS)


def _finish_tier4(goal: Goal, reviewer: User, fake: Faker, rng: random.Random) -> None:
    """Carry a goal with nothing in review to a passed Tier 4, through the evidence services."""
    for tier in range(1, 5):
        live = goal.submissions.exclude(status=Submission.Status.SUPERSEDED).filter(tier=tier)
        submission = live.first()
        if submission is not None and submission.status == Submission.Status.PASSED:
            continue
        if submission is None:
            submission = evidence_services.submission_start(
                goal=goal, tier=tier, actor=goal.teacher
            )
        _fill(submission, goal.teacher, fake, rng)
        evidence_services.submission_submit(submission=submission, actor=goal.teacher)
        _decide(submission, reviewer, passed=True)


def _candidates(district: District) -> list[Goal]:
    """Goals of other teachers than the demo's own, with nothing in review or returned."""
    busy = Submission.objects.filter(
        goal=OuterRef("pk"),
        status__in=[Submission.Status.SUBMITTED, Submission.Status.RETURNED],
    )
    passed4 = Submission.objects.filter(
        goal=OuterRef("pk"), tier=4, status=Submission.Status.PASSED
    )
    goals = (
        Goal.objects.filter(
            school__district=district,
            status__in=[Goal.Status.APPROVED, Goal.Status.COMPLETE],
            school_year__is_current=True,
        )
        .exclude(teacher__email__startswith="teacher@")
        .exclude(teacher__email__startswith="coach@")
        .annotate(busy=Exists(busy), passed4=Exists(passed4))
        .filter(busy=False)
        .select_related("teacher", "school", "school__district")
        .order_by("-passed4", "school__name", "pk")
    )
    chosen: list[Goal] = []
    for goal in goals:
        if len(chosen) < ENTRIES:
            chosen.append(goal)
    return chosen


def demo_library_load(district: District) -> None:
    """Publish a few demo practices and have colleagues save and try them (idempotent)."""
    if LibraryEntry.objects.filter(district=district).exists():
        return
    reviewer = User.objects.filter(district=district, memberships__role=Role.COORDINATOR).first()
    if reviewer is None:
        return
    fake = Faker("en_US")
    fake.seed_instance(11)
    rng = random.Random(11)
    colleagues = list(
        User.objects.filter(district=district, memberships__role=Role.TEACHER)
        .exclude(email__startswith="teacher@")
        .distinct()
        .order_by("pk")[:8]
    )
    with email_suppressed():
        for index, goal in enumerate(_candidates(district)):
            _finish_tier4(goal, reviewer, fake, rng)
            entry = services.entry_publish(
                goal=goal,
                actor=goal.teacher,
                title=goal.title,
                summary=goal.inquiry_question or goal.desired_outcome or goal.title,
                practice=services.passed_tier4(goal).practice_overview,
                grade_band=goal.school.grade_band,
                subject=_subject(goal),
                system_goal_ids=list(goal.system_goals.values_list("pk", flat=True)),
                standard_component_ids=list(goal.standard_components.values_list("pk", flat=True)),
                resource_ids=list(services.shareable_resources(goal).values_list("pk", flat=True)),
                artifact_ids=list(services.shareable_artifacts(goal).values_list("pk", flat=True)),
            )
            others = [c for c in colleagues if c.pk != goal.teacher_id]
            for n, colleague in enumerate(others[: 4 - index]):
                services.bookmark_toggle(entry=entry, actor=colleague)
                if n % 2 == 0:
                    services.tried_it_record(
                        entry=entry, actor=colleague, comment=COMMENTS[(n + index) % 4]
                    )
