"""Who looked at whose evidence: recorded on every view by someone other than the author,
and read back by the principal of the author's school."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from .models import AuditEvent, Role, School, User

SUBMISSION_VIEW = "submission.view"
ARTIFACT_VIEW = "artifact.view"
EVIDENCE_VIEW_VERBS = (SUBMISSION_VIEW, ARTIFACT_VIEW)


def evidence_view_record(*, viewer: User, submission, artifact=None) -> AuditEvent | None:
    """Record that someone other than the author opened a submission or one of its files.

    Every file served is recorded: each is a copy leaving the system. A page is recorded once
    per person, submission and day, so that reloads and scoring back and forth do not bury
    the log; the first view of the day says when that person first looked.
    """
    goal = submission.goal
    if viewer.pk == goal.teacher_id:
        return None
    if artifact is None:
        start_of_day = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        already = AuditEvent.objects.filter(
            verb=SUBMISSION_VIEW,
            actor=viewer,
            target_type=submission._meta.label_lower,
            target_id=str(submission.pk),
            at__gte=start_of_day,
        )
        if already.exists():
            return None
    target = artifact if artifact is not None else submission
    # Written here rather than through audit_record to use the ids already loaded.
    return AuditEvent.objects.create(
        actor=viewer,
        district_id=goal.school.district_id,
        verb=ARTIFACT_VIEW if artifact is not None else SUBMISSION_VIEW,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:255],
        data={
            "submission": submission.pk,
            "tier": submission.tier,
            "teacher": goal.teacher_id,
            "school": goal.school_id,
        },
    )


def get_school_for_access_log_or_404(user: User, school_pk: str | None) -> School:
    """One of the schools the user leads as principal (the only one, or the one asked for)."""
    schools = user.schools_for_role(Role.PRINCIPAL)
    if not schools:
        raise Http404("Only a principal reads the access log of a school.")
    if not school_pk:
        return schools[0]
    for school in schools:
        if str(school.pk) == school_pk:
            return school
    raise Http404("You do not lead that school.")


def access_log_for_school(
    *,
    school: School,
    teacher: User | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    """Views of the school's evidence by anyone but its author, newest first."""
    events = AuditEvent.objects.filter(
        verb__in=EVIDENCE_VIEW_VERBS, district_id=school.district_id, data__school=school.pk
    ).select_related("actor")
    if teacher is not None:
        events = events.filter(data__teacher=teacher.pk)
    if date_from is not None:
        events = events.filter(at__date__gte=date_from)
    if date_to is not None:
        events = events.filter(at__date__lte=date_to)
    return events.order_by("-at", "-pk")
