"""Scoring evidence: claims, decisions, payouts. Checked, audited, conflict-safe."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dashboards.rollups import rollup_refresh
from goals.models import Goal
from goals.services import goal_complete
from pplearn.audit import audit_record
from pplearn.models import User
from pplearn.notifications import notify

from .models import Claim, CriterionScore, Payout, Review, Rubric, Submission
from .review_permissions import can_score, policy_for
from .rules import requirement_for


class Conflict(Exception):  # noqa: N818 - a domain word, not an error class name
    """Someone else changed the submission since the reviewer's page was loaded."""


@dataclass(frozen=True)
class Score:
    on_track: bool
    comment: str = ""


def review_token(submission: Submission) -> str:
    """What a scoring form must send back unchanged: any change in between is a conflict."""
    if Submission.claim.is_cached(submission):  # loaded with it (the scoring page)
        claim = submission.claim_or_none
        claim_id = claim.pk if claim is not None else None
    else:
        claim_id = (
            Claim.objects.filter(submission_id=submission.pk).values_list("pk", flat=True).first()
        )
    return f"{submission.status}:{submission.updated_at.timestamp():.6f}:{claim_id or 0}"


def _audit(submission: Submission, actor: User, verb: str, **data) -> None:
    audit_record(
        actor=actor,
        verb=f"review.{verb}",
        target=submission,
        district=submission.goal.school.district,
        data=data,
    )


def _require_scorer(submission: Submission, reviewer: User) -> None:
    if not can_score(reviewer, submission):
        raise PermissionDenied("You cannot score this submission.")


def _lock(submission: Submission) -> Submission:
    return (
        Submission.objects.select_for_update()
        .select_related("goal", "goal__school", "goal__school__district", "goal__teacher")
        .get(pk=submission.pk)
    )


def _touch(submission: Submission) -> None:
    Submission.objects.filter(pk=submission.pk).update(updated_at=timezone.now())


def submission_claim(*, submission: Submission, reviewer: User, take_over: bool = False) -> Claim:
    """Take the submission in hand; taking it from someone else must be explicit."""
    _require_scorer(submission, reviewer)
    with transaction.atomic():
        locked = _lock(submission)
        if locked.status != Submission.Status.SUBMITTED:
            raise Conflict("This submission was already decided.")
        claim = Claim.objects.filter(submission=locked).select_related("reviewer").first()
        if claim is not None and claim.reviewer_id == reviewer.pk:
            return claim
        if claim is not None and not take_over:
            raise Conflict(f"{claim.reviewer.full_name} is reviewing this submission.")
        previous = claim.reviewer.full_name if claim else ""
        if claim is not None:
            claim.delete()
        claim = Claim.objects.create(submission=locked, reviewer=reviewer)
        if locked.opened_at is None:
            Submission.objects.filter(pk=locked.pk).update(opened_at=timezone.now())
        _touch(locked)
        _audit(locked, reviewer, "claim", taken_from=previous)
    return claim


def submission_release(*, submission: Submission, reviewer: User) -> bool:
    """Put the submission back in the queue for anyone; False when the reviewer held no
    claim on it (nothing changes then)."""
    with transaction.atomic():
        locked = _lock(submission)
        deleted, _ = Claim.objects.filter(submission=locked, reviewer=reviewer).delete()
        if deleted:
            _touch(locked)
            _audit(locked, reviewer, "release")
    return bool(deleted)


def submission_open(*, submission: Submission, reviewer: User) -> None:
    """A scorer opened the submission: the teacher can no longer recall it."""
    if not can_score(reviewer, submission) or submission.opened_at is not None:
        return
    Submission.objects.filter(pk=submission.pk, opened_at__isnull=True).update(
        opened_at=timezone.now()
    )


