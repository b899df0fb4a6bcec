"""Per-request context: the active role, and the district's time zone for display."""

import zoneinfo

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from .roles import active_role_for

TZ_SESSION_KEY = "district_tz"


class ActiveRoleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.active_role = SimpleLazyObject(lambda: active_role_for(request))
        name = _district_timezone(request)
        if name:
            timezone.activate(zoneinfo.ZoneInfo(name))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def _district_timezone(request) -> str | None:
    """Times show in the district's zone; the name is kept in the session after one lookup."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    name = request.session.get(TZ_SESSION_KEY)
    if name is None:
        district = user.district
        name = district.timezone if district else ""
        request.session[TZ_SESSION_KEY] = name
    try:
        zoneinfo.ZoneInfo(name) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    return name or None


class RequestSizeLimitMiddleware:
    """Answer 413 before reading a body larger than any form or file the site accepts.

    Multipart bodies (file uploads) may be as large as the largest evidence file plus the
    form around it; any other body only as large as DATA_UPLOAD_MAX_MEMORY_SIZE.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        from .error_views import request_too_large

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        limit = settings.REQUEST_MAX_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return request_too_large(request)
        return self.get_response(request)
