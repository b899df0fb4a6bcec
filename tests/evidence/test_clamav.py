"""A real clamd, with a one-signature database for the EICAR test string, scans uploads.

clamd (Debian's clamav-daemon, installed by `make test`) starts in well under a second with
one signature (measured: about 0.1 s to answer PING), so this runs in the ordinary suite.
"""

import shutil
import socket
import subprocess
import time

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from evidence.models import Artifact
from evidence.scanning import clamd_scan
from evidence.tasks import artifact_scan_task
from pplearn.models import Notification
from tests.evidence.evidence_factories import (
    approved_goal,
    attach,
    complete_draft,
    fixture_bytes,
    passed_tier,
    upload,
)

pytestmark = pytest.mark.integration

# The standard antivirus test file: harmless, and detected by every scanner.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
S = Artifact.ScanStatus


def ping(path: str) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(1)
            connection.connect(path)
            connection.sendall(b"zPING\0")
            return connection.recv(16).startswith(b"PONG")
    except OSError:
        return False


@pytest.fixture(scope="module")
def clamd(tmp_path_factory):
    """Start clamd on a unix socket in a temporary folder; yield the socket's path."""
    binary = shutil.which("clamd") or "/usr/sbin/clamd"
    folder = tmp_path_factory.mktemp("clamd")
    database = folder / "db"
    database.mkdir()
    # An extended (.ndb) signature: name, any file type, any offset, the bytes in hex.
    (database / "eicar.ndb").write_text(f"Pplearn-EICAR-Test:0:*:{EICAR.hex()}\n")
    sock = folder / "clamd.sock"
    config = folder / "clamd.conf"
    config.write_text(
        f"LocalSocket {sock}\nDatabaseDirectory {database}\nTemporaryDirectory {folder}\n"
        f"LogFile {folder / 'clamd.log'}\nForeground yes\nStreamMaxLength 30M\n"
    )
    process = subprocess.Popen(  # noqa: S603 (our own binary and arguments)
        [binary, f"--config-file={config}", "--foreground"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while not ping(str(sock)):
        if process.poll() is not None:
            pytest.fail(f"clamd did not start: {process.stderr.read().decode()}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("clamd did not answer PING within 30 s")
        time.sleep(0.02)
    yield str(sock)
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_clamd_finds_the_eicar_string_and_passes_other_bytes(clamd):
    found = clamd_scan([b"exit ticket notes\n", EICAR], socket_path=clamd)
    assert found.infected
    assert found.signature.startswith("Pplearn-EICAR-Test")
    assert not clamd_scan([fixture_bytes("exit_ticket.pdf")], socket_path=clamd).infected


@pytest.fixture
def draft(world, settings, tmp_path, clamd, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CLAMAV_SOCKET = clamd
    # The worker's part, in the test's process: the task runs when the upload commits.
    monkeypatch.setattr(artifact_scan_task, "delay", lambda pk: artifact_scan_task.apply([pk]))
    goal = approved_goal(world)
    passed_tier(goal, 1)
    return complete_draft(goal, 2)


@pytest.mark.django_db(transaction=True)
def test_an_uploaded_eicar_file_is_found_removed_and_never_downloadable(client, world, draft):
    client.force_login(world.teacher)
    attach(client, draft, "plan", upload=upload("notes.txt", b"Exit ticket\n" + EICAR + b"\n"))

    artifact = draft.artifacts.get(purpose="plan")
    assert artifact.scan_status == S.INFECTED
    assert not default_storage.exists(artifact.file.name)
    assert Notification.objects.filter(recipient=world.teacher, verb="artifact_infected").exists()
    page = client.get(reverse("evidence:artifact_download", args=[artifact.pk]))
    assert page.status_code == 409
    assert b"A virus was found in this file" in page.content


@pytest.mark.django_db(transaction=True)
def test_an_uploaded_clean_file_becomes_downloadable(client, world, draft):
    client.force_login(world.teacher)
    attach(client, draft, "plan", upload=upload("ticket.pdf", fixture_bytes("exit_ticket.pdf")))

    artifact = draft.artifacts.get(purpose="plan")
    assert artifact.scan_status == S.CLEAN
    response = client.get(reverse("evidence:artifact_download", args=[artifact.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == fixture_bytes("exit_ticket.pdf")
