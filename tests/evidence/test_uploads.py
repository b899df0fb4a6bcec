"""Uploaded evidence files: the sniffed type per purpose, sizes, durations, clean images."""

import io
import struct
import wave
import zipfile
import zlib
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import override_settings
from PIL import ExifTags, Image, ImageSequence, PngImagePlugin

from evidence.uploads import content_disposition, display_name, upload_check

FIXTURES = Path(__file__).parent / "fixtures"
MB = 1024 * 1024
GPS_INFO = 34853
OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# The rules as the brief states them, written out again so the module cannot drift.
ACCEPTS = {
    "artifact": {"image", "video", "audio", "pdf", "document", "spreadsheet"},
    "data": {"text", "spreadsheet", "pdf", "image"},
    "plan": {"pdf", "document", "text", "image"},
    "reflection_video": {"video"},
}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODP = "application/vnd.oasis.opendocument.presentation"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
CONTENT_TYPES_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    # The browser's content type is a lie on purpose: it must never be trusted.
    return SimpleUploadedFile(name, data, content_type="image/png")


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def refusal(name: str, data: bytes, purpose: str = "artifact") -> str:
    with pytest.raises(ValidationError) as caught:
        upload_check(upload(name, data), purpose=purpose)
    return caught.value.messages[0]


# Builders -------------------------------------------------------------------------------


