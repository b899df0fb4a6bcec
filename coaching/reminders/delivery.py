"""Email what was held back (quiet hours, digests) or never reached the broker."""

from __future__ import annotations

import datetime
import logging

from django.db.models import Q
from django.utils import timezone

from coaching.models import ReminderPreference
from pplearn.models import Notification
from pplearn.notifications import (
    EMAIL_MAX_ATTEMPTS,
    notification_email,
    notifications_email_digest,
)

logger = logging.getLogger(__name__)

DRAIN_BATCH_SIZE = 200
# A row queued on commit gets this long to be sent by its own task before the drain tries.
DRAIN_GRACE = datetime.timedelta(minutes=2)


def notifications_drain(
    *, now: datetime.datetime | None = None, batch_size: int = DRAIN_BATCH_SIZE
) -> int:
    """Email the pending notifications that are due; return how many went out.

    Rows held until a moment now past, and rows whose task never reached the broker. People
    who chose the digest get one email with all of theirs. A failed send ends the run (the
    mail server is likely down); the next run starts again where this one stopped.
    """
    now = now or timezone.now()
    due = Notification.objects.filter(
        email_status=Notification.EmailStatus.PENDING, email_attempts__lt=EMAIL_MAX_ATTEMPTS
    ).filter(
        Q(deliver_after__lte=now) | Q(deliver_after__isnull=True, created_at__lte=now - DRAIN_GRACE)
    )
    sent = 0
    after = 0
    digest = ReminderPreference.Delivery.DIGEST
    while rows := list(
        due.filter(pk__gt=after)
        .order_by("pk")
        .values_list("pk", "recipient_id", "recipient__reminder_preference__delivery")[:batch_size]
    ):
        after = rows[-1][0]
        digests = list(dict.fromkeys(r for _, r, delivery in rows if delivery == digest))
        try:
            for pk, _, delivery in rows:
                if delivery != digest:
                    status = notification_email(notification_id=pk, now=now)
                    sent += status == Notification.EmailStatus.SENT
            for recipient_id in digests:
                sent += notifications_email_digest(recipient_id=recipient_id, now=now)
        except OSError:
            logger.warning(
                "Mail server unavailable: the drain resumes on its next run", exc_info=True
            )
            return sent
    return sent
