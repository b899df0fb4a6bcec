"""Helpers for the review queue, scoring and payout tests.

`submit_tier` builds submitted evidence the way a teacher does, through evidence.services, so
every rule of the tier passes. The earlier tiers it needs are passed rows written with the
ORM (`make_passed`), and so are the bulk queue items (`queue_item`) and the reviews behind the
turnaround figures (`make_review`): those tests are about the queue, not about submitting.
"""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from evidence import services
from evidence.models import (
    Artifact,
    Claim,
    LearningResource,
    Review,
    ReviewPolicy,
    Rubric,
    RubricCriterion,
    Submission,
)
from evidence.review_services import Score, review_record, review_token
from evidence.rules import requirement_for
from goals.models import Goal
from pplearn.models import Role, School, User
from tests.factories import make_person
from tests.goals.goal_factories import make_goal

S = Submission.Status
_numbers = itertools.count(1)


def words(count: int) -> str:
    """A reflection of exactly `count` words."""
    return " ".join(f"word{i % 50}" for i in range(count))


def approved_goal(teacher: User, *, target_tier: int = 4, **fields) -> Goal:
    """An approved goal of the teacher; aiming at Tier 4 so lower passes leave it open."""
    fields.setdefault("title", f"Talk moves {next(_numbers)}")
    return make_goal(teacher, status=Goal.Status.APPROVED, target_tier=target_tier, **fields)


def current_rubric(district, tier: int) -> Rubric:
    return Rubric.objects.get(district=district, tier=tier, is_current=True)


def make_passed(goal: Goal, tier: int) -> Submission:
    """A passed version of an earlier tier, written with the ORM (no review, no payout)."""
    now = timezone.now()
    return Submission.objects.create(
        goal=goal,
        tier=tier,
        status=S.PASSED,
        reflection=words(300),
        submitted_at=now,
        decided_at=now,
        rubric=current_rubric(goal.school.district, tier),
    )


def _tier_fields(tier: int, min_words: int) -> dict:
    data = {"reflection_format": Submission.ReflectionFormat.TEXT, "reflection": words(min_words)}
    if tier == 2:
        data |= {
            "desired_outcome": "Every student justifies an answer to a partner.",
            "curriculum_connection": "Grade 3 math practice standard 3: construct arguments.",
        }
    elif tier == 3:
        data |= {
            "data_type": Submission.DataType.FORMATIVE,
            "learning_goal_measured": "Students justify a solution with evidence.",
            "results": Submission.Results.POSITIVE,
            "data_table": "Week | Share\n1 | 42%\n6 | 68%",
        }
    elif tier == 4:
        data |= {
            "practice_overview": "Monday: model two talk moves. Daily: partners rehearse them.",
            "resource_links": "https://example.org/talk-moves-cards",
            "sharing_how": "Presented at the grade 3 PLC.",
        }
    return data


def submit_tier(goal: Goal, tier: int = 1, *, days_ago: float = 0) -> Submission:
    """Tier `tier` of the goal written and submitted by its teacher through the services.

    Earlier tiers that have not passed get a passed row first. `days_ago` backdates
    `submitted_at`, as though the teacher had submitted that long ago.
    """
    for earlier in range(1, tier):
        if not Submission.objects.filter(goal=goal, tier=earlier, status=S.PASSED).exists():
            make_passed(goal, earlier)
    teacher = goal.teacher
    submission = services.submission_start(goal=goal, tier=tier, actor=teacher)
    requirement = requirement_for(submission)
    services.submission_save_draft(
        submission=submission,
        actor=teacher,
        data=_tier_fields(tier, requirement.min_words + 10),
    )
    if tier == 1:
        services.resource_save(
            submission=submission,
            actor=teacher,
            title="Classroom Discussions",
            kind=LearningResource.Kind.BOOK,
            citation="Chapin, O'Connor and Anderson (2013)",
            research_based=True,
        )
        services.resource_save(
            submission=submission,
            actor=teacher,
            title="Talk moves in action",
            kind=LearningResource.Kind.CONFERENCE,
            citation="NCTM regional conference, session 12",
        )
    elif tier == 2:
        services.artifact_add(
            submission=submission,
            actor=teacher,
            purpose=Artifact.Purpose.ARTIFACT,
            url="https://example.org/anchor-chart",
            title="Anchor chart",
        )
    services.submission_submit(submission=submission, actor=teacher)
    if days_ago:
        backdate(submission, days_ago)
    submission.refresh_from_db()
    return submission


def backdate(submission: Submission, days: float) -> None:
    moment = timezone.now() - datetime.timedelta(days=days)
    Submission.objects.filter(pk=submission.pk).update(submitted_at=moment)
    submission.refresh_from_db()


def queue_item(
    school: School,
    *,
    teacher: User | None = None,
    tier: int = 1,
    days_ago: float = 1,
    claimed_by: User | None = None,
    **teacher_fields,
) -> Submission:
    """A submitted row on a new approved goal, written with the ORM: fast, for queue tests."""
    teacher = teacher or make_person(Role.TEACHER, school=school, **teacher_fields)
    goal = approved_goal(teacher, school=school)
    submission = Submission.objects.create(
        goal=goal,
        tier=tier,
        status=S.SUBMITTED,
        reflection=words(10),
        submitted_at=timezone.now() - datetime.timedelta(days=days_ago),
        rubric=current_rubric(school.district, tier),
    )
    if claimed_by is not None:
        Claim.objects.create(submission=submission, reviewer=claimed_by)
    return submission


def scored_criteria(submission: Submission) -> list[RubricCriterion]:
    """The rows a reviewer scores (the prerequisite is the system's)."""
    rubric = submission.rubric or current_rubric(submission.goal.school.district, submission.tier)
    return [c for c in rubric.criteria.all() if not c.is_prerequisite]


def all_on_track(submission: Submission) -> dict[int, Score]:
    return {c.pk: Score(True) for c in scored_criteria(submission)}


def one_not_yet(submission: Submission, comment: str = "", index: int = -1) -> dict[int, Score]:
    """Every row on track but one, not yet on track with the comment."""
    scores = all_on_track(submission)
    criterion = scored_criteria(submission)[index]
    scores[criterion.pk] = Score(False, comment)
    return scores


def token_for(submission: Submission) -> str:
    """The token a freshly loaded scoring page would carry."""
    submission.refresh_from_db()
    return review_token(submission)


def decide(
    submission: Submission,
    reviewer: User,
    *,
    passed: bool = True,
    feedback: str = "",
    comment: str = "Say what the research says about wait time.",
) -> Review:
    """Score the submission through review_record with a fresh token."""
    scores = all_on_track(submission) if passed else one_not_yet(submission, comment)
    return review_record(
        submission=submission,
        reviewer=reviewer,
        scores=scores,
        feedback=feedback,
        token=token_for(submission),
    )


def set_policy(district, **fields) -> ReviewPolicy:
    policy, _ = ReviewPolicy.objects.get_or_create(district=district)
    for name, value in fields.items():
        setattr(policy, name, value)
    policy.save()
    return policy


def make_review(
    submission: Submission, reviewer: User, *, waited: datetime.timedelta, days_ago: float = 1
) -> Review:
    """A decision written with the ORM, with a chosen wait and decision time."""
    decided = timezone.now() - datetime.timedelta(days=days_ago)
    Submission.objects.filter(pk=submission.pk).update(status=S.PASSED, decided_at=decided)
    return Review.objects.create(
        submission=submission,
        reviewer=reviewer,
        rubric=submission.rubric,
        outcome=Review.Outcome.PASSED,
        decided_at=decided,
        waited=waited,
    )