def image_bytes(fmt: str, size=(40, 20), mode="RGB", **params) -> bytes:
    """Red on the left half, blue on the right."""
    image = Image.new(mode, size, "red" if mode != "P" else 0)
    if mode == "P":
        image.putpalette([255, 0, 0, 0, 0, 255, 0, 255, 0])
    image.paste("blue" if mode != "P" else 1, (size[0] // 2, 0, size[0], size[1]))
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def exif_with_gps(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (40.0, 26.0, 46.0),
        ExifTags.GPS.GPSLongitudeRef: "W",
        ExifTags.GPS.GPSLongitude: (79.0, 58.0, 56.0),
    }
    return exif


def gif_animation() -> bytes:
    frames = [Image.new("RGB", (8, 8), colour) for colour in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(
        out,
        "GIF",
        save_all=True,
        append_images=frames[1:],
        duration=200,
        loop=0,
        comment=b"Room 12, Ms Rivera",
    )
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def zip_bytes(members: dict[str, bytes], *, stored_first: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(members.items()):
            stored = stored_first and index == 0
            archive.writestr(name, data, zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    return out.getvalue()


def ooxml(part: str, extra: dict[str, bytes] | None = None) -> bytes:
    members = {
        "[Content_Types].xml": CONTENT_TYPES_XML,
        "_rels/.rels": b"<Relationships/>",
        part: b"<root/>",
    }
    return zip_bytes(members | (extra or {}))


def odf(mimetype: str, extra: dict[str, bytes] | None = None) -> bytes:
    members = {
        "mimetype": mimetype.encode(),
        "content.xml": b"<office:document-content/>",
        "META-INF/manifest.xml": b"<manifest:manifest/>",
    }
    return zip_bytes(members | (extra or {}), stored_first=True)


def wav_bytes(seconds: int) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(1)
        recording.setframerate(8000)
        recording.writeframes(b"\x80" * 8000 * seconds)
    return out.getvalue()


def windows_program() -> bytes:
    dos = bytearray(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff".ljust(0x80, b"\0"))
    dos[0x3C:0x40] = struct.pack("<I", 0x80)
    coff = struct.pack("<HHIIIHH", 0x14C, 1, 0, 0, 0, 0xE0, 0x0102)
    optional = struct.pack("<HBB", 0x10B, 14, 0).ljust(0xE0, b"\0")
    return bytes(dos) + b"PE\0\0" + coff + optional + b"\0" * 512


def linux_program() -> bytes:
    return b"\x7fELF\x02\x01\x01" + b"\0" * 9 + struct.pack("<HHI", 2, 62, 1) + b"\0" * 200


# One sample of every accepted format: name, bytes, kind, content type.
SAMPLES = {
    "jpeg": ("photo.jpg", lambda: image_bytes("JPEG"), "image", "image/jpeg"),
    "png": ("diagram.png", lambda: image_bytes("PNG"), "image", "image/png"),
    "gif": ("loop.gif", gif_animation, "image", "image/gif"),
    "webp": ("board.webp", lambda: image_bytes("WEBP"), "image", "image/webp"),
    "mp4": ("lesson.mp4", lambda: fixture("clip_30s.mp4"), "video", "video/mp4"),
    "webm": ("lesson.webm", lambda: fixture("clip_45s.webm"), "video", "video/webm"),
    "mov": ("lesson.mov", lambda: fixture("clip_20s.mov"), "video", "video/quicktime"),
    "mp3": ("song.mp3", lambda: fixture("tone_12s.mp3"), "audio", "audio/mpeg"),
    "m4a": ("song.m4a", lambda: fixture("tone_10s.m4a"), "audio", "audio/x-m4a"),
    "wav": ("beep.wav", lambda: wav_bytes(2), "audio", "audio/x-wav"),
    "ogg": ("talk.ogg", lambda: fixture("tone_8s.ogg"), "audio", "audio/ogg"),
    "webm_audio": ("talk.webm", lambda: fixture("tone_7s.webm"), "audio", "video/webm"),
    "pdf": ("exit_ticket.pdf", lambda: fixture("exit_ticket.pdf"), "pdf", "application/pdf"),
    "docx": ("plan.docx", lambda: ooxml("word/document.xml"), "document", DOCX),
    "pptx": ("slides.pptx", lambda: ooxml("ppt/presentation.xml"), "document", PPTX),
    "odt": ("plan.odt", lambda: odf(ODT), "document", ODT),
    "odp": ("slides.odp", lambda: odf(ODP), "document", ODP),
    "xlsx": ("scores.xlsx", lambda: ooxml("xl/workbook.xml"), "spreadsheet", XLSX),
    "ods": ("scores.ods", lambda: odf(ODS), "spreadsheet", ODS),
    "txt": ("notes.txt", lambda: b"Exit ticket notes\nMost got it.\n", "text", "text/plain"),
    "csv": (
        "scores.csv",
        lambda: b"name,score\n" + b"".join(b"student%d,%d\n" % (i, i % 10) for i in range(200)),
        "text",
        "text/csv",
    ),
}


# Each accepted format for each purpose --------------------------------------------------


@pytest.mark.parametrize("purpose", sorted(ACCEPTS))
@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_each_format_is_accepted_only_for_its_purposes(sample, purpose):
    name, build, kind, content_type = SAMPLES[sample]
    data = build()
    if kind in ACCEPTS[purpose]:
        checked = upload_check(upload(name, data), purpose=purpose)
        assert (checked.kind, checked.content_type) == (kind, content_type)
        assert checked.original_name == name
        assert checked.size == len(checked.file.read()) > 0
        assert (checked.duration_seconds is not None) == (kind in ("video", "audio"))
    else:
        message = refusal(name, data, purpose)
        assert message.startswith(f"“{name}” ")
        assert "must be" in message


def test_files_other_than_images_are_stored_as_uploaded():
    uploaded = upload("exit_ticket.pdf", fixture("exit_ticket.pdf"))
    checked = upload_check(uploaded, purpose="data")
    assert checked.file is uploaded
    assert checked.file.tell() == 0


def test_unknown_purpose_is_a_programming_error():
    with pytest.raises(ValueError, match="purpose"):
        upload_check(upload("notes.txt", b"hello"), purpose="homework")


# Refused content, whatever the name says -------------------------------------------------


@pytest.mark.parametrize("purpose", sorted(ACCEPTS))
def test_windows_program_renamed_pdf_is_refused(purpose):
    message = refusal("report.pdf", windows_program(), purpose)
    assert message.startswith("“report.pdf” is not ")
    assert "file we accept: it looks like a Windows program." in message


@pytest.mark.parametrize(
    ("name", "data", "looks_like"),
    [
        ("photo.png", b"<!DOCTYPE html>\n<title>x</title><script>alert(1)</script>", "web page"),
        ("photo.png", b"<script>alert(document.cookie)</script>", "web page"),
        (
            "photo.png",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
            "SVG drawing",
        ),
        (
            "photo.png",
            b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>',
            "SVG drawing",
        ),
        ("notes.txt", b'const fs = require("fs");\nmodule.exports = () => fs;\n', "JavaScript"),
        ("notes.txt", b"#!/bin/sh\nrm -rf ~\n", "a script"),
        ("notes.txt", b'<?xml version="1.0"?><root><a/></root>', "an XML file"),
        ("tool.pdf", linux_program(), "a program"),
        ("scores.csv", zip_bytes({"scores.csv": b"a,b\n"}), "compressed archive"),
        ("scores.csv", b"\x1f\x8b\x08\x00" + zlib.compress(b"a,b") * 4, "compressed archive"),
        ("photo.jpg", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64), "HEIC"),
        ("notes.txt", b'{"scores": [1, 2, 3]}', "JSON"),
        ("notes.txt", b"{\\rtf1\\ansi hello}", "Rich Text"),
        ("clip.mp4", b"RIFF\x00\x10\x00\x00AVI LIST" + bytes(100), "format browsers cannot"),
        ("unknown.pdf", bytes(range(255, -1, -1)) * 4, "something we cannot recognise"),
        (
            "poster.pdf",
            b"%!PS-Adobe-3.0\n%%Title: poster\n",
            "a file of type application/postscript",
        ),
    ],
)
def test_dangerous_and_unknown_content_is_refused(name, data, looks_like):
    message = refusal(name, data, "plan")
    assert message.startswith(f"“{name}” is not a PDF, document, text or image file we accept")
    assert looks_like in message


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("plan.doc", "save it as .docx or PDF"),
        ("scores.xls", "save it as .xlsx or CSV"),
        ("slides.ppt", "save it as .pptx or PDF"),
    ],
)
def test_legacy_office_files_are_refused_with_the_format_to_use(name, hint):
    message = refusal(name, OLE_HEADER + bytes(2040))
    assert "old Microsoft Office file" in message
    assert hint in message


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("notes.html", b"Just some notes\n"),
        ("notes.htm", b"Just some notes\n"),
        ("photo.svg", image_bytes("PNG")),
        ("photo.jpg.exe", image_bytes("JPEG")),
        ("macro.xlsm", ooxml("xl/workbook.xml")),
        ("script.JS", b"Just some notes\n"),
    ],
)
def test_names_that_a_computer_would_run_are_refused(name, data):
    assert "we never accept web pages, scripts, programs" in refusal(name, data)


def test_text_named_as_another_type_is_refused():
    message = refusal("photo.png", b"Not a picture at all\n", "data")
    assert message.startswith("“photo.png” is named like a .png file but contains plain text")


def test_empty_file_is_refused():
    assert refusal("notes.txt", b"", "data") == "“notes.txt” is empty; choose the file again."


# Plain text and CSV ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        "name,score\nJosé,3\n".encode(),
        "\ufeffname,score\nJosé,3\n".encode(),
        "name,score\nJosé,3\nRenée,4\n".encode("latin-1"),
        b"plain words only\n",
    ],
    ids=["utf8", "utf8-bom", "latin1", "ascii"],
)
def test_text_in_utf8_or_latin1_is_accepted(data):
    checked = upload_check(upload("scores.csv", data), purpose="data")
    assert checked.kind == "text"
    assert checked.file.read() == data


