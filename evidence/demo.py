"""Demo evidence at every stage: drafts, items waiting in the queue, returns, passes, payouts."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone
from faker import Faker

from goals.models import Goal
from pplearn.models import District, Role, User
from pplearn.notifications import email_suppressed

from . import services
from .models import Artifact, LearningResource, Payout, Review, Submission
from .review_services import Score, review_record, review_token

RESOURCES = [
    (
        "Visible Learning for Teachers",
        LearningResource.Kind.BOOK,
        "Hattie, J. (2012). Visible Learning for Teachers. Routledge.",
        True,
    ),
    (
        "Embedded Formative Assessment",
        LearningResource.Kind.BOOK,
        "Wiliam, D. (2018). Embedded Formative Assessment, 2nd ed. Solution Tree.",
        True,
    ),
    (
        "Talk moves that build reasoning",
        LearningResource.Kind.WEBINAR,
        "https://example.org/webinars/talk-moves",
        True,
    ),
    (
        "State math conference: discourse session",
        LearningResource.Kind.CONFERENCE,
        "State Council of Teachers of Mathematics annual conference, 2026",
        False,
    ),
    (
        "Visit to a lab school classroom",
        LearningResource.Kind.VISIT,
        "Half-day visit, Riverside Lab School",
        False,
    ),
]


SENTENCES = [
    "I started this work because too few of my students explained their thinking out loud.",
    "The reading changed how I plan: I now write the questions before I write the activities.",
    "Wiliam's idea that feedback should be more work for the recipient than the donor stayed "
    "with me all month.",
    "In the first week the talk moves felt awkward, and several students simply waited for me "
    "to give the answer.",
    "By the third week students were using the sentence stems without looking at the poster.",
    "I noticed that my quieter students spoke more often in pairs than in the whole group.",
    "One student who rarely participates explained a strategy to the class and then defended "
    "it when a classmate disagreed.",
    "Wait time made the biggest difference: I count to five silently before calling on anyone.",
    "The research is clear that students learn more when they do the cognitive work.",
    "I had to let go of covering every problem in the lesson so there was time to discuss one "
    "problem deeply.",
    "Looking at the exit tickets, most students could name a strategy but fewer could justify "
    "why it worked.",
    "My coach observed a lesson and pointed out that I was still revoicing too much.",
    "Next I want to hand more of the questioning over to students themselves.",
    "This connects directly to our district goal on student discourse and engagement.",
    "I shared the anchor chart with my grade-level team, and two colleagues are trying it.",
    "The biggest surprise was how much the students enjoyed critiquing each other's work "
    "respectfully.",
    "Some days the discussion drifted, and I learned to bring it back with a focused prompt.",
    "I will keep the structured partner talk and drop the whole-class share on busy days.",
    "Planning took longer at first, but now the routines save time in every lesson.",
    "The data suggest the change helped most for students who started furthest behind.",
]


def _reflection(fake: Faker, words: int) -> str:
    """Plausible reflective prose of about the given length, from a pool of sentences."""
    text: list[str] = []
    pool = list(SENTENCES)
    while len(text) < words:
        if not pool:
            pool = list(SENTENCES)
        sentence = pool.pop(fake.random_int(0, len(pool) - 1))
        text.extend(sentence.split())
    return " ".join(text[:words]).rstrip(".,;") + "."


def _fill(submission: Submission, teacher: User, fake: Faker, rng: random.Random) -> None:
    """Fill a draft with content that meets its tier's rules."""
    words = {1: 540, 2: 300, 3: 290, 4: 310}[submission.tier]
    data = {"reflection_format": "text", "reflection": _reflection(fake, words)}
    if submission.tier == 1:
        for title, kind, citation, research in rng.sample(RESOURCES, 2) + [RESOURCES[0]]:
            if submission.resources.filter(title=title).exists():
                continue
            services.resource_save(
                submission=submission,
                actor=teacher,
                title=title,
                kind=kind,
                citation=citation,
                research_based=research,
            )
    elif submission.tier == 2:
        data |= {
            "desired_outcome": "Students explain their thinking in full sentences.",
            "curriculum_connection": "Unit 3 of the district math curriculum; NCTM's "
            "effective teaching practices on meaningful discourse.",
        }
        services.artifact_add(
            submission=submission,
            actor=teacher,
            purpose=Artifact.Purpose.ARTIFACT,
            url="https://example.org/lesson-plans/talk-moves-week-1",
            title="Lesson plan",
        )
    elif submission.tier == 3:
        data |= {
            "data_type": Submission.DataType.FORMATIVE,
            "learning_goal_measured": "Students justify a solution with evidence.",
            "results": rng.choice(list(Submission.Results.values)),
            "data_table": (
                "Group | Before | After\nWhole class | 42% | 68%\nELL students | 30% | 61%"
            ),
        }
    else:
        data |= {
            "practice_overview": _reflection(fake, 160),
            "resource_links": "https://example.org/talk-moves-cards\nhttps://example.org/rubric",
            "sharing_how": "Presented at the grade-level PLC and posted in the staff library.",
        }
    services.submission_save_draft(submission=submission, actor=teacher, data=data)


