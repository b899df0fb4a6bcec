"""Who may see and change evidence. Out-of-reach objects answer 404, never 403."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from goals.permissions import can_approve_at, is_assigned_coach
from pplearn.models import Role

from .models import Artifact, Submission


def can_view_submission(user, submission: Submission) -> bool:
    """The teacher always; once submitted, their coach and the school's leaders too."""
    if not user.is_authenticated or not user.is_active:
        return False
    goal = submission.goal
    if user.pk == goal.teacher_id:
        return True
    if submission.status == Submission.Status.DRAFT:
        return False
    if can_approve_at(user, goal.school):
        return True
    if user.has_role(Role.DISTRICT_ADMIN) and user.district_id == goal.school.district_id:
        return True
    if is_assigned_coach(user, goal):
        return True
    from .review_permissions import can_score  # a coach allowed to score sees what they score

    return can_score(user, submission)


def get_submission_for_viewer_or_404(user, pk: int) -> Submission:
    submission = get_object_or_404(
        Submission.objects.select_related(
            "goal", "goal__teacher", "goal__school", "goal__school__district", "goal__school_year"
        ),
        pk=pk,
    )
    if not can_view_submission(user, submission):
        raise Http404("No such submission")
    return submission


def get_submission_for_author_or_404(user, pk: int) -> Submission:
    submission = get_submission_for_viewer_or_404(user, pk)
    if submission.goal.teacher_id != user.pk:
        raise Http404("No such submission")
    return submission


def get_artifact_for_viewer_or_404(user, pk: int) -> Artifact:
    artifact = get_object_or_404(Artifact.objects.select_related("submission"), pk=pk)
    # Reuse the checked submission, with its goal and school already loaded.
    artifact.submission = get_submission_for_viewer_or_404(user, artifact.submission_id)
    return artifact