@pytest.mark.parametrize(
    "data",
    [
        b"name,score\nJose,3\n" * 100 + b"\x00\x00\x00",
        "name,score\nJosé,3\n".encode("utf-16"),
    ],
    ids=["nul-bytes", "utf16"],
)
def test_text_with_nul_bytes_is_refused(data):
    message = refusal("scores.csv", data, "data")
    assert "contains binary data (NUL bytes)" in message


# Sizes ----------------------------------------------------------------------------------


class UnreadableUpload(SimpleUploadedFile):
    """An upload that fails the test if anything reads its content."""

    def read(self, *args, **kwargs):
        raise AssertionError("content read before the size was checked")

    def chunks(self, *args, **kwargs):
        raise AssertionError("content read before the size was checked")


@override_settings(EVIDENCE_MAX_FILE_BYTES=1000)
def test_oversized_file_is_refused_before_reading_it():
    uploaded = UnreadableUpload("scores.csv", b"a,b\n" * 500)
    with pytest.raises(ValidationError) as caught:
        upload_check(uploaded, purpose="data")
    assert caught.value.messages == [
        "“scores.csv” is 2,000 bytes; files other than videos may be at most 1,000 bytes."
    ]


@override_settings(EVIDENCE_MAX_FILE_BYTES=2 * MB, EVIDENCE_MAX_VIDEO_BYTES=3 * MB)
def test_too_big_for_any_kind_names_both_limits():
    uploaded = UnreadableUpload("huge.bin", bytes(3 * MB + 1))
    with pytest.raises(ValidationError) as caught:
        upload_check(uploaded, purpose="artifact")
    assert caught.value.messages == [
        "“huge.bin” is 4 MB; videos may be at most 3 MB and other files 2 MB."
    ]


