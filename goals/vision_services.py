"""Every change to the collective vision: vision statements, system goals and standards.

Each write checks its actor, runs in a transaction and leaves an audit row. The reads behind
the vision pages follow at the end (they would sit in a selectors module of their own).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Prefetch, Q, QuerySet

from pplearn.audit import audit_record
from pplearn.models import District, Role, School, SchoolYear, User

from .models import StandardComponent, StandardDomain, StandardsFramework, SystemGoal, Vision
from .vision_permissions import (
    administers,
    can_create_system_goal,
    can_edit_school_vision,
    can_manage_system_goal,
)

# Vision statements


def vision_update(
    *, actor: User, district: District, school: School | None = None, statement: str
) -> Vision | None:
    """Write the district's vision (no school) or a school's; an empty school vision is removed."""
    if school is None and not administers(actor, district.pk):
        raise PermissionDenied("Only a district administrator may edit the district vision.")
    if school is not None and not can_edit_school_vision(actor, school):
        raise PermissionDenied("Only the principal or an administrator may edit this vision.")
    if school is not None and school.district_id != district.pk:
        raise PermissionDenied("This school belongs to another district.")
    statement = statement.strip()
    if school is None and not statement:
        raise ValidationError("Write the district's vision statement.")
    with transaction.atomic():
        vision = (
            Vision.objects.select_for_update()
            .filter(district=district, school=school)
            .order_by("pk")
            .first()
        )
        before = vision.statement if vision else ""
        if statement == before:
            return vision
        if vision is None:
            vision = Vision.objects.create(
                district=district, school=school, statement=statement, updated_by=actor
            )
        elif statement:
            vision.statement = statement
            vision.updated_by = actor
            vision.save(update_fields=["statement", "updated_by", "updated_at"])
        audit_record(
            actor=actor,
            verb="vision.update",
            target=vision,
            district=district,
            data={"school": school.pk if school else None, "from": before, "to": statement},
        )
        if not statement:
            vision.delete()
            return None
    return vision


# System goals


def _system_goal_check(
    *, district: District, school_year: SchoolYear, schools: list[School]
) -> None:
    if school_year.district_id != district.pk:
        raise ValidationError("Choose a school year of your own district.")
    if any(s.district_id != district.pk for s in schools):
        raise ValidationError("Choose schools of your own district.")


def _system_goal_state(goal: SystemGoal) -> dict[str, Any]:
    return {
        "title": goal.title,
        "description": goal.description,
        "kind": goal.kind,
        "school_year": goal.school_year_id,
        "schools": sorted(s.pk for s in goal.schools.all()),
    }


def system_goal_create(
    *,
    actor: User,
    district: District,
    school_year: SchoolYear,
    title: str,
    description: str = "",
    kind: str = SystemGoal.Kind.SYSTEM_GOAL,
    schools: Iterable[School] = (),
) -> SystemGoal:
    """Add a system goal or schoolwide initiative, district-wide or for chosen schools."""
    schools = list(schools)
    if not can_create_system_goal(actor, district_id=district.pk, kind=kind, schools=schools):
        raise PermissionDenied("You may not add this system goal.")
    _system_goal_check(district=district, school_year=school_year, schools=schools)
    with transaction.atomic():
        goal = SystemGoal.objects.create(
            district=district,
            school_year=school_year,
            title=title.strip(),
            description=description.strip(),
            kind=kind,
            created_by=actor,
        )
        goal.schools.set(schools)
        audit_record(
            actor=actor,
            verb="system_goal.create",
            target=goal,
            district=district,
            data=_system_goal_state(goal),
        )
    return goal


def system_goal_update(
    *,
    actor: User,
    goal: SystemGoal,
    school_year: SchoolYear,
    title: str,
    description: str,
    kind: str,
    schools: Iterable[School],
) -> SystemGoal:
    """Change a system goal; a principal may neither widen it nor move it to another school."""
    schools = list(schools)
    if not can_manage_system_goal(actor, goal):
        raise PermissionDenied("You may not change this system goal.")
    if not can_create_system_goal(actor, district_id=goal.district_id, kind=kind, schools=schools):
        raise PermissionDenied("You may not give this system goal that kind or those schools.")
    _system_goal_check(district=goal.district, school_year=school_year, schools=schools)
    with transaction.atomic():
        before = _system_goal_state(goal)
        goal.school_year = school_year
        goal.title = title.strip()
        goal.description = description.strip()
        goal.kind = kind
        goal.save(update_fields=["school_year", "title", "description", "kind"])
        goal.schools.set(schools)
        # Drop the prefetched schools so the state below reads what was just stored.
        getattr(goal, "_prefetched_objects_cache", {}).pop("schools", None)
        after = _system_goal_state(goal)
        changed = {key for key in after if after[key] != before[key]}
        if changed:
            audit_record(
                actor=actor,
                verb="system_goal.update",
                target=goal,
                district=goal.district,
                data={
                    "from": {k: before[k] for k in sorted(changed)},
                    "to": {k: after[k] for k in sorted(changed)},
                },
            )
    return goal


def _system_goal_move(*, actor: User, goal: SystemGoal, to: str, verb: str) -> SystemGoal:
    if not can_manage_system_goal(actor, goal):
        raise PermissionDenied("You may not change this system goal.")
    with transaction.atomic():
        locked = SystemGoal.objects.select_for_update().get(pk=goal.pk)
        if locked.status == to:
            raise ValidationError(
                f"“{goal.title}” is already {SystemGoal.Status(to).label.lower()}.",
                code="invalid_transition",
            )
        goal.status = to
        goal.save(update_fields=["status"])
        audit_record(
            actor=actor,
            verb=verb,
            target=goal,
            district=goal.district,
            data={"from": locked.status, "to": to},
        )
    return goal


def system_goal_archive(*, actor: User, goal: SystemGoal) -> SystemGoal:
    """Archive a system goal: teachers no longer see or choose it; existing links stay."""
    return _system_goal_move(
        actor=actor, goal=goal, to=SystemGoal.Status.ARCHIVED, verb="system_goal.archive"
    )


def system_goal_restore(*, actor: User, goal: SystemGoal) -> SystemGoal:
    """Bring an archived system goal back."""
    return _system_goal_move(
        actor=actor, goal=goal, to=SystemGoal.Status.ACTIVE, verb="system_goal.restore"
    )


# Standards frameworks, their domains and components


def _require_admin_of(actor: User, district_id: int) -> None:
    if not administers(actor, district_id):
        raise PermissionDenied("Only a district administrator of this district may do this.")


def _changes(obj, fields: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Assign fields to obj; return what changed as {"from": ..., "to": ...}."""
    before = {name: getattr(obj, name) for name in fields}
    for name, value in fields.items():
        setattr(obj, name, value)
    changed = sorted(name for name in fields if fields[name] != before[name])
    return {
        "from": {name: before[name] for name in changed},
        "to": {name: fields[name] for name in changed},
    }


