"""The Celery application; settings come from Django's settings with the CELERY_ prefix."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pplearn.settings")

app = Celery("pplearn")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# A task is acknowledged when it finishes, not when it starts: a worker killed mid-task leaves
# the message to be delivered again. Every task is idempotent (the outbox rows are locked and
# checked), so running one twice has no double effect. One message at a time per process, so
# a dying worker holds back no others.
app.conf.task_acks_late = True
app.conf.task_reject_on_worker_lost = True
app.conf.worker_prefetch_multiplier = 1
# Redis hands an unacknowledged message to another worker after this many seconds. It must be
# longer than the longest retry countdown (an hour), or a waiting retry would run twice.
app.conf.broker_transport_options = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", 2 * 60 * 60)),
    **app.conf.broker_transport_options,
}

# A static schedule in code: no extra tables, and reviewable in a pull request.
app.conf.beat_schedule = {
    # Files whose virus scan was missed or failed are queued again (only with CLAMAV_SOCKET).
    "artifacts-scan-sweep": {
        "task": "evidence.tasks.artifacts_scan_sweep_task",
        "schedule": crontab(minute="*/15"),
    },
    "clear-expired-sessions": {
        "task": "pplearn.tasks.sessions_clear_expired_task",
        "schedule": crontab(hour=3, minute=17),
    },
    # Dashboard figures that move with the clock alone (coverage, stalled goals) are recounted.
    "dashboards-rollups-recount": {
        "task": "dashboards.tasks.rollups_recount_task",
        "schedule": crontab(minute="*/15"),
    },
    # Hourly: each district's nudges are chosen in its own time zone; quiet hours hold them.
    "reminders-sweep": {
        "task": "coaching.tasks.reminders_sweep_task",
        "schedule": crontab(minute=7),
    },
    # Held notifications come due, and the outbox drains what the broker never delivered.
    "notifications-drain": {
        "task": "coaching.tasks.notifications_drain_task",
        "schedule": crontab(minute="*/5"),
    },
    # Daily, at night: files showing students whose retention period after the goal closed
    # has ended leave storage (evidence/retention.py).
    "student-work-retention": {
        "task": "evidence.tasks.student_work_retention_task",
        "schedule": crontab(hour=2, minute=41),
    },
}


def ensure_broker_folders() -> None:
    """Create the folders the filesystem transport reads and writes, if it is in use."""
    from django.conf import settings

    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(key)
        if folder:
            os.makedirs(folder, exist_ok=True)
