"""Housekeeping tasks of the core app, and email delivery of notifications."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence

from celery import shared_task
from django.core.management import call_command

logger = logging.getLogger(__name__)


@shared_task
def sessions_clear_expired_task() -> None:
    """Remove expired sessions from the database (idempotent)."""
    call_command("clearsessions")


# SMTP errors are OSErrors already; naming them says what a retry is for. The countdown
# doubles from 30 s up to an hour; the row lock in notification_email keeps a retry from
# sending twice, and a row still pending after the last retry is left to the drain task.
@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def notification_email_task(notification_id: int) -> str:
    """Email one notification from the outbox (idempotent: sends at most once)."""
    from .notifications import notification_email

    return notification_email(notification_id=notification_id)


def notifications_enqueue(ids: Sequence[int]) -> int:
    """Queue the email of each notification; return how many were queued.

    Runs after commit, often inside a request: with the broker down it logs and stops, and
    the rows stay pending in the outbox for the drain task. It never raises.
    """
    for queued, pk in enumerate(ids):
        try:
            notification_email_task.delay(pk)
        except Exception:
            logger.warning(
                "Broker unreachable: %d notification email(s) left for the drain task",
                len(ids) - queued,
                exc_info=True,
            )
            return queued
    return len(ids)
