"""A team shares its members' goals of its own school year with members and facilitator."""

import pytest

from goals.models import Goal
from pplearn.models import Role
from tests.factories import make_person
from tests.goals.goal_factories import earlier_year, make_goal
from tests.goals.team_factories import TeamFactory

pytestmark = pytest.mark.django_db


def _colleague(world):
    return make_person(Role.TEACHER, school=world.school_a, email="colleague@example.org")


def test_a_facilitator_who_is_not_a_member_sees_the_members_shared_goals(world):
    colleague = _colleague(world)
    goal = make_goal(colleague, status=Goal.Status.APPROVED)
    draft = make_goal(colleague, status=Goal.Status.DRAFT)
    outsider_coach = make_person(Role.COACH, school=world.school_a, email="c2@example.org")
    TeamFactory(school=world.school_a, members=[colleague], facilitator=outsider_coach)

    visible = set(Goal.objects.visible_to(outsider_coach))

    assert goal in visible
    assert draft not in visible


def test_last_years_team_does_not_share_this_years_goals(world):
    colleague = _colleague(world)
    this_year_goal = make_goal(colleague, status=Goal.Status.APPROVED)
    last_year = earlier_year(world.district)
    old_goal = make_goal(colleague, status=Goal.Status.COMPLETE, school_year=last_year)
    TeamFactory(school=world.school_a, school_year=last_year, members=[colleague, world.teacher])

    visible = set(Goal.objects.visible_to(world.teacher))

    assert old_goal in visible
    assert this_year_goal not in visible
