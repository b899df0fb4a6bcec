"""Scoring evidence: the all-on-track rule, versioned guides, claims, conflicts, separation."""

from __future__ import annotations

import datetime
import re
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from evidence.models import Claim, CriterionScore, Review, Submission
from evidence.review_permissions import can_score
from evidence.review_selectors import median_turnaround
from evidence.review_services import (
    Conflict,
    Score,
    review_record,
    review_token,
    submission_claim,
    submission_open,
    submission_release,
)
from evidence.rubric_services import rubric_revise
from evidence.services import submission_recall
from goals.models import Goal
from pplearn.models import AuditEvent, Notification, Role
from tests.evidence.review_factories import (
    all_on_track,
    approved_goal,
    current_rubric,
    decide,
    make_review,
    one_not_yet,
    queue_item,
    scored_criteria,
    set_policy,
    submit_tier,
    token_for,
)
from tests.factories import make_person
from tests.goals.goal_factories import assign_coach, teacher_who_also_leads

pytestmark = pytest.mark.django_db

S = Submission.Status


@pytest.fixture
def submission(world) -> Submission:
    """world.teacher's Tier 1, submitted two days ago."""
    return submit_tier(approved_goal(world.teacher), 1, days_ago=2)


@pytest.fixture
def second(world):
    """A second district-wide coordinator."""
    return make_person(Role.COORDINATOR, district=world.district, full_name="Sam Second")


def audits(submission: Submission, verb: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            verb=verb, target_type="evidence.submission", target_id=str(submission.pk)
        ).order_by("at", "pk")
    )


def score_rows(submission: Submission) -> list[tuple]:
    return list(
        CriterionScore.objects.filter(review__submission=submission)
        .order_by("criterion_id")
        .values_list("criterion_id", "on_track", "comment")
    )


# The decision rule: every row on track passes; any row not yet returns


def test_every_row_on_track_passes_the_tier(world, submission):
    submission_claim(submission=submission, reviewer=world.coordinator)

    review = decide(submission, world.coordinator, feedback="  Clear and specific.  ")

    submission.refresh_from_db()
    assert review.outcome == Review.Outcome.PASSED
    assert review.feedback == "Clear and specific."
    assert review.reviewer == world.coordinator
    assert submission.status == S.PASSED
    assert submission.decided_at == review.decided_at
    assert not Claim.objects.filter(submission=submission).exists()
    rows = scored_criteria(submission)
    assert [(pk, on) for pk, on, _ in score_rows(submission)] == [(c.pk, True) for c in rows]


@pytest.mark.parametrize("index", [0, 2, -1], ids=["first", "middle", "last"])
def test_any_row_not_yet_on_track_returns_it(world, submission, index):
    scores = one_not_yet(submission, "Name the research behind it.", index=index)

    review = review_record(
        submission=submission,
        reviewer=world.coordinator,
        scores=scores,
        feedback="",
        token=token_for(submission),
    )

    submission.refresh_from_db()
    assert review.outcome == Review.Outcome.RETURNED
    assert submission.status == S.RETURNED
    not_yet = scored_criteria(submission)[index]
    assert (not_yet.pk, False, "Name the research behind it.") in score_rows(submission)
    assert sum(1 for _, on, _ in score_rows(submission) if not on) == 1


def test_a_row_left_unscored_is_refused_and_nothing_is_saved(world, submission):
    scores = all_on_track(submission)
    missing = scored_criteria(submission)[1]
    del scores[missing.pk]

    with pytest.raises(ValidationError, match=missing.title):
        review_record(
            submission=submission,
            reviewer=world.coordinator,
            scores=scores,
            feedback="",
            token=token_for(submission),
        )

    submission.refresh_from_db()
    assert submission.status == S.SUBMITTED
    assert not Review.objects.filter(submission=submission).exists()


def test_the_prerequisite_row_is_scored_by_the_system(world):
    tier2 = submit_tier(approved_goal(world.teacher), 2)
    prerequisite = tier2.rubric.criteria.get(is_prerequisite=True)
    scores = all_on_track(tier2)
    assert prerequisite.pk not in scores
    # Even a reviewer's "not yet" on it is replaced: gating already proved the earlier tiers.
    scores[prerequisite.pk] = Score(False, "Tier 1 looks thin to me.")

    review = review_record(
        submission=tier2,
        reviewer=world.coordinator,
        scores=scores,
        feedback="",
        token=token_for(tier2),
    )

    assert review.outcome == Review.Outcome.PASSED
    system = review.scores.get(criterion=prerequisite)
    assert system.on_track is True
    assert system.comment == "Checked by pplearn: earlier tiers passed."
    assert review.scores.count() == tier2.rubric.criteria.count()


