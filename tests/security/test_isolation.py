"""Objects of other schools and districts never show: not in lists, searches, exports or
counts, and their own pages answer 404.

Each page is read before and after another school's or district's data is added; what a
person sees must not change by a single character (the CSRF tokens aside).
"""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coaching.models import CoachAssignment
from dashboards.tables import dashboard_tables
from evidence.models import Submission
from goals.models import Goal
from pplearn.models import Role
from tests.coaching.coaching_factories import log
from tests.evidence.evidence_factories import submitted
from tests.evidence.payroll_factories import make_payout
from tests.factories import make_person
from tests.goals.goal_factories import SystemGoalFactory, current_year, make_goal
from tests.goals.team_factories import TeamFactory

STRANGER = "Zebulon Farfield"  # a teacher of the other school or district


def visible(response) -> str:
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r"hx-headers='[^']*'", "", html)


def someone_elsewhere(school, *, system_goal: bool = True):
    """A teacher of `school` with work at every stage: goals, evidence, payouts, coaching.

    A system goal belongs to the whole district, so school A rightly sees one of school B's
    district: leave it out when the other school is in our district.
    """
    district = school.district
    teacher = make_person(
        Role.TEACHER, school=school, full_name=STRANGER, email=f"zeb@{district.slug}.org"
    )
    goal = make_goal(teacher, school, status=Goal.Status.APPROVED, target_tier=4)
    submitted(goal, 1)
    make_goal(teacher, school, status=Goal.Status.PROPOSED, title=f"{STRANGER}'s proposal")
    make_payout(teacher, school=school, goal_title=f"{STRANGER}'s paid goal")
    TeamFactory(school=school, name=f"{STRANGER}'s team").members.set([teacher])
    if system_goal:
        SystemGoalFactory(district=district, title=f"{STRANGER}'s system goal")
    coach = make_person(Role.COACH, school=school, full_name="Far Coach")
    CoachAssignment.objects.create(
        coach=coach, teacher=teacher, school=school, school_year=current_year(district)
    )
    log(coach, teacher)
    return teacher, goal


def pages(objects) -> list[tuple[str, str]]:
    """(role, url) pairs of lists, searches, exports and counts of our district."""
    w = objects.world
    school_csvs = [
        ("principal", reverse("dashboards:school_csv", args=[w.school_a.pk, table]))
        for table in dashboard_tables(school=w.school_a, school_year=objects.school_year)
    ]
    return [
        ("teacher", reverse("home")),
        ("teacher", reverse("goals:team_list")),
        ("teacher", reverse("evidence:rubric_list")),
        ("coordinator", reverse("evidence:review_queue")),
        ("coordinator", reverse("evidence:review_queue") + "?teacher=Zeb"),
        ("coordinator", reverse("goals:approval_list")),
        ("coordinator", reverse("evidence:payout_list")),
        ("principal", reverse("home")),
        ("principal", reverse("evidence:review_queue")),
        ("principal", reverse("goals:approval_list")),
        ("principal", reverse("dashboards:school", args=[w.school_a.pk])),
        ("principal", reverse("access_log")),
        ("principal", reverse("coaching:assignment_list")),
        *school_csvs,
        ("district_admin", reverse("home")),
        ("district_admin", reverse("manage:person_list")),
        ("district_admin", reverse("manage:person_list") + "?q=Zebulon"),
        ("district_admin", reverse("goals:system_goal_list")),
        ("district_admin", reverse("evidence:payout_list")),
    ]


def read_all(objects, wanted) -> dict:
    clients = {}
    seen = {}
    for role, url in wanted:
        if role not in clients:
            clients[role] = Client()
            clients[role].force_login(getattr(objects.world, role))
        response = clients[role].get(url)
        assert response.status_code == 200, (role, url, response.status_code)
        seen[(role, url)] = visible(response)
    return seen


