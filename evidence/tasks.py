"""Celery tasks of evidence: thin wrappers, idempotent, run by beat (pplearn/celery.py)."""

from celery import shared_task
from django.utils import timezone


@shared_task
def student_work_retention_task() -> int:
    """Delete files showing students past the district's retention period (daily; safe twice)."""
    from .retention import student_work_retention_sweep

    return student_work_retention_sweep(now=timezone.now())
