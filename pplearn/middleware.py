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
