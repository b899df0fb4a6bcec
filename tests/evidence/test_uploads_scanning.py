"""Virus scanning with clamd's INSTREAM protocol, against a fake clamd on a unix socket.

The real clamd runs in tests/evidence/test_clamav.py; here a small server answers what each
case needs (clean, FOUND, ERROR, silence, no socket at all), and records what it was sent.
"""

import socket
import struct
import threading
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from evidence import scanning, services
from evidence.models import Artifact
from evidence.scanning import ScanError, ScanResult, clamd_scan
from evidence.tasks import artifact_scan_task
from pplearn.models import AuditEvent, Notification
from tests.evidence.evidence_factories import (
    approved_goal,
    attach,
    complete_draft,
    fixture_bytes,
    messages_of,
    passed_tier,
    returned,
    submit,
    upload,
)

S = Artifact.ScanStatus
EICAR_LIKE = b"pretend this is a virus"


class FakeClamd:
    """Answer each INSTREAM connection with the next of `replies` (None: hang up)."""

    def __init__(self, path: Path, replies: list[bytes | None]):
        self.path = str(path)
        self.replies = list(replies)
        self.received: list[tuple[bytes, list[int]]] = []  # command, chunk lengths
        self.streams: list[bytes] = []
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _read_exact(self, connection, count: int) -> bytes:
        data = b""
        while len(data) < count:
            more = connection.recv(count - len(data))
            if not more:
                raise ConnectionError("client hung up")
            data += more
        return data

    def _serve(self):
        while self.replies:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            with connection:
                command = self._read_exact(connection, len(b"zINSTREAM\0"))
                lengths, stream = [], b""
                while (length := struct.unpack(">I", self._read_exact(connection, 4))[0]) != 0:
                    lengths.append(length)
                    stream += self._read_exact(connection, length)
                self.received.append((command, lengths))
                self.streams.append(stream)
                reply = self.replies.pop(0)
                if reply is not None:
                    connection.sendall(reply)

    def close(self):
        self.server.close()


@pytest.fixture
def clamd(tmp_path):
    servers = []

    def start(*replies):
        server = FakeClamd(tmp_path / f"clamd{len(servers)}.sock", list(replies))
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


# The protocol ---------------------------------------------------------------------------


def test_a_clean_stream_is_sent_in_length_prefixed_chunks(clamd):
    server = clamd(b"stream: OK\0")
    data = bytes(range(256)) * 600  # 150 KB: three chunks
    assert clamd_scan([data], socket_path=server.path) == ScanResult(infected=False)
    server.thread.join(2)
    assert server.received == [(b"zINSTREAM\0", [65536, 65536, 153600 - 131072])]
    assert server.streams == [data]


def test_a_virus_found_names_its_signature(clamd):
    server = clamd(b"stream: Eicar-Test-Signature FOUND\0")
    result = clamd_scan([EICAR_LIKE], socket_path=server.path)
    assert result == ScanResult(infected=True, signature="Eicar-Test-Signature")


@pytest.mark.parametrize(
    "reply", [b"INSTREAM size limit exceeded. ERROR\0", b"", None], ids=["error", "empty", "hangup"]
)
def test_an_error_or_no_answer_is_a_scan_error(clamd, reply):
    server = clamd(reply)
    with pytest.raises(ScanError):
        clamd_scan([b"data"], socket_path=server.path, timeout=2)


def test_a_missing_socket_is_a_scan_error(tmp_path):
    with pytest.raises(ScanError, match="clamd at"):
        clamd_scan([b"data"], socket_path=str(tmp_path / "absent.sock"))


# Uploads, downloads and the task ----------------------------------------------------------


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def draft(world):
    goal = approved_goal(world)
    passed_tier(goal, 1)
    return complete_draft(goal, 2)


def attach_pdf(draft, django_capture_on_commit_callbacks) -> tuple[Artifact, list]:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        artifact = services.artifact_add(
            submission=draft,
            actor=draft.goal.teacher,
            purpose="artifact",
            upload=upload("exit ticket.pdf", fixture_bytes("exit_ticket.pdf")),
        )
    return artifact, callbacks


def download(client, user, artifact):
    client.force_login(user)
    return client.get(reverse("evidence:artifact_download", args=[artifact.pk]))