@override_settings(EVIDENCE_MAX_FILE_BYTES=2 * MB, EVIDENCE_MAX_VIDEO_BYTES=250 * MB)
def test_a_non_video_over_the_file_limit_is_refused_once_sniffed():
    data = fixture("exit_ticket.pdf") + b"%" + bytes(2 * MB)
    assert refusal("big.pdf", data) == (
        "“big.pdf” is 3 MB; files other than videos may be at most 2 MB."
    )


@override_settings(EVIDENCE_MAX_VIDEO_BYTES=3 * 1024)
def test_video_too_big_is_refused():
    data = fixture("clip_90s.mp4")
    assert len(data) > 3 * 1024
    assert refusal("clip.mp4", data, "reflection_video") == (
        "“clip.mp4” is 4 KB; videos may be at most 3 KB."
    )


@override_settings(EVIDENCE_MAX_FILE_BYTES=1000, EVIDENCE_MAX_VIDEO_BYTES=10 * 1024)
def test_videos_have_their_own_larger_limit():
    checked = upload_check(upload("clip.mp4", fixture("clip_90s.mp4")), purpose="artifact")
    assert checked.kind == "video"


@override_settings(EVIDENCE_MAX_FILE_BYTES=10 * 1024, EVIDENCE_MAX_VIDEO_BYTES=250 * MB)
def test_sound_in_a_video_container_is_held_to_the_file_limit():
    data = fixture("tone_7s.webm")
    assert len(data) < 10 * 1024
    assert upload_check(upload("talk.webm", data), purpose="artifact").kind == "audio"
    with override_settings(EVIDENCE_MAX_FILE_BYTES=4 * 1024):
        message = refusal("talk.webm", data)
    assert message == "“talk.webm” is 8 KB; files other than videos may be at most 4 KB."


# Video and audio durations --------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture_name", "seconds", "kind"),
    [
        ("clip_30s.mp4", 30, "video"),
        ("clip_90s.mp4", 90, "video"),
        ("clip_150s.mp4", 150, "video"),
        ("clip_45s.webm", 45, "video"),
        ("clip_20s.mov", 20, "video"),
        ("tone_12s.mp3", 12, "audio"),
        ("tone_10s.m4a", 10, "audio"),
        ("tone_8s.ogg", 8, "audio"),
        ("tone_7s.webm", 7, "audio"),
    ],
)
def test_duration_is_read_from_the_file(fixture_name, seconds, kind):
    checked = upload_check(upload(fixture_name, fixture(fixture_name)), purpose="artifact")
    assert checked.kind == kind
    assert abs(checked.duration_seconds - seconds) <= 1


def test_duration_of_wav_built_here():
    checked = upload_check(upload("beep.wav", wav_bytes(3)), purpose="artifact")
    assert checked.duration_seconds == 3


def test_duration_is_read_from_a_large_upload_on_disk():
    data = fixture("clip_90s.mp4")
    uploaded = TemporaryUploadedFile("clip.mp4", "video/mp4", len(data), None)
    uploaded.write(data)
    uploaded.seek(0)
    try:
        checked = upload_check(uploaded, purpose="reflection_video")
    finally:
        uploaded.close()
    assert (checked.kind, checked.content_type) == ("video", "video/mp4")
    assert abs(checked.duration_seconds - 90) <= 1


@pytest.mark.parametrize("purpose", ["artifact", "reflection_video"])
def test_video_without_a_readable_duration_is_refused(purpose):
    data = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 8
    assert refusal("clip.mp4", data, purpose) == (
        "“clip.mp4”: we could not read how long this video is; export it again as MP4."
    )


def test_recording_without_a_readable_duration_is_refused():
    # An empty ID3 tag and one MPEG audio frame header: it sniffs as MP3, but has no length.
    data = b"ID3\x04\x00\x00\x00\x00\x00\x00\xff\xe3\x38\xc0" + bytes(2000)
    message = refusal("song.mp3", data)
    assert "we could not read how long this recording is" in message


