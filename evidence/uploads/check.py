"""The checks behind upload_check: type, size, media, images, text; office and polyglots apart."""

from __future__ import annotations

import io
import math
import re
import tempfile
import unicodedata
import warnings
from dataclasses import dataclass
from typing import NoReturn
from urllib.parse import quote

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, ImageSequence, JpegImagePlugin
from pymediainfo import MediaInfo

from evidence.models import Artifact

from .office import DamagedZip, office_inspect
from .polyglot import polyglot_check

Kind = Artifact.Kind
Purpose = Artifact.Purpose

MB = 1024 * 1024
DEFAULT_MAX_FILE_BYTES = 25 * MB
DEFAULT_MAX_VIDEO_BYTES = 250 * MB
SNIFF_BYTES = 64 * 1024
MAX_IMAGE_PIXELS = 40_000_000
# Every frame of an animation is held in memory while it is re-encoded.
MAX_ANIMATION_PIXELS = 50_000_000

# Pillow refuses images past twice this with DecompressionBombError and warns past it;
# lower than Pillow's default so that no code in the process decodes a pixel bomb.
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ALLOWED_KINDS = {
    Purpose.ARTIFACT: ("image", "video", "audio", "pdf", "document", "spreadsheet"),
    Purpose.DATA: ("text", "spreadsheet", "pdf", "image"),
    Purpose.PLAN: ("pdf", "document", "text", "image"),
    Purpose.REFLECTION_VIDEO: ("video",),
}
# Fills "is not {list} file we accept" and "{purpose name} must be {list} file".
PURPOSE_LISTS = {
    Purpose.ARTIFACT: "an image, video, audio, PDF, document or spreadsheet",
    Purpose.DATA: "a CSV, text, spreadsheet, PDF or image",
    Purpose.PLAN: "a PDF, document, text or image",
    Purpose.REFLECTION_VIDEO: "an MP4, WebM or MOV video",
}
PURPOSE_NAMES = {
    Purpose.ARTIFACT: "artifacts of practice",
    Purpose.DATA: "data files",
    Purpose.PLAN: "lesson plans",
    Purpose.REFLECTION_VIDEO: "video reflections",
}
KIND_NOUNS = {
    Kind.IMAGE: "an image",
    Kind.VIDEO: "a video",
    Kind.AUDIO: "an audio recording",
    Kind.PDF: "a PDF",
    Kind.DOCUMENT: "a document",
    Kind.SPREADSHEET: "a spreadsheet",
    Kind.TEXT: "a text file",
}

