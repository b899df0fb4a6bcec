"""Files that are two things at once, and PDFs that act when opened, are refused."""

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from evidence.uploads import upload_check

FIXTURES = Path(__file__).parent / "fixtures"
ELF = b"\x7fELF\x02\x01\x01" + bytes(9) + struct.pack("<HHI", 2, 62, 1) + bytes(64)


def refused(name: str, data: bytes, purpose: str = "artifact") -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        upload_check(SimpleUploadedFile(name, data, content_type="image/png"), purpose=purpose)
    return caught.value


def accepted(name: str, data: bytes, purpose: str = "artifact"):
    return upload_check(SimpleUploadedFile(name, data, content_type="image/png"), purpose=purpose)


def image(fmt: str, **params) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 16), "teal").save(out, fmt, **params)
    return out.getvalue()


def small_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("payload.txt", b"hidden")
    return out.getvalue()


def jpeg_with_segment(marker: int, body: bytes) -> bytes:
    data = image("JPEG")
    segment = bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body
    return data[:2] + segment + data[2:]


def png_with_chunk(kind: bytes, body: bytes) -> bytes:
    data = image("PNG")
    chunk = struct.pack(">I", len(body)) + kind + body
    chunk += struct.pack(">I", zlib.crc32(kind + body))
    return data[:33] + chunk + data[33:]  # after the signature and IHDR


def gif_with_comment(text: bytes) -> bytes:
    data = image("GIF")
    comment = b"\x21\xfe" + bytes([len(text)]) + text + b"\x00"
    return data[:-1] + comment + b"\x3b"


def pdf(*objects: bytes, trailer: bytes = b"") -> bytes:
    """A small PDF: a catalog (object 1) with the given extra entries, and its objects."""
    body = b"%PDF-1.7\n"
    for number, obj in enumerate(objects, start=1):
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    return body + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n" + trailer


CATALOG = b"<< /Type /Catalog /Pages 2 0 R%s >>"
PAGES = b"<< /Type /Pages /Kids [] /Count 0 >>"


def catalog(extra: bytes = b"") -> bytes:
    return CATALOG % extra


def codes(error: ValidationError) -> set[str]:
    return {e.code for e in error.error_list}


# A ZIP at the end ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "host"),
    [
        ("photo.jpg", lambda: image("JPEG")),
        ("diagram.png", lambda: image("PNG")),
        ("loop.gif", lambda: image("GIF")),
        ("board.webp", lambda: image("WEBP")),
        ("ticket.pdf", lambda: pdf(catalog(), PAGES)),
        ("lesson.mp4", lambda: (FIXTURES / "clip_30s.mp4").read_bytes()),
        ("song.mp3", lambda: (FIXTURES / "tone_12s.mp3").read_bytes()),
    ],
)
def test_a_file_with_a_zip_archive_at_its_end_is_refused(name, host):
    data = host()
    assert accepted(name, data)
    error = refused(name, data + small_zip())
    assert codes(error) == {"polyglot_zip"}
    assert error.messages[0].startswith(f"“{name}” is ")
    assert "ZIP archive hidden at its end" in error.messages[0]
    assert "two files at once" in error.messages[0]


def test_an_empty_zip_end_record_is_enough_to_refuse():
    empty_zip = b"PK\x05\x06" + bytes(18)
    assert codes(refused("photo.png", image("PNG") + empty_zip)) == {"polyglot_zip"}


def test_the_zip_signature_alone_without_a_central_directory_is_not_a_zip():
    # Video data may hold these four bytes by chance; no directory where they point: no ZIP.
    stray = b"PK\x05\x06" + struct.pack("<4H2LH", 0, 0, 1, 1, 46, 0, 0)
    free = struct.pack(">I", 8 + len(stray)) + b"free" + stray
    data = (FIXTURES / "clip_30s.mp4").read_bytes() + free
    assert accepted("lesson.mp4", data).kind == "video"


