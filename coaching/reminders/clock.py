"""Time in the district's zone: quiet hours, the digest hour, repeat windows, school days."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

from coaching.models import ReminderSettings
from pplearn.models import District


def district_zone(district: District) -> ZoneInfo:
    try:
        return ZoneInfo(district.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def is_quiet(rules: ReminderSettings, local: datetime.datetime) -> bool:
    """Whether a local moment falls in the district's quiet hours or weekend."""
    if rules.quiet_weekends and local.weekday() >= 5:
        return True
    start, end, moment = rules.quiet_start, rules.quiet_end, local.time()
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def _candidates(rules: ReminderSettings, local: datetime.datetime, times):
    for offset in range(9):
        day = local.date() + datetime.timedelta(days=offset)
        for at in times:
            candidate = datetime.datetime.combine(day, at, tzinfo=local.tzinfo)
            if candidate > local and not is_quiet(rules, candidate):
                yield candidate


def next_allowed(
    rules: ReminderSettings, now: datetime.datetime, zone: ZoneInfo
) -> datetime.datetime | None:
    """None when mail may go out now, else the first moment after the quiet hours."""
    local = now.astimezone(zone)
    if not is_quiet(rules, local):
        return None
    # Quiet hours end every day at quiet_end, and a quiet weekend ends at midnight: the
    # first of these moments that is not quiet itself comes within three days.
    return next(_candidates(rules, local, (datetime.time.min, rules.quiet_end)))


def next_digest(
    rules: ReminderSettings, now: datetime.datetime, zone: ZoneInfo
) -> datetime.datetime:
    """When the next daily digest goes out: the end of the quiet hours, on a working day."""
    return next(_candidates(rules, now.astimezone(zone), (rules.quiet_end,)))


def window_start(anchor: datetime.date, today: datetime.date, days: int) -> datetime.date:
    """The start of the repeat window holding today, in windows of `days` from anchor."""
    if today <= anchor:
        return anchor
    days = max(days, 1)
    return anchor + datetime.timedelta(days=(today - anchor).days // days * days)


def school_days_between(start: datetime.date, end: datetime.date) -> int:
    """Weekdays after start up to and including end (no holiday calendar yet)."""
    if end <= start:
        return 0
    weeks, rest = divmod((end - start).days, 7)
    tail = (start + datetime.timedelta(days=weeks * 7 + i) for i in range(1, rest + 1))
    return weeks * 5 + sum(1 for day in tail if day.weekday() < 5)


def iso_week(day: datetime.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
