"""Virus scanning of uploaded evidence with ClamAV's clamd, when CLAMAV_SOCKET is set.

clamd's INSTREAM command over its unix socket: "zINSTREAM\\0", then chunks each led by
their length as a 4-byte big-endian number, then a zero length; clamd answers
"stream: OK", "stream: <signature> FOUND" or "<reason> ERROR", ended by a NUL byte.

A new file is "pending" until a task has scanned it; meanwhile, and when it is infected or
the scan failed, nobody can download it. A failed scan is retried by the task. Without
CLAMAV_SOCKET every file is clean at once. A teacher may submit while a file is pending:
scans take seconds, and blocking a submission on a scanner outage would lose teachers' time
for no safety gain (reviewers see "being checked for viruses" instead of the file).
"""

from __future__ import annotations

import logging
import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from pplearn.audit import audit_record
from pplearn.notifications import notify

from .models import Artifact

logger = logging.getLogger(__name__)

Status = Artifact.ScanStatus
CHUNK_BYTES = 64 * 1024  # below clamd's StreamMaxLength and its chunk limit
TIMEOUT_SECONDS = 120.0
SCAN_VERB = "artifact.scan"


class ScanError(OSError):
    """clamd could not be reached or could not scan: retry (an OSError, as autoretry wants)."""


@dataclass(frozen=True)
class ScanResult:
    infected: bool
    signature: str = ""


def scanning_enabled() -> bool:
    """Whether uploads wait for a virus scan (CLAMAV_SOCKET is set)."""
    return bool(getattr(settings, "CLAMAV_SOCKET", ""))


def clamd_scan(
    chunks: Iterable[bytes], *, socket_path: str, timeout: float = TIMEOUT_SECONDS
) -> ScanResult:
    """Stream bytes to clamd with INSTREAM; return its verdict or raise ScanError."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(timeout)
            connection.connect(socket_path)
            connection.sendall(b"zINSTREAM\0")
            for chunk in chunks:
                for start in range(0, len(chunk), CHUNK_BYTES):
                    part = chunk[start : start + CHUNK_BYTES]
                    connection.sendall(struct.pack(">I", len(part)) + part)
            connection.sendall(struct.pack(">I", 0))
            reply = _read_reply(connection)
    except OSError as error:
        # A missing socket, a refused connection, a timeout, or clamd closing on a too-big
        # stream while we were still sending.
        raise ScanError(f"clamd at {socket_path}: {error}") from error
    return _parse_reply(reply)


def _read_reply(connection: socket.socket) -> bytes:
    reply = b""
    while not reply.endswith(b"\0"):
        data = connection.recv(4096)
        if not data:
            break
        reply += data
        if len(reply) > 64 * 1024:
            break
    return reply


def _parse_reply(reply: bytes) -> ScanResult:
    text = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    _, _, verdict = text.partition(": ")
    verdict = verdict or text
    if verdict == "OK":
        return ScanResult(infected=False)
    if verdict.endswith(" FOUND"):
        return ScanResult(infected=True, signature=verdict.removesuffix(" FOUND"))
    raise ScanError(f"clamd answered: {text or 'nothing'}")


def scan_status_initial() -> str:
    """The status of a newly stored file: pending when scanning is on, else clean."""
    return Status.PENDING if scanning_enabled() else Status.CLEAN


def artifact_scan_schedule(artifact: Artifact) -> None:
    """Scan a pending artifact in the background once its transaction commits."""
    if artifact.scan_status != Status.PENDING:
        return
    pk = artifact.pk
    transaction.on_commit(lambda: _enqueue(pk))


def _enqueue(pk: int) -> None:
    from .tasks import artifact_scan_task

    try:
        artifact_scan_task.delay(pk)
    except Exception:
        # The file stays pending (never downloadable) until someone scans it again.
        logger.warning("Broker unreachable: artifact %s left pending its scan", pk, exc_info=True)


def artifacts_scan_sweep(*, limit: int = 500) -> int:
    """Queue a scan of every file still pending or failed; return how many were queued.

    Catches what the upload's own task missed: a broker that was down at upload time, or a
    clamd down for longer than the task's retries.
    """
    if not scanning_enabled():
        return 0
    ids = list(
        Artifact.objects.filter(scan_status__in=(Status.PENDING, Status.ERROR))
        .exclude(file="")
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        _enqueue(pk)
    return len(ids)


def artifact_scan(*, artifact_id: int) -> str:
    """Scan one stored file with clamd and record the verdict; idempotent.

    Clean: the file becomes downloadable. Infected: the file leaves storage and the teacher
    is told. clamd unreachable: the status is "error" and ScanError is raised for a retry.
    """
    artifact = (
        Artifact.objects.select_related("submission__goal__school__district", "uploaded_by")
        .filter(pk=artifact_id)
        .first()
    )
    if artifact is None or artifact.is_link:
        return "gone"
    if artifact.scan_status not in (Status.PENDING, Status.ERROR):
        return artifact.scan_status
    try:
        with artifact.file.open("rb") as handle:
            result = clamd_scan(handle.chunks(CHUNK_BYTES), socket_path=settings.CLAMAV_SOCKET)
    except FileNotFoundError:
        return "gone"
    except ScanError as error:
        _record(artifact, Status.ERROR, error=str(error)[:300])
        raise
    if result.infected:
        _record_infected(artifact, result.signature)
    else:
        _record(artifact, Status.CLEAN)
    return artifact.scan_status


def _same_file(artifact: Artifact):
    # A revised submission's copy shares the stored file, and so its verdict.
    return Artifact.objects.filter(
        file=artifact.file.name, scan_status__in=(Status.PENDING, Status.ERROR)
    )


def _record(artifact: Artifact, status: str, **data) -> None:
    with transaction.atomic():
        updated = _same_file(artifact).update(scan_status=status)
        artifact.scan_status = status
        if updated:
            _audit(artifact, status, **data)


def _record_infected(artifact: Artifact, signature: str) -> None:
    with transaction.atomic():
        updated = _same_file(artifact).update(scan_status=Status.INFECTED)
        artifact.scan_status = Status.INFECTED
        if not updated:
            return
        _audit(artifact, Status.INFECTED, signature=signature)
        submission = artifact.submission
        notify(
            recipients=[submission.goal.teacher],
            actor=None,
            verb="artifact_infected",
            message=(
                f"“{artifact.original_name}” contained a virus ({signature}), so we removed it "
                "from your evidence. Scan your computer, then upload a clean copy."
            ),
            url=submission.get_absolute_url(),
        )
        name = artifact.file.name
        # The name stays on the row (so the list can say what was removed); the bytes go
        # once the verdict is committed.
        transaction.on_commit(lambda: artifact.file.storage.delete(name))


def _audit(artifact: Artifact, status: str, **data) -> None:
    audit_record(
        actor=None,
        verb=SCAN_VERB,
        target=artifact,
        district=artifact.submission.goal.school.district,
        data={"status": str(status), "submission": artifact.submission_id, **data},
    )
