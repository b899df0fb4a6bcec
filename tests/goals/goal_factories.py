"""Factories and helpers for the teacher-goal workflow tests."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from coaching.models import CoachAssignment
from goals.models import Goal, SystemGoal, Team
from pplearn.models import District, Role, School, SchoolYear, User
from tests.factories import DistrictFactory, SchoolFactory, SchoolYearFactory, add_role, make_person

S = Goal.Status


def current_year(district: District) -> SchoolYear:
    return district.current_school_year() or SchoolYearFactory(district=district)


def later_year(district: District) -> SchoolYear:
    """The school year after the fixtures' current one (2026-27)."""
    return SchoolYearFactory(
        district=district,
        name="2027-28",
        start_date=datetime.date(2027, 8, 1),
        end_date=datetime.date(2028, 6, 30),
        is_current=False,
    )


def earlier_year(district: District) -> SchoolYear:
    return SchoolYearFactory(
        district=district,
        name="2025-26",
        start_date=datetime.date(2025, 8, 1),
        end_date=datetime.date(2026, 6, 30),
        is_current=False,
    )


class SystemGoalFactory(DjangoModelFactory):
    """A district-wide active system goal unless `schools` or `status` say otherwise."""

    class Meta:
        model = SystemGoal
        skip_postgeneration_save = True

    district = factory.SubFactory(DistrictFactory)
    school_year = factory.LazyAttribute(lambda o: current_year(o.district))
    title = factory.Sequence(lambda n: f"System goal {n}")
    description = "Every student explains their reasoning."
    status = SystemGoal.Status.ACTIVE

    @factory.post_generation
    def schools(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.schools.set(extracted)


def district_system_goal(district: District) -> SystemGoal:
    """The district-wide system goal goals link to by default (one per district)."""
    existing = SystemGoal.objects.filter(
        district=district, title="Academic discourse", schools__isnull=True
    ).first()
    return existing or SystemGoalFactory(district=district, title="Academic discourse")


class GoalFactory(DjangoModelFactory):
    """A goal complete enough to be proposed, linked to the district's system goal."""

    class Meta:
        model = Goal
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    teacher = factory.LazyAttribute(lambda o: make_person(Role.TEACHER, school=o.school))
    school_year = factory.LazyAttribute(lambda o: current_year(o.school.district))
    title = factory.Sequence(lambda n: f"Goal {n}")
    inquiry_question = "How can structured talk moves raise participation?"
    need = Goal.Need.PEDAGOGY
    desired_outcome = "Students justify their answers to each other."
    implementation_plan = "Teach two talk moves a week in math, with my third graders."
    impact_measure = "A participation checklist every Friday."
    target_tier = 2

    @factory.post_generation
    def system_goals(obj, create, extracted, **kwargs):  # noqa: N805
        if not create:
            return
        if extracted is None:
            extracted = [district_system_goal(obj.school.district)]
        obj.system_goals.set(extracted)

    @factory.post_generation
    def collaborators(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.collaborators.set(extracted)


def make_goal(
    teacher: User, school: School | None = None, *, status: str = S.DRAFT, **fields
) -> Goal:
    """A goal of `teacher` already in `status`, with the timestamps that status implies."""
    if school is None:
        school = teacher.schools_for_role(Role.TEACHER)[0]
    now = timezone.now()
    if status != S.DRAFT:
        fields.setdefault("proposed_at", now)
    if status in (S.APPROVED, S.COMPLETE, S.CHANGES_REQUESTED):
        fields.setdefault("decided_at", now)
    return GoalFactory(teacher=teacher, school=school, status=status, **fields)


def assign_coach(coach: User, teacher: User, school: School) -> CoachAssignment:
    return CoachAssignment.objects.create(
        coach=coach, teacher=teacher, school=school, school_year=current_year(school.district)
    )


def make_cast(world) -> dict[str, User]:
    """Everyone whose access to world.teacher's goals the tests check, by name.

    The collaborator, teammate and coach relations are set up here; the goal itself adds
    the collaborator (make_goal(..., collaborators=[cast["collaborator"]])).
    """
    a, b = world.school_a, world.school_b
    cast = {
        "teacher": world.teacher,
        "collaborator": make_person(Role.TEACHER, school=a, full_name="Cole Laborator"),
        "teammate": make_person(Role.TEACHER, school=a, full_name="Tam Mate"),
        "colleague": make_person(Role.TEACHER, school=a, full_name="Col League"),
        "teacher_b": make_person(Role.TEACHER, school=b, full_name="Bea Other"),
        "coach": world.coach,
        "other_coach": make_person(Role.COACH, school=a, full_name="Otto Coach"),
        "principal": world.principal,
        "principal_b": make_person(Role.PRINCIPAL, school=b, full_name="Pat Lincoln"),
        "coordinator": world.coordinator,
        "coordinator_a": make_person(Role.COORDINATOR, school=a, full_name="Cora Cedar"),
        "coordinator_b": make_person(Role.COORDINATOR, school=b, full_name="Cory Lincoln"),
        "district_admin": world.district_admin,
        "outsider": world.outsider,
        "outsider_coordinator": make_person(
            Role.COORDINATOR, district=world.other_district, full_name="Far Coordinator"
        ),
    }
    assign_coach(world.coach, world.teacher, a)
    team = Team.objects.create(school=a, school_year=current_year(world.district), name="Grade 3")
    team.members.set([world.teacher, cast["teammate"]])
    return cast


def teacher_who_also_leads(world, role: str) -> User:
    """A teacher of school A who is also its principal, or a district-wide coordinator."""
    person = make_person(Role.TEACHER, school=world.school_a, full_name="Dual Role")
    add_role(person, role, world.school_a if role == Role.PRINCIPAL else None)
    return person


# The workflow as the issue states it: who may take each action, and from which statuses.
ACTION_TARGET = {
    "propose": S.PROPOSED,
    "approve": S.APPROVED,
    "request_changes": S.CHANGES_REQUESTED,
    "withdraw": S.WITHDRAWN,
    "complete": S.COMPLETE,
}
# A status each action is legal from, for the role matrices.
ACTION_FROM = {
    "propose": S.DRAFT,
    "approve": S.PROPOSED,
    "request_changes": S.PROPOSED,
    "withdraw": S.APPROVED,
    "complete": S.APPROVED,
}
ALLOWED_ROLES = {
    "propose": {"teacher"},
    "approve": {"principal", "coordinator", "coordinator_a"},
    "request_changes": {"principal", "coordinator", "coordinator_a"},
    "withdraw": {"teacher"},
    "complete": {"teacher"},
}
LEGAL_MOVES = {
    ("propose", S.DRAFT),
    ("propose", S.CHANGES_REQUESTED),
    ("approve", S.PROPOSED),
    ("request_changes", S.PROPOSED),
    ("withdraw", S.DRAFT),
    ("withdraw", S.PROPOSED),
    ("withdraw", S.CHANGES_REQUESTED),
    ("withdraw", S.APPROVED),
    ("complete", S.APPROVED),
}
# The role that may take each action, for the status matrix.
ACTOR_OF = {
    "propose": "teacher",
    "approve": "principal",
    "request_changes": "principal",
    "withdraw": "teacher",
    "complete": "teacher",
}
ROLE_NAMES = [
    "teacher",
    "collaborator",
    "teammate",
    "colleague",
    "teacher_b",
    "coach",
    "other_coach",
    "principal",
    "principal_b",
    "coordinator",
    "coordinator_a",
    "coordinator_b",
    "district_admin",
    "outsider",
    "outsider_coordinator",
]