def test_sound_only_is_not_a_video_reflection():
    message = refusal("talk.webm", fixture("tone_7s.webm"), "reflection_video")
    assert message == "“talk.webm” has sound but no picture; video reflections must be a video."


# Images: metadata stripped, pixels and frames kept ----------------------------------------


def test_jpeg_loses_exif_gps_xmp_and_comment_but_keeps_its_orientation():
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
    data = image_bytes("JPEG", exif=exif_with_gps(orientation=6), comment=b"Room 12", xmp=xmp)
    with Image.open(io.BytesIO(data)) as original:  # the sample really carries them
        assert original.getexif().get_ifd(GPS_INFO)
        assert (original.info.get("comment"), original.size) == (b"Room 12", (40, 20))
        assert "xmp" in original.info

    checked = upload_check(upload("photo.jpg", data), purpose="artifact")

    cleaned = checked.file.read()
    assert checked.size == len(cleaned)
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.format == "JPEG"
        assert GPS_INFO not in image.getexif()
        assert len(image.getexif()) == 0
        assert not {"exif", "xmp", "comment"} & set(image.info)
        assert image.size == (20, 40)  # turned upright, as the Orientation tag asked
        # Orientation 6 turns it a quarter clockwise: the red left half is now on top.
        assert image.getpixel((10, 2))[0] > 200
        assert image.getpixel((10, 37))[2] > 200
    assert b"PhoneCo" not in cleaned


def test_png_loses_text_and_exif_and_keeps_transparency():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Ms Rivera")
    data = image_bytes("PNG", mode="P", transparency=1, pnginfo=info, exif=exif_with_gps())
    with Image.open(io.BytesIO(data)) as original:
        assert original.text
        assert original.getexif().get_ifd(GPS_INFO)
        assert original.info["transparency"] == 1  # the blue entry is see-through

    checked = upload_check(upload("diagram.png", data), purpose="plan")

    with Image.open(checked.file) as image:
        assert image.format == "PNG"
        assert not image.text
        assert "exif" not in image.info
        assert image.info.get("transparency") == 1
        assert image.getpalette()[:6] == [255, 0, 0, 0, 0, 255]
        assert (image.getpixel((5, 5)), image.getpixel((35, 5))) == (0, 1)


def test_webp_loses_exif():
    data = image_bytes("WEBP", exif=exif_with_gps(), lossless=True)
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(GPS_INFO)

    checked = upload_check(upload("board.webp", data), purpose="data")

    with Image.open(checked.file) as image:
        assert image.format == "WEBP"
        assert "exif" not in image.info
        assert image.getpixel((35, 5)) == (0, 0, 255)  # lossless stays lossless


def test_animated_gif_keeps_its_frames_and_loses_its_comment():
    data = gif_animation()
    with Image.open(io.BytesIO(data)) as original:
        assert original.info.get("comment")
        assert original.n_frames == 3

    checked = upload_check(upload("loop.gif", data), purpose="artifact")

    with Image.open(checked.file) as image:
        assert image.format == "GIF"
        assert image.n_frames == 3
        assert "comment" not in image.info
        assert [frame.info["duration"] for frame in ImageSequence.Iterator(image)] == [200] * 3


@pytest.mark.parametrize("size", [(7000, 6000), (20000, 20000)], ids=["42-mp", "400-mp"])
def test_images_over_40_megapixels_are_refused(size):
    message = refusal("panorama.png", png_header(*size))
    assert message.startswith("“panorama.png” has more than 40 megapixels")


@pytest.mark.parametrize(
    "data",
    [
        png_header(40, 20)[:33] + bytes(range(256)),
        image_bytes("JPEG", size=(400, 300))[:600],
        b"GIF89a" + bytes(20),
    ],
    ids=["png-garbage", "jpeg-truncated", "gif-header-only"],
)
def test_damaged_images_are_refused(data):
    message = refusal("photo.png", data)
    assert "could not be opened as an image; it may be damaged" in message


# Office files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("plan.docx", ooxml("word/document.xml", {"word/vbaProject.bin": OLE_HEADER})),
        ("scores.xlsx", ooxml("xl/workbook.xml", {"xl/vbaProject.bin": OLE_HEADER})),
        ("slides.pptx", ooxml("ppt/presentation.xml", {"ppt/VBAPROJECT.BIN": OLE_HEADER})),
        ("plan.odt", odf(ODT, {"Basic/Standard/Module1.xml": b"<script:module/>"})),
    ],
)
def test_documents_with_macros_are_refused(name, data):
    assert refusal(name, data).startswith(f"“{name}” contains macros")


