"""Drill: a Celery worker is killed (SIGKILL) while it emails a notification.

Late acknowledgement (pplearn/celery.py) leaves the message in Redis, unacknowledged; once
the visibility timeout passes, the next worker runs the task again. The SMTP sink stalls the
first delivery before any message is sent, so the kill lands mid-task; the row lock and the
status check make the second run the only one that emails.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.db import transaction

from pplearn.models import Notification
from pplearn.notifications import notify
from pplearn.tasks import notification_email_task
from tests.drills.conftest import (
    celery_broker,
    current_database_url,
    kill_group,
    start_process,
    wait_until,
)

pytestmark = [pytest.mark.integration, pytest.mark.drill, pytest.mark.django_db(transaction=True)]

VISIBILITY_TIMEOUT = 3


def start_worker(*, redis_url: str, smtp_port: int, log: Path, pool: str = "solo"):
    env = os.environ | {
        "DATABASE_URL": current_database_url(),
        "REDIS_URL": redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "SITE_URL": "https://ppl.example.org",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "pplearn", "worker", f"--pool={pool}",
        "--concurrency=1",
        "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
        "-n", f"drill-{uuid.uuid4().hex[:8]}@%h",
    ]  # fmt: skip
    return start_process(command, env=env, log=log)


def test_a_worker_killed_mid_task_leaves_it_to_the_next_worker_and_it_emails_once(
    world, own_redis, smtp_sink, drill_dir
):
    sink, smtp_port = smtp_sink
    own_redis.start()
    broker = redis.Redis.from_url(own_redis.url)
    log = drill_dir / "worker.log"
    with celery_broker(own_redis.url), transaction.atomic():
        # On commit, the email task goes to our Redis.
        [note] = notify(
            recipients=[world.principal],
            actor=world.teacher,
            verb="drill.worker_killed",
            message="A goal is waiting for your approval.",
        )
    sink.hold.set()

    first = start_worker(redis_url=own_redis.url, smtp_port=smtp_port, log=log)
    try:
        wait_until(sink.stalled.is_set, timeout=60, what="the first worker to reach the sink")
        killed_at = time.monotonic()
        kill_group(first, signal.SIGKILL)
    finally:
        kill_group(first, signal.SIGKILL)
    note.refresh_from_db()
    in_flight = broker.hlen("unacked")
    # The killed worker's transaction rolled back: no attempt recorded, nothing sent.
    assert (note.email_status, note.email_attempts) == ("pending", 0)
    assert in_flight == 1
    assert sink.messages == []

    sink.hold.clear()
    # Redis hands the message on only after the visibility timeout.
    time.sleep(max(0.0, killed_at + VISIBILITY_TIMEOUT + 1 - time.monotonic()))
    second = start_worker(redis_url=own_redis.url, smtp_port=smtp_port, log=log)
    try:
        wait_until(lambda: sink.messages, timeout=90, what="the second worker to email")
        wait_until(lambda: broker.hlen("unacked") == 0, timeout=30, what="the acknowledgement")
        # Anything else queued would have run by now; a second email would show here.
        time.sleep(2)
    finally:
        second.terminate()
        second.wait(timeout=20)
    worker_log = log.read_text(errors="replace")

    note.refresh_from_db()
    assert [m["To"] for m in sink.messages] == [world.principal.email], worker_log[-3000:]
    assert (note.email_status, note.email_attempts) == ("sent", 1)
    assert broker.llen("celery") == 0
    print(f"\nDRILL worker killed: redelivered and sent once; log tail:\n{worker_log[-600:]}")


def test_a_pool_process_killed_mid_task_is_rejected_and_the_task_runs_again_at_once(
    world, own_redis, smtp_sink, drill_dir
):
    # The prefork pool: the worker's main process sees its child die and, as
    # task_reject_on_worker_lost says, puts the message back instead of marking it failed.
    sink, smtp_port = smtp_sink
    own_redis.start()
    log = drill_dir / "worker.log"
    with celery_broker(own_redis.url), transaction.atomic():
        [note] = notify(
            recipients=[world.coordinator],
            actor=world.teacher,
            verb="drill.child_killed",
            message="A submission is waiting for your review.",
        )
    sink.hold.set()
    worker = start_worker(redis_url=own_redis.url, smtp_port=smtp_port, log=log, pool="prefork")
    try:
        wait_until(sink.stalled.is_set, timeout=60, what="the pool process to reach the sink")
        children = subprocess.run(  # noqa: S603
            ["pgrep", "-P", str(worker.pid)],  # noqa: S607 - procps
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert len(children) == 1
        os.kill(int(children[0]), signal.SIGKILL)
        sink.hold.clear()
        wait_until(lambda: sink.messages, timeout=60, what="the task to run again")
        time.sleep(2)  # a duplicate would arrive by now
    finally:
        kill_group(worker, signal.SIGTERM)
    worker_log = log.read_text(errors="replace")

    note.refresh_from_db()
    assert [m["To"] for m in sink.messages] == [world.coordinator.email], worker_log[-3000:]
    assert (note.email_status, note.email_attempts) == ("sent", 1)
    assert "WorkerLostError" in worker_log


def test_running_the_same_delivery_twice_emails_once(world, mailoutbox):
    # Written straight to the outbox: nothing goes to the shared Redis of `make test`.
    note = Notification.objects.create(
        recipient=world.principal, actor=world.teacher, verb="drill.twice", message="Hi"
    )
    # Redelivery after a lost worker, or a duplicate from the drain: the same task twice.
    results = [notification_email_task.apply(args=[note.pk]).get() for _ in range(2)]

    assert results == ["sent", "sent"]
    assert [m.to for m in mailoutbox] == [[world.principal.email]]
    note.refresh_from_db()
    assert note.email_attempts == 1