# Returning says what to change


@pytest.mark.parametrize(
    ("feedback", "comment_not_yet", "comment_on_track", "accepted"),
    [
        ("", "", "", False),
        ("   ", "  \n", "", False),
        ("", "", "Lovely summary.", False),
        ("Revise the summary of your second resource.", "", "", True),
        ("", "Name the key idea of each resource.", "", True),
    ],
    ids=[
        "nothing",
        "only-spaces",
        "comment-on-a-row-on-track",
        "overall-feedback",
        "comment-on-the-row-not-yet",
    ],
)
def test_returning_needs_feedback_or_a_comment_on_a_row_not_yet(
    world, submission, feedback, comment_not_yet, comment_on_track, accepted
):
    submission_claim(submission=submission, reviewer=world.coordinator)
    scores = one_not_yet(submission, comment_not_yet, index=-1)
    first = scored_criteria(submission)[0]
    scores[first.pk] = Score(True, comment_on_track)

    def record():
        return review_record(
            submission=submission,
            reviewer=world.coordinator,
            scores=scores,
            feedback=feedback,
            token=token_for(submission),
        )

    if accepted:
        assert record().outcome == Review.Outcome.RETURNED
        return
    with pytest.raises(ValidationError, match="tell the teacher what to change"):
        record()
    submission.refresh_from_db()
    assert submission.status == S.SUBMITTED
    assert not Review.objects.filter(submission=submission).exists()
    assert Claim.objects.get(submission=submission).reviewer == world.coordinator


# Versioned scoring guides


def _reword_last_row(world, tier: int = 1):
    rubric = current_rubric(world.district, tier)
    rows = [
        {
            "title": c.title,
            "not_yet": c.not_yet,
            "on_track": c.on_track,
            "is_prerequisite": c.is_prerequisite,
        }
        for c in rubric.criteria.all()
    ]
    rows[-1]["title"] = "Meaning for my own students"
    return rubric_revise(rubric=rubric, actor=world.coordinator, criteria=rows)


def test_evidence_is_scored_on_the_guide_it_was_submitted_under(world, submission):
    v1 = submission.rubric
    v2 = _reword_last_row(world)
    assert v2.version == v1.version + 1

    review = decide(submission, world.coordinator)

    assert review.rubric == v1
    v1_rows = set(v1.criteria.values_list("pk", flat=True))
    assert {pk for pk, _, _ in score_rows(submission)} == v1_rows


def test_scores_for_the_newer_guides_rows_are_refused(world, submission):
    v2 = _reword_last_row(world)
    scores = {c.pk: Score(True) for c in v2.criteria.all()}

    with pytest.raises(ValidationError, match="is missing"):
        review_record(
            submission=submission,
            reviewer=world.coordinator,
            scores=scores,
            feedback="",
            token=token_for(submission),
        )
    assert not Review.objects.filter(submission=submission).exists()


def test_evidence_submitted_after_a_revision_uses_the_new_guide(world):
    v2 = _reword_last_row(world)

    later = submit_tier(approved_goal(world.teacher), 1)
    review = decide(later, world.coordinator)

    assert later.rubric == v2
    assert review.rubric == v2


def test_evidence_without_a_bound_guide_is_scored_on_the_current_one(world, submission):
    Submission.objects.filter(pk=submission.pk).update(rubric=None)
    v2 = _reword_last_row(world)
    submission.refresh_from_db()

    review = decide(submission, world.coordinator)

    assert review.rubric == v2


# Conflicts: a stale form never overwrites a decision


def test_a_form_loaded_before_another_coordinator_decided_is_a_conflict(world, submission, second):
    submission_claim(submission=submission, reviewer=world.coordinator)
    stale = token_for(submission)
    submission_claim(submission=submission, reviewer=second, take_over=True)
    first = decide(submission, second, feedback="Passed by Sam.")
    before = score_rows(submission)

    with pytest.raises(Conflict, match="Sam Second already decided"):
        review_record(
            submission=submission,
            reviewer=world.coordinator,
            scores=one_not_yet(submission, "Not good enough."),
            feedback="Returned by the first coordinator.",
            token=stale,
        )

    assert list(Review.objects.filter(submission=submission)) == [first]
    first.refresh_from_db()
    assert first.feedback == "Passed by Sam."
    assert first.reviewer == second
    assert score_rows(submission) == before
    submission.refresh_from_db()
    assert submission.status == S.PASSED


