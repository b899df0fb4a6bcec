"""In-app notifications with email delivery through an outbox.

`notify` writes the rows inside the caller's transaction; after commit a task emails each
one. Delivery locks the row and checks its state, so a retried or duplicated task never
sends the same email twice. A row held back (`deliver_after`: quiet hours, a digest) waits
for the drain task (coaching.tasks), which also sends whatever the broker never delivered.
"""

from __future__ import annotations

import contextlib
import datetime
import threading
from collections.abc import Iterable, Iterator, Sequence

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Notification, User

_state = threading.local()

# After this many failed sends a notification is marked failed and no longer retried.
EMAIL_MAX_ATTEMPTS = 10
HELD = "held"


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
    from .tasks import notifications_enqueue

    notifications_enqueue(ids)


def _absolute(url: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{url}" if url else ""


def _headline(message: str, length: int = 80) -> str:
    """The message on one line, cut at a word boundary when it is long."""
    line = " ".join(message.split())
    if len(line) <= length:
        return line
    return f"{line[: length - 1].rsplit(' ', 1)[0]}…"


def notification_email_message(
    recipient: User, notifications: Sequence[Notification]
) -> EmailMultiAlternatives:
    """The email for one notification, or a digest of several: plain text and HTML."""
    items = [
        {"message": n.message, "link": _absolute(n.url), "created_at": n.created_at}
        for n in notifications
    ]
    context = {
        "recipient": recipient,
        "items": items,
        "is_digest": len(items) > 1,
        "centre_link": _absolute(reverse("notification_list")),
    }
    if len(items) == 1:
        subject = f"pplearn: {_headline(notifications[0].message)}"
    else:
        subject = f"pplearn: your digest of {len(items)} notifications"
    message = EmailMultiAlternatives(
        subject,
        render_to_string("email/notification.txt", context),
        None,
        [recipient.email],
    )
    message.attach_alternative(render_to_string("email/notification.html", context), "text/html")
    return message


def notification_email(*, notification_id: int, now: datetime.datetime | None = None) -> str:
    """Email one pending notification; return its email status afterwards.

    A row held back until later is left pending ("held"). A failed send keeps its attempt
    count and raises, so the task retries; the row lock makes every retry send at most once.
    """
    now = now or timezone.now()
    error: OSError | None = None
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.email_status != Notification.EmailStatus.PENDING:
            return notification.email_status if notification else "missing"
        if notification.deliver_after is not None and notification.deliver_after > now:
            return HELD
        notification.email_attempts += 1
        if not notification.recipient.is_active:
            notification.email_status = Notification.EmailStatus.SKIPPED
            notification.save(update_fields=["email_status", "email_attempts"])
            return notification.email_status
        try:
            notification_email_message(notification.recipient, [notification]).send()
        except OSError as exc:  # smtplib's errors are OSErrors too
            error = exc
            if notification.email_attempts >= EMAIL_MAX_ATTEMPTS:
                notification.email_status = Notification.EmailStatus.FAILED
            notification.save(update_fields=["email_status", "email_attempts"])
        else:
            notification.email_status = Notification.EmailStatus.SENT
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["email_status", "emailed_at", "email_attempts"])
    if error is not None and notification.email_status == Notification.EmailStatus.PENDING:
        raise error
    return notification.email_status


def notifications_email_digest(*, recipient_id: int, now: datetime.datetime | None = None) -> int:
    """Email all of a person's due pending notifications as one digest; return how many."""
    now = now or timezone.now()
    error: OSError | None = None
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update()
            .filter(recipient_id=recipient_id, email_status=Notification.EmailStatus.PENDING)
            .filter(Q(deliver_after__isnull=True) | Q(deliver_after__lte=now))
            .order_by("created_at", "pk")
        )
        if not rows:
            return 0
        recipient = User.objects.get(pk=recipient_id)
        locked = Notification.objects.filter(pk__in=[n.pk for n in rows])
        attempts = F("email_attempts") + 1
        if not recipient.is_active:
            locked.update(email_status=Notification.EmailStatus.SKIPPED, email_attempts=attempts)
            return 0
        try:
            notification_email_message(recipient, rows).send()
        except OSError as exc:
            error = exc
            locked.update(
                email_attempts=attempts,
                email_status=Case(
                    When(
                        email_attempts__gte=EMAIL_MAX_ATTEMPTS - 1,
                        then=Value(Notification.EmailStatus.FAILED),
                    ),
                    default=Value(Notification.EmailStatus.PENDING),
                ),
            )
        else:
            locked.update(
                email_status=Notification.EmailStatus.SENT,
                emailed_at=timezone.now(),
                email_attempts=attempts,
            )
    if error is not None:
        raise error
    return len(rows)


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when ids is None)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    marked = unread.update(read_at=timezone.now())
    # The count loaded with the person at the start of the request is stale now.
    user.__dict__.pop("unread_at_load", None)
    return marked


def unread_count(user: User) -> int:
    """Unread notifications: as counted when the request loaded the person, if it did."""
    loaded = getattr(user, "unread_at_load", None)
    if loaded is not None:
        return loaded
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
