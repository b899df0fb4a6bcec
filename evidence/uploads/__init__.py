"""Check an uploaded evidence file: what it really is, whether it may be kept, and clean it."""

from .check import CheckedUpload, content_disposition, display_name, upload_check

__all__ = ["CheckedUpload", "content_disposition", "display_name", "upload_check"]
