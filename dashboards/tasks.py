"""Celery tasks of the dashboards: thin wrappers, idempotent, run by beat (pplearn/celery.py)."""

from celery import shared_task


@shared_task
def rollups_recount_task() -> int:
    """Count the current year's dashboard figures again (every 15 minutes): coaching coverage
    and stalled goals move with the clock alone, and the turnaround totals are kept this way."""
    from .rollups import recount_current

    return recount_current()
