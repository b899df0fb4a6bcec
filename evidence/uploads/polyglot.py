"""Refuse files that are two things at once (polyglots) and PDFs that can act on opening.

A polyglot is a valid image, PDF or video that another program reads as something else:
a ZIP archive at its end, a web page or PHP script in its metadata, a program after its
last byte. We look where such payloads live (metadata, trailing bytes, a PDF's object
syntax) rather than through compressed pixels, where short patterns occur by chance.
"""

from __future__ import annotations

import re
import struct
import zlib
from typing import NoReturn

from django.core.exceptions import ValidationError

MB = 1024 * 1024
# Zip readers look for the end record in the last 64 KB (a comment may follow it).
ZIP_TAIL_BYTES = 22 + 0xFFFF
ZIP_END = b"PK\x05\x06"
ZIP_CENTRAL = b"PK\x01\x02"
ZIP64_LOCATOR = b"PK\x06\x07"
# Images and PDFs are read whole (they are at most the file limit); media only head and tail.
MEDIA_HEAD_BYTES = 4096
PDF_OBJECT_STREAM_MAX = 8 * MB  # unpacked bytes of all object streams together
TEXT_CHUNK_MAX = 1 * MB  # unpacked bytes of one compressed PNG text chunk

MARKUP = re.compile(
    rb"<\s*(script|iframe|object|embed|html|body|svg|form|meta)[\s/>]|<\?php|<!doctype\s+html"
    rb"|javascript:",
    re.IGNORECASE,
)
SIGNATURES = {
    b"PK\x03\x04": "a ZIP archive",
    ZIP_END: "a ZIP archive",
    b"%PDF-": "a PDF",
    b"\x7fELF": "a program",
    b"MZ\x90\x00": "a Windows program",
    b"This program cannot be run in DOS mode": "a Windows program",
    b"Rar!\x1a\x07": "a RAR archive",
    b"7z\xbc\xaf\x27\x1c": "a 7-Zip archive",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "an old Office file",
    b"\x89PNG\r\n\x1a\n": "a PNG image",
    b"GIF87a": "a GIF image",
    b"GIF89a": "a GIF image",
    b"#!/": "a script",
    b"\xff\xd8\xff": "a JPEG image",
}
# Short signatures occur by chance in binary data: they count only where trailing data starts.
LONG_SIGNATURES = {sig: what for sig, what in SIGNATURES.items() if len(sig) >= 4}
SHORT_SIGNATURES = {sig: what for sig, what in SIGNATURES.items() if len(sig) < 4}
# A PDF's own syntax starts with its signature.
PDF_SIGNATURES = {sig: what for sig, what in LONG_SIGNATURES.items() if sig != b"%PDF-"}
PADDING = b"\x00\t\n\r "

# PDF names that run code or carry files, and action types allowed to start on opening.
PDF_ACTIVE_NAMES = {
    b"JavaScript": ("JavaScript", "pdf_javascript"),
    b"JS": ("JavaScript", "pdf_javascript"),
    b"Launch": ("an action that starts another program", "pdf_launch"),
    b"EmbeddedFile": ("files embedded inside it", "pdf_embedded_file"),
    b"EmbeddedFiles": ("files embedded inside it", "pdf_embedded_file"),
    b"RichMedia": ("embedded Flash or media that can run code", "pdf_rich_media"),
}
PDF_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
PDF_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
PDF_STREAM = re.compile(rb"stream\r?\n")
PDF_OPEN_ACTION = re.compile(rb"/OpenAction\s*(?:(<<.{0,2000}?>>)|(\d+)\s+(\d+)\s+R)", re.DOTALL)
PDF_ACTION_TYPE = re.compile(rb"/S\s*/(\w+)")
PDF_SAFE_OPEN_ACTIONS = {b"GoTo"}
JPEG_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")

NOUNS = {"image": "an image", "pdf": "a PDF", "video": "a video", "audio": "a recording"}
FIXES = {
    "image": "open it and save a new copy as JPEG or PNG, then upload that",
    "pdf": "print it to a new PDF (“Save as PDF” or “Microsoft Print to PDF”) and upload that",
    "video": "export it again as MP4 and upload that",
    "audio": "export it again as MP3 or M4A and upload that",
}