def scan_audits(artifact) -> list[str]:
    return [
        event["status"]
        for event in AuditEvent.objects.filter(verb="artifact.scan", target_id=str(artifact.pk))
        .order_by("pk")
        .values_list("data", flat=True)
    ]


@pytest.mark.django_db
def test_without_clamav_a_file_is_clean_at_once_and_no_scan_is_queued(
    client, world, draft, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.CLAMAV_SOCKET = ""
    queued = []
    monkeypatch.setattr(artifact_scan_task, "delay", queued.append)
    artifact, _ = attach_pdf(draft, django_capture_on_commit_callbacks)
    assert artifact.scan_status == S.CLEAN
    assert queued == []
    assert download(client, world.teacher, artifact).status_code == 200


@pytest.mark.django_db
def test_with_clamav_a_file_waits_for_its_scan_then_opens_when_clean(
    client, world, draft, settings, clamd, django_capture_on_commit_callbacks, monkeypatch
):
    server = clamd(b"stream: OK\0")
    settings.CLAMAV_SOCKET = server.path
    queued = []
    monkeypatch.setattr(artifact_scan_task, "delay", queued.append)

    artifact, callbacks = attach_pdf(draft, django_capture_on_commit_callbacks)

    assert len(callbacks) == 1
    assert queued == [artifact.pk]
    assert Artifact.objects.get(pk=artifact.pk).scan_status == S.PENDING
    # The teacher may submit; the reviewer sees that the file is still being checked.
    submit(draft)
    for person in (world.teacher, world.coordinator):
        waiting = download(client, person, artifact)
        assert waiting.status_code == 409
        assert b"being checked for viruses" in waiting.content
        assert waiting["Retry-After"] == "30"
        assert "no-store" in waiting["Cache-Control"]
    assert not AuditEvent.objects.filter(verb="artifact.view").exists()
    detail = client.get(draft.get_absolute_url())  # the coordinator, signed in last
    assert detail.status_code == 200
    assert "Being checked for viruses" in detail.content.decode()
    assert artifact.get_absolute_url() not in detail.content.decode()

    assert scanning.artifact_scan(artifact_id=artifact.pk) == S.CLEAN

    assert server.streams == [fixture_bytes("exit_ticket.pdf")]
    assert Artifact.objects.get(pk=artifact.pk).scan_status == S.CLEAN
    assert download(client, world.coordinator, artifact).status_code == 200
    assert artifact.get_absolute_url() in client.get(draft.get_absolute_url()).content.decode()
    assert scan_audits(artifact) == ["clean"]
    # Scanning again changes nothing and asks clamd nothing.
    assert scanning.artifact_scan(artifact_id=artifact.pk) == S.CLEAN
    assert len(server.streams) == 1


@pytest.mark.django_db
def test_an_infected_file_leaves_storage_and_the_teacher_is_told(
    client, world, draft, settings, clamd, django_capture_on_commit_callbacks, monkeypatch
):
    server = clamd(b"stream: Win.Test.EICAR_HDB-1 FOUND\0")
    settings.CLAMAV_SOCKET = server.path
    monkeypatch.setattr(artifact_scan_task, "delay", lambda pk: None)
    artifact, _ = attach_pdf(draft, django_capture_on_commit_callbacks)
    stored = artifact.file.name
    assert default_storage.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):
        assert scanning.artifact_scan(artifact_id=artifact.pk) == S.INFECTED

    assert not default_storage.exists(stored)
    assert Artifact.objects.get(pk=artifact.pk).scan_status == S.INFECTED
    told = Notification.objects.get(recipient=world.teacher, verb="artifact_infected")
    assert "“exit ticket.pdf” contained a virus (Win.Test.EICAR_HDB-1)" in told.message
    page = download(client, world.teacher, artifact)
    assert page.status_code == 409
    assert b"A virus was found in this file" in page.content
    assert b"upload a clean copy" in page.content
    assert scan_audits(artifact) == ["infected"]


