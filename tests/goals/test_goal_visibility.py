"""Who sees a teacher's goal: Goal.objects.visible_to and the goal page answer the same."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from goals.models import Goal
from pplearn.models import Role
from tests.factories import add_role, make_person
from tests.goals.goal_factories import ROLE_NAMES, S, assign_coach, make_cast, make_goal

pytestmark = pytest.mark.django_db

# Who sees world.teacher's goal, whatever its status.
ALWAYS = {
    "teacher",
    "collaborator",
    "coach",
    "principal",
    "coordinator",
    "coordinator_a",
    "district_admin",
}
# Teammates see it once it is shared with the approver, never as a draft or withdrawn.
SHARED_WITH_TEAM = {S.PROPOSED, S.APPROVED, S.COMPLETE}


def statuses_seen_by(role: str) -> set[str]:
    if role in ALWAYS:
        return set(S)
    if role == "teammate":
        return SHARED_WITH_TEAM
    return set()


@pytest.fixture
def cast(world):
    return make_cast(world)


@pytest.fixture
def goal_in(cast):
    def make(status: str) -> Goal:
        return make_goal(cast["teacher"], status=status, collaborators=[cast["collaborator"]])

    return make


@pytest.fixture
def goal_per_status(goal_in):
    """One goal of world.teacher in each status."""
    return {status: goal_in(status) for status in S}


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_who_sees_the_goal_in_each_status(cast, goal_per_status, role):
    visible = Goal.objects.visible_to(cast[role])

    expected = {goal_per_status[status] for status in statuses_seen_by(role)}
    assert set(visible) == expected
    assert visible.count() == len(expected)


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_the_goal_page_is_not_found_by_whoever_may_not_see_it(client, cast, goal_per_status, role):
    client.force_login(cast[role])

    answers = {
        status: client.get(reverse("goals:goal_detail", args=[goal.pk]))
        for status, goal in goal_per_status.items()
    }

    seen = statuses_seen_by(role)
    assert {s: r.status_code for s, r in answers.items()} == {
        s: 200 if s in seen else 404 for s in S
    }
    for status in seen:
        assert answers[status].context["goal"] == goal_per_status[status]


@pytest.mark.parametrize("role", sorted(ALWAYS | {"teammate"}))
def test_deactivated_people_see_no_goal(cast, goal_in, role):
    goal_in(S.APPROVED)
    person = cast[role]
    assert Goal.objects.visible_to(person).exists()

    person.is_active = False
    person.save()

    assert not Goal.objects.visible_to(person).exists()


def test_nobody_signed_in_sees_no_goal(cast, goal_in):
    goal_in(S.APPROVED)

    assert not Goal.objects.visible_to(AnonymousUser()).exists()


def test_the_goal_page_sends_a_deactivated_person_to_sign_in(client, cast, goal_in):
    goal = goal_in(S.APPROVED)
    principal = cast["principal"]
    client.force_login(principal)
    principal.is_active = False
    principal.save()

    response = client.get(reverse("goals:goal_detail", args=[goal.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_coach_sees_only_the_teachers_assigned_to_them(world, cast):
    assigned = make_goal(world.teacher, status=S.APPROVED)
    make_goal(cast["colleague"], status=S.APPROVED)
    make_goal(cast["teacher_b"], status=S.APPROVED)

    assert list(Goal.objects.visible_to(world.coach)) == [assigned]


def test_a_coach_assigned_at_two_schools_sees_both_teachers(world, cast):
    first = make_goal(world.teacher, status=S.DRAFT)
    assign_coach(world.coach, cast["teacher_b"], world.school_b)
    second = make_goal(cast["teacher_b"], status=S.DRAFT)

    assert set(Goal.objects.visible_to(world.coach)) == {first, second}


def test_a_principal_sees_every_goal_of_their_school_and_no_other(world, cast):
    mine = {
        make_goal(world.teacher, status=S.DRAFT),
        make_goal(cast["colleague"], status=S.WITHDRAWN),
    }
    make_goal(cast["teacher_b"], status=S.APPROVED)

    assert set(Goal.objects.visible_to(world.principal)) == mine


@pytest.mark.parametrize("who", ["coordinator", "district_admin"])
def test_district_wide_people_see_every_goal_of_their_district_only(world, cast, who):
    far_teacher = make_person(Role.TEACHER, school=world.other_school)
    make_goal(far_teacher, status=S.APPROVED)
    ours = {make_goal(world.teacher), make_goal(cast["teacher_b"], status=S.COMPLETE)}

    assert set(Goal.objects.visible_to(getattr(world, who))) == ours


def test_the_other_districts_people_see_none_of_ours(world, cast):
    make_goal(world.teacher, status=S.APPROVED)
    far_teacher = make_person(Role.TEACHER, school=world.other_school)
    theirs = make_goal(far_teacher, status=S.APPROVED)

    assert list(Goal.objects.visible_to(world.outsider)) == [theirs]
    assert list(Goal.objects.visible_to(cast["outsider_coordinator"])) == [theirs]


def test_teammates_see_each_others_shared_goals_both_ways(world, cast):
    theirs = make_goal(cast["teammate"], status=S.PROPOSED)
    make_goal(cast["teammate"], status=S.DRAFT)

    assert list(Goal.objects.visible_to(world.teacher)) == [theirs]


def test_a_goal_seen_several_ways_is_listed_once(world, cast):
    goal = make_goal(world.teacher, status=S.APPROVED, collaborators=[world.principal])
    add_role(world.principal, Role.COORDINATOR)

    assert list(Goal.objects.visible_to(world.principal)) == [goal]
