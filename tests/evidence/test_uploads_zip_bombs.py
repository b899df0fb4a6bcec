"""Office files that unpack out of proportion, lie about their parts or nest archives."""

import io
import os
import struct
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from evidence.uploads import office, upload_check

MB = 1024 * 1024
CONTENT_TYPES_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)


def zipped(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def docx(extra: dict[str, bytes] | None = None, method=zipfile.ZIP_DEFLATED) -> bytes:
    members = {"[Content_Types].xml": CONTENT_TYPES_XML, "word/document.xml": b"<w:document/>"}
    return zipped(members | (extra or {}), method)


def xlsx(extra: dict[str, bytes] | None = None) -> bytes:
    members = {"[Content_Types].xml": CONTENT_TYPES_XML, "xl/workbook.xml": b"<workbook/>"}
    return zipped(members | (extra or {}))


def check(data: bytes, name: str = "plan.docx"):
    return upload_check(SimpleUploadedFile(name, data), purpose="plan")


def refused(data: bytes, name: str = "plan.docx") -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check(data, name)
    return caught.value


def only_code(error: ValidationError) -> str:
    (code,) = {e.code for e in error.error_list}
    return code


# One part that unpacks to a flood --------------------------------------------------------


def test_one_part_unpacking_past_a_hundred_times_its_size_is_refused():
    # 20 MB of zeros pack to about 20 KB: under the whole-file limits, over the per-part one.
    data = docx({"word/media/blank.bin": bytes(20 * MB)})
    assert len(data) < MB
    error = refused(data)
    assert only_code(error) == "zip_bomb"
    assert "its part “word/media/blank.bin” unpacks to more than 100 times" in error.messages[0]


def test_a_big_part_that_packs_normally_is_accepted():
    # Photos in a document pack hardly at all; 17 MB of them is an ordinary document.
    data = docx({"word/media/photo.jpg": os.urandom(17 * MB)}, method=zipfile.ZIP_STORED)
    assert check(data).kind == "document"


def test_more_than_the_absolute_unpacked_limit_is_refused(monkeypatch):
    # A real test would need a 13 MB upload: lower the ceiling instead, the rule is the same.
    monkeypatch.setattr(office, "ZIP_MAX_TOTAL_UNPACKED", 2 * MB)
    data = docx({"word/media/photo.jpg": os.urandom(3 * MB)}, method=zipfile.ZIP_STORED)
    error = refused(data)
    assert only_code(error) == "zip_bomb"
    assert "it would unpack to 3.0 MB from 3.0 MB" in error.messages[0]


# Parts that lie ---------------------------------------------------------------------------


def with_declared_size(data: bytes, member: str, size: int) -> bytes:
    """Rewrite a part's unpacked size in its local header and the central directory."""
    patched = bytearray(data)
    encoded = member.encode()
    local = patched.find(b"PK\x03\x04" + b"\x14\x00")
    while patched[local + 30 : local + 30 + len(encoded)] != encoded:
        local = patched.find(b"PK\x03\x04", local + 4)
    patched[local + 22 : local + 26] = struct.pack("<I", size)
    central = patched.find(b"PK\x01\x02")
    while patched[central + 46 : central + 46 + len(encoded)] != encoded:
        central = patched.find(b"PK\x01\x02", central + 4)
    patched[central + 24 : central + 28] = struct.pack("<I", size)
    return bytes(patched)


def test_a_part_that_unpacks_to_more_than_it_declares_is_refused():
    # Unzippers that trust the stream, not the directory, would inflate 30 MB here.
    honest = docx({"word/media/blank.bin": bytes(30 * MB)})
    lying = with_declared_size(honest, "word/media/blank.bin", 1000)
    error = refused(lying)
    assert only_code(error) == "file_type"
    assert "a damaged or unreadable ZIP file" in error.messages[0]


def test_parts_that_share_their_packed_bytes_are_refused():
    # The "overlapping files" bomb: many directory entries point at one packed kernel.
    data = bytearray(docx({"word/a.xml": b"<a/>" * 100, "word/b.xml": b"<a/>" * 100}))
    entries = []
    position = data.find(b"PK\x01\x02")
    while position >= 0:
        entries.append(position)
        position = data.find(b"PK\x01\x02", position + 4)
    first_offset = struct.unpack("<I", data[entries[-2] + 42 : entries[-2] + 46])[0]
    data[entries[-1] + 42 : entries[-1] + 46] = struct.pack("<I", first_offset)
    error = refused(bytes(data))
    assert only_code(error) == "zip_bomb"
    assert "its parts overlap one another" in error.messages[0]


# Archives inside --------------------------------------------------------------------------


def test_a_document_with_an_embedded_spreadsheet_chart_is_accepted():
    data = docx({"word/embeddings/Microsoft_Excel_Worksheet.xlsx": xlsx()})
    assert check(data).kind == "document"


def test_a_plain_zip_inside_a_document_is_refused():
    data = docx({"word/embeddings/stuff.bin": zipped({"tool.exe": b"MZ" + bytes(100)})})
    error = refused(data)
    assert only_code(error) == "nested_archive"
    assert (
        "“word/embeddings/stuff.bin” inside it is a ZIP archive, not a document"
        in (error.messages[0])
    )


def test_an_archive_inside_an_archive_inside_a_document_is_refused():
    inner = xlsx({"xl/embeddings/deeper.docx": docx()})
    error = refused(docx({"word/embeddings/sheet.xlsx": inner}))
    assert only_code(error) == "nested_archive"
    assert "an archive inside an archive inside the document" in error.messages[0]


def test_macros_in_an_embedded_document_are_refused():
    macro_sheet = xlsx({"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"})
    error = refused(docx({"word/embeddings/sheet.xlsm": macro_sheet}))
    assert only_code(error) == "macros"


def test_a_bomb_inside_an_embedded_document_is_refused():
    inner = xlsx({"xl/media/blank.bin": bytes(20 * MB)})
    error = refused(docx({"word/embeddings/sheet.xlsx": inner}, method=zipfile.ZIP_STORED))
    assert only_code(error) == "zip_bomb"


def test_parts_of_embedded_documents_count_towards_the_limit_of_parts():
    inner = xlsx({f"xl/part{i}.xml": b"<x/>" for i in range(1000)})
    outer = docx({f"word/part{i}.xml": b"<x/>" for i in range(997)} | {"word/e.xlsx": inner})
    assert len(zipfile.ZipFile(io.BytesIO(outer)).infolist()) == 1000
    error = refused(outer)
    assert only_code(error) == "zip_bomb"
    assert "it holds more than 2,000 parts" in error.messages[0]
