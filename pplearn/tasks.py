"""Housekeeping tasks of the core app."""

from celery import shared_task
from django.core.management import call_command


@shared_task
def sessions_clear_expired_task() -> None:
    """Remove expired sessions from the database (idempotent)."""
    call_command("clearsessions")


@shared_task(autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=3600, max_retries=8)
def notification_email_task(notification_id: int) -> str:
    """Email one notification from the outbox (idempotent: sends at most once)."""
    from .notifications import notification_email

    return notification_email(notification_id=notification_id)
