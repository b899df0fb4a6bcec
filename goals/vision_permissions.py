"""Who may read and change the collective vision. Objects out of reach answer 404, not 403."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from pplearn.models import District, Role, School
from pplearn.permissions import administered_district, get_administered_district_or_404

from .models import StandardComponent, StandardDomain, StandardsFramework, SystemGoal


def reader_district(user) -> District | None:
    """Return the district in which the user holds a role, or None."""
    if not user.is_authenticated or not user.is_active:
        return None
    for membership in user.role_memberships:
        if membership.district_id == user.district_id:
            return membership.district
    return None


def get_reader_district_or_404(user) -> District:
    district = reader_district(user)
    if district is None:
        raise Http404("No district vision to read")
    return district


def led_schools(user) -> list[School]:
    """Schools where the user is principal, in name order."""
    if not user.is_authenticated or not user.is_active:
        return []
    return sorted(user.schools_for_role(Role.PRINCIPAL), key=lambda s: s.name)


def administers(user, district_id: int) -> bool:
    """Whether the user is a district administrator of this district."""
    district = administered_district(user)
    return district is not None and district.pk == district_id


def can_edit_school_vision(user, school: School) -> bool:
    """The district administrator, or the school's own principal."""
    if not user.is_authenticated or not user.is_active:
        return False
    if administers(user, school.district_id):
        return True
    return user.has_role(Role.PRINCIPAL, school)


def get_school_for_vision_editor_or_404(user, pk: int) -> School:
    school = get_object_or_404(School, pk=pk)
    if not can_edit_school_vision(user, school):
        raise Http404("No such school")
    return school


def get_system_goal_manager_district_or_404(user) -> District:
    """The district whose system goals the user manages: as administrator or as principal."""
    district = administered_district(user)
    if district is not None:
        return district
    schools = led_schools(user)
    if not schools:
        raise Http404("No system goals to manage")
    return schools[0].district


def can_create_system_goal(user, *, district_id: int, kind: str, schools) -> bool:
    """Administrators create any; a principal only an initiative of one school they lead."""
    if not user.is_authenticated or not user.is_active:
        return False
    if administers(user, district_id):
        return True
    if kind != SystemGoal.Kind.INITIATIVE:
        return False
    schools = list(schools)
    if len(schools) != 1:
        return False
    if schools[0].district_id != district_id:
        return False
    return user.has_role(Role.PRINCIPAL, schools[0])


def can_manage_system_goal(user, goal: SystemGoal) -> bool:
    """Whether the user may edit, archive and restore this goal as it stands now."""
    return can_create_system_goal(
        user, district_id=goal.district_id, kind=goal.kind, schools=goal.schools.all()
    )


def get_system_goal_for_manager_or_404(user, pk: int) -> SystemGoal:
    goal = get_object_or_404(
        SystemGoal.objects.select_related("district", "school_year", "created_by").prefetch_related(
            "schools"
        ),
        pk=pk,
    )
    if not can_manage_system_goal(user, goal):
        raise Http404("No such system goal")
    return goal


def get_framework_for_admin_or_404(user, pk: int) -> StandardsFramework:
    district = get_administered_district_or_404(user)
    return get_object_or_404(StandardsFramework, pk=pk, district=district)


def get_domain_for_admin_or_404(user, pk: int) -> StandardDomain:
    district = get_administered_district_or_404(user)
    return get_object_or_404(
        StandardDomain.objects.select_related("framework"), pk=pk, framework__district=district
    )


def get_component_for_admin_or_404(user, pk: int) -> StandardComponent:
    district = get_administered_district_or_404(user)
    return get_object_or_404(
        StandardComponent.objects.select_related("domain__framework"),
        pk=pk,
        domain__framework__district=district,
    )
