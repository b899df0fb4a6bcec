"""The caseload and the overdue check-ins: the cadence, the order, and a fixed query count."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coaching import services
from coaching.models import ReminderSettings
from coaching.selectors import (
    caseload_for_coach,
    checkin_interval_days,
    overdue_checkins_for_school,
)
from evidence.models import Submission
from goals.models import Goal
from pplearn.models import Role, User
from tests.coaching.coaching_factories import (
    TODAY,
    approved_goal_on,
    assign,
    days_ago,
    log,
    teacher_at,
)
from tests.evidence.evidence_factories import in_status, passed_tier
from tests.factories import make_person
from tests.goals.goal_factories import current_year, earlier_year, make_goal

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(world):
    return current_year(world.district)


@pytest.fixture
def caseload(world, year):
    """Seven teachers of one coach, each at a different point of the cadence (14 days)."""
    a = world.school_a
    people = {}

    def coached(name, school=a):
        teacher = teacher_at(school, name)
        assign(world.coach, teacher, school, year)
        people[name] = teacher
        return teacher

    # Approved 30 days ago, never met: due 16 days ago.
    approved_goal_on(coached("Ann Overdue"), days_ago(30))
    # Approved 40 days ago, last met 20 days ago: due 6 days ago.
    approved_goal_on(coached("Ben Late"), days_ago(40))
    log(world.coach, people["Ben Late"], days_ago(35))
    log(world.coach, people["Ben Late"], days_ago(20))
    # Met 5 days ago: due in 9 days.
    approved_goal_on(coached("Cat Fine"), days_ago(60))
    log(world.coach, people["Cat Fine"], days_ago(5))
    # A draft goal: no cadence yet.
    make_goal(coached("Dan Draft"), status=Goal.Status.DRAFT)
    # No goal at all: no cadence yet.
    coached("Eve Nogoal")
    # Met 25 days ago to set the goal, approved 10 days ago: due 4 days from now.
    teacher = coached("Fay Goalsetting", world.school_b)
    log(world.coach, teacher, days_ago(25))
    approved_goal_on(teacher, days_ago(10), school=world.school_b)
    # Approved exactly 14 days ago: due today, not overdue yet.
    approved_goal_on(coached("Gus Today"), days_ago(14))
    return people


def names(rows) -> list[str]:
    return [row.teacher.full_name for row in rows]


def test_overdue_first_then_by_the_next_check_in_then_those_without_one(world, year, caseload):
    rows = caseload_for_coach(coach=world.coach, school_year=year)

    assert names(rows) == [
        "Ann Overdue",
        "Ben Late",
        "Gus Today",
        "Fay Goalsetting",
        "Cat Fine",
        "Dan Draft",
        "Eve Nogoal",
    ]
    by_name = {row.teacher.full_name: row for row in rows}
    due = {name: (row.next_due, row.days_overdue, row.is_overdue) for name, row in by_name.items()}
    assert due == {
        "Ann Overdue": (days_ago(16), 16, True),
        "Ben Late": (days_ago(6), 6, True),
        "Gus Today": (TODAY, 0, False),
        "Fay Goalsetting": (TODAY + datetime.timedelta(days=4), 0, False),
        "Cat Fine": (TODAY + datetime.timedelta(days=9), 0, False),
        "Dan Draft": (None, 0, False),
        "Eve Nogoal": (None, 0, False),
    }
    assert by_name["Ben Late"].last_conversation_on == days_ago(20)
    assert by_name["Ann Overdue"].last_conversation_on is None
    assert by_name["Cat Fine"].days_until_due == 9
    assert by_name["Dan Draft"].goal.status == Goal.Status.DRAFT
    assert by_name["Dan Draft"].tiers == []  # evidence opens once the goal is approved
    assert [t.state for t in by_name["Ann Overdue"].tiers] == ["open", "locked", "locked", "locked"]
    assert by_name["Eve Nogoal"].goal is None


def test_time_passing_makes_a_check_in_overdue(world, year, caseload, frozen_now):
    frozen_now.shift(datetime.timedelta(days=9))

    rows = caseload_for_coach(coach=world.coach, school_year=year)

    overdue = {row.teacher.full_name: row.days_overdue for row in rows if row.is_overdue}
    assert overdue == {"Ann Overdue": 25, "Ben Late": 15, "Gus Today": 9, "Fay Goalsetting": 5}
    assert names(rows)[4] == "Cat Fine"  # due today, still not overdue


def test_the_districts_interval_sets_the_cadence(world, year, caseload):
    ReminderSettings.objects.create(district=world.district, checkin_interval_days=7)

    rows = caseload_for_coach(coach=world.coach, school_year=year)

    by_name = {row.teacher.full_name: row for row in rows}
    assert by_name["Cat Fine"].next_due == days_ago(5) + datetime.timedelta(days=7)
    assert by_name["Gus Today"].days_overdue == 7
    assert checkin_interval_days(world.district) == 7


def test_without_reminder_settings_the_interval_is_14_days(world):
    assert checkin_interval_days(world.district) == 14
    assert not ReminderSettings.objects.exists()  # read with a default, never created


def test_the_caseload_is_the_coachs_own_for_that_year(world, year, caseload):
    other_coach = make_person(Role.COACH, school=world.school_a)
    theirs = teacher_at(world.school_a, "Zed Theirs")
    assign(other_coach, theirs, world.school_a, year)
    approved_goal_on(theirs, days_ago(60))
    assign(
        world.coach,
        teacher_at(world.school_a, "Old Year"),
        world.school_a,
        earlier_year(world.district),
    )

    rows = caseload_for_coach(coach=world.coach, school_year=year)

    assert "Zed Theirs" not in names(rows)
    assert "Old Year" not in names(rows)
    assert names(caseload_for_coach(coach=other_coach, school_year=year)) == ["Zed Theirs"]


def test_a_deactivated_teacher_leaves_the_caseload_and_the_overdue_list(world, year, caseload):
    User.objects.filter(pk=caseload["Ann Overdue"].pk).update(is_active=False)

    assert "Ann Overdue" not in names(caseload_for_coach(coach=world.coach, school_year=year))
    assert "Ann Overdue" not in names(
        overdue_checkins_for_school(school=world.school_a, school_year=year)
    )


def test_another_coachs_conversation_does_not_count_for_this_coach(world, year):
    teacher = teacher_at(world.school_a, "Two Coaches")
    other_coach = make_person(Role.COACH, school=world.school_a)
    assign(world.coach, teacher, world.school_a, year)
    assign(other_coach, teacher, world.school_a, year)
    approved_goal_on(teacher, days_ago(30))
    log(other_coach, teacher, days_ago(1))

    (row,) = caseload_for_coach(coach=world.coach, school_year=year)

    assert row.last_conversation_on is None
    assert row.is_overdue


def test_a_row_shows_the_current_goal_with_its_tiers_and_open_steps(world, year):
    teacher = teacher_at(world.school_a, "Tia Tiers")
    assign(world.coach, teacher, world.school_a, year)
    make_goal(teacher, status=Goal.Status.WITHDRAWN, title="Dropped")
    goal = approved_goal_on(teacher, days_ago(30), title="Talk moves", target_tier=3)
    passed_tier(goal, 1)
    in_status(goal, 2, Submission.Status.SUBMITTED)
    conversation = log(world.coach, teacher, days_ago(3), next_steps=["One", "Two", "Three"])
    services.next_step_toggle(step=conversation.next_steps.first(), actor=teacher)

    (row,) = caseload_for_coach(coach=world.coach, school_year=year)

    assert row.goal == goal
    assert [(t.tier, t.state, t.is_target) for t in row.tiers] == [
        (1, "passed", False),
        (2, "submitted", False),
        (3, "locked", True),
        (4, "locked", False),
    ]
    assert row.open_steps == 2
    assert row.last_conversation_id == conversation.pk


def test_the_caseload_query_count_does_not_grow_with_the_teachers(world, year):
    def add_teachers(count: int, start: int) -> None:
        for n in range(start, start + count):
            teacher = teacher_at(world.school_a, f"Teacher {n:02d}")
            assign(world.coach, teacher, world.school_a, year)
            goal = approved_goal_on(teacher, days_ago(20 + n))
            passed_tier(goal, 1)
            log(world.coach, teacher, days_ago(n % 10))

    add_teachers(3, 0)
    with CaptureQueriesContext(connection) as few:
        rows = caseload_for_coach(coach=world.coach, school_year=year)
        assert [len(row.tiers) for row in rows] == [4] * 3
    add_teachers(12, 3)
    with CaptureQueriesContext(connection) as many:
        rows = caseload_for_coach(coach=world.coach, school_year=year)
        assert [len(row.tiers) for row in rows] == [4] * 15

    assert len(many) == len(few)


def test_the_principal_sees_who_is_overdue_and_by_how_much(world, year, caseload):
    rows = overdue_checkins_for_school(school=world.school_a, school_year=year)

    assert [(r.teacher.full_name, r.coach, r.days_overdue) for r in rows] == [
        ("Ann Overdue", world.coach, 16),
        ("Ben Late", world.coach, 6),
    ]


def test_overdue_check_ins_of_another_school_are_not_listed(world, year, caseload, frozen_now):
    frozen_now.shift(datetime.timedelta(days=10))

    rows_a = overdue_checkins_for_school(school=world.school_a, school_year=year)
    rows_b = overdue_checkins_for_school(school=world.school_b, school_year=year)

    assert "Fay Goalsetting" not in names(rows_a)
    assert names(rows_b) == ["Fay Goalsetting"]