def framework_update(
    *, actor: User, framework: StandardsFramework, name: str, description: str, is_active: bool
) -> StandardsFramework:
    """Rename a framework, describe it, or switch it off for new goals."""
    _require_admin_of(actor, framework.district_id)
    with transaction.atomic():
        diff = _changes(
            framework,
            {"name": name.strip(), "description": description.strip(), "is_active": is_active},
        )
        if diff["to"]:
            framework.save(update_fields=["name", "description", "is_active"])
            audit_record(
                actor=actor,
                verb="framework.update",
                target=framework,
                district=framework.district,
                data=diff,
            )
    return framework


def _next_position(queryset: QuerySet) -> int:
    highest = queryset.aggregate(highest=Max("position"))["highest"]
    return 0 if highest is None else highest + 1


def standard_domain_create(
    *,
    actor: User,
    framework: StandardsFramework,
    name: str,
    code: str = "",
    position: int | None = None,
) -> StandardDomain:
    """Add a domain (a group of components) at the end of a framework unless placed."""
    _require_admin_of(actor, framework.district_id)
    with transaction.atomic():
        if position is None:
            position = _next_position(framework.domains.all())
        domain = StandardDomain.objects.create(
            framework=framework, code=code.strip(), name=name.strip(), position=position
        )
        audit_record(
            actor=actor,
            verb="standard.create",
            target=domain,
            district=framework.district,
            data={"framework": framework.pk, "code": domain.code, "name": domain.name},
        )
    return domain


def standard_domain_update(
    *, actor: User, domain: StandardDomain, name: str, code: str, position: int | None = None
) -> StandardDomain:
    """Rename, recode or move a domain (no position keeps its place)."""
    _require_admin_of(actor, domain.framework.district_id)
    if position is None:
        position = domain.position
    with transaction.atomic():
        diff = _changes(domain, {"name": name.strip(), "code": code.strip(), "position": position})
        if diff["to"]:
            domain.save(update_fields=["name", "code", "position"])
            audit_record(
                actor=actor,
                verb="standard.update",
                target=domain,
                district=domain.framework.district,
                data=diff,
            )
    return domain


def _goal_count_locking(components: QuerySet[StandardComponent]) -> int:
    """Count the goals tagged with the components, locking them so no tag appears meanwhile."""
    ids = list(components.select_for_update().values_list("pk", flat=True))
    return (
        StandardComponent.goals.through.objects.filter(standardcomponent__in=ids)
        .values("goal")
        .distinct()
        .count()
    )


def standard_domain_delete(*, actor: User, domain: StandardDomain) -> None:
    """Delete a domain and its components, unless a teacher goal is tagged with one of them."""
    _require_admin_of(actor, domain.framework.district_id)
    with transaction.atomic():
        in_use = _goal_count_locking(domain.components.all())
        if in_use:
            raise ValidationError(
                f"“{domain}” cannot be deleted: {_goals(in_use)} tagged with its components. "
                "Rename it instead.",
                code="standard_in_use",
            )
        audit_record(
            actor=actor,
            verb="standard.delete",
            target=domain,
            district=domain.framework.district,
            data={"framework": domain.framework_id, "code": domain.code, "name": domain.name},
        )
        domain.delete()