def test_even_a_fresh_token_cannot_decide_twice(world, submission, second):
    decide(submission, second)

    with pytest.raises(Conflict, match="already decided"):
        decide(submission, world.coordinator)
    assert Review.objects.filter(submission=submission).count() == 1


def test_a_form_loaded_before_a_take_over_is_a_conflict(world, submission, second):
    submission_claim(submission=submission, reviewer=world.coordinator)
    stale = token_for(submission)
    submission_claim(submission=submission, reviewer=second, take_over=True)

    with pytest.raises(Conflict, match="Sam Second took this submission over"):
        review_record(
            submission=submission,
            reviewer=world.coordinator,
            scores=all_on_track(submission),
            feedback="",
            token=stale,
        )

    assert not Review.objects.filter(submission=submission).exists()
    assert Claim.objects.get(submission=submission).reviewer == second


def test_a_release_in_between_makes_the_form_stale(world, submission):
    submission_claim(submission=submission, reviewer=world.coordinator)
    stale = token_for(submission)
    submission_release(submission=submission, reviewer=world.coordinator)

    with pytest.raises(Conflict, match="changed while you were scoring"):
        review_record(
            submission=submission,
            reviewer=world.coordinator,
            scores=all_on_track(submission),
            feedback="",
            token=stale,
        )
    assert not Review.objects.filter(submission=submission).exists()


def test_the_token_changes_with_each_claim(world, submission, second):
    tokens = [token_for(submission)]
    submission_claim(submission=submission, reviewer=world.coordinator)
    tokens.append(token_for(submission))
    submission_claim(submission=submission, reviewer=second, take_over=True)
    tokens.append(token_for(submission))

    assert len(set(tokens)) == 3


# Claims


def test_claiming_takes_the_submission_in_hand_and_is_audited(world, submission):
    claim = submission_claim(submission=submission, reviewer=world.coordinator)

    submission.refresh_from_db()
    assert claim.reviewer == world.coordinator
    assert Claim.objects.get(submission=submission) == claim
    assert submission.opened_at is not None
    [event] = audits(submission, "review.claim")
    assert event.actor == world.coordinator
    assert event.data == {"taken_from": ""}
    assert event.district == world.district


def test_claiming_again_keeps_the_same_claim(world, submission):
    first = submission_claim(submission=submission, reviewer=world.coordinator)
    token = token_for(submission)

    again = submission_claim(submission=submission, reviewer=world.coordinator)

    assert again.pk == first.pk
    assert token_for(submission) == token
    assert len(audits(submission, "review.claim")) == 1


def test_a_second_coordinator_cannot_claim_without_taking_over(world, submission, second):
    submission_claim(submission=submission, reviewer=world.coordinator)

    with pytest.raises(Conflict, match=re.escape(f"{world.coordinator.full_name} is reviewing")):
        submission_claim(submission=submission, reviewer=second)

    assert Claim.objects.get(submission=submission).reviewer == world.coordinator
    assert len(audits(submission, "review.claim")) == 1


def test_taking_over_is_explicit_and_audited(world, submission, second):
    submission_claim(submission=submission, reviewer=world.coordinator)

    submission_claim(submission=submission, reviewer=second, take_over=True)

    assert Claim.objects.get(submission=submission).reviewer == second
    event = audits(submission, "review.claim")[-1]
    assert event.actor == second
    assert event.data == {"taken_from": world.coordinator.full_name}


def test_releasing_puts_it_back_and_only_the_holder_can(world, submission, second):
    submission_claim(submission=submission, reviewer=world.coordinator)

    submission_release(submission=submission, reviewer=second)
    assert Claim.objects.get(submission=submission).reviewer == world.coordinator
    assert audits(submission, "review.release") == []

    submission_release(submission=submission, reviewer=world.coordinator)
    assert not Claim.objects.filter(submission=submission).exists()
    [event] = audits(submission, "review.release")
    assert event.actor == world.coordinator


def test_a_decided_submission_cannot_be_claimed(world, submission, second):
    decide(submission, world.coordinator)

    with pytest.raises(Conflict, match="already decided"):
        submission_claim(submission=submission, reviewer=second, take_over=True)
    assert not Claim.objects.filter(submission=submission).exists()


def test_someone_who_cannot_score_cannot_claim(world, submission):
    with pytest.raises(PermissionDenied):
        submission_claim(submission=submission, reviewer=world.principal)
    assert not Claim.objects.filter(submission=submission).exists()


# Opening ends the teacher's recall


