"""What the fault drills share: real processes (PostgreSQL, Redis, gunicorn, a Celery worker,
an SMTP sink) on loopback ports, started and stopped by the drill that needs them.

Drills that break a service start their own copy of it, so that the other pytest worker of
`make test`, which uses the shared throwaway PostgreSQL and Redis, never notices.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from email.policy import default as default_policy
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)
IS_ROOT = os.geteuid() == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, *, timeout: float, interval: float = 0.1, what: str = "") -> None:
    """Poll until predicate() is true; fail the drill with `what` after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    pytest.fail(f"Gave up after {timeout:.0f} s waiting for {what or predicate}")


def current_database_url() -> str:
    """The URL of the database this test runs in (pytest-django's test_ database)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "")
    if db["PASSWORD"]:
        credentials += f":{quote(db['PASSWORD'])}"
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{quote(db['NAME'])}"


@pytest.fixture
def require_postgres():
    if connection.vendor != "postgresql":
        pytest.fail("DATABASE_URL must point at PostgreSQL: run the drills with `make test`.")


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    if not found:
        pytest.fail("PostgreSQL binaries not found under /usr/lib/postgresql")
    return found[-1]


def _as_postgres(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root: its tools run as the postgres user.
    return ["runuser", "-u", "postgres", "--", *command] if IS_ROOT else command


@dataclass
class OwnPostgres:
    """A PostgreSQL cluster of one drill's own, so it can be restarted at will."""

    root: Path
    port: int
    bin: Path = field(default_factory=_pg_bin)

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, name: str = "pplearn") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / "pg_ctl"), "-D", str(self.data), *args]
        return subprocess.run(  # noqa: S603 - fixed PostgreSQL tools
            _as_postgres(command), capture_output=True, text=True, check=check, timeout=60
        )

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self.pg_ctl("-l", str(self.root / "server.log"), "-w", "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("-m", mode, "-w", "stop", check=False)

    def restart(self) -> None:
        # With a log file, or the server keeps pg_ctl's output pipe open.
        self.pg_ctl("-l", str(self.root / "server.log"), "-m", "fast", "-w", "restart")


@pytest.fixture
def own_postgres(require_postgres):
    root = Path(tempfile.mkdtemp(prefix="pplearn-drill-pg-"))
    root.chmod(0o755)
    if IS_ROOT:
        shutil.chown(root, "postgres")
    cluster = OwnPostgres(root=root, port=free_port())
    subprocess.run(  # noqa: S603 - fixed PostgreSQL tools
        _as_postgres(
            [str(cluster.bin / "initdb"), "-D", str(cluster.data), "--auth=trust", "-U"]
            + ["postgres", "-E", "UTF8", "--locale=C.UTF-8"]
        ),
        capture_output=True,
        check=True,
        timeout=120,
    )
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


def copy_test_database(cluster: OwnPostgres, name: str = "pplearn") -> None:
    """Copy the test database (schema and committed rows) into a new database of `cluster`."""
    source = connection.settings_dict
    env = os.environ | {"PGPASSWORD": source["PASSWORD"] or ""}
    dump = subprocess.run(  # noqa: S603 - fixed PostgreSQL tools
        [
            str(cluster.bin / "pg_dump"),
            "--format=custom",
            "--no-owner",
            f"--host={source['HOST'] or '127.0.0.1'}",
            f"--port={source['PORT'] or 5432}",
            f"--username={source['USER']}",
            source["NAME"],
        ],
        capture_output=True,
        check=True,
        env=env,
        timeout=120,
    ).stdout
    target = ["--host=127.0.0.1", f"--port={cluster.port}", "--username=postgres"]
    subprocess.run([str(cluster.bin / "createdb"), *target, name], check=True, timeout=60)  # noqa: S603
    subprocess.run(  # noqa: S603
        [str(cluster.bin / "pg_restore"), *target, "--no-owner", f"--dbname={name}"],
        input=dump,
        capture_output=True,
        check=True,
        timeout=120,
    )


@dataclass
class OwnRedis:
    """A Redis server of one drill's own, to stop and start again."""

    root: Path
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - the Debian redis-server
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.root)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.is_up, timeout=20, what="Redis to accept connections")

    def is_up(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 1):
            return True
        return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None


@pytest.fixture
def own_redis():
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is missing: `make test` installs it (scripts/services.sh).")
    root = Path(tempfile.mkdtemp(prefix="pplearn-drill-redis-"))
    server = OwnRedis(root=root, port=free_port())
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def celery_broker(url: str):
    """Point this process's Celery app at another broker, and back afterwards."""
    from pplearn.celery import app

    def reset() -> None:
        # The connection and producer pools are made once, from the broker URL of that time.
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None

    previous = app.conf.broker_url
    reset()
    app.conf.broker_url = url
    try:
        yield app
    finally:
        reset()
        app.conf.broker_url = previous


class SlowSink:
    """An SMTP sink that keeps every message; while `hold` is set it stalls each new session
    at EHLO, before any message is sent, so a client can be killed mid-delivery."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.hold = threading.Event()
        self.stalled = threading.Event()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        session.host_name = hostname
        if self.hold.is_set():
            self.stalled.set()
            while self.hold.is_set():
                await asyncio.sleep(0.05)
        return responses

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_sink():
    sink = SlowSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield sink, controller.port
    finally:
        sink.hold.clear()
        controller.stop()


def start_process(command: list[str], *, env: dict, log: Path) -> subprocess.Popen:
    """Start a process in its own session, so that killing its group kills all its children."""
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def kill_group(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=20)


@dataclass
class Server:
    """A gunicorn serving pplearn on a loopback port."""

    port: int
    env: dict
    log: Path
    process: subprocess.Popen | None = None

    def start(self, *, workers: int = 2) -> None:
        command = [
            sys.executable, "-m", "gunicorn", "pplearn.wsgi",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
            "--timeout", "120", "--graceful-timeout", "2",
        ]  # fmt: skip
        self.process = start_process(command, env=self.env, log=self.log)
        wait_until(self.is_up, timeout=60, what=f"gunicorn on port {self.port}")

    def is_up(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            pytest.fail(f"gunicorn exited early:\n{self.log.read_text(errors='replace')[-3000:]}")
        try:
            self.get("/healthz")  # any answer: the server is listening
            return True
        except OSError:
            return False

    def get(self, path: str, *, cookies: str = "") -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("GET", path, headers={"Cookie": cookies} if cookies else {})
        response = conn.getresponse()
        response.body = response.read()
        conn.close()
        return response

    def kill(self) -> None:
        if self.process is not None:
            kill_group(self.process)
            self.process = None


def server_env(*, database_url: str, var_dir: Path, **extra: str) -> dict:
    return os.environ | {
        "DATABASE_URL": database_url,
        "PPLEARN_VAR_DIR": str(var_dir),
        "DJANGO_DEBUG": "true",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


@pytest.fixture
def drill_dir():
    path = Path(tempfile.mkdtemp(prefix="pplearn-drill-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def session_cookie(client, user) -> str:
    """Sign `user` in through Django's test client and return the Cookie header it got."""
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
