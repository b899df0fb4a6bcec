"""Template context shared by every page: the user's roles and the active one."""

from django.utils.functional import SimpleLazyObject

from .notifications import unread_count
from .roles import active_role_for, role_label, roles_for


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": [], "active_role": None, "active_role_label": ""}
    active = active_role_for(request)
    return {
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user)),
        "user_roles": [(r, role_label(r)) for r in roles_for(user)],
        "active_role": active,
        "active_role_label": role_label(active),
    }