@pytest.fixture(scope="module")
def docx_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES_XML)
        with archive.open("word/document.xml", "w") as member:
            for _ in range(60):
                member.write(bytes(MB))
    return out.getvalue()


def test_zip_bomb_is_refused(docx_bomb):
    assert len(docx_bomb) < MB
    assert "zip bomb" in refusal("plan.docx", docx_bomb)


def test_highly_compressed_but_small_document_is_accepted():
    data = ooxml("word/document.xml", {"word/media/blank.bmp": bytes(10 * MB)})
    assert upload_check(upload("plan.docx", data), purpose="plan").kind == "document"


def docx_with_members(count: int) -> bytes:
    # ooxml() adds three members of its own.
    return ooxml(
        "word/document.xml", {f"word/media/part{i}.xml": b"<x/>" for i in range(count - 3)}
    )


def test_zip_with_more_than_2000_members_is_refused():
    assert "zip bomb" in refusal("plan.docx", docx_with_members(2001))


def test_zip_with_2000_members_is_accepted():
    checked = upload_check(upload("plan.docx", docx_with_members(2000)), purpose="plan")
    assert checked.kind == "document"


@pytest.mark.parametrize(
    "data",
    [
        zip_bytes({"[Content_Types].xml": CONTENT_TYPES_XML, "other/part.xml": b"<x/>"}),
        zip_bytes({"word/document.xml": b"<w/>", "notes.txt": b"hi"}),
        odf("application/vnd.oasis.opendocument.graphics"),
    ],
    ids=["ooxml-without-parts", "no-content-types", "odf-drawing"],
)
def test_zip_that_is_not_a_document_we_accept_is_refused(data):
    message = refusal("plan.docx", data)
    assert message.startswith("“plan.docx” is not an image, video, audio, PDF, document or")


def test_damaged_zip_is_refused():
    data = b"PK\x03\x04" + bytes(range(256)) * 4
    assert "a damaged or unreadable ZIP file" in refusal("plan.docx", data)


# Names and the download header -----------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\ms.rivera\\Desktop\\plan.docx", "plan.docx"),
        ('Résumé "final"\r\nv2.pdf', "Résumé final v2.pdf"),
        ("photo\u202egpj.exe", "photogpj.exe"),
        ("it's `fine`.txt", "its fine.txt"),
        ("  ..  ", "upload"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
    ],
)
def test_display_name_is_safe_to_show(given, shown):
    assert display_name(given) == shown


def test_upload_check_returns_the_sanitised_name():
    checked = upload_check(upload('../"notes"\n.txt', b"hello\n"), purpose="data")
    assert checked.original_name == "notes .txt"


def header_parts(value: str) -> tuple[str, str, str]:
    disposition, fallback, encoded = value.split("; ")
    assert fallback.startswith('filename="')
    assert fallback.endswith('"')
    assert encoded.startswith("filename*=UTF-8''")
    return disposition, fallback[10:-1], unquote(encoded[17:], errors="strict")


@pytest.mark.parametrize(
    ("given", "fallback", "utf8"),
    [
        ("plan.pdf", "plan.pdf", "plan.pdf"),
        ('Résumé "final"\r\nv2.pdf', "Resume final v2.pdf", "Résumé final v2.pdf"),
        ("报告.pdf", "download.pdf", "报告.pdf"),
        ("a;b%20=c.pdf", "a_b_20_c.pdf", "a;b%20=c.pdf"),
        ("x\r\nContent-Type: evil.pdf", "x Content-Type_ evil.pdf", "x Content-Type: evil.pdf"),
    ],
)
def test_content_disposition_escapes_quotes_newlines_and_non_ascii(given, fallback, utf8):
    value = content_disposition(given, inline=False)
    assert "\r" not in value
    assert "\n" not in value
    assert value.isascii()
    disposition, ascii_name, utf8_name = header_parts(value)
    assert (disposition, ascii_name, utf8_name) == ("attachment", fallback, utf8)


def test_content_disposition_inline():
    assert content_disposition("clip.mp4", inline=True) == (
        "inline; filename=\"clip.mp4\"; filename*=UTF-8''clip.mp4"
    )
