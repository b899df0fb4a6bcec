"""factory_boy factories for the core models."""

import datetime

import factory
from factory.django import DjangoModelFactory
from faker import Faker

from pplearn.models import District, Membership, Role, School, SchoolYear, User

TEST_PASSWORD = "correct-horse-battery"
_fake = Faker()


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"District {n}")
    slug = factory.Sequence(lambda n: f"district-{n}")


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"School {n}")
    grade_band = School.GradeBand.ELEMENTARY


class SchoolYearFactory(DjangoModelFactory):
    class Meta:
        model = SchoolYear

    district = factory.SubFactory(DistrictFactory)
    name = "2026-27"
    start_date = datetime.date(2026, 8, 1)
    end_date = datetime.date(2027, 6, 30)
    is_current = True


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.LazyFunction(lambda: f"{_fake.first_name()} {_fake.last_name()}")
    district = factory.SubFactory(DistrictFactory)
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)
    district = factory.LazyAttribute(lambda m: m.school.district if m.school else m.user.district)
    role = Role.TEACHER


def make_person(
    role: str, *, school: School | None = None, district: District | None = None, **user_fields
) -> User:
    """Create a person holding one role (at a school for school roles)."""
    if school is not None:
        district = school.district
    if district is None:
        district = DistrictFactory()
    user = UserFactory(district=district, **user_fields)
    Membership.objects.create(user=user, role=role, school=school, district=district)
    return user


def add_role(user: User, role: str, school: School | None = None) -> None:
    """Give an existing person one more role."""
    Membership.objects.create(
        user=user, role=role, school=school, district=school.district if school else user.district
    )
    user._membership_cache = None