# Files a second program could read as something else; office files are checked as ZIPs.
POLYGLOT_KINDS = {Kind.IMAGE, Kind.PDF, Kind.VIDEO, Kind.AUDIO}
IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP"}
# MP4, WebM and QuickTime may hold only sound: the tracks decide.
VIDEO_TYPES = {"video/mp4", "video/x-m4v", "video/webm", "video/quicktime"}
AUDIO_TYPES = _words(
    "audio/mpeg audio/mp4 audio/x-m4a audio/wav audio/x-wav audio/vnd.wave audio/webm audio/ogg"
)
SIMPLE_TYPES = {"application/pdf": Kind.PDF, "text/plain": Kind.TEXT, "text/csv": Kind.TEXT}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
OOXML_PARTS = {
    "word/": (DOCX, Kind.DOCUMENT),
    "xl/": (XLSX, Kind.SPREADSHEET),
    "ppt/": (PPTX, Kind.DOCUMENT),
}
ODF_TYPES = {
    "application/vnd.oasis.opendocument.text": Kind.DOCUMENT,
    "application/vnd.oasis.opendocument.presentation": Kind.DOCUMENT,
    "application/vnd.oasis.opendocument.spreadsheet": Kind.SPREADSHEET,
}
ZIP_TYPES = {"application/zip", DOCX, XLSX, PPTX, *ODF_TYPES}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLE_TYPES = {
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.ms-office": "",
    "application/x-ole-storage": "",
    "application/CDFV2": "",
}
LEGACY_OFFICE_HINTS = {
    "doc": "save it as .docx or PDF",
    "xls": "save it as .xlsx or CSV",
    "ppt": "save it as .pptx or PDF",
}
TEXT_EXTENSIONS = {"", "txt", "text", "csv", "tsv", "md"}
# Names a browser or a desktop would open as a page, a script or a program once downloaded.
DANGEROUS_EXTENSIONS = _words(
    "htm html xhtml shtml mht mhtml svg svgz xml xsl js mjs cjs jse vbs vbe wsf wsh hta ps1 "
    "psm1 bat cmd com exe dll scr pif cpl msi msp lnk reg inf jar apk app dmg sh bash zsh "
    "command php phtml asp aspx jsp py pl rb cgi swf url desktop docm dotm xlsm xltm pptm potm"
)
# What a refused type looks like, in a teacher's words, and how to put it right.
REFUSED_TYPES = [
    (
        "application/x-dosexec application/vnd.microsoft.portable-executable "
        "application/x-msdownload application/x-msi",
        "a Windows program",
        "",
    ),
    (
        "application/x-executable application/x-sharedlib application/x-pie-executable "
        "application/x-mach-binary application/java-archive",
        "a program",
        "",
    ),
    ("text/html application/xhtml+xml", "a web page (HTML)", "save it as PDF"),
    ("image/svg+xml", "an SVG drawing, which can carry scripts", "export it as PNG"),
    ("application/javascript text/javascript application/x-javascript", "JavaScript code", ""),
    (
        "text/x-shellscript text/x-script.python text/x-python text/x-perl text/x-php "
        "text/x-ruby text/x-msdos-batch",
        "a script",
        "",
    ),
    ("text/xml application/xml", "an XML file", ""),
    (
        "application/zip application/x-7z-compressed application/x-rar application/vnd.rar "
        "application/gzip application/x-tar application/x-bzip2 application/x-xz "
        "application/zstd",
        "a compressed archive (ZIP, RAR, 7z …)",
        "upload the files one by one",
    ),
    ("image/heic image/heif image/avif", "a HEIC or AVIF photo", "export it as JPEG"),
    ("image/tiff image/bmp image/x-ms-bmp", "a TIFF or BMP image", "save it as PNG or JPEG"),
    (
        "video/x-msvideo video/mpeg video/x-matroska video/3gpp video/ogg video/x-ms-asf "
        "video/x-flv",
        "a video in a format browsers cannot play",
        "export it as MP4",
    ),
    ("text/rtf application/rtf", "a Rich Text file", "save it as .docx or PDF"),
    ("application/json", "a JSON data file", "save it as CSV"),
    ("application/octet-stream", "something we cannot recognise", ""),
]


@dataclass(frozen=True)
class CheckedUpload:
    """What to store for an accepted upload."""

    file: File  # the upload itself, or an image re-encoded without its metadata
    kind: str  # an Artifact.Kind value
    content_type: str  # sniffed from the content, never the browser's word
    size: int  # bytes of `file`
    duration_seconds: int | None  # video and audio only, read on the server
    original_name: str  # display_name() of the uploaded name


