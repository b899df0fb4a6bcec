"""Who may see a school's dashboard."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from pplearn.models import Role, School


def can_see_school_dashboard(user, school: School) -> bool:
    """The school's principal, coordinators serving it, and its district's administrators."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.has_role(Role.PRINCIPAL, school):
        return True
    if user.has_role(Role.COORDINATOR, school):
        return True
    return user.has_role(Role.DISTRICT_ADMIN, school)


def get_school_for_dashboard_or_404(user, pk: int) -> School:
    """The school whose dashboard the user asks for, or 404 if they may not see it."""
    school = get_object_or_404(School.objects.select_related("district"), pk=pk)
    if not can_see_school_dashboard(user, school):
        raise Http404("No such school.")
    return school
