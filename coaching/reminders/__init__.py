"""Reminders: the nudges of the hourly sweep, recorded once under a unique key, then sent.

There are no deadlines, only nudges. For each district the sweep walks its people in
batches and runs the same few set-based queries per batch, whatever the batch holds
(`sweep`); what is read district-wide (goals waiting for approval, the late review queue)
is read once per sweep. What each kind selects lives in `teacher_kinds` and
`leader_kinds`. Quiet hours and the daily digest are computed in the district's time zone
(`clock`) and hold a notification back (`deliver_after`) until the drain sends it
(`delivery`). The settings pages change things through `services`.
"""

from .clock import district_zone, is_quiet, next_allowed, next_digest, school_days_between
from .delivery import DRAIN_BATCH_SIZE, DRAIN_GRACE, notifications_drain
from .due import DistrictSweep, Due, stalled_approved_goals
from .services import (
    can_pause_reminders,
    pausing_district,
    reminder_delivery_set,
    reminder_settings_editor_district,
    reminder_settings_update,
    reminders_pause,
    reminders_unpause,
)
from .sweep import (
    BATCH_SIZE,
    KINDS,
    district_sweep,
    is_paused,
    reminder_settings_of,
    reminders_sweep,
)

__all__ = [
    "BATCH_SIZE",
    "DRAIN_BATCH_SIZE",
    "DRAIN_GRACE",
    "KINDS",
    "DistrictSweep",
    "Due",
    "can_pause_reminders",
    "district_sweep",
    "district_zone",
    "is_paused",
    "is_quiet",
    "next_allowed",
    "next_digest",
    "notifications_drain",
    "pausing_district",
    "reminder_delivery_set",
    "reminder_settings_editor_district",
    "reminder_settings_of",
    "reminder_settings_update",
    "reminders_pause",
    "reminders_sweep",
    "reminders_unpause",
    "school_days_between",
    "stalled_approved_goals",
]
