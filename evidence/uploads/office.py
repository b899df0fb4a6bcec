"""Look inside a ZIP-based office file: zip bombs, nested archives and macros."""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import NoReturn

from django.core.exceptions import ValidationError

MB = 1024 * 1024
ZIP_MAX_MEMBERS = 2000  # parts of the document and of every document embedded in it
ZIP_MAX_RATIO = 20  # the whole file may unpack to 20 times its size ...
ZIP_MAX_UNCOMPRESSED = 50 * MB  # ... or to 50 MB, whichever is more
ZIP_MAX_TOTAL_UNPACKED = 256 * MB  # and never past this, however big the file
# One part may be squeezed hard (a blank bitmap) but not unpack to a flood.
MEMBER_MAX_RATIO = 100
MEMBER_RATIO_FLOOR = 16 * MB
# A chart embedded in a Word file is a small .xlsx inside the .docx: one level is normal.
MAX_NESTING = 1
NESTED_MAX_BYTES = 50 * MB
READ_CHUNK = 1024 * 1024
ZIP_LOCAL_HEADER = b"PK\x03\x04"
LOCAL_HEADER_BYTES = 30
UNREADABLE = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,  # a compression method zipfile cannot unpack
    zlib.error,
)


class DamagedZip(Exception):
    """The ZIP container cannot be read to the end."""


@dataclass
class OfficeContents:
    """What the check learnt about a ZIP container that passed it."""

    names: set[str] = field(default_factory=set)
    odf_type: str | None = None


@dataclass
class _Budget:
    packed: int  # bytes of the uploaded file
    members: int = 0
    unpacked: int = 0  # bytes really inflated so far, at every depth


def office_inspect(uploaded, name: str) -> OfficeContents:
    """Unpack every part within budgets; refuse bombs, nested archives and macros."""
    uploaded.seek(0)
    if uploaded.read(4) != ZIP_LOCAL_HEADER:
        # Zip readers skip whatever comes first, so something else may hide in front.
        raise ValidationError(
            f"“{name}” has other data in front of the document (a file that is two files "
            "at once); save the document again from Word, Excel or PowerPoint, or as PDF.",
            code="polyglot_prefix",
        )
    budget = _Budget(packed=uploaded.size or 1)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            return _inspect(archive, name, budget, depth=0)
    except UNREADABLE as error:
        raise DamagedZip from error
    finally:
        uploaded.seek(0)


def _inspect(archive: zipfile.ZipFile, name: str, budget: _Budget, *, depth: int):
    members = archive.infolist()
    budget.members += len(members)
    if budget.members > ZIP_MAX_MEMBERS:
        _refuse_bomb(name, f"it holds more than {ZIP_MAX_MEMBERS:,} parts")
    declared = sum(member.file_size for member in members)
    if budget.unpacked + declared > ZIP_MAX_TOTAL_UNPACKED or (
        declared > ZIP_MAX_RATIO * budget.packed and declared > ZIP_MAX_UNCOMPRESSED
    ):
        _refuse_bomb(
            name,
            f"it would unpack to {_mb(budget.unpacked + declared)} from {_mb(budget.packed)}",
        )
    for member in members:
        if member.file_size > MEMBER_RATIO_FLOOR and member.file_size > MEMBER_MAX_RATIO * max(
            member.compress_size, 1
        ):
            _refuse_bomb(
                name,
                f"its part “{member.filename}” unpacks to more than {MEMBER_MAX_RATIO} times "
                "its packed size",
            )
    _refuse_overlaps(archive, name, members)

    names = {member.filename for member in members}
    _refuse_macros(name, names)
    odf_type = None
    for member in members:
        data = _read_member(archive, member, name, budget)
        if member.filename == "mimetype" and member.file_size < 200:
            odf_type = data.decode("ascii", "replace").strip()
        if data.startswith(ZIP_LOCAL_HEADER):
            _inspect_nested(data, member.filename, name, budget, depth=depth + 1)
    return OfficeContents(names=names, odf_type=odf_type)


def _read_member(archive, member, name: str, budget: _Budget) -> bytes:
    """Inflate one part for real (its CRC is checked); keep only what a nested check needs."""
    kept = io.BytesIO()
    keep = True
    with archive.open(member) as stream:
        while chunk := stream.read(READ_CHUNK):
            budget.unpacked += len(chunk)
            if budget.unpacked > ZIP_MAX_TOTAL_UNPACKED:
                _refuse_bomb(name, f"it unpacks to more than {_mb(ZIP_MAX_TOTAL_UNPACKED)}")
            if keep and (kept.tell() == 0 and not _may_need(member, chunk)):
                keep = False
            if keep:
                kept.write(chunk)
                if kept.tell() > NESTED_MAX_BYTES:
                    _refuse_nested(name, f"the archive “{member.filename}” inside it is too big")
    return kept.getvalue()


def _may_need(member, first_chunk: bytes) -> bool:
    return member.filename == "mimetype" or first_chunk.startswith(ZIP_LOCAL_HEADER)


def _inspect_nested(data: bytes, inner: str, name: str, budget: _Budget, *, depth: int):
    if depth > MAX_NESTING:
        _refuse_nested(name, f"“{inner}” is an archive inside an archive inside the document")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as nested:
            names = set(nested.namelist())
            if "[Content_Types].xml" not in names and "mimetype" not in names:
                _refuse_nested(name, f"“{inner}” inside it is a ZIP archive, not a document")
            _inspect(nested, name, budget, depth=depth)
    except UNREADABLE:
        _refuse_nested(name, f"“{inner}” inside it is a damaged archive")


def _refuse_overlaps(archive: zipfile.ZipFile, name: str, members) -> None:
    # Parts that share their packed bytes unpack the same data again and again.
    ordered = sorted(members, key=lambda member: member.header_offset)
    for current, following in zip(ordered, ordered[1:], strict=False):
        end = current.header_offset + LOCAL_HEADER_BYTES + current.compress_size
        if following.header_offset < end:
            _refuse_bomb(name, "its parts overlap one another")
    if ordered:
        last = ordered[-1]
        if last.header_offset + LOCAL_HEADER_BYTES + last.compress_size > archive.start_dir:
            _refuse_bomb(name, "its parts overlap one another")


def _refuse_macros(name: str, names: set[str]) -> None:
    lowered = {member_name.lower() for member_name in names}
    if any(n.endswith("vbaproject.bin") or n.startswith(("basic/", "scripts/")) for n in lowered):
        raise ValidationError(
            f"“{name}” contains macros (small programs that run when it is opened); save it "
            "again as a plain .docx, .xlsx or .pptx without macros, or as PDF.",
            code="macros",
        )


def _mb(size: int) -> str:
    return f"{size / MB:,.1f} MB" if size < 10 * MB else f"{size // MB:,} MB"


def _refuse_bomb(name: str, reason: str) -> NoReturn:
    raise ValidationError(
        f"“{name}” would unpack to far more than its size (a “zip bomb”): {reason}. Save the "
        "document again from Word, Excel or PowerPoint, or as PDF.",
        code="zip_bomb",
    )


def _refuse_nested(name: str, reason: str) -> NoReturn:
    raise ValidationError(
        f"“{name}” has archives hidden inside it ({reason}); we accept documents with at most "
        "one embedded document (such as a chart). Save it again without the embedded files, "
        "or as PDF.",
        code="nested_archive",
    )