@pytest.mark.django_db
def test_an_unreachable_clamd_leaves_the_file_closed_and_the_task_retries(
    client,
    world,
    draft,
    settings,
    clamd,
    tmp_path,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    settings.CLAMAV_SOCKET = str(tmp_path / "not-yet.sock")
    monkeypatch.setattr(artifact_scan_task, "delay", lambda pk: None)
    artifact, _ = attach_pdf(draft, django_capture_on_commit_callbacks)

    with pytest.raises(ScanError):
        scanning.artifact_scan(artifact_id=artifact.pk)
    assert Artifact.objects.get(pk=artifact.pk).scan_status == S.ERROR
    failed = download(client, world.teacher, artifact)
    assert failed.status_code == 409
    assert b"could not run just now" in failed.content

    # clamd answers an error first, then scans: the task's automatic retry gets there.
    server = clamd(b"Can't allocate memory ERROR\0", b"stream: OK\0")
    settings.CLAMAV_SOCKET = server.path
    artifact_scan_task.apply(args=[artifact.pk])
    assert len(server.streams) == 2
    assert Artifact.objects.get(pk=artifact.pk).scan_status == S.CLEAN
    assert download(client, world.teacher, artifact).status_code == 200
    assert scan_audits(artifact) == ["error", "error", "clean"]


def test_the_scan_task_retries_on_scan_errors():
    assert issubclass(ScanError, artifact_scan_task.autoretry_for)
    assert artifact_scan_task.max_retries >= 5


@pytest.mark.django_db
def test_a_revised_copy_shares_the_verdict_of_its_file(
    world, draft, settings, clamd, django_capture_on_commit_callbacks, monkeypatch
):
    server = clamd(b"stream: OK\0")
    settings.CLAMAV_SOCKET = server.path
    monkeypatch.setattr(artifact_scan_task, "delay", lambda pk: None)
    artifact, _ = attach_pdf(draft, django_capture_on_commit_callbacks)
    copy_draft = services.submission_revise(
        submission=returned(draft, world.coordinator), actor=world.teacher
    )
    copy = copy_draft.artifacts.get(file=artifact.file.name)
    assert copy.scan_status == S.PENDING

    scanning.artifact_scan(artifact_id=artifact.pk)

    assert Artifact.objects.get(pk=copy.pk).scan_status == S.CLEAN


@pytest.mark.django_db
def test_the_teacher_is_told_the_new_file_is_being_checked(
    client, world, draft, settings, tmp_path, monkeypatch
):
    settings.CLAMAV_SOCKET = str(tmp_path / "clamd.sock")
    monkeypatch.setattr(artifact_scan_task, "delay", lambda pk: None)
    client.force_login(world.teacher)
    page = attach(
        client, draft, "plan", upload=upload("plan.pdf", fixture_bytes("exit_ticket.pdf"))
    )
    assert (
        "Attached “plan.pdf”. It opens once the virus check is done, usually within a minute."
        in (messages_of(page))
    )
    assert "Being checked for viruses" in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("status", [S.PENDING, S.ERROR, S.INFECTED])
def test_the_library_never_serves_a_file_not_found_clean(client, world, status):
    from tests.library.library_factories import artifact, colleague, publish, tier4_goal, tier4_of

    goal = tier4_goal(world)
    plan = artifact(tier4_of(goal), title="Number talk plan")
    entry = publish(goal, artifact_ids=[plan.pk])
    client.force_login(colleague(world))
    url = reverse("library:artifact_download", args=[entry.pk, plan.pk])
    assert client.get(url).status_code == 200

    Artifact.objects.filter(pk=plan.pk).update(scan_status=status)

    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_the_sweep_queues_every_file_still_pending_or_failed(
    world, draft, settings, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    settings.CLAMAV_SOCKET = str(tmp_path / "clamd.sock")
    queued = []
    monkeypatch.setattr(artifact_scan_task, "delay", queued.append)
    pending, _ = attach_pdf(draft, django_capture_on_commit_callbacks)
    failed, _ = attach_pdf(draft, django_capture_on_commit_callbacks)
    clean, _ = attach_pdf(draft, django_capture_on_commit_callbacks)
    Artifact.objects.filter(pk=failed.pk).update(scan_status=S.ERROR)
    Artifact.objects.filter(pk=clean.pk).update(scan_status=S.CLEAN)
    queued.clear()

    assert scanning.artifacts_scan_sweep() == 2
    assert queued == [pending.pk, failed.pk]

    settings.CLAMAV_SOCKET = ""
    assert scanning.artifacts_scan_sweep() == 0
