"""Who may manage what in the core app. Objects out of reach answer 404, not 403."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import District, Role, School, User


def administered_district(user) -> District | None:
    """Return the district the user administers, or None."""
    if not user.is_authenticated or not user.is_active:
        return None
    for membership in user.role_memberships:
        if membership.role == Role.DISTRICT_ADMIN:
            return membership.district
    return None


def get_administered_district_or_404(user) -> District:
    district = administered_district(user)
    if district is None:
        raise Http404("No district to manage")
    return district


def get_school_for_admin_or_404(user, pk: int) -> School:
    district = get_administered_district_or_404(user)
    return get_object_or_404(School, pk=pk, district=district)


def get_person_for_admin_or_404(user, pk: int) -> User:
    district = get_administered_district_or_404(user)
    return get_object_or_404(User, pk=pk, district=district)
