"""Template filters shared by every app."""

import datetime

from django import template

register = template.Library()


@register.filter
def duration(value: datetime.timedelta | None) -> str:
    """Say a length of time the way people do: '2 days 4 hours', '35 minutes'."""
    if value is None:
        return ""
    seconds = int(value.total_seconds())
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes = seconds // 60

    def unit(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    if days:
        return unit(days, "day") + (f" {unit(hours, 'hour')}" if hours else "")
    if hours:
        return unit(hours, "hour") + (f" {unit(minutes, 'minute')}" if minutes else "")
    return unit(minutes, "minute") if minutes else "under a minute"