def polyglot_check(uploaded, *, name: str, content_type: str, kind: str) -> None:  # noqa: C901
    """Refuse an image, PDF, video or recording that also carries another file or code."""
    kind, size = str(kind), uploaded.size
    try:
        if kind in ("image", "pdf"):
            uploaded.seek(0)
            data = uploaded.read()
            tail = data[-ZIP_TAIL_BYTES:]
            tail_start = len(data) - len(tail)

            def read_at(offset: int, length: int) -> bytes:
                return data[offset : offset + length]
        else:
            data = b""
            uploaded.seek(max(0, size - ZIP_TAIL_BYTES))
            tail_start = uploaded.tell()
            tail = uploaded.read()

            def read_at(offset: int, length: int) -> bytes:
                uploaded.seek(offset)
                return uploaded.read(length)

        if _has_zip_end(tail, tail_start, read_at):
            _refuse(name, kind, "a ZIP archive hidden at its end", "polyglot_zip")
        if kind == "image":
            metadata, trailing = _image_regions(data, content_type)
            _check_regions(
                name, kind, metadata, trailing, phone_trailer=content_type == "image/jpeg"
            )
        elif kind == "pdf":
            _pdf_check(data, name)
        else:
            uploaded.seek(0)
            head = uploaded.read(MEDIA_HEAD_BYTES)
            trailing = _mp4_trailing(uploaded, size) if head[4:8] == b"ftyp" else b""
            # Only code in the head: an MP3's cover picture is a PNG or JPEG inside it.
            _check_regions(name, kind, [head], trailing, signatures=None)
    finally:
        uploaded.seek(0)


# ZIP at the end ------------------------------------------------------------------------


def _has_zip_end(tail: bytes, tail_start: int, read_at) -> bool:
    """Whether an end-of-central-directory record that a zip reader would accept is here."""
    position = len(tail)
    while (position := tail.rfind(ZIP_END, 0, position)) >= 0:
        record = tail[position : position + 22]
        if len(record) == 22:
            _, disk, cd_disk, on_disk, total, cd_size, cd_offset, _ = struct.unpack(
                "<4s4H2LH", record
            )
            absolute = tail_start + position
            if 0xFFFF in (disk, total) or 0xFFFFFFFF in (cd_size, cd_offset):
                if read_at(absolute - 20, 4) == ZIP64_LOCATOR:
                    return True
            elif disk == cd_disk == 0 and on_disk == total:
                if total == 0 and cd_size == 0:
                    return True  # an empty archive is still an archive
                start = absolute - cd_size
                if cd_size >= 46 * total and start >= 0 and read_at(start, 4) == ZIP_CENTRAL:
                    return True
    return False


# Images --------------------------------------------------------------------------------


def _image_regions(data: bytes, content_type: str) -> tuple[list[bytes], bytes]:
    """Split an image into its metadata and what follows its end; pixels are left out."""
    walker = {
        "image/jpeg": _jpeg_regions,
        "image/png": _png_regions,
        "image/gif": _gif_regions,
        "image/webp": _webp_regions,
    }[content_type]
    try:
        return walker(data)
    except (IndexError, struct.error):
        # A truncated structure: Pillow decides later whether the image can be read.
        return [], b""


def _jpeg_regions(data: bytes) -> tuple[list[bytes], bytes]:
    metadata: list[bytes] = []
    position = 2  # after the start-of-image marker
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            break
        marker = data[position + 1]
        if marker == 0xFF:
            position += 1
            continue
        if marker == 0xD9:
            return metadata, data[position + 2 :]
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            position += 2
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:
            metadata.append(data[position + 4 : position + 2 + length])
        position += 2 + length
        if marker == 0xDA:
            # Entropy-coded data: every 0xFF in it is followed by 0x00 or a restart marker.
            found = JPEG_MARKER.search(data, position)
            if found is None:
                break
            position = found.start()
    return metadata, b""


def _png_regions(data: bytes) -> tuple[list[bytes], bytes]:
    metadata: list[bytes] = []
    position = 8
    while position + 12 <= len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        chunk_type = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        if chunk_type == b"IEND":
            return metadata, data[position:]
        if chunk_type in (b"IDAT", b"fdAT"):
            continue
        metadata.append(body)
        if chunk_type in (b"zTXt", b"iTXt"):
            metadata.append(_png_text(chunk_type, body))
    return metadata, b""


