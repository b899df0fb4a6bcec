"""The hourly sweep: each district's people in batches, a fixed number of queries per batch.

Every reminder row is inserted under (recipient, kind, subject, period) before its
notification exists, in one transaction per batch, so two sweeps, in turn or at the same
time, notify once.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from coaching.models import Reminder, ReminderPreference, ReminderSettings
from evidence.models import ReviewPolicy
from pplearn.lookups import among
from pplearn.models import District, Notification, User
from pplearn.tasks import notifications_enqueue

from .clock import district_zone, next_allowed, next_digest
from .due import DistrictSweep, Due, clip
from .leader_kinds import approvals, checkins, principal_digest, queue_digest
from .teacher_kinds import draft_goals, no_evidence, no_goal, returned

K = Reminder.Kind
BATCH_SIZE = 500
DEFAULT_TURNAROUND_DAYS = ReviewPolicy._meta.get_field("turnaround_target_days").default

Selector = Callable[[DistrictSweep, list[int]], list[Due]]
# Each kind: its switch in ReminderSettings, its selection, whether it needs a school year.
KINDS: list[tuple[str, str, Selector, bool]] = [
    (K.DRAFT_GOAL, "draft_goal_on", draft_goals, True),
    (K.NO_EVIDENCE, "no_evidence_on", no_evidence, True),
    (K.RETURNED, "returned_on", returned, True),
    (K.NO_GOAL, "no_goal_on", no_goal, True),
    (K.CHECKIN, "checkin_on", checkins, True),
    (K.APPROVAL, "approval_on", approvals, False),
    (K.QUEUE_DIGEST, "queue_digest_on", queue_digest, False),
    (K.PRINCIPAL_DIGEST, "principal_digest_on", principal_digest, True),
]


def reminder_settings_of(district: District) -> ReminderSettings:
    """The district's reminder settings; the defaults (unsaved) when it has none."""
    rules = ReminderSettings.objects.filter(district=district).first()
    return rules or ReminderSettings(district=district)


def district_sweep(district: District, now: datetime.datetime) -> DistrictSweep:
    turnaround = (
        ReviewPolicy.objects.filter(district=district)
        .values_list("turnaround_target_days", flat=True)
        .first()
    )
    return DistrictSweep(
        district=district,
        rules=reminder_settings_of(district),
        year=district.current_school_year(),
        turnaround_days=DEFAULT_TURNAROUND_DAYS if turnaround is None else turnaround,
        now=now,
        zone=district_zone(district),
    )


def is_paused(preference: ReminderPreference | None, today: datetime.date) -> bool:
    return bool(preference and preference.paused_until and preference.paused_until >= today)


def reminders_sweep(*, now: datetime.datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Record and notify every reminder due at `now`; return how many notifications it wrote."""
    now = now or timezone.now()
    written = 0
    for district in District.objects.order_by("pk"):
        sweep = district_sweep(district, now)
        selectors = [
            select
            for _, switch, select, needs_year in KINDS
            if getattr(sweep.rules, switch) and (sweep.year is not None or not needs_year)
        ]
        if not selectors:
            continue
        people = (
            User.objects.filter(is_active=True, memberships__district=district)
            .order_by("pk")
            .values_list("pk", flat=True)
            .distinct()
        )
        after = 0
        while ids := list(people.filter(pk__gt=after)[:batch_size]):
            written += _sweep_batch(sweep, selectors, ids)
            after = ids[-1]
    return written


def _link(reminder_ids: list[int], notifications: list[Notification]) -> None:
    """Point each reminder at its notification: one UPDATE from two arrays on PostgreSQL."""
    if connection.vendor != "postgresql":
        Reminder.objects.bulk_update(
            [
                Reminder(pk=pk, notification=notification)
                for pk, notification in zip(reminder_ids, notifications, strict=True)
            ],
            ["notification"],
        )
        return
    meta = Reminder._meta
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {meta.db_table} SET {meta.get_field('notification').column} = link.n "  # noqa: S608 - names from the model
            "FROM unnest(%s::bigint[], %s::bigint[]) AS link(r, n) "
            f"WHERE {meta.db_table}.{meta.pk.column} = link.r",
            [reminder_ids, [n.pk for n in notifications]],
        )


def _sweep_batch(sweep: DistrictSweep, selectors: list[Selector], ids: list[int]) -> int:
    """Insert the batch's due reminders and notify only those this transaction inserted."""
    with transaction.atomic():
        preferences = {
            p.user_id: p for p in ReminderPreference.objects.filter(among("user_id", ids))
        }
        awake = [pk for pk in ids if not is_paused(preferences.get(pk), sweep.today)]
        wanted = {due.key: due for select in selectors for due in select(sweep, awake)}
        if not wanted:
            return 0
        # One order for every sweep, so two sweeps inserting the same keys wait on each
        # other instead of deadlocking.
        Reminder.objects.bulk_create(
            [
                Reminder(
                    recipient_id=recipient_id,
                    kind=kind,
                    subject_key=subject_key,
                    period=period,
                    created_at=sweep.now,
                )
                for recipient_id, kind, subject_key, period in sorted(wanted)
            ],
            ignore_conflicts=True,
        )
        # A key another sweep holds made our insert wait until that sweep committed, with
        # its notification linked; so the unlinked rows of this moment are ours alone.
        unlinked = (
            Reminder.objects.filter(
                among("recipient_id", {key[0] for key in wanted}),
                created_at=sweep.now,
                notification__isnull=True,
            )
            .order_by("pk")
            .values_list("pk", "recipient_id", "kind", "subject_key", "period")
        )
        ours = [(pk, wanted[tuple(key)]) for pk, *key in unlinked if tuple(key) in wanted]
        if not ours:
            return 0
        later = next_allowed(sweep.rules, sweep.now, sweep.zone)
        digest_at = next_digest(sweep.rules, sweep.now, sweep.zone)
        notifications = []
        for _, due in ours:
            preference = preferences.get(due.recipient_id)
            digest = preference is not None and preference.delivery == preference.Delivery.DIGEST
            notifications.append(
                Notification(
                    recipient_id=due.recipient_id,
                    verb=f"reminder.{due.kind}",
                    message=clip(due.message),
                    url=due.url,
                    created_at=sweep.now,
                    deliver_after=digest_at if digest else later,
                )
            )
        Notification.objects.bulk_create(notifications)
        _link([pk for pk, _ in ours], notifications)
        send_now = [n.pk for n in notifications if n.deliver_after is None]
        if send_now:
            transaction.on_commit(lambda: notifications_enqueue(send_now))
    return len(notifications)
