"""Shared fixtures: a small district with one person per role."""

from dataclasses import dataclass

import pytest

from pplearn.models import District, Role, School, User
from tests.factories import (
    TEST_PASSWORD,
    DistrictFactory,
    SchoolFactory,
    SchoolYearFactory,
    add_role,
    make_person,
)

FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Hash passwords cheaply: the default hasher costs a noticeable fraction of a second."""
    settings.PASSWORD_HASHERS = [FAST_HASHER]


@dataclass
class World:
    district: District
    school_a: School
    school_b: School
    teacher: User
    coach: User
    principal: User
    coordinator: User
    district_admin: User
    other_district: District
    other_school: School
    outsider: User
    password: str = TEST_PASSWORD


@pytest.fixture
def world(db) -> World:
    """Two schools in one district, a person in each role, and a second district."""
    district = DistrictFactory(name="Maple Valley", slug="maple-valley")
    SchoolYearFactory(district=district)
    school_a = SchoolFactory(district=district, name="Cedar Creek Elementary")
    school_b = SchoolFactory(
        district=district, name="Lincoln Middle", grade_band=School.GradeBand.MIDDLE
    )
    coach = make_person(Role.COACH, school=school_a, email="coach@example.org")
    add_role(coach, Role.COACH, school_b)
    other_district = DistrictFactory(name="Elsewhere", slug="elsewhere")
    other_school = SchoolFactory(district=other_district, name="Far Away High")
    return World(
        district=district,
        school_a=school_a,
        school_b=school_b,
        teacher=make_person(Role.TEACHER, school=school_a, email="teacher@example.org"),
        coach=coach,
        principal=make_person(Role.PRINCIPAL, school=school_a, email="principal@example.org"),
        coordinator=make_person(
            Role.COORDINATOR, district=district, email="coordinator@example.org"
        ),
        district_admin=make_person(
            Role.DISTRICT_ADMIN, district=district, email="admin@example.org"
        ),
        other_district=other_district,
        other_school=other_school,
        outsider=make_person(
            Role.DISTRICT_ADMIN, district=other_district, email="outsider@example.org"
        ),
    )
