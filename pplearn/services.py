"""Every write to people and schools goes through here: checked, audited, atomic."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from dashboards.rollups import rollup_refresh_schools

from .audit import audit_record
from .models import District, Membership, Role, School, SchoolYear, User
from .permissions import administered_district


@dataclass
class RoleAssignment:
    """The roles a district administrator gives a person."""

    teacher_schools: list[School] = field(default_factory=list)
    coach_schools: list[School] = field(default_factory=list)
    principal_schools: list[School] = field(default_factory=list)
    coordinator: bool = False
    district_admin: bool = False

    def wanted(self) -> set[tuple[str, int | None]]:
        rows: set[tuple[str, int | None]] = set()
        rows |= {(Role.TEACHER.value, s.pk) for s in self.teacher_schools}
        rows |= {(Role.COACH.value, s.pk) for s in self.coach_schools}
        rows |= {(Role.PRINCIPAL.value, s.pk) for s in self.principal_schools}
        if self.coordinator:
            rows.add((Role.COORDINATOR.value, None))
        if self.district_admin:
            rows.add((Role.DISTRICT_ADMIN.value, None))
        return rows

    def schools(self) -> list[School]:
        return [*self.teacher_schools, *self.coach_schools, *self.principal_schools]


def _require_admin_of(actor: User, district: District) -> None:
    if actor.is_superuser:
        return
    if administered_district(actor) != district:
        raise PermissionDenied("Only a district administrator of this district may do this.")


def _check_schools_in_district(schools, district: District) -> None:
    if any(s.district_id != district.pk for s in schools):
        raise ValidationError("Every school must belong to the person's district.")


def school_create(*, actor: User, district: District, name: str, grade_band: str) -> School:
    """Add a school to the district."""
    _require_admin_of(actor, district)
    with transaction.atomic():
        school = School.objects.create(district=district, name=name.strip(), grade_band=grade_band)
        audit_record(
            actor=actor,
            verb="school.create",
            target=school,
            district=district,
            data={"name": school.name, "grade_band": grade_band},
        )
    return school


def school_update(*, actor: User, school: School, name: str, grade_band: str) -> School:
    """Rename a school or change its grade band."""
    _require_admin_of(actor, school.district)
    before = {"name": school.name, "grade_band": school.grade_band}
    with transaction.atomic():
        school.name = name.strip()
        school.grade_band = grade_band
        school.save(update_fields=["name", "grade_band"])
        after = {"name": school.name, "grade_band": school.grade_band}
        if after != before:
            audit_record(
                actor=actor,
                verb="school.update",
                target=school,
                district=school.district,
                data={"from": before, "to": after},
            )
    return school


def school_set_active(*, actor: User, school: School, active: bool) -> School:
    """Deactivate a school (it keeps its people and history) or bring it back."""
    _require_admin_of(actor, school.district)
    if school.is_active == active:
        return school
    with transaction.atomic():
        school.is_active = active
        school.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            verb="school.reactivate" if active else "school.deactivate",
            target=school,
            district=school.district,
        )
    return school


def _memberships_sync(*, person: User, district: District, roles: RoleAssignment) -> dict:
    current = {(m.role, m.school_id): m for m in person.memberships.all()}
    wanted = roles.wanted()
    removed = [key for key in current if key not in wanted]
    added = [key for key in wanted if key not in current]
    if removed:
        Membership.objects.filter(pk__in=[current[k].pk for k in removed]).delete()
    Membership.objects.bulk_create(
        Membership(user=person, district=district, role=role, school_id=school_id)
        for role, school_id in added
    )
    rollup_refresh_schools(
        school_ids=[school for role, school in removed + added if role == Role.TEACHER]
    )
    person._membership_cache = None
    return {
        "added": sorted(map(list, added), key=str),
        "removed": sorted(map(list, removed), key=str),
    }


def person_create(
    *,
    actor: User,
    district: District,
    email: str,
    full_name: str,
    employee_id: str = "",
    roles: RoleAssignment,
    send_welcome: bool = True,
) -> User:
    """Add a person to the district with their roles, and email them a link to set a password."""
    _require_admin_of(actor, district)
    _check_schools_in_district(roles.schools(), district)
    with transaction.atomic():
        person = User.objects.create_user(
            email=email,
            password=None,
            full_name=full_name.strip(),
            employee_id=employee_id.strip(),
            district=district,
        )
        changes = _memberships_sync(person=person, district=district, roles=roles)
        audit_record(
            actor=actor,
            verb="person.create",
            target=person,
            district=district,
            data={"email": person.email, "roles": changes["added"]},
        )
        if send_welcome:
            transaction.on_commit(lambda: person_send_sign_in_link(person=person, welcome=True))
    return person


def person_update(
    *,
    actor: User,
    person: User,
    email: str,
    full_name: str,
    employee_id: str,
    roles: RoleAssignment,
) -> User:
    """Change a person's details and roles."""
    district = person.district
    _require_admin_of(actor, district)
    _check_schools_in_district(roles.schools(), district)
    if person.pk == actor.pk and not roles.district_admin:
        raise ValidationError("You cannot remove your own district administrator role.")
    before = {
        "email": person.email,
        "full_name": person.full_name,
        "employee_id": person.employee_id,
    }
    with transaction.atomic():
        person.email = User.objects.normalize_email(email).lower()
        person.full_name = full_name.strip()
        person.employee_id = employee_id.strip()
        person.save(update_fields=["email", "full_name", "employee_id"])
        after = {
            "email": person.email,
            "full_name": person.full_name,
            "employee_id": person.employee_id,
        }
        changes = _memberships_sync(person=person, district=district, roles=roles)
        if before != after or changes["added"] or changes["removed"]:
            audit_record(
                actor=actor,
                verb="person.update",
                target=person,
                district=district,
                data={"from": before, "to": after, **changes},
            )
    return person


