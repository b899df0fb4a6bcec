"""Celery tasks of the reminders: thin wrappers, idempotent, run by beat (pplearn/celery.py)."""

from celery import shared_task
from django.utils import timezone


@shared_task
def reminders_sweep_task() -> int:
    """Record and notify the reminders due now (hourly; a second run sends nothing new)."""
    from .reminders import reminders_sweep

    return reminders_sweep(now=timezone.now())


@shared_task
def notifications_drain_task() -> int:
    """Email the notifications that are due and pending (every few minutes; sends once)."""
    from .reminders import notifications_drain

    return notifications_drain(now=timezone.now())
