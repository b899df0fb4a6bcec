"""Error pages that need more than a template: the 413 page for oversized requests."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views import defaults


def _mb(size: int) -> int:
    return max(1, round(size / (1024 * 1024)))


def request_too_large(request: HttpRequest) -> HttpResponse:
    """Say what the limits are and what to do; a short fragment for htmx."""
    context = {
        "form_mb": _mb(settings.DATA_UPLOAD_MAX_MEMORY_SIZE),
        "file_mb": _mb(settings.EVIDENCE_MAX_FILE_BYTES),
        "video_mb": _mb(settings.EVIDENCE_MAX_VIDEO_BYTES),
    }
    htmx = request.headers.get("HX-Request") == "true"
    template = "_413_fragment.html" if htmx else "413.html"
    # No "Connection: close" here: WSGI forbids hop-by-hop headers; the server deals with
    # the unread body.
    return HttpResponse(render_to_string(template, context, request=None), status=413)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    """Django's 400 page, except for a form too large to read, which is a 413."""
    if isinstance(exception, RequestDataTooBig):
        return request_too_large(request)
    return defaults.bad_request(request, exception)