def review_record(
    *,
    submission: Submission,
    reviewer: User,
    scores: dict[int, Score],
    feedback: str,
    token: str,
) -> Review:
    """Decide: every criterion on track passes the tier; any not yet returns it."""
    _require_scorer(submission, reviewer)
    with transaction.atomic():
        locked = _lock(submission)
        if review_token(locked) != token:
            raise Conflict(_conflict_message(locked, reviewer))
        if locked.status != Submission.Status.SUBMITTED:
            raise Conflict("This submission was already decided.")
        rubric = locked.rubric or Rubric.objects.get(
            district=locked.goal.school.district, tier=locked.tier, is_current=True
        )
        criteria = list(rubric.criteria.all())
        final: dict[int, Score] = {}
        for criterion in criteria:
            if criterion.is_prerequisite:
                # The system checks it: the earlier tiers passed (gating guarantees it).
                final[criterion.pk] = Score(True, "Checked by pplearn: earlier tiers passed.")
            elif criterion.pk in scores:
                final[criterion.pk] = scores[criterion.pk]
            else:
                raise ValidationError(f"Score every criterion: “{criterion.title}” is missing.")
        passed = all(score.on_track for score in final.values())
        if (
            not passed
            and not feedback.strip()
            and not any(s.comment.strip() for s in final.values() if not s.on_track)
        ):
            raise ValidationError(
                "When returning evidence, tell the teacher what to change: add feedback or a "
                "comment on a criterion that is not yet on track."
            )
        now = timezone.now()
        review = Review.objects.create(
            submission=locked,
            reviewer=reviewer,
            rubric=rubric,
            outcome=Review.Outcome.PASSED if passed else Review.Outcome.RETURNED,
            feedback=feedback.strip(),
            decided_at=now,
            waited=now - (locked.submitted_at or now),
        )
        CriterionScore.objects.bulk_create(
            CriterionScore(
                review=review, criterion_id=pk, on_track=s.on_track, comment=s.comment.strip()
            )
            for pk, s in final.items()
        )
        locked.status = Submission.Status.PASSED if passed else Submission.Status.RETURNED
        locked.decided_at = now
        locked.save(update_fields=["status", "decided_at", "updated_at"])
        Claim.objects.filter(submission=locked).delete()
        _audit(
            locked,
            reviewer,
            "decide",
            **{"from": "submitted", "to": locked.status},
            scores={str(pk): s.on_track for pk, s in final.items()},
            rubric=rubric.pk,
        )
        tier_label = f"Tier {locked.tier} of “{locked.goal.title}”"
        if passed:
            payout = payout_record(submission=locked, at=now)
            notify(
                recipients=[locked.goal.teacher],
                actor=reviewer,
                verb="submission.passed",
                message=f"{tier_label} passed{_earned(payout)}.",
                url=locked.get_absolute_url(),
            )
            goal = locked.goal
            if locked.tier >= goal.target_tier and goal.status == Goal.Status.APPROVED:
                goal_complete(goal=goal, actor=None, comment=f"Tier {locked.tier} passed.")
        else:
            notify(
                recipients=[locked.goal.teacher],
                actor=reviewer,
                verb="submission.returned",
                message=_returned_message(tier_label, review.feedback, criteria, final),
                url=locked.get_absolute_url(),
            )
        rollup_refresh(school_id=locked.goal.school_id, school_year_id=locked.goal.school_year_id)
    return review


def _returned_message(tier_label: str, feedback: str, criteria, final: dict[int, Score]) -> str:
    # The teacher reads what to change in the notification itself, email included.
    notes = feedback or "; ".join(
        f"{c.title}: {final[c.pk].comment.strip()}"
        for c in criteria
        if not final[c.pk].on_track and final[c.pk].comment.strip()
    )
    message = f"{tier_label} was returned to revise and resubmit. Feedback: {notes}"
    return message if len(message) <= 300 else message[:299] + "…"


def _earned(payout: Payout | None) -> str:
    if payout is None:
        return ""
    parts = []
    if payout.amount:
        parts.append(f"${payout.amount:,.2f}")
    if payout.credit:
        parts.append(f"{payout.credit} credit")
    return f": you earned {' and '.join(parts)}" if parts else ""


def _conflict_message(locked: Submission, reviewer: User) -> str:
    if locked.status != Submission.Status.SUBMITTED:
        review = Review.objects.filter(submission=locked).select_related("reviewer").first()
        who = review.reviewer.full_name if review else "Someone"
        return f"{who} already decided on this submission. Nothing you entered was saved."
    claim = Claim.objects.filter(submission=locked).select_related("reviewer").first()
    if claim is not None and claim.reviewer_id != reviewer.pk:
        return (
            f"{claim.reviewer.full_name} took this submission over while you were scoring. "
            "Nothing you entered was saved."
        )
    return "This submission changed while you were scoring. Reload it and score again."


def payout_record(*, submission: Submission, at: datetime.datetime) -> Payout:
    """Record what passing earns under the district's policy, cap included."""
    district = submission.goal.school.district
    policy = policy_for(district)
    requirement = requirement_for(submission)
    teacher = submission.goal.teacher
    amount = requirement.stipend if policy.pays_stipend else Decimal("0")
    credit = requirement.credit if policy.gives_credit else Decimal("0")
    note = ""
    if policy.cap_count is not None:
        # Serialise passes of the same teacher, so two at once cannot both fit under the cap.
        User.objects.select_for_update().filter(pk=teacher.pk).first()
        since = at - datetime.timedelta(days=365 * policy.cap_period_years)
        counted = Payout.objects.filter(
            teacher=teacher, district=district, tier=submission.tier, passed_at__gte=since
        ).exclude(note__startswith="Over the cap")
        if counted.count() >= policy.cap_count:
            amount, credit = Decimal("0"), Decimal("0")
            years = policy.cap_period_years
            note = (
                f"Over the cap of {policy.cap_count} Tier {submission.tier} in "
                f"{years} year{'' if years == 1 else 's'}"
            )
    if policy.compensation == policy.Compensation.NONE:
        note = note or "No compensation under the district's policy"
    return Payout.objects.create(
        teacher=teacher,
        submission=submission,
        district=district,
        tier=submission.tier,
        amount=amount,
        credit=credit,
        note=note,
        passed_at=at,
    )
