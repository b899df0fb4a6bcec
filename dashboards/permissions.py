"""Who may see a school's dashboard."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import get_object_or_404

from pplearn.models import District, Role, School


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


# Roles that see several schools side by side on the district dashboard.
DISTRICT_DASHBOARD_ROLES = frozenset({Role.COORDINATOR, Role.DISTRICT_ADMIN})


@dataclass(frozen=True, slots=True)
class SchoolRef:
    """What the district dashboard shows of a school: its id and name (a district's 200
    School objects cost more to build than the rest of the page's figures, issue 8)."""

    pk: int
    name: str


class Schools(list):
    """The schools a person may compare, in name order, and the query that chose them: the
    dashboard's queries filter by it (a subquery) rather than by a list of every id."""

    def __init__(self, queryset):
        super().__init__(SchoolRef(*row) for row in queryset.values_list("pk", "name"))
        self.queryset = queryset


def district_dashboard_scope_or_404(user) -> tuple[District, Schools]:
    """The district and the active schools the user may compare, or 404 if there are none.

    Administrators and district-wide coordinators see every school of their district; a
    coordinator serving chosen schools sees those only.
    """
    if not user.is_authenticated or not user.is_active:
        raise Http404("No district dashboard.")
    memberships = [m for m in user.role_memberships if m.role in DISTRICT_DASHBOARD_ROLES]
    if not memberships:
        raise Http404("No district dashboard.")
    districts = {m.district_id: m.district for m in memberships}
    # Someone with roles in two districts sees their own district's (the account's) first.
    district_id = user.district_id if user.district_id in districts else min(districts)
    wide = any(m.school_id is None and m.district_id == district_id for m in memberships)
    served = [m.school_id for m in memberships if m.school_id and m.district_id == district_id]
    schools = School.objects.active().filter(district_id=district_id).order_by("name")
    if not wide:
        schools = schools.filter(pk__in=served)
    return districts[district_id], Schools(schools)