def standard_component_create(
    *,
    actor: User,
    domain: StandardDomain,
    name: str,
    code: str = "",
    description: str = "",
    position: int | None = None,
) -> StandardComponent:
    """Add a component (what a goal is tagged with) at the end of a domain unless placed."""
    _require_admin_of(actor, domain.framework.district_id)
    with transaction.atomic():
        if position is None:
            position = _next_position(domain.components.all())
        component = StandardComponent.objects.create(
            domain=domain,
            code=code.strip(),
            name=name.strip(),
            description=description.strip(),
            position=position,
        )
        audit_record(
            actor=actor,
            verb="standard.create",
            target=component,
            district=domain.framework.district,
            data={"domain": domain.pk, "code": component.code, "name": component.name},
        )
    return component


def standard_component_update(
    *,
    actor: User,
    component: StandardComponent,
    name: str,
    code: str,
    description: str,
    position: int | None = None,
) -> StandardComponent:
    """Rename, recode, describe or move a component; goals tagged with it keep the tag."""
    _require_admin_of(actor, component.domain.framework.district_id)
    if position is None:
        position = component.position
    with transaction.atomic():
        diff = _changes(
            component,
            {
                "name": name.strip(),
                "code": code.strip(),
                "description": description.strip(),
                "position": position,
            },
        )
        if diff["to"]:
            component.save(update_fields=["name", "code", "description", "position"])
            audit_record(
                actor=actor,
                verb="standard.update",
                target=component,
                district=component.domain.framework.district,
                data=diff,
            )
    return component


def standard_component_delete(*, actor: User, component: StandardComponent) -> None:
    """Delete a component nobody's goal is tagged with."""
    _require_admin_of(actor, component.domain.framework.district_id)
    with transaction.atomic():
        in_use = _goal_count_locking(StandardComponent.objects.filter(pk=component.pk))
        if in_use:
            raise ValidationError(
                f"“{component}” cannot be deleted: {_goals(in_use)} tagged with it. "
                "Rename it instead.",
                code="standard_in_use",
            )
        audit_record(
            actor=actor,
            verb="standard.delete",
            target=component,
            district=component.domain.framework.district,
            data={"domain": component.domain_id, "code": component.code, "name": component.name},
        )
        component.delete()


def _goals(count: int) -> str:
    return "1 teacher goal is" if count == 1 else f"{count} teacher goals are"


# Reads behind the vision pages


def vision_page_schools(*, user: User, district: District) -> QuerySet[School]:
    """The active schools whose vision and goals the user reads, with their vision."""
    return (
        School.objects.visible_to(user)
        .filter(district=district, is_active=True)
        .select_related("vision")
        .order_by("name")
    )


def vision_page_system_goals(*, district: District, schools) -> QuerySet[SystemGoal]:
    """Active system goals of the district that apply to any of the schools."""
    applicable = SystemGoal.objects.filter(
        Q(schools__isnull=True) | Q(schools__in=schools), district=district
    ).values("pk")
    return (
        SystemGoal.objects.active()
        .filter(pk__in=applicable)
        .select_related("school_year")
        .prefetch_related(Prefetch("schools", queryset=School.objects.order_by("name")))
        # "system_goal" sorts after "initiative": descending puts the district's goals first.
        .order_by("-kind", "-school_year__start_date", "title")
    )


def system_goal_list_for_manager(
    *,
    user: User,
    district: District,
    school_year: SchoolYear | None = None,
    status: str = "",
) -> QuerySet[SystemGoal]:
    """The district's system goals a manager sees: all for an administrator, else their schools'."""
    goals = SystemGoal.objects.filter(district=district)
    if not administers(user, district.pk):
        led = [s.pk for s in user.schools_for_role(Role.PRINCIPAL)]
        applicable = SystemGoal.objects.filter(Q(schools__isnull=True) | Q(schools__in=led))
        goals = goals.filter(pk__in=applicable.values("pk"))
    if school_year is not None:
        goals = goals.filter(school_year=school_year)
    if status:
        goals = goals.filter(status=status)
    return (
        goals.select_related("school_year")
        .prefetch_related(Prefetch("schools", queryset=School.objects.order_by("name")))
        .annotate(teacher_goal_count=Count("teacher_goals", distinct=True))
        .order_by("status", "-school_year__start_date", "title")
    )


def framework_list_for_district(*, district: District) -> QuerySet[StandardsFramework]:
    return (
        StandardsFramework.objects.filter(district=district)
        .annotate(
            domain_count=Count("domains", distinct=True),
            component_count=Count("domains__components", distinct=True),
        )
        .order_by("-is_active", "name")
    )


def framework_for_page(framework: StandardsFramework) -> StandardsFramework:
    """The framework with its domains and components, each counting the goals tagged with it."""
    components = StandardComponent.objects.annotate(
        goal_count=Count("goals", distinct=True)
    ).order_by("position", "name")
    domains = StandardDomain.objects.annotate(
        goal_count=Count("components__goals", distinct=True)
    ).prefetch_related(Prefetch("components", queryset=components))
    return (
        StandardsFramework.objects.filter(pk=framework.pk)
        .prefetch_related(Prefetch("domains", queryset=domains.order_by("position", "name")))
        .get()
    )
