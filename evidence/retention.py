"""Delete files showing students once the district's retention period after a goal closed ends.

Each district chooses the period (ReviewPolicy.student_work_retention_days; empty keeps the
files). A daily task (evidence.tasks) removes what is due: the file leaves storage, the row
stays as a tombstone (`removed_at`) so the submission still says what was there, and an audit
row records each removal. Artifacts of open goals, artifacts not marked as showing students
and artifacts in a published library entry are never touched.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from goals.models import Goal, GoalEvent
from pplearn.audit import audit_record
from pplearn.models import District

from .models import Artifact, ReviewPolicy

logger = logging.getLogger(__name__)

CLOSED = (Goal.Status.COMPLETE, Goal.Status.WITHDRAWN)
RETENTION_VERB = "artifact.retention_remove"
REMOVED_NOTE = "Removed under the district's retention policy"


def retention_days_for(district: District) -> int | None:
    """The district's retention period in days; None keeps files for good."""
    policy = ReviewPolicy.objects.filter(district=district).first()
    if policy is None:
        # Never saved: the default the settings page shows applies.
        return ReviewPolicy._meta.get_field("student_work_retention_days").get_default()
    return policy.student_work_retention_days


def goals_closed_before(cutoff: datetime.datetime) -> QuerySet[Goal]:
    """Closed goals whose closing (their last move to complete or withdrawn) is before cutoff."""
    closed_at = (
        GoalEvent.objects.filter(goal=OuterRef("pk"), to_status__in=CLOSED)
        .order_by()
        .values("goal")
        .annotate(last=Max("at"))
        .values("last")
    )
    # A goal closed without a recorded event (old imports) counts from its last change.
    return (
        Goal.objects.filter(status__in=CLOSED)
        .annotate(closed_at=Coalesce(Subquery(closed_at), "updated_at"))
        .filter(closed_at__lte=cutoff)
    )


def artifacts_due_for_removal(
    *, district: District, now: datetime.datetime, days: int | None
) -> QuerySet[Artifact]:
    """The district's stored files showing students that are past the retention period."""
    if days is None:
        return Artifact.objects.none()
    cutoff = now - datetime.timedelta(days=days)
    return (
        Artifact.objects.filter(
            shows_students=True,
            removed_at__isnull=True,
            submission__goal__school__district=district,
            submission__goal__in=goals_closed_before(cutoff).values("pk"),
        )
        .exclude(file="")
        .exclude(library_entries__status="published")
        .order_by("pk")
    )


def artifact_remove_for_retention(
    *, artifact_id: int, district: District, days: int, now: datetime.datetime
) -> bool:
    """Delete the stored file and keep the row as a tombstone; False if it was kept."""
    cutoff = now - datetime.timedelta(days=days)
    with transaction.atomic():
        artifact = (
            Artifact.objects.select_for_update(of=("self",))
            .select_related("submission")
            .filter(pk=artifact_id)
            .first()
        )
        if artifact is None or artifact.removed_at is not None or not artifact.file:
            return False
        name = artifact.file.name
        # Revisions copy a draft's artifacts and share the stored file: keep a file that a
        # row outside this removal still needs.
        shared = (
            Artifact.objects.filter(file=name, removed_at__isnull=True)
            .exclude(pk=artifact.pk)
            .exclude(
                shows_students=True,
                submission__goal__in=goals_closed_before(cutoff).values("pk"),
            )
            .exists()
        )
        if shared:
            logger.warning(
                "Retention: artifact %s kept: its file is shared with a kept artifact", artifact.pk
            )
            return False
        # Delete inside the transaction: if the row is not saved the next run deletes again,
        # which is harmless for a file already gone.
        artifact.file.storage.delete(name)
        size = artifact.size
        artifact.file = ""
        artifact.removed_at = now
        artifact.save(update_fields=["file", "removed_at"])
        audit_record(
            actor=None,
            verb=RETENTION_VERB,
            target=artifact,
            district=district,
            data={
                "submission": artifact.submission_id,
                "goal": artifact.submission.goal_id,
                "retention_days": days,
                "file": name,
                "size": size,
                "note": REMOVED_NOTE,
            },
        )
    logger.info("Retention: removed the file of artifact %s (%d bytes)", artifact.pk, size)
    return True


def student_work_retention_sweep(*, now: datetime.datetime | None = None) -> int:
    """Remove every district's files showing students that are past retention; return count."""
    now = now or timezone.now()
    removed = kept = 0
    for district in District.objects.order_by("pk"):
        days = retention_days_for(district)
        due = artifacts_due_for_removal(district=district, now=now, days=days)
        for pk in due.values_list("pk", flat=True):
            if artifact_remove_for_retention(artifact_id=pk, district=district, days=days, now=now):
                removed += 1
            else:
                kept += 1
    logger.info(
        "Retention sweep: removed %d file(s) showing students, kept %d shared", removed, kept
    )
    return removed