@pytest.mark.parametrize("how", ["open", "claim"])
def test_a_scorer_opening_it_ends_the_teachers_recall(world, submission, how):
    assert submission.can_be_recalled
    if how == "open":
        submission_open(submission=submission, reviewer=world.coordinator)
    else:
        submission_claim(submission=submission, reviewer=world.coordinator)

    submission.refresh_from_db()
    assert submission.opened_at is not None
    with pytest.raises(ValidationError, match="already opened"):
        submission_recall(submission=submission, actor=world.teacher)
    submission.refresh_from_db()
    assert submission.status == S.SUBMITTED


def test_a_principal_reading_it_leaves_the_recall_open(world, submission):
    submission_open(submission=submission, reviewer=world.principal)

    submission.refresh_from_db()
    assert submission.opened_at is None
    submission_recall(submission=submission, actor=world.teacher)
    submission.refresh_from_db()
    assert submission.status == S.DRAFT


# Evaluator separation: the coach is never the evaluator


@pytest.fixture
def people(world):
    assign_coach(world.coach, world.teacher, world.school_a)
    return {
        "coordinator": world.coordinator,
        "coordinator_a": make_person(Role.COORDINATOR, school=world.school_a),
        "coordinator_b": make_person(Role.COORDINATOR, school=world.school_b),
        "assigned_coach": world.coach,
        "other_coach": make_person(Role.COACH, school=world.school_a, full_name="Otto Coach"),
        "coach_b": make_person(Role.COACH, school=world.school_b),
        "principal": world.principal,
        "teacher": world.teacher,
        "district_admin": world.district_admin,
        "outsider_coordinator": make_person(Role.COORDINATOR, district=world.other_district),
        "inactive_coordinator": make_person(
            Role.COORDINATOR, district=world.district, is_active=False
        ),
    }


SCORERS = {
    # (person, coaches_may_score): may score world.teacher's evidence
    ("coordinator", False): True,
    ("coordinator_a", False): True,
    ("coordinator_b", False): False,
    ("assigned_coach", False): False,
    ("assigned_coach", True): False,
    ("other_coach", False): False,
    ("other_coach", True): True,
    ("coach_b", True): False,
    ("principal", True): False,
    ("teacher", True): False,
    ("district_admin", True): False,
    ("outsider_coordinator", True): False,
    ("inactive_coordinator", False): False,
}


def test_who_may_score(world, submission, people):
    """One table: each person under each policy, as can_score says and as the service acts."""
    seen = {}
    for person, coaches_may_score in SCORERS:
        set_policy(world.district, coaches_may_score=coaches_may_score)
        user = people[person]
        allowed = can_score(user, submission)
        refused = None
        if not allowed:
            try:
                decide(submission, user)
            except PermissionDenied:
                refused = True
            else:
                refused = False
        seen[(person, coaches_may_score)] = (allowed, refused)

    assert seen == {key: (allowed, None if allowed else True) for key, allowed in SCORERS.items()}
    assert not Review.objects.filter(submission=submission).exists()
    set_policy(world.district, coaches_may_score=True)
    review = decide(submission, people["other_coach"])
    assert (review.outcome, review.reviewer) == (Review.Outcome.PASSED, people["other_coach"])


def test_a_teacher_who_is_also_coordinator_scores_colleagues_but_never_their_own(world):
    dual = teacher_who_also_leads(world, Role.COORDINATOR)
    own = submit_tier(approved_goal(dual), 1)
    colleagues = submit_tier(approved_goal(world.teacher), 1)

    with pytest.raises(PermissionDenied):
        submission_claim(submission=own, reviewer=dual)
    with pytest.raises(PermissionDenied):
        decide(own, dual)
    assert decide(colleagues, dual).outcome == Review.Outcome.PASSED
    assert not Review.objects.filter(submission=own).exists()


# What a decision sets off


@pytest.mark.parametrize(
    ("target_tier", "tier", "passed", "status"),
    [
        (1, 1, True, Goal.Status.COMPLETE),
        (2, 2, True, Goal.Status.COMPLETE),
        (2, 1, True, Goal.Status.APPROVED),
        (1, 1, False, Goal.Status.APPROVED),
    ],
    ids=["target-1-passes", "target-2-passes", "below-target", "target-returned"],
)
def test_the_goal_is_complete_when_its_target_tier_passes(world, target_tier, tier, passed, status):
    goal = approved_goal(world.teacher, target_tier=target_tier)
    evidence = submit_tier(goal, tier)

    decide(evidence, world.coordinator, passed=passed)

    goal.refresh_from_db()
    assert goal.status == status
    completed = goal.events.filter(to_status=Goal.Status.COMPLETE)
    assert completed.exists() is (status == Goal.Status.COMPLETE)


