"""Who may score evidence: never the teacher, never their coach. One condition per line."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from goals.permissions import is_assigned_coach
from pplearn.models import Membership, Role, School

from .models import ReviewPolicy, Submission
from .permissions import can_view_submission


def policy_for(district) -> ReviewPolicy:
    # Read with the defaults when the district never saved a policy: no write on a GET.
    return ReviewPolicy.objects.filter(district=district).first() or ReviewPolicy(district=district)


def scoring_schools(user) -> QuerySet[School]:
    """Schools whose evidence the user may score: as coordinator, or as coach if allowed."""
    if not user.is_authenticated or not user.is_active:
        return School.objects.none()
    memberships = Membership.objects.filter(user=user)
    wide = memberships.filter(role=Role.COORDINATOR, school__isnull=True).values("district")
    direct = memberships.filter(role=Role.COORDINATOR, school__isnull=False).values("school")
    coach_schools = memberships.filter(
        role=Role.COACH, district__review_policy__coaches_may_score=True
    ).values("school")
    return School.objects.filter(Q(district__in=wide) | Q(pk__in=direct) | Q(pk__in=coach_schools))


def queue_schools(user) -> QuerySet[School]:
    """Schools whose queue the user may look at: scorers, and principals (read only)."""
    principal_of = Membership.objects.filter(user=user, role=Role.PRINCIPAL).values("school")
    return School.objects.filter(Q(pk__in=scoring_schools(user)) | Q(pk__in=principal_of))


def can_score(user, submission: Submission) -> bool:
    """Whether the user may decide on this submission."""
    if not user.is_authenticated or not user.is_active:
        return False
    goal = submission.goal
    if user.pk == goal.teacher_id:
        return False
    if is_assigned_coach(user, goal):
        return False
    if user.has_role(Role.COORDINATOR, goal.school):
        return True
    if not user.has_role(Role.COACH, goal.school):
        return False
    return policy_for(goal.school.district).coaches_may_score


def get_submission_for_review_or_404(
    user, pk: int, queryset: QuerySet[Submission] | None = None
) -> Submission:
    """The submission for its readers, and for scorers who are not its readers (coaches).

    The scoring page passes the queryset that loads everything it shows, so the submission
    is read once per request.
    """
    if queryset is None:
        queryset = Submission.objects.select_related(
            "goal", "goal__teacher", "goal__school", "goal__school__district", "goal__school_year"
        )
    submission = get_object_or_404(queryset, pk=pk)
    if can_view_submission(user, submission):
        return submission
    if submission.status == Submission.Status.DRAFT:
        raise Http404("No such submission")
    if can_score(user, submission):
        return submission
    raise Http404("No such submission")