def person_set_active(*, actor: User, person: User, active: bool) -> User:
    """Deactivate a person (they can no longer sign in; their history stays) or reactivate."""
    _require_admin_of(actor, person.district)
    if person.pk == actor.pk and not active:
        raise ValidationError("You cannot deactivate your own account.")
    if person.is_active == active:
        return person
    with transaction.atomic():
        person.is_active = active
        person.save(update_fields=["is_active"])
        rollup_refresh_schools(
            school_ids=person.memberships.filter(role=Role.TEACHER).values_list(
                "school_id", flat=True
            )
        )
        audit_record(
            actor=actor,
            verb="person.reactivate" if active else "person.deactivate",
            target=person,
            district=person.district,
        )
    return person


def person_send_sign_in_link(*, person: User, welcome: bool = False) -> None:
    """Email the person a single-use link to choose a password."""
    if not person.is_active:
        return
    from django.conf import settings

    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = default_token_generator.make_token(person)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    base_url = getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    context = {"person": person, "link": f"{base_url}{path}", "welcome": welcome}
    subject = "Welcome to pplearn" if welcome else "Your pplearn sign-in link"
    body = render_to_string("registration/person_sign_in_link_email.txt", context)
    send_mail(subject, body, None, [person.email])


def school_year_save(
    *,
    actor: User,
    district: District,
    name: str,
    start_date,
    end_date,
    school_year: SchoolYear | None = None,
) -> SchoolYear:
    """Add a school year to the district, or change one."""
    _require_admin_of(actor, district)
    if end_date <= start_date:
        raise ValidationError("A school year ends after it starts.")
    with transaction.atomic():
        clash = SchoolYear.objects.filter(district=district, name__iexact=name.strip())
        if school_year is not None:
            clash = clash.exclude(pk=school_year.pk)
        if clash.exists():
            raise ValidationError(f"Your district already has a school year called {name}.")
        if school_year is None:
            school_year = SchoolYear.objects.create(
                district=district, name=name.strip(), start_date=start_date, end_date=end_date
            )
            verb, data = "school_year.create", {"name": school_year.name}
        else:
            before = {
                "name": school_year.name,
                "start": str(school_year.start_date),
                "end": str(school_year.end_date),
            }
            school_year.name = name.strip()
            school_year.start_date = start_date
            school_year.end_date = end_date
            school_year.save(update_fields=["name", "start_date", "end_date"])
            verb = "school_year.update"
            data = {
                "from": before,
                "to": {"name": school_year.name, "start": str(start_date), "end": str(end_date)},
            }
        audit_record(actor=actor, verb=verb, target=school_year, district=district, data=data)
    return school_year


def school_year_make_current(*, actor: User, school_year: SchoolYear) -> SchoolYear:
    """Make this the district's current school year: new goals and teams go into it."""
    district = school_year.district
    _require_admin_of(actor, district)
    with transaction.atomic():
        previous = (
            SchoolYear.objects.select_for_update()
            .filter(district=district, is_current=True)
            .first()
        )
        if previous is not None and previous.pk == school_year.pk:
            return school_year
        SchoolYear.objects.filter(district=district, is_current=True).update(is_current=False)
        SchoolYear.objects.filter(pk=school_year.pk).update(is_current=True)
        school_year.is_current = True
        audit_record(
            actor=actor,
            verb="school_year.make_current",
            target=school_year,
            district=district,
            data={"from": previous.name if previous else None, "to": school_year.name},
        )
    return school_year