def upload_check(uploaded: UploadedFile, *, purpose: str) -> CheckedUpload:
    """Check an upload for a purpose; return what to store or raise ValidationError."""
    if purpose not in ALLOWED_KINDS:
        raise ValueError(f"Unknown artifact purpose: {purpose!r}")
    name = display_name(uploaded.name or "")
    allowed = ALLOWED_KINDS[purpose]
    size = uploaded.size
    if not size:
        raise ValidationError(f"“{name}” is empty; choose the file again.", code="empty")
    _check_size(name, size, video=Kind.VIDEO in allowed, other=allowed != (Kind.VIDEO,))
    ext = _extension(name)
    if ext in DANGEROUS_EXTENSIONS:
        raise ValidationError(
            f"“{name}” ends in .{ext}: we never accept web pages, scripts, programs or files "
            "with macros, which can harm the computers of the people who open them. "
            "If it is really something else, rename it to match what it is.",
            code="dangerous_name",
        )

    uploaded.seek(0)
    head = uploaded.read(SNIFF_BYTES)
    uploaded.seek(0)
    sniffed = magic.from_buffer(head, mime=True)
    content_type, kinds = _classify(uploaded, name, sniffed, head, purpose)
    if not set(kinds) & set(allowed):
        _refuse_for_purpose(name, kinds[0], purpose)
    _check_size(name, size, video=Kind.VIDEO in kinds, other=Kind.VIDEO not in kinds)

    kind, file, duration = kinds[0], uploaded, None
    if Kind.VIDEO in kinds or Kind.AUDIO in kinds:
        kind, duration = _media_check(uploaded, name, kinds)
        if kind not in allowed:
            if kind == Kind.AUDIO and Kind.VIDEO in allowed:
                raise ValidationError(
                    f"“{name}” has sound but no picture; {PURPOSE_NAMES[purpose]} must be a video.",
                    code="no_picture",
                )
            _refuse_for_purpose(name, kind, purpose)
        _check_size(name, size, video=kind == Kind.VIDEO, other=kind != Kind.VIDEO)
    if kind in POLYGLOT_KINDS:
        polyglot_check(uploaded, name=name, content_type=content_type, kind=kind)
    if kind == Kind.IMAGE:
        file = _image_clean(uploaded, name, IMAGE_TYPES[content_type], head)
    elif kind == Kind.TEXT:
        _text_check(uploaded, name, ext)
    uploaded.seek(0)
    return CheckedUpload(
        file=file,
        kind=str(kind),
        content_type=content_type,
        size=file.size,
        duration_seconds=duration,
        original_name=name,
    )


def display_name(name: str) -> str:
    """Return a file's name fit to show and to send back: no path, controls or quotes."""
    name = unicodedata.normalize("NFC", str(name))
    name = re.split(r"[\\/]", name)[-1]
    # Line breaks become spaces; quotes and invisible controls (such as a right-to-left
    # override that makes "gpj.exe" read as "exe.jpg") go.
    name = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in name
        if unicodedata.category(ch) not in ("Cf", "Cs", "Co", "Cn") and ch not in "\"'`"
    )
    name = " ".join(name.split()).strip(" .") or "upload"
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 16:
            name = f"{stem[: 254 - len(ext)].rstrip()}.{ext}"
        else:
            name = name[:255]
    return name


def content_disposition(original_name: str, *, inline: bool) -> str:
    """Return a Content-Disposition value with an ASCII fallback and the UTF-8 name."""
    name = display_name(original_name)
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    fallback_stem = _ascii_name(stem) or "download"
    fallback = f"{fallback_stem}.{_ascii_name(ext)}" if _ascii_name(ext) else fallback_stem
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _ascii_name(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9._()+ -]+", "_", text)
    return re.sub(r"_+", "_", text).strip(" ._")


def _extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def _human_size(size: int, unit: int, *, up: bool) -> str:
    rounding = math.ceil if up else math.floor
    if unit == MB:
        return f"{rounding(size / MB):,} MB"
    if unit == 1024:
        return f"{rounding(size / 1024):,} KB"
    return f"{size:,} bytes"


def _check_size(name: str, size: int, *, video: bool, other: bool) -> None:
    video_limit = getattr(settings, "EVIDENCE_MAX_VIDEO_BYTES", DEFAULT_MAX_VIDEO_BYTES)
    file_limit = getattr(settings, "EVIDENCE_MAX_FILE_BYTES", DEFAULT_MAX_FILE_BYTES)
    limit = max(video_limit if video else 0, file_limit if other else 0)
    if size <= limit:
        return
    # Show both numbers in the limit's unit, rounded so the file never looks allowed.
    unit = MB if limit >= MB else 1024 if limit >= 1024 else 1
    shown = _human_size(size, unit, up=True)
    if video and other:
        rule = (
            f"videos may be at most {_human_size(video_limit, unit, up=False)} and other files "
            f"{_human_size(file_limit, unit, up=False)}"
        )
    elif video:
        rule = f"videos may be at most {_human_size(limit, unit, up=False)}"
    else:
        rule = f"files other than videos may be at most {_human_size(limit, unit, up=False)}"
    raise ValidationError(f"“{name}” is {shown}; {rule}.", code="too_big")


