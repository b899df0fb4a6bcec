"""Which roles a person holds, and which one they are acting in right now."""

from __future__ import annotations

from .models import ROLE_PRIORITY, Role

SESSION_KEY = "active_role"


def roles_for(user) -> list[str]:
    """Return the user's roles in the order their home page prefers them."""
    if not user.is_authenticated:
        return []
    held = user.roles
    return [r.value for r in ROLE_PRIORITY if r.value in held]


def active_role_for(request) -> str | None:
    """Return the role chosen in this session, or the user's first role."""
    roles = roles_for(request.user)
    if not roles:
        return None
    chosen = request.session.get(SESSION_KEY)
    return chosen if chosen in roles else roles[0]


def role_label(role: str | None) -> str:
    return Role(role).label if role else ""
