"""In-app notifications with email delivery through an outbox.

`notify` writes the rows inside the caller's transaction; after commit a task emails each
one. Delivery locks the row and checks its state, so a retried or duplicated task never
sends the same email twice.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification, User

_state = threading.local()


@contextlib.contextmanager
def email_suppressed() -> Iterator[None]:
    """Write notifications without emailing them (demo data and imports of history)."""
    previous = getattr(_state, "suppressed", False)
    _state.suppressed = True
    try:
        yield
    finally:
        _state.suppressed = previous


def notify(
    *,
    recipients: Iterable[User],
    actor: User | None,
    verb: str,
    message: str,
    url: str = "",
) -> list[Notification]:
    """Notify each recipient (never the actor) in the app and, after commit, by email."""
    seen: set[int] = set()
    rows = []
    suppressed = getattr(_state, "suppressed", False)
    email_status = (
        Notification.EmailStatus.SKIPPED if suppressed else Notification.EmailStatus.PENDING
    )
    for recipient in recipients:
        if recipient is None or recipient.pk in seen or not recipient.is_active:
            continue
        if actor is not None and recipient.pk == actor.pk:
            continue
        seen.add(recipient.pk)
        rows.append(
            Notification(
                recipient=recipient,
                actor=actor,
                verb=verb,
                message=message[:300],
                url=url,
                email_status=email_status,
            )
        )
    created = Notification.objects.bulk_create(rows)
    if created and not suppressed:
        ids = [n.pk for n in created]
        transaction.on_commit(lambda: _enqueue(ids))
    return created


def _enqueue(ids: list[int]) -> None:
    from .tasks import notification_email_task

    for pk in ids:
        notification_email_task.delay(pk)


def notification_email(*, notification_id: int) -> str:
    """Email one pending notification; return its email status afterwards."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.email_status != Notification.EmailStatus.PENDING:
            return notification.email_status if notification else "missing"
        notification.email_attempts += 1
        if not notification.recipient.is_active:
            notification.email_status = Notification.EmailStatus.SKIPPED
            notification.save(update_fields=["email_status", "email_attempts"])
            return notification.email_status
        link = f"{settings.SITE_URL.rstrip('/')}{notification.url}" if notification.url else ""
        body = f"{notification.message}\n\n{link}\n\nYou can see all your notifications in pplearn."
        send_mail(
            f"pplearn: {notification.message[:80]}", body, None, [notification.recipient.email]
        )
        notification.email_status = Notification.EmailStatus.SENT
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["email_status", "emailed_at", "email_attempts"])
        return notification.email_status


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when ids is None)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