def _png_text(chunk_type: bytes, body: bytes) -> bytes:
    """Unpack a compressed PNG text chunk, as far as one megabyte."""
    keyword_end = body.find(b"\x00")
    if chunk_type == b"zTXt":
        packed = body[keyword_end + 2 :]
    elif body[keyword_end + 1 : keyword_end + 2] == b"\x01":
        rest = body[keyword_end + 3 :]
        language_end = rest.find(b"\x00")
        translated_end = rest.find(b"\x00", language_end + 1)
        packed = rest[translated_end + 1 :]
    else:
        return b""
    try:
        return zlib.decompressobj().decompress(packed, TEXT_CHUNK_MAX)
    except zlib.error:
        return b""


def _gif_sub_blocks(data: bytes, position: int) -> tuple[bytes, int]:
    parts = []
    while (length := data[position]) != 0:
        parts.append(data[position + 1 : position + 1 + length])
        position += 1 + length
    return b"".join(parts), position + 1


def _gif_regions(data: bytes) -> tuple[list[bytes], bytes]:
    metadata: list[bytes] = []
    packed = data[10]
    position = 13 + (3 * 2 ** ((packed & 7) + 1) if packed & 0x80 else 0)
    while position < len(data):
        block = data[position]
        if block == 0x3B:
            return metadata, data[position + 1 :]
        if block == 0x21:
            body, position = _gif_sub_blocks(data, position + 2)
            metadata.append(body)
        elif block == 0x2C:
            packed = data[position + 9]
            position += 10 + (3 * 2 ** ((packed & 7) + 1) if packed & 0x80 else 0)
            _, position = _gif_sub_blocks(data, position + 1)  # after the LZW code size
        else:
            return metadata, data[position:]
    return metadata, b""


def _webp_regions(data: bytes) -> tuple[list[bytes], bytes]:
    metadata: list[bytes] = []
    (riff_size,) = struct.unpack("<I", data[4:8])
    end = min(8 + riff_size, len(data))
    position = 12
    while position + 8 <= end:
        fourcc = data[position : position + 4]
        (length,) = struct.unpack("<I", data[position + 4 : position + 8])
        if fourcc in (b"EXIF", b"XMP ", b"ICCP"):
            metadata.append(data[position + 8 : position + 8 + length])
        position += 8 + length + (length & 1)
    return metadata, data[8 + riff_size :]


# Video and sound -----------------------------------------------------------------------


def _mp4_trailing(uploaded, size: int) -> bytes:
    """Return up to 64 KB of what follows the last top-level box of an MP4 or MOV."""
    position = 0
    while position + 8 <= size:
        uploaded.seek(position)
        header = uploaded.read(16)
        (length,) = struct.unpack(">I", header[:4])
        if length == 1 and len(header) == 16:
            (length,) = struct.unpack(">Q", header[8:16])
        elif length == 0:
            return b""  # the last box runs to the end of the file
        box_type = header[4:8]
        if length < 8 or position + length > size or not _is_box_type(box_type):
            break  # not a box a player would read: whatever follows is extra data
        position += length
    if position >= size:
        return b""
    uploaded.seek(position)
    return uploaded.read(ZIP_TAIL_BYTES)


def _is_box_type(box_type: bytes) -> bool:
    return len(box_type) == 4 and all(32 <= byte < 127 or byte == 0xA9 for byte in box_type)


# Shared --------------------------------------------------------------------------------


def _check_regions(
    name: str,
    kind: str,
    metadata: list[bytes],
    trailing: bytes,
    *,
    signatures: dict | None = LONG_SIGNATURES,
    phone_trailer: bool = False,
) -> None:
    for region in metadata:
        _refuse_markup(name, kind, region)
        if signatures:
            _refuse_signature(name, kind, region, signatures)
    trailing = trailing.strip(PADDING)
    if not trailing:
        return
    _refuse_markup(name, kind, trailing)
    # Phones add a second picture (MPO) or a short clip (Motion Photo) after a JPEG.
    if phone_trailer and (trailing.startswith(b"\xff\xd8\xff") or trailing[4:8] == b"ftyp"):
        return
    _refuse_signature(name, kind, trailing, LONG_SIGNATURES)
    for signature, what in SHORT_SIGNATURES.items():
        if trailing.startswith(signature):
            _refuse(name, kind, f"{what} hidden after its end", "polyglot_file")