@pytest.fixture
def frozen():
    with time_machine.travel(timezone.now(), tick=False):
        yield


def test_another_districts_data_changes_nothing_we_see(objects, frozen):
    wanted = pages(objects)
    before = read_all(objects, wanted)

    someone_elsewhere(objects.world.other_school)

    after = read_all(objects, wanted)
    changed = [key for key in wanted if before[key] != after[key]]
    assert not changed, f"pages that show another district's data: {changed}"
    assert all(STRANGER not in page for page in after.values())


SCHOOL_A_ONLY = {"teacher", "principal"}


def test_another_schools_data_changes_nothing_school_a_sees(objects, frozen):
    wanted = [(role, url) for role, url in pages(objects) if role in SCHOOL_A_ONLY]
    before = read_all(objects, wanted)

    someone_elsewhere(objects.world.school_b, system_goal=False)

    after = read_all(objects, wanted)
    changed = [key for key in wanted if before[key] != after[key]]
    assert not changed, f"pages of school A that show school B's data: {changed}"


def test_the_district_does_see_its_other_school(objects, frozen):
    """The comparison above can fail: a district-wide reader sees school B's new teacher."""
    someone_elsewhere(objects.world.school_b)

    seen = read_all(objects, [("district_admin", reverse("manage:person_list") + "?q=Zebulon")])

    assert STRANGER in next(iter(seen.values()))


def test_objects_of_another_school_answer_404_to_school_a(objects):
    w = objects.world
    teacher_b, goal_b = someone_elsewhere(w.school_b)
    submission_b = Submission.objects.get(goal=goal_b, tier=1)
    team_b = teacher_b.teams.get()
    principal, teacher = Client(), Client()
    principal.force_login(w.principal)
    teacher.force_login(w.teacher)

    for client in (principal, teacher):
        for url in (
            reverse("goals:goal_detail", args=[goal_b.pk]),
            reverse("evidence:submission_detail", args=[submission_b.pk]),
            reverse("evidence:review_score", args=[submission_b.pk]),
            reverse("goals:team_detail", args=[team_b.pk]),
            reverse("dashboards:school", args=[w.school_b.pk]),
            reverse("dashboards:school_csv", args=[w.school_b.pk, "participation"]),
            reverse("access_log") + f"?school={w.school_b.pk}",
        ):
            assert client.get(url).status_code == 404, url


def test_objects_of_another_district_answer_404_to_every_role(objects):
    w = objects.world
    stranger, goal = someone_elsewhere(w.other_school)
    submission = Submission.objects.get(goal=goal, tier=1)
    urls = [
        reverse("goals:goal_detail", args=[goal.pk]),
        reverse("evidence:submission_detail", args=[submission.pk]),
        reverse("evidence:review_score", args=[submission.pk]),
        reverse("dashboards:school", args=[w.other_school.pk]),
        reverse("manage:person_edit", args=[stranger.pk]),
        reverse("coaching:conversation_create", args=[stranger.pk]),
        reverse("coaching:reminder_pause", args=[stranger.pk]),
    ]
    for role in ("teacher", "coach", "coordinator", "principal", "district_admin"):
        client = Client()
        client.force_login(getattr(w, role))
        for url in urls:
            assert client.get(url).status_code == 404, (role, url)


def test_our_own_teacher_with_the_same_data_does_show(objects, frozen):
    """And the lists are not simply empty: our teacher's proposal is in the approvals."""
    make_goal(objects.teacher, objects.world.school_a, status=Goal.Status.PROPOSED, title="Ours")
    seen = read_all(objects, [("principal", reverse("goals:approval_list"))])
    assert "Ours" in next(iter(seen.values()))


def test_the_fixture_makes_a_teacher_with_work(objects):
    teacher, goal = someone_elsewhere(objects.world.other_school)
    assert goal.submissions.filter(tier=1, status=Submission.Status.SUBMITTED).exists()
    assert teacher.payouts.count() == 1