# Code and other files in metadata or after the end ---------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "shown"),
    [
        ("photo.jpg", jpeg_with_segment(0xFE, b"<?php system($_GET['c']); ?>"), "<?php"),
        ("photo.jpg", jpeg_with_segment(0xE1, b"Exif\0\0<script>alert(1)</script>"), "<script"),
        ("diagram.png", png_with_chunk(b"tEXt", b"Comment\0<svg onload=alert(1)>"), "<svg"),
        ("loop.gif", gif_with_comment(b"<html><body>hi</body></html>"), "<html"),
        ("photo.jpg", image("JPEG") + b"<!DOCTYPE html><p>hi", "<!DOCTYPE html"),
        ("diagram.png", image("PNG") + b"\n<iframe src=x>", "<iframe"),
    ],
)
def test_an_image_carrying_web_page_or_php_code_is_refused(name, data, shown):
    error = refused(name, data)
    assert codes(error) == {"polyglot_code"}
    assert f"web-page or script code (“{shown}”)" in error.messages[0]
    assert "save a new copy as JPEG or PNG" in error.messages[0]


def test_code_in_a_compressed_png_text_chunk_is_found():
    info = PngImagePlugin.PngInfo()
    info.add_itxt("Description", "<script>alert(1)</script>" * 20, zip=True)
    data = image("PNG", pnginfo=info)
    assert b"<script" not in data  # only unpacking the chunk shows it
    assert codes(refused("diagram.png", data)) == {"polyglot_code"}


@pytest.mark.parametrize(
    ("trailer", "what"),
    [
        (ELF, "a program"),
        (b"%PDF-1.4\n1 0 obj<<>>endobj", "a PDF"),
        (b"Rar!\x1a\x07\x00" + bytes(20), "a RAR archive"),
        (b"#!/bin/sh\nrm -rf ~\n", "a script"),
    ],
)
def test_an_image_with_another_file_after_its_end_is_refused(trailer, what):
    error = refused("diagram.png", image("PNG") + trailer)
    assert codes(error) == {"polyglot_file"}
    assert what in error.messages[0]


def test_a_program_hidden_in_image_metadata_is_refused():
    error = refused("photo.jpg", jpeg_with_segment(0xEB, b"junk" + ELF))
    assert codes(error) == {"polyglot_file"}


@pytest.mark.parametrize(
    "data",
    [
        image("JPEG") + bytes(64),  # padding some cameras add
        image("JPEG") + image("JPEG"),  # a second picture, as phones' MPO files have
        image("JPEG") + b"\0\0\0\x18ftypmp42" + bytes(32),  # a phone's Motion Photo clip
        png_with_chunk(b"tEXt", b"Software\0GIMP 2.10 <3 teachers"),
        jpeg_with_segment(0xFE, b"Taken in room 12 <b>bold</b> & fine"),
        gif_with_comment(b"made with love"),
    ],
    ids=["padding", "mpo", "motion-photo", "png-text", "jpeg-comment", "gif-comment"],
)
def test_ordinary_metadata_and_phone_trailers_are_accepted(data):
    assert accepted("photo.jpg", data).kind == "image"


def test_the_stored_image_never_keeps_what_followed_its_end():
    checked = accepted("photo.jpg", image("JPEG") + image("JPEG"))
    assert checked.file.read().count(b"\xff\xd8\xff") == 1


@pytest.mark.parametrize(
    ("fixture", "name"), [("clip_30s.mp4", "lesson.mp4"), ("clip_20s.mov", "lesson.mov")]
)
def test_a_video_with_a_program_after_its_last_box_is_refused(fixture, name):
    data = (FIXTURES / fixture).read_bytes()
    error = refused(name, data + ELF)
    assert codes(error) == {"polyglot_file"}
    assert error.messages[0].startswith(f"“{name}” is a video with a program hidden")
    assert "export it again as MP4" in error.messages[0]