def _refuse_type(name: str, purpose: str, looks_like: str, hint: str = "") -> NoReturn:
    message = (
        f"“{name}” is not {PURPOSE_LISTS[purpose]} file we accept: it looks like {looks_like}."
    )
    if hint:
        message += f" To upload it, {hint}."
    raise ValidationError(message, code="file_type")


def _refuse_for_purpose(name: str, kind: str, purpose: str) -> NoReturn:
    raise ValidationError(
        f"“{name}” is {KIND_NOUNS[kind]}; {PURPOSE_NAMES[purpose]} must be "
        f"{PURPOSE_LISTS[purpose]} file.",
        code="kind_not_allowed",
    )


def _classify(uploaded, name: str, sniffed: str, head: bytes, purpose: str):
    """Return the content type and the kinds it may be, or refuse."""
    if sniffed in ZIP_TYPES or head.startswith(b"PK\x03\x04"):
        content_type, kind = _office_check(uploaded, name, sniffed, purpose)
        return content_type, (kind,)
    if sniffed in IMAGE_TYPES:
        return sniffed, (Kind.IMAGE,)
    if sniffed in VIDEO_TYPES:
        return sniffed, (Kind.VIDEO, Kind.AUDIO)
    if sniffed in AUDIO_TYPES:
        return sniffed, (Kind.AUDIO,)
    if sniffed in SIMPLE_TYPES:
        return sniffed, (SIMPLE_TYPES[sniffed],)
    if sniffed in OLE_TYPES or head.startswith(OLE_MAGIC):
        ext = OLE_TYPES.get(sniffed) or _extension(name)
        hint = LEGACY_OFFICE_HINTS.get(ext, "save it as .docx, .xlsx, .pptx or PDF")
        _refuse_type(name, purpose, "an old Microsoft Office file (.doc, .xls or .ppt)", hint)
    _refuse_type(name, purpose, *_describe(sniffed))


def _describe(sniffed: str) -> tuple[str, str]:
    """Say what a refused type looks like and how to put it right."""
    for types, looks_like, hint in REFUSED_TYPES:
        if sniffed in _words(types):
            return looks_like, hint
    return f"a file of type {sniffed}", ""


def _office_check(uploaded, name: str, sniffed: str, purpose: str) -> tuple[str, str]:
    """Confirm a ZIP container is a Word, Excel, PowerPoint or OpenDocument file."""
    try:
        contents = office_inspect(uploaded, name)
    except DamagedZip:
        _refuse_type(name, purpose, "a damaged or unreadable ZIP file")
    names, odf_type = contents.names, contents.odf_type
    if odf_type in ODF_TYPES:
        return odf_type, ODF_TYPES[odf_type]
    if "[Content_Types].xml" in names:
        for prefix, (content_type, kind) in OOXML_PARTS.items():
            if any(n.startswith(prefix) for n in names):
                return content_type, kind
    if sniffed in ZIP_TYPES - {"application/zip"}:
        _refuse_type(name, purpose, "a damaged office document", "save it again")
    _refuse_type(name, purpose, *_describe(sniffed))


def _media_check(uploaded, name: str, kinds) -> tuple[str, int]:
    """Read the tracks and duration from the file on disk; return its kind and seconds."""
    noun, fix = (
        ("video", "export it again as MP4")
        if Kind.VIDEO in kinds
        else ("recording", "export it again as MP3 or M4A")
    )
    unreadable = ValidationError(
        f"“{name}”: we could not read how long this {noun} is; {fix}.", code="no_duration"
    )
    try:
        if hasattr(uploaded, "temporary_file_path"):
            info = MediaInfo.parse(uploaded.temporary_file_path())
        else:
            ext = _extension(name)
            with tempfile.NamedTemporaryFile(suffix=f".{ext}" if ext else "") as copy:
                for chunk in uploaded.chunks():
                    copy.write(chunk)
                copy.flush()
                info = MediaInfo.parse(copy.name)
    except (OSError, RuntimeError, ValueError) as error:
        raise unreadable from error
    finally:
        uploaded.seek(0)

    milliseconds = max((_milliseconds(track.duration) for track in info.tracks), default=0)
    if Kind.VIDEO in kinds and info.video_tracks:
        kind = Kind.VIDEO
    elif info.audio_tracks:
        kind = Kind.AUDIO
    else:
        raise unreadable
    if milliseconds <= 0:
        raise unreadable
    return kind, max(1, round(milliseconds / 1000))