def _decide(submission: Submission, reviewer: User, passed: bool) -> None:
    criteria = [c for c in submission.rubric.criteria.all() if not c.is_prerequisite]
    scores = {c.pk: Score(True) for c in criteria}
    feedback = "Clear, specific and well grounded in your resources. Well done."
    if not passed:
        last = criteria[-1]
        scores[last.pk] = Score(False, "Connect this more directly to your own students.")
        feedback = "A good start. Revise the part marked not yet on track and resubmit."
    review_record(
        submission=submission,
        reviewer=reviewer,
        scores=scores,
        feedback=feedback,
        token=review_token(submission),
    )


def _backdate(submission: Submission, days_ago: int) -> None:
    moment = timezone.now() - datetime.timedelta(days=days_ago)
    Submission.objects.filter(pk=submission.pk).update(submitted_at=moment)
    submission.refresh_from_db()


def demo_evidence_load(district: District) -> None:
    """Give the demo's approved and complete goals evidence at every stage (idempotent)."""
    if Submission.objects.filter(goal__school__district=district).exists():
        return
    fake = Faker("en_US")
    fake.seed_instance(7)
    rng = random.Random(7)
    reviewer = User.objects.filter(district=district, memberships__role=Role.COORDINATOR).first()
    goals = list(
        Goal.objects.filter(
            school__district=district,
            status__in=[Goal.Status.APPROVED, Goal.Status.COMPLETE],
            school_year__is_current=True,
        )
        .select_related("teacher", "school")
        .order_by("pk")
    )
    # Passed tiers before the one left in its stage: 0 to 3, spread across the goals.
    plans = ["submitted", "draft", "submitted", "returned", "submitted", "passed", "submitted"]
    with email_suppressed():
        for index, goal in enumerate(goals):
            if goal.teacher.email.startswith("teacher@"):
                # The demo teacher's own goal is left for the person trying the demo.
                continue
            passed_before = min(index % 4, goal.target_tier - 1)
            stage = plans[index % len(plans)]
            for tier in range(1, passed_before + 2):
                submission = services.submission_start(goal=goal, tier=tier, actor=goal.teacher)
                _fill(submission, goal.teacher, fake, rng)
                last = tier == passed_before + 1
                if last and stage == "draft":
                    break
                services.submission_submit(submission=submission, actor=goal.teacher)
                _backdate(submission, rng.randint(1, 12))
                if last and stage == "submitted":
                    break
                _decide(submission, reviewer, passed=not (last and stage == "returned"))
                goal.refresh_from_db()
        _history(district, reviewer, fake, rng)


def _dated(submission: Submission, moment: datetime.datetime) -> None:
    """Move a decided submission, its decision and its payout to a day of an earlier year."""
    decided = moment + datetime.timedelta(days=6)
    Submission.objects.filter(pk=submission.pk).update(
        created_at=moment - datetime.timedelta(days=3),
        submitted_at=moment,
        decided_at=decided,
        updated_at=decided,
    )
    Review.objects.filter(submission=submission).update(decided_at=decided)
    Payout.objects.filter(submission=submission).update(passed_at=decided)


def _history(district: District, reviewer: User, fake: Faker, rng: random.Random) -> None:
    """Give last year's complete goals their passed tiers, some returned once on the way."""
    goals = (
        Goal.objects.filter(
            school__district=district,
            status=Goal.Status.COMPLETE,
            school_year__is_current=False,
        )
        .select_related("teacher", "school_year")
        .order_by("pk")
    )
    for index, goal in enumerate(goals):
        start = timezone.make_aware(
            datetime.datetime.combine(goal.school_year.start_date, datetime.time(15, 30))
        )
        for tier in range(1, goal.target_tier + 1):
            moment = start + datetime.timedelta(days=30 * tier + rng.randint(0, 20))
            submission = services.submission_start(goal=goal, tier=tier, actor=goal.teacher)
            _fill(submission, goal.teacher, fake, rng)
            services.submission_submit(submission=submission, actor=goal.teacher)
            if tier == 2 and index % 2 == 0:
                _decide(submission, reviewer, passed=False)
                _dated(submission, moment - datetime.timedelta(days=14))
                submission = services.submission_revise(submission=submission, actor=goal.teacher)
                services.submission_submit(submission=submission, actor=goal.teacher)
            _decide(submission, reviewer, passed=True)
            _dated(submission, moment)
