"""Who may read and change scoring guides, tier rules and the review policy.

Anyone with a role in the district reads the scoring guides (teachers should know how they
are scored); only district-wide coordinators and district administrators change them.
Everything else answers 404, never 403.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from pplearn.models import District, Role

from .models import Rubric


def settings_reader_district(user) -> District | None:
    """Return the district in which the user holds any role, or None."""
    if not user.is_authenticated or not user.is_active:
        return None
    for membership in user.role_memberships:
        if membership.district_id == user.district_id:
            return membership.district
    return None


def settings_editor_district(user) -> District | None:
    """Return the district whose review settings the user edits, or None."""
    if not user.is_authenticated or not user.is_active:
        return None
    for membership in user.role_memberships:
        if membership.role == Role.DISTRICT_ADMIN:
            return membership.district
        if membership.role == Role.COORDINATOR and membership.school_id is None:
            return membership.district
    return None


def can_edit_review_settings(user, district: District) -> bool:
    """Whether the user may change this district's scoring guides, tier rules and policy."""
    editable = settings_editor_district(user)
    if editable is None:
        return False
    return editable.pk == district.pk


def get_reader_district_or_404(user) -> District:
    district = settings_reader_district(user)
    if district is None:
        raise Http404("No scoring guides to read")
    return district


def get_editor_district_or_404(user) -> District:
    district = settings_editor_district(user)
    if district is None:
        raise Http404("No review settings to edit")
    return district


def get_rubric_for_reader_or_404(user, pk: int) -> Rubric:
    district = get_reader_district_or_404(user)
    return get_object_or_404(
        Rubric.objects.select_related("created_by").prefetch_related("criteria"),
        pk=pk,
        district=district,
    )
