"""Celery tasks of evidence: thin wrappers, idempotent, run by beat (pplearn/celery.py)."""

from celery import shared_task
from django.utils import timezone


@shared_task
def student_work_retention_task() -> int:
    """Delete files showing students past the district's retention period (daily; safe twice)."""
    from .retention import student_work_retention_sweep

    return student_work_retention_sweep(now=timezone.now())


# clamd unreachable: retry with a growing pause (30 s up to 10 min) for about an hour; the
# file stays undownloadable meanwhile. Retries past the last leave it in "error".
@shared_task(autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=600, max_retries=10)
def artifact_scan_task(artifact_id: int) -> str:
    """Scan one uploaded file for viruses with clamd (idempotent)."""
    from .scanning import artifact_scan

    return artifact_scan(artifact_id=artifact_id)


@shared_task
def artifacts_scan_sweep_task() -> int:
    """Queue scans of files still pending or failed (every 15 minutes; safe twice)."""
    from .scanning import artifacts_scan_sweep

    return artifacts_scan_sweep()
