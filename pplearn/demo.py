"""The demo district: realistic people and schools, built idempotently from a fixed seed."""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from faker import Faker

from .models import District, Membership, Role, School, SchoolYear, User

DEMO_PASSWORD = "pplearn-demo"  # noqa: S105 - printed for the demo on purpose
DOMAIN = "maplevalley.example"
SEED = 2026

SCHOOLS = [
    ("Cedar Creek Elementary", School.GradeBand.ELEMENTARY),
    ("Lincoln Middle School", School.GradeBand.MIDDLE),
    ("Maple Valley High School", School.GradeBand.HIGH),
]
TEACHERS_PER_SCHOOL = 20


@dataclass
class DemoLogin:
    role: str
    name: str
    email: str


def _person(email: str, full_name: str, district: District, employee_id: str, **extra) -> User:
    # Match on the employee ID when there is one, so that a demo loaded by an earlier
    # version (whose generated addresses could differ) is completed, not duplicated.
    lookup = {"district": district, "employee_id": employee_id} if employee_id else {"email": email}
    user, created = User.objects.get_or_create(
        **lookup,
        defaults={
            "email": email,
            "full_name": full_name,
            "district": district,
            "employee_id": employee_id,
            **extra,
        },
    )
    if created:
        # One hash for every demo login: hashing 70 passwords would take most of a minute.
        user.password = _demo_password_hash()
        user.save(update_fields=["password"])
    return user


@functools.cache
def _demo_password_hash() -> str:
    return make_password(DEMO_PASSWORD)


def _member(user: User, role: str, district: District, school: School | None = None) -> None:
    Membership.objects.get_or_create(user=user, role=role, school=school, district=district)


@transaction.atomic
def demo_district_load() -> list[DemoLogin]:
    """Create the demo district, or complete it; running it again creates nothing twice."""
    fake = Faker("en_US")
    fake.seed_instance(SEED)
    district, _ = District.objects.get_or_create(
        slug="maple-valley",
        defaults={"name": "Maple Valley School District", "timezone": "America/Chicago"},
    )
    SchoolYear.objects.get_or_create(
        district=district,
        name="2025-26",
        defaults={"start_date": datetime.date(2025, 8, 1), "end_date": datetime.date(2026, 6, 30)},
    )
    SchoolYear.objects.get_or_create(
        district=district,
        name="2026-27",
        defaults={
            "start_date": datetime.date(2026, 8, 1),
            "end_date": datetime.date(2027, 6, 30),
            "is_current": True,
        },
    )
    schools = []
    for name, band in SCHOOLS:
        school, _ = School.objects.get_or_create(
            district=district, name=name, defaults={"grade_band": band}
        )
        schools.append(school)
    elementary, middle, high = schools

    # Generate every name first, whatever already exists, so the sequence never shifts.
    names = [
        f"{fake.unique.first_name()} {fake.last_name()}"
        for _ in range(len(schools) * TEACHERS_PER_SCHOOL + 8)
    ]
    employee = iter(range(10001, 20000))

    def named(email_local: str | None, full_name: str, **extra) -> User:
        local = email_local or full_name.lower().replace(" ", ".").replace("'", "")
        # Titles such as "Mr." or "MD" would leave dots no email address may have.
        local = re.sub(r"\.{2,}", ".", local).strip(".")
        return _person(f"{local}@{DOMAIN}", full_name, district, f"E{next(employee)}", **extra)

    logins: list[DemoLogin] = []

    admin = named("admin", names.pop())
    _member(admin, Role.DISTRICT_ADMIN, district)
    logins.append(DemoLogin("District administrator", admin.full_name, admin.email))

    coordinator = named("coordinator", names.pop())
    _member(coordinator, Role.COORDINATOR, district)
    logins.append(DemoLogin("Coordinator", coordinator.full_name, coordinator.email))

    for index, school in enumerate(schools):
        principal = named("principal" if index == 0 else None, names.pop())
        _member(principal, Role.PRINCIPAL, district, school)
        if index == 0:
            logins.append(
                DemoLogin(f"Principal ({school.name})", principal.full_name, principal.email)
            )

    coach_schools = [[elementary, middle], [middle, high], [high]]
    for index, served in enumerate(coach_schools):
        coach = named("coach" if index == 0 else None, names.pop())
        for school in served:
            _member(coach, Role.COACH, district, school)
        if index == 0:
            # A teacher-coach: teaches part-time too, so the demo shows switching roles.
            _member(coach, Role.TEACHER, district, elementary)
            logins.append(
                DemoLogin("Coach (also teaches: switch roles)", coach.full_name, coach.email)
            )

    for index, school in enumerate(schools):
        for n in range(TEACHERS_PER_SCHOOL):
            is_demo_teacher = index == 0 and n == 0
            teacher = named("teacher" if is_demo_teacher else None, names.pop())
            _member(teacher, Role.TEACHER, district, school)
            if is_demo_teacher:
                logins.append(DemoLogin("Teacher", teacher.full_name, teacher.email))

    it = _person(f"it@{DOMAIN}", "IT Support", district, "", is_staff=True, is_superuser=True)
    logins.append(DemoLogin("Django admin (/admin/)", it.full_name, it.email))
    return logins
