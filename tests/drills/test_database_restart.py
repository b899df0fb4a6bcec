"""Drill: PostgreSQL restarts while people use the site.

A real gunicorn serves pplearn from a PostgreSQL cluster of this drill's own (a copy of the
test database), with persistent connections (CONN_MAX_AGE=60) so that the health check is what
notices the broken ones. Requests keep coming while the cluster restarts: each answers 200,
302 or the friendly 503 page with Retry-After, never a 500, and the site recovers by itself.
"""

from __future__ import annotations

import threading

import pytest
from django.urls import reverse

from tests.drills.conftest import (
    Server,
    copy_test_database,
    free_port,
    server_env,
    session_cookie,
    wait_until,
)

pytestmark = [pytest.mark.integration, pytest.mark.drill, pytest.mark.django_db(transaction=True)]

FRIENDLY = b"pplearn is back in a moment"


def test_a_database_restart_answers_503_never_500_and_recovers_by_itself(
    client, world, own_postgres, drill_dir
):
    cookie = session_cookie(client, world.teacher)
    copy_test_database(own_postgres)
    server = Server(
        port=free_port(),
        env=server_env(
            database_url=own_postgres.url(), var_dir=drill_dir / "var", CONN_MAX_AGE="60"
        ),
        log=drill_dir / "gunicorn.log",
    )
    server.start(workers=2)
    answers: list[tuple[int, str | None, bytes]] = []
    failures: list[str] = []
    stop = threading.Event()

    def keep_asking() -> None:
        while not stop.is_set():
            try:
                response = server.get("/", cookies=cookie)
            except OSError as exc:  # a dropped connection would be a fault of its own
                failures.append(repr(exc))
            else:
                answers.append((response.status, response.getheader("Retry-After"), response.body))

    try:
        first = server.get("/", cookies=cookie)
        people = [threading.Thread(target=keep_asking) for _ in range(3)]
        for person in people:
            person.start()
        wait_until(lambda: len(answers) >= 15, timeout=60, what="15 answers before the restart")
        own_postgres.restart()
        after_restart = len(answers)
        wait_until(
            lambda: len(answers) >= after_restart + 15, timeout=60, what="answers after restart"
        )
        stop.set()
        for person in people:
            person.join(timeout=30)

        # The database stopped outright: every page is the 503, until it starts again.
        own_postgres.stop()
        while_down = server.get("/", cookies=cookie)
        login_while_down = server.get(reverse("login"))
        own_postgres.start()
        back = [server.get("/", cookies=cookie) for _ in range(4)]
    finally:
        stop.set()
        server.kill()
    log = server.log.read_text(errors="replace")

    statuses = [status for status, _, _ in answers]
    print(
        f"\nDRILL database restart: {len(answers)} answers during the run, "
        f"{statuses.count(200)} x 200, {statuses.count(503)} x 503, "
        f"other {set(statuses) - {200, 503}}"
    )
    assert first.status == 200
    assert failures == []
    assert set(statuses) <= {200, 302, 503}, log[-3000:]
    for status, retry_after, body in answers:
        if status == 503:
            assert retry_after == "30"
            assert FRIENDLY in body
            assert b"Traceback" not in body
    # The last answers, all after the restart, are pages again: nothing had to be reset.
    assert statuses[-5:] == [200] * 5
    assert while_down.status == 503
    assert while_down.getheader("Retry-After") == "30"
    assert FRIENDLY in while_down.body
    assert b"Traceback" not in while_down.body
    assert login_while_down.status in (200, 503)
    assert [r.status for r in back] == [200] * 4
    assert "Database unavailable during GET /" in log
