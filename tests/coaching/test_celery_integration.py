"""A real Celery worker on the real Redis of `make test` emails a reminder to an SMTP sink.

The worker is a separate process: it reads the rows the sweep committed in the pytest test
database (hence transactional_db) and sends through SMTP to an aiosmtpd sink started here.
"""

from __future__ import annotations

import datetime
import email
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from email.policy import default as default_policy
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from coaching.models import ReminderSettings
from coaching.reminders import reminders_sweep
from goals.models import Goal
from pplearn.models import Notification
from tests.goals.goal_factories import make_goal

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

DELIVERY_WAIT_SECONDS = 60
BASE_DIR = Path(settings.BASE_DIR)


class Sink:
    """An SMTP server that keeps every message it receives."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _test_database_url() -> str:
    """The URL of the database this test runs in (pytest-django's test_ database)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "")
    if db["PASSWORD"]:
        credentials += f":{quote(db['PASSWORD'])}"
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{quote(db['NAME'])}"


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.fail(
            "REDIS_URL is not set: run this test with `make test` (scripts/test.sh), which "
            "starts a throwaway Redis and exports REDIS_URL."
        )
    if connection.vendor != "postgresql":
        pytest.fail("DATABASE_URL must point at PostgreSQL: run this test with `make test`.")
    return url


@pytest.fixture
def smtp_sink():
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield sink, controller.port
    controller.stop()


def _start_worker(*, redis_url: str, smtp_port: int, log: Path) -> subprocess.Popen:
    env = os.environ | {
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "SITE_URL": "https://ppl.example.org",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "pplearn",
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-n",
        f"reminders-test-{uuid.uuid4().hex[:8]}@%h",
    ]
    with log.open("wb") as out:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
            command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
        )


def _stop_worker(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(timeout=10)


def test_a_worker_on_redis_emails_a_due_reminder_to_the_smtp_sink(
    transactional_db, world, redis_url, smtp_sink
):
    sink, smtp_port = smtp_sink
    # Any hour will do: no quiet hours, no quiet weekends.
    ReminderSettings.objects.create(
        district=world.district,
        quiet_start=datetime.time(0),
        quiet_end=datetime.time(0),
        quiet_weekends=False,
    )
    goal = make_goal(world.teacher, status=Goal.Status.DRAFT, title="Talk moves in math")
    Goal.objects.filter(pk=goal.pk).update(updated_at=goal.updated_at - datetime.timedelta(days=10))
    log = Path(tempfile.mkdtemp(prefix="pplearn-worker-")) / "worker.log"
    worker = _start_worker(redis_url=redis_url, smtp_port=smtp_port, log=log)
    try:
        written = reminders_sweep()  # commits; on commit the task goes to Redis

        deadline = time.monotonic() + DELIVERY_WAIT_SECONDS
        mine = []
        while time.monotonic() < deadline and not mine and worker.poll() is None:
            mine = [m for m in sink.messages if m["To"] == world.teacher.email]
            time.sleep(0.2)
    finally:
        _stop_worker(worker)
    worker_log = log.read_text(errors="replace")[-4000:]

    assert written >= 1
    assert mine, (
        f"No email reached the sink in {DELIVERY_WAIT_SECONDS} s. Worker log:\n{worker_log}"
    )
    (message,) = mine
    subject = str(message["Subject"]).strip()
    assert subject.startswith("pplearn: Your draft goal “Talk moves in math” is waiting for you.")
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    link = f"https://ppl.example.org{goal.get_absolute_url()}"
    assert link in text
    assert f'href="{link}"' in html
    note = Notification.objects.get(recipient=world.teacher, verb="reminder.draft_goal")
    assert (note.email_status, note.email_attempts) == (Notification.EmailStatus.SENT, 1)
