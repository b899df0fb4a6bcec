"""Housekeeping tasks of the core app."""

from celery import shared_task
from django.core.management import call_command


@shared_task
def sessions_clear_expired_task() -> None:
    """Remove expired sessions from the database (idempotent)."""
    call_command("clearsessions")
