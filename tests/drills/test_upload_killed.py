"""Drill: the web server is killed (SIGKILL) in the middle of an upload.

A raw socket sends a 20 MB file to a real gunicorn; once the server is writing the body to its
temporary upload file, the whole server is killed. Nothing reached the database or storage:
no Artifact row, no stored file, no audit row; the draft's text is as it was. The only trace
is Django's own partial temporary upload file (tmp*.upload*), which the worker would have
deleted had it lived; a worker that starts later removes it once it is stale
(pplearn.faults.StaleUploadSweepMiddleware). The restarted server takes the next upload.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from pathlib import Path

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.urls import reverse

from evidence import services
from evidence.models import Artifact, Submission
from pplearn.models import AuditEvent
from tests.drills.conftest import (
    Server,
    current_database_url,
    free_port,
    server_env,
    session_cookie,
    wait_until,
)
from tests.evidence.evidence_factories import approved_goal, fixture_bytes

pytestmark = [pytest.mark.integration, pytest.mark.drill, pytest.mark.django_db(transaction=True)]

FILE_BYTES = 20 * 1024 * 1024
SENT_BEFORE_KILL = 8 * 1024 * 1024
DRAFT_TEXT = "My students explained their thinking to a partner before sharing. " * 5


def multipart(token: str, *, name: str, content_type: str, size: int) -> tuple[str, bytes, bytes]:
    """The boundary, the part before the file's bytes and the part after."""
    boundary = f"drill{uuid.uuid4().hex}"
    head = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"\r\n\r\n{value}\r\n'
        for field, value in [
            ("csrfmiddlewaretoken", token),
            ("purpose", "artifact"),
            ("title", "Whole lesson"),
        ]
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="upload"; filename="{name}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    )
    return boundary, head.encode(), f"\r\n--{boundary}--\r\n".encode()


def upload_request(server: Server, path: str, cookies: str, token: str, *, size: int):
    """Open a socket and send the request line, headers and the form up to the file's bytes."""
    boundary, head, tail = multipart(
        token, name="lesson.pdf", content_type="application/pdf", size=size
    )
    length = len(head) + size + len(tail)
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    sock.sendall(
        (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nCookie: {cookies}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {length}\r\nConnection: close\r\n\r\n"
        ).encode()
        + head
    )
    return sock, tail


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_killing_the_server_mid_upload_leaves_no_half_made_artifact(client, world, drill_dir):
    draft = services.submission_start(goal=approved_goal(world), tier=1, actor=world.teacher)
    services.submission_save_draft(
        submission=draft, actor=world.teacher, data={"reflection": DRAFT_TEXT}
    )
    token = _get_new_csrf_string()
    cookies = f"{session_cookie(client, world.teacher)}; csrftoken={token}"
    media, tmp = drill_dir / "media", drill_dir / "tmp"
    tmp.mkdir()
    server = Server(
        port=free_port(),
        env=server_env(
            database_url=current_database_url(),
            var_dir=drill_dir / "var",
            MEDIA_ROOT=str(media),
            TMPDIR=str(tmp),
        ),
        log=drill_dir / "gunicorn.log",
    )
    path = reverse("evidence:artifact_add", args=[draft.pk])
    audits_before = AuditEvent.objects.count()
    server.start(workers=1)
    try:
        sock, _ = upload_request(server, path, cookies, token, size=FILE_BYTES)
        chunk = b"%PDF-1.4\n" + b"0" * (1024 * 1024 - 9)
        for _ in range(SENT_BEFORE_KILL // len(chunk)):
            sock.sendall(chunk)
        # The server is mid-body: its temporary upload file has grown past the first megabyte.
        wait_until(
            lambda: any(p.stat().st_size > 1024 * 1024 for p in files_under(tmp)),
            timeout=60,
            what="the server to write the upload to its temporary file",
        )
        server.kill()
        sock.close()
        leftovers = files_under(tmp)
        leftover_sizes = [(p.name, p.stat().st_size) for p in leftovers]
        stored = files_under(media)
        artifacts = Artifact.objects.filter(submission=draft).count()
        draft.refresh_from_db()
        # Hours later (as far as the sweep can tell), a worker starts and removes the leftover.
        stale = time.time() - 7 * 3600
        for leftover in leftovers:
            os.utime(leftover, (stale, stale))

        server.start(workers=1)
        page = server.get(reverse("evidence:submission_edit", args=[draft.pk]), cookies=cookies)
        # The next upload, whole, goes through as usual.
        pdf = fixture_bytes("exit_ticket.pdf")
        sock, tail = upload_request(server, path, cookies, token, size=len(pdf))
        sock.sendall(pdf + tail)
        answer = sock.recv(4096).decode(errors="replace")
        sock.close()
    finally:
        server.kill()

    print(
        f"\nDRILL upload killed: {SENT_BEFORE_KILL // 2**20} MB of {FILE_BYTES // 2**20} MB sent; "
        f"left in the temp folder: {leftover_sizes}, removed when a worker started"
    )
    assert artifacts == 0
    assert stored == []
    assert AuditEvent.objects.count() - audits_before == 1  # only the complete upload below
    assert (draft.status, draft.reflection) == (Submission.Status.DRAFT, DRAFT_TEXT)
    assert leftovers, "the kill should have caught the upload mid-body"
    assert all(p.name.startswith("tmp") and ".upload" in p.name for p in leftovers)
    assert files_under(tmp) == []  # removed when the restarted worker started
    assert page.status == 200
    assert DRAFT_TEXT.split(".")[0] in page.body.decode()
    assert answer.startswith("HTTP/1.1 302"), answer
    [artifact] = Artifact.objects.filter(submission=draft)
    assert (artifact.original_name, artifact.size) == ("lesson.pdf", len(pdf))
    assert [p.name for p in files_under(media)] == [Path(artifact.file.name).name]
