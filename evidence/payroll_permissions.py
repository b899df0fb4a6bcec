"""Who may see payouts and export payroll. Out-of-reach pages and batches answer 404."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import get_object_or_404

from pplearn.models import District, Membership, Role, School

from .models import PayrollBatch


@dataclass(frozen=True)
class PayrollAccess:
    """What the payouts page shows a user: a district, and all its schools or only some."""

    district: District
    can_export: bool
    schools: tuple[School, ...] | None  # None: every school of the district


def _exports_for(membership: Membership) -> bool:
    """District administrators and district-wide coordinators export their district's payroll."""
    if membership.role == Role.DISTRICT_ADMIN:
        return True
    if membership.role != Role.COORDINATOR:
        return False
    return membership.school_id is None


def can_export_payroll(user, district: District) -> bool:
    """Whether the user may export the district's payroll and download its batches."""
    if not user.is_authenticated:
        return False
    if not user.is_active:
        return False
    return any(m.district_id == district.pk and _exports_for(m) for m in user.role_memberships)


def payroll_access(user) -> PayrollAccess | None:
    """The user's view of payouts, or None when they have none."""
    if not user.is_authenticated:
        return None
    if not user.is_active:
        return None
    # A person with roles in several districts sees their own district first.
    memberships = sorted(user.role_memberships, key=lambda m: m.district_id != user.district_id)
    for membership in memberships:
        if _exports_for(membership):
            return PayrollAccess(district=membership.district, can_export=True, schools=None)
    served = [m for m in memberships if m.role == Role.COORDINATOR and m.school_id is not None]
    if not served:
        return None
    district = served[0].district
    schools = tuple(m.school for m in served if m.district_id == district.pk)
    return PayrollAccess(district=district, can_export=False, schools=schools)


def get_payroll_access_or_404(user) -> PayrollAccess:
    access = payroll_access(user)
    if access is None:
        raise Http404("No payouts to show")
    return access


def get_export_district_or_404(user) -> District:
    access = get_payroll_access_or_404(user)
    if not access.can_export:
        raise Http404("No payroll to export")
    return access.district


def get_batch_for_exporter_or_404(user, pk: int) -> PayrollBatch:
    batch = get_object_or_404(PayrollBatch.objects.select_related("district"), pk=pk)
    if not can_export_payroll(user, batch.district):
        raise Http404("No such batch")
    return batch