def _milliseconds(value) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def _image_clean(uploaded, name: str, fmt: str, head: bytes) -> File:
    """Re-encode an image without EXIF, GPS, XMP or comments, keeping its orientation."""
    too_big = ValidationError(
        f"“{name}” has more than {MAX_IMAGE_PIXELS // 1_000_000} megapixels; "
        "save a smaller copy (for example 4000 × 3000) and upload that.",
        code="too_many_pixels",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Only the decoder the sniffed type names; a phone's MPO opens as its first JPEG.
            with Image.open(uploaded, formats=[fmt]) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise too_big
                frames = getattr(image, "n_frames", 1) if fmt != "JPEG" else 1
                if frames * width * height > MAX_ANIMATION_PIXELS and frames > 1:
                    raise ValidationError(
                        f"“{name}” is an animation too large for us to process "
                        f"({frames} frames of {width} × {height}); make it shorter or smaller.",
                        code="animation_too_big",
                    )
                data = _image_encode(image, fmt, frames, lossless=b"VP8L" in head[:4096])
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_big from None
    except Exception as error:  # Pillow raises many kinds of error on damaged files.
        raise ValidationError(
            f"“{name}” could not be opened as an image; it may be damaged. "
            "Save it again as JPEG or PNG.",
            code="bad_image",
        ) from error
    finally:
        uploaded.seek(0)
    return ContentFile(data, name=name)


def _bare(frame: Image.Image) -> Image.Image:
    # A copy is a new object: no cached EXIF, and only the info we choose to keep.
    clean = frame.copy()
    clean.info = {k: v for k, v in frame.info.items() if k in ("transparency", "background")}
    return clean


def _image_encode(image: Image.Image, fmt: str, frames: int, *, lossless: bool) -> bytes:
    params: dict = {}
    if icc_profile := image.info.get("icc_profile"):
        params["icc_profile"] = icc_profile
    if fmt == "JPEG":
        qtables = getattr(image, "quantization", None)
        if qtables:
            params.update(qtables=qtables, subsampling=JpegImagePlugin.get_sampling(image))
        else:
            params["quality"] = 90
    elif fmt == "WEBP":
        params.update(lossless=lossless, quality=90)
    if frames > 1:
        durations, clean_frames = [], []
        for frame in ImageSequence.Iterator(image):
            durations.append(frame.info.get("duration", 100))
            clean_frames.append(_bare(frame))
        first = clean_frames[0]
        params.update(
            save_all=True,
            append_images=clean_frames[1:],
            duration=durations,
            loop=image.info.get("loop", 0),
        )
    else:
        ImageOps.exif_transpose(image, in_place=True)
        first = _bare(image)
    if params.get("subsampling") == -1:
        del params["subsampling"]
    out = io.BytesIO()
    first.save(out, format=fmt, **params)
    return out.getvalue()


def _text_check(uploaded, name: str, ext: str) -> None:
    """Refuse text that is misnamed or binary; UTF-8 (with or without BOM) or Latin-1."""
    if ext not in TEXT_EXTENSIONS:
        raise ValidationError(
            f"“{name}” is named like a .{ext} file but contains plain text; if it is text, "
            "rename it to end in .txt or .csv.",
            code="text_misnamed",
        )
    # UTF-8 (with or without BOM) or else Latin-1, which reads any byte as older
    # spreadsheet exports need: so only NUL bytes (binary, or UTF-16) make it unreadable.
    for chunk in uploaded.chunks():
        if b"\x00" in chunk:
            raise ValidationError(
                f"“{name}” contains binary data (NUL bytes), not plain text; save it again "
                "as “CSV UTF-8” or plain text.",
                code="text_binary",
            )
    uploaded.seek(0)