def test_a_video_with_a_web_page_in_its_head_is_refused():
    data = (FIXTURES / "clip_30s.mp4").read_bytes()
    # A free box near the start is skipped by players and read by browsers that sniff.
    (ftyp_size,) = struct.unpack(">I", data[:4])
    payload = b"<script>alert(1)</script>"
    free = struct.pack(">I", 8 + len(payload)) + b"free" + payload
    error = refused("lesson.mp4", data[:ftyp_size] + free + data[ftyp_size:])
    assert codes(error) == {"polyglot_code"}


# PDFs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("objects", "code", "said"),
    [
        (
            (catalog(b" /OpenAction 3 0 R"), PAGES, b"<< /S /JavaScript /JS (app.alert(1)) >>"),
            "pdf_javascript",
            "JavaScript",
        ),
        (
            (catalog(b" /Names << /J#61vaScript 3 0 R >>"), PAGES, b"<< /Names [] >>"),
            "pdf_javascript",
            "JavaScript",
        ),
        (
            (catalog(b" /AA << /O << /S /Launch /F (cmd.exe) >> >>"), PAGES),
            "pdf_launch",
            "starts another program",
        ),
        (
            (catalog(b" /Names << /EmbeddedFiles 3 0 R >>"), PAGES, b"<< /Names [] >>"),
            "pdf_embedded_file",
            "files embedded inside it",
        ),
        (
            (catalog(b" /OpenAction << /S /URI /URI (http://evil.example/) >>"), PAGES),
            "pdf_open_action",
            "runs when it is opened (/URI)",
        ),
        (
            (catalog(b" /OpenAction 3 0 R"), PAGES, b"<< /S /GoToR /F (other.pdf) /D [0] >>"),
            "pdf_open_action",
            "runs when it is opened (/GoToR)",
        ),
    ],
    ids=["javascript", "escaped-name", "launch", "embedded-files", "open-uri", "open-remote"],
)
def test_a_pdf_that_can_act_or_carry_files_is_refused(objects, code, said):
    error = refused("ticket.pdf", pdf(*objects))
    assert codes(error) == {code}
    message = error.messages[0]
    assert message.startswith("“ticket.pdf” is a PDF with ")
    assert said in message
    assert "Print it to a new PDF" in message


def test_javascript_inside_a_compressed_object_stream_is_found():
    hidden = zlib.compress(b"3 0 << /S /JavaScript /JS (app.alert(1)) >>")
    stream = b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(
        hidden
    )
    data = pdf(catalog(), PAGES, stream + hidden + b"\nendstream")
    assert b"JavaScript" not in data
    assert codes(refused("ticket.pdf", data)) == {"pdf_javascript"}


def test_javascript_in_page_text_is_not_mistaken_for_an_action():
    # A computer-science lesson may print code: stream contents are not PDF syntax.
    content = b"BT /F1 12 Tf (<script> and /JavaScript are today's words) Tj ET"
    stream = b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"
    assert accepted("lesson.pdf", pdf(catalog(), PAGES, stream), purpose="plan").kind == "pdf"


@pytest.mark.parametrize(
    "extra", [b" /OpenAction [2 0 R /Fit]", b" /OpenAction << /S /GoTo /D [2 0 R /Fit] >>"]
)
def test_a_pdf_that_only_opens_at_a_page_is_accepted(extra):
    assert accepted("ticket.pdf", pdf(catalog(extra), PAGES)).kind == "pdf"


def test_a_pdf_with_a_web_page_after_its_end_is_refused():
    error = refused("ticket.pdf", pdf(catalog(), PAGES, trailer=b"<html><script>x</script>"))
    assert codes(error) == {"polyglot_code"}
    assert error.messages[0].startswith("“ticket.pdf” is a PDF with web-page or script code")


def test_a_pdf_with_another_file_after_its_end_is_refused():
    error = refused("ticket.pdf", pdf(catalog(), PAGES, trailer=ELF))
    assert codes(error) == {"polyglot_file"}


def test_the_sample_pdf_and_an_incremental_update_are_accepted():
    data = (FIXTURES / "exit_ticket.pdf").read_bytes()
    update = b"\n4 0 obj\n<< /Producer (Preview) >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    assert accepted("ticket.pdf", data + update).kind == "pdf"