def _refuse_markup(name: str, kind: str, region: bytes) -> None:
    if found := MARKUP.search(region):
        tag = found.group(0).decode("latin-1").strip().rstrip("/>").strip()
        _refuse(name, kind, f"web-page or script code (“{tag}”) hidden inside it", "polyglot_code")


def _refuse_signature(name: str, kind: str, region: bytes, signatures: dict) -> None:
    for signature, what in signatures.items():
        if signature in region:
            _refuse(name, kind, f"{what} hidden inside it", "polyglot_file")


def _refuse(name: str, kind: str, what: str, code: str) -> NoReturn:
    raise ValidationError(
        f"“{name}” is {NOUNS[kind]} with {what} (a file that is two files at once, which can "
        f"harm the computers of people who open it); {FIXES[kind]}.",
        code=code,
    )


# PDF -----------------------------------------------------------------------------------


def _pdf_check(data: bytes, name: str) -> None:
    if not data.startswith(b"%PDF-"):
        # Readers accept a PDF that starts up to a kilobyte in: room for a web page in front.
        _refuse(name, "pdf", "other data in front of the PDF", "polyglot_prefix")
    syntax, streams = _pdf_split(data)
    end = data.rfind(b"%%EOF")
    trailing = data[end + 5 :] if end >= 0 else b""
    _check_regions(name, "pdf", [syntax], trailing, signatures=PDF_SIGNATURES)
    for region in (syntax, *streams):
        _refuse_active(name, region)


def _pdf_split(data: bytes) -> tuple[bytes, list[bytes]]:
    """Return the PDF without its stream bodies, and its unpacked object streams."""
    syntax = []
    object_streams = []
    budget = PDF_OBJECT_STREAM_MAX
    position = 0
    for found in PDF_STREAM.finditer(data):
        if found.start() < position:
            continue
        before = data[position : found.start()]
        if before.endswith(b"end"):
            continue  # "endstream" itself
        end = data.find(b"endstream", found.end())
        if end < 0:
            break
        syntax.append(before)
        dictionary = before[before.rfind(b"obj") :]
        if b"/ObjStm" in dictionary and b"/FlateDecode" in dictionary and budget > 0:
            body = data[found.end() : end]
            try:
                unpacked = zlib.decompressobj().decompress(body, budget)
            except zlib.error:
                unpacked = b""
            budget -= len(unpacked)
            object_streams.append(unpacked)
        position = end + len(b"endstream")
    syntax.append(data[position:])
    return b"".join(syntax), object_streams


def _pdf_names(region: bytes) -> set[bytes]:
    """Every name in the region, with #xx escapes (/J#61vaScript) undone."""
    return {
        PDF_HEX.sub(lambda hexed: bytes([int(hexed.group(1), 16)]), found.group(1))
        for found in PDF_NAME.finditer(region)
    }


def _refuse_active(name: str, region: bytes) -> None:
    names = _pdf_names(region)
    for active, (what, code) in PDF_ACTIVE_NAMES.items():
        if active in names:
            _refuse_pdf(name, what, code)
    for found in PDF_OPEN_ACTION.finditer(_unescape(region)):
        action = found.group(1)
        if action is None:
            number, generation = found.group(2), found.group(3)
            target = re.search(
                rb"(?<!\d)" + number + rb"\s+" + generation + rb"\s+obj\s*(<<.{0,2000}?>>)",
                region,
                re.DOTALL,
            )
            action = target.group(1) if target else b""
        action_type = PDF_ACTION_TYPE.search(action)
        if action_type and action_type.group(1) not in PDF_SAFE_OPEN_ACTIONS:
            what = action_type.group(1).decode("latin-1")
            _refuse_pdf(name, f"an action that runs when it is opened (/{what})", "pdf_open_action")


def _unescape(region: bytes) -> bytes:
    return PDF_HEX.sub(lambda hexed: bytes([int(hexed.group(1), 16)]), region)


def _refuse_pdf(name: str, what: str, code: str) -> NoReturn:
    raise ValidationError(
        f"“{name}” is a PDF with {what}; we refuse PDFs that can run code or carry other "
        "files. Print it to a new PDF (“Save as PDF” or “Microsoft Print to PDF”) and upload "
        "that.",
        code=code,
    )