def test_the_teacher_is_notified_of_a_pass_with_what_it_earned(world, submission):
    decide(submission, world.coordinator)

    [note] = Notification.objects.filter(recipient=world.teacher, verb="submission.passed")
    assert note.actor == world.coordinator
    assert note.message.startswith(f"Tier 1 of “{submission.goal.title}” passed")
    assert "you earned $75.00" in note.message
    assert note.url == submission.get_absolute_url()


def test_the_teacher_is_notified_of_a_return_with_the_feedback(world, submission):
    decide(submission, world.coordinator, passed=False, feedback="Summarize each resource.")

    [note] = Notification.objects.filter(recipient=world.teacher, verb="submission.returned")
    assert note.actor == world.coordinator
    assert "returned to revise and resubmit" in note.message
    assert note.message.endswith("Feedback: Summarize each resource.")
    assert note.url == submission.get_absolute_url()
    assert not Notification.objects.filter(verb="submission.passed").exists()


def test_without_overall_feedback_the_return_notification_quotes_the_row_comments(
    world, submission
):
    decide(submission, world.coordinator, passed=False, comment="Tie it to your class.")

    note = Notification.objects.get(recipient=world.teacher, verb="submission.returned")
    last = scored_criteria(submission)[-1]
    assert note.message.endswith(f"Feedback: {last.title}: Tie it to your class.")


def test_a_long_feedback_is_cut_to_fit_the_notification(world, submission):
    decide(submission, world.coordinator, passed=False, feedback="Revise. " * 80)

    note = Notification.objects.get(recipient=world.teacher, verb="submission.returned")
    assert len(note.message) == 300
    assert note.message.endswith("…")


def test_the_notification_is_emailed_after_commit(
    world, submission, django_capture_on_commit_callbacks
):
    with mock.patch("pplearn.notifications._enqueue") as enqueue:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            decide(submission, world.coordinator)
        enqueue.assert_not_called()
        for callback in callbacks:
            callback()

    note = Notification.objects.get(recipient=world.teacher, verb="submission.passed")
    enqueue.assert_called_once_with([note.pk])


# Turnaround


def test_a_review_records_how_long_the_evidence_waited(world):
    evidence = submit_tier(approved_goal(world.teacher), 1, days_ago=3)

    review = decide(evidence, world.coordinator)

    assert review.waited == review.decided_at - evidence.submitted_at
    assert datetime.timedelta(days=3) <= review.waited < datetime.timedelta(days=3, minutes=5)


def _reviews_waiting(world, hours: list[float], **fields):
    for h in hours:
        item = queue_item(world.school_a)
        make_review(item, world.coordinator, waited=datetime.timedelta(hours=h), **fields)


@pytest.mark.parametrize(
    ("hours", "median"),
    [([5, 1, 48], 5), ([9, 1, 48, 5], 7), ([30], 30)],
    ids=["odd", "even", "one"],
)
def test_median_turnaround_over_the_last_30_days(world, hours, median):
    _reviews_waiting(world, hours)
    # Decided 31 days ago, or at another district: neither counts.
    _reviews_waiting(world, [500, 600], days_ago=31)
    far = queue_item(world.other_school)
    make_review(far, world.outsider, waited=datetime.timedelta(hours=900))

    assert median_turnaround(user=world.coordinator) == datetime.timedelta(hours=median)


def test_median_turnaround_is_none_without_recent_decisions(world):
    _reviews_waiting(world, [5], days_ago=40)

    assert median_turnaround(user=world.coordinator) is None


# The audit trail of a decision


@pytest.mark.parametrize(("passed", "to"), [(True, "passed"), (False, "returned")])
def test_a_decision_is_audited_with_from_and_to(world, submission, passed, to):
    review = decide(submission, world.coordinator, passed=passed)

    [event] = audits(submission, "review.decide")
    assert event.actor == world.coordinator
    assert event.data["from"] == "submitted"
    assert event.data["to"] == to
    assert event.data["rubric"] == review.rubric_id
    expected = {str(pk): on for pk, on, _ in score_rows(submission)}
    assert event.data["scores"] == expected
    assert (False in expected.values()) is not passed


def test_review_token_reads_status_time_and_claim(world, submission):
    submission_claim(submission=submission, reviewer=world.coordinator)
    submission.refresh_from_db()
    claim = Claim.objects.get(submission=submission)

    token = review_token(submission)

    status, stamp, claim_id = token.split(":")
    assert status == "submitted"
    assert float(stamp) == pytest.approx(submission.updated_at.timestamp(), abs=1e-6)
    assert claim_id == str(claim.pk)
