"""Who sees which schools and people, role predicates, and the constraints the database keeps."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction

from pplearn.models import Membership, Role, School, SchoolYear, User
from pplearn.roles import roles_for
from tests.factories import SchoolYearFactory, UserFactory, add_role, make_person

pytestmark = pytest.mark.django_db


def _emails(queryset) -> set[str]:
    return set(queryset.values_list("email", flat=True))


# The people of the world fixture, by the attribute that holds them.
DISTRICT_STAFF = {"teacher", "coach", "principal", "coordinator", "district_admin"}
AT_SCHOOL_A = {"teacher", "coach", "principal"}


def _people(world, attributes) -> set[str]:
    return {getattr(world, name).email for name in attributes}


# School.objects.visible_to


# One test for all roles (the world fixture is not cheap); a failure shows the whole table.
SCHOOLS_SEEN = {
    "teacher": {"school_a"},
    "principal": {"school_a"},
    "coach": {"school_a", "school_b"},
    "coordinator": {"school_a", "school_b"},
    "district_admin": {"school_a", "school_b"},
    "outsider": {"other_school"},
}
# School roles see the people of their schools; district-wide people stay hidden from them.
PEOPLE_SEEN = {
    "teacher": AT_SCHOOL_A,
    "principal": AT_SCHOOL_A,
    "coach": AT_SCHOOL_A,
    "coordinator": DISTRICT_STAFF,
    "district_admin": DISTRICT_STAFF,
    "outsider": {"outsider"},
}


def test_schools_visible_to_each_role(world):
    seen = {
        person: {s.name for s in School.objects.visible_to(getattr(world, person))}
        for person in SCHOOLS_SEEN
    }

    assert seen == {
        person: {getattr(world, school).name for school in schools}
        for person, schools in SCHOOLS_SEEN.items()
    }


def test_superuser_sees_every_school(world):
    superuser = UserFactory(is_superuser=True, district=None)

    assert set(School.objects.visible_to(superuser)) == {
        world.school_a,
        world.school_b,
        world.other_school,
    }


def test_anonymous_sees_no_school(world):
    assert not School.objects.visible_to(AnonymousUser()).exists()


def test_deactivated_person_sees_no_school(world):
    world.district_admin.is_active = False
    world.district_admin.save()

    assert not School.objects.visible_to(world.district_admin).exists()


def test_coordinator_serving_chosen_schools_sees_only_those(world):
    coordinator = make_person(Role.COORDINATOR, school=world.school_b)

    assert list(School.objects.visible_to(coordinator)) == [world.school_b]


def test_new_school_becomes_visible_to_district_wide_roles_only(world):
    new_school = School.objects.create(district=world.district, name="New Elementary")

    assert new_school in School.objects.visible_to(world.district_admin)
    assert new_school in School.objects.visible_to(world.coordinator)
    assert new_school not in School.objects.visible_to(world.teacher)
    assert new_school not in School.objects.visible_to(world.outsider)


# User.objects.visible_to


def test_people_visible_to_each_role(world):
    seen = {
        person: _emails(User.objects.visible_to(getattr(world, person))) for person in PEOPLE_SEEN
    }

    assert seen == {person: _people(world, names) for person, names in PEOPLE_SEEN.items()}


def test_coach_sees_people_of_every_school_they_coach(world):
    teacher_b = make_person(Role.TEACHER, school=world.school_b)

    assert teacher_b in User.objects.visible_to(world.coach)
    assert teacher_b not in User.objects.visible_to(world.teacher)
    assert teacher_b not in User.objects.visible_to(world.principal)


def test_other_district_admin_sees_only_their_people(world):
    colleague = make_person(Role.TEACHER, school=world.other_school)

    assert _emails(User.objects.visible_to(world.outsider)) == {
        world.outsider.email,
        colleague.email,
    }


def test_superuser_sees_everyone(world):
    superuser = UserFactory(is_superuser=True, district=None)

    assert User.objects.visible_to(superuser).count() == User.objects.count() == 7


def test_anonymous_sees_no_one(world):
    assert not User.objects.visible_to(AnonymousUser()).exists()


def test_deactivated_person_sees_no_one(world):
    world.coordinator.is_active = False
    world.coordinator.save()

    assert not User.objects.visible_to(world.coordinator).exists()


def test_person_without_role_sees_only_themself(world):
    loner = UserFactory(district=world.district)

    assert list(User.objects.visible_to(loner)) == [loner]
    assert not School.objects.visible_to(loner).exists()


# Role predicates


def test_roles_lists_every_role_held(world):
    add_role(world.coach, Role.TEACHER, world.school_a)

    assert world.coach.roles == {Role.COACH, Role.TEACHER}
    assert world.teacher.roles == {Role.TEACHER}
    assert roles_for(world.coach) == [Role.COACH, Role.TEACHER]


def test_roles_of_person_without_membership_are_empty(world):
    assert UserFactory(district=world.district).roles == set()
    assert roles_for(AnonymousUser()) == []


def test_has_role_at_a_school(world):
    assert world.teacher.has_role(Role.TEACHER)
    assert world.teacher.has_role(Role.TEACHER, world.school_a)
    assert not world.teacher.has_role(Role.TEACHER, world.school_b)
    assert not world.teacher.has_role(Role.COACH)
    assert world.coach.has_role(Role.COACH, world.school_a)
    assert world.coach.has_role(Role.COACH, world.school_b)
    assert not world.coach.has_role(Role.COACH, world.other_school)


def test_district_wide_role_covers_only_schools_of_its_district(world):
    assert world.coordinator.has_role(Role.COORDINATOR, world.school_a)
    assert world.district_admin.has_role(Role.DISTRICT_ADMIN, world.school_b)
    assert not world.coordinator.has_role(Role.COORDINATOR, world.other_school)
    assert not world.district_admin.has_role(Role.DISTRICT_ADMIN, world.other_school)


def test_has_role_sees_a_role_added_later(world):
    assert not world.teacher.has_role(Role.COACH)

    add_role(world.teacher, Role.COACH, world.school_b)

    assert world.teacher.has_role(Role.COACH, world.school_b)


def test_schools_for_role(world):
    add_role(world.coach, Role.TEACHER, world.school_a)

    assert set(world.coach.schools_for_role(Role.COACH)) == {world.school_a, world.school_b}
    assert world.coach.schools_for_role(Role.TEACHER) == [world.school_a]
    assert world.coach.schools_for_role(Role.PRINCIPAL) == []
    # District-wide roles are held at no particular school.
    assert world.coordinator.schools_for_role(Role.COORDINATOR) == []


def test_district_current_school_year(world):
    SchoolYearFactory(
        district=world.district,
        name="2025-26",
        start_date=datetime.date(2025, 8, 1),
        end_date=datetime.date(2026, 6, 30),
        is_current=False,
    )

    assert world.district.current_school_year().name == "2026-27"
    assert world.other_district.current_school_year() is None


# Constraints kept by the database


def test_school_role_without_school_is_refused(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=world.coordinator, district=world.district, role=Role.TEACHER, school=None
        )


def test_district_admin_with_school_is_refused(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=world.teacher,
            district=world.district,
            role=Role.DISTRICT_ADMIN,
            school=world.school_a,
        )


def test_duplicate_school_membership_is_refused(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=world.teacher, district=world.district, role=Role.TEACHER, school=world.school_a
        )
    # The same role at another school is a second, legitimate membership.
    Membership.objects.create(
        user=world.teacher, district=world.district, role=Role.TEACHER, school=world.school_b
    )
    assert world.teacher.memberships.count() == 2


def test_duplicate_district_wide_membership_is_refused(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=world.coordinator, district=world.district, role=Role.COORDINATOR
        )


def test_one_current_school_year_per_district(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        SchoolYearFactory(district=world.district, name="2027-28", is_current=True)
    # A past year, or the current year of another district, is fine.
    SchoolYearFactory(district=world.district, name="2025-26", is_current=False)
    SchoolYearFactory(district=world.other_district, is_current=True)
    assert SchoolYear.objects.filter(is_current=True).count() == 2


def test_school_year_must_end_after_it_starts(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        SchoolYearFactory(
            district=world.other_district,
            start_date=datetime.date(2026, 8, 1),
            end_date=datetime.date(2026, 8, 1),
        )


def test_email_is_unique_case_insensitively(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        # objects.create skips the manager's lower-casing, as a raw import would.
        User.objects.create(email="Teacher@Example.ORG", full_name="Copy Cat")

    User.objects.create(email="teacher2@example.org", full_name="Someone Else")


def test_create_user_stores_email_lower_case(world):
    person = User.objects.create_user("New.Person@Example.ORG", full_name="New Person")

    assert person.email == "new.person@example.org"
    assert not person.has_usable_password()


def test_employee_id_is_unique_per_district(world):
    world.teacher.employee_id = "E100"
    world.teacher.save()

    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(district=world.district, employee_id="E100")
    # Another district may reuse it, and blank IDs never clash.
    UserFactory(district=world.other_district, employee_id="E100")
    UserFactory(district=world.district, employee_id="")
    UserFactory(district=world.district, employee_id="")


def test_school_name_is_unique_per_district_case_insensitively(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        School.objects.create(district=world.district, name="cedar creek ELEMENTARY")

    School.objects.create(district=world.other_district, name="Cedar Creek Elementary")


def test_str_of_membership_names_its_place(world):
    teacher_membership = world.teacher.memberships.get()
    coordinator_membership = world.coordinator.memberships.get()

    assert str(teacher_membership) == "Teacher at Cedar Creek Elementary"
    assert str(coordinator_membership) == "Coordinator at Maple Valley"
