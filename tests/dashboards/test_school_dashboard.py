"""The principal's school dashboard: every figure against a hand-built school, the query
count at two school sizes, and who may see which school (page and CSV exports)."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coaching.models import Conversation
from dashboards.tables import dashboard_tables
from evidence.models import Payout, Review, Submission
from goals.models import Goal, SystemGoal
from pplearn.models import Role
from tests.evidence.review_factories import current_rubric, words
from tests.factories import make_person
from tests.goals.goal_factories import (
    SystemGoalFactory,
    current_year,
    earlier_year,
    make_goal,
)

pytestmark = pytest.mark.django_db
G = Goal.Status
S = Submission.Status
TABLES = [
    "participation",
    "goals-by-status",
    "tier-funnel",
    "alignment",
    "unaddressed",
    "reviews",
    "coaching",
    "stalled",
    "earnings",
    "tiers-by-month",
]


def _submission(goal, tier, status, *, version=1, decided=None, previous=None, ago=None):
    submission = Submission.objects.create(
        goal=goal,
        tier=tier,
        version=version,
        status=status,
        reflection=words(20),
        submitted_at=None if status == S.DRAFT else timezone.now(),
        decided_at=decided,
        previous=previous,
        rubric=current_rubric(goal.school.district, tier),
    )
    if ago is not None:
        Submission.objects.filter(pk=submission.pk).update(updated_at=timezone.now() - ago)
    return submission


def _review(submission, reviewer, days):
    return Review.objects.create(
        submission=submission,
        reviewer=reviewer,
        rubric=submission.rubric,
        outcome=Review.Outcome.RETURNED
        if submission.status == S.SUPERSEDED
        else Review.Outcome.PASSED,
        waited=datetime.timedelta(days=days),
    )


def _payout(submission, amount, credit):
    return Payout.objects.create(
        teacher=submission.goal.teacher,
        submission=submission,
        district=submission.goal.school.district,
        tier=submission.tier,
        amount=Decimal(amount),
        credit=Decimal(credit),
    )


def _moment(year, month, day):
    return timezone.make_aware(datetime.datetime(year, month, day, 12))


@pytest.fixture
def school(world):
    """School A, built by hand so that every figure is known; school B and another year
    hold data that must never count."""
    a, b, district = world.school_a, world.school_b, world.district
    year = current_year(district)
    now = timezone.now()
    long_ago = now - datetime.timedelta(days=40)
    last_year = earlier_year(district)
    t1 = world.teacher
    t2 = make_person(Role.TEACHER, school=a, full_name="Tess Two")
    t3 = make_person(Role.TEACHER, school=a, full_name="Theo Three")
    t4 = make_person(Role.TEACHER, school=a, full_name="Tara Four")
    make_person(Role.TEACHER, school=a, full_name="Gone Away", is_active=False)
    teacher_b = make_person(Role.TEACHER, school=b, full_name="Bea Other")

    discourse = SystemGoalFactory(district=district, title="Academic discourse")
    reading = SystemGoalFactory(district=district, title="Reading growth", schools=[a])
    SystemGoalFactory(district=district, title="Belonging", schools=[b])
    SystemGoalFactory(district=district, title="Family engagement")
    SystemGoalFactory(district=district, title="Old initiative", status=SystemGoal.Status.ARCHIVED)
    shared = SystemGoalFactory(district=district, title="Attendance", schools=[a, b])
    SystemGoalFactory(district=district, title="Last year's goal", school_year=last_year)

    g1 = make_goal(t1, a, status=G.APPROVED, title="Talk moves", system_goals=[discourse])
    g2 = make_goal(
        t2, a, status=G.COMPLETE, title="Guided reading", system_goals=[discourse, reading]
    )
    make_goal(t3, a, status=G.DRAFT, title="Draft idea", system_goals=[reading])
    make_goal(t3, a, status=G.WITHDRAWN, title="Dropped", system_goals=[discourse])
    g5 = make_goal(
        t4,
        a,
        status=G.APPROVED,
        title="=HYPERLINK(1)",
        system_goals=[discourse],
        decided_at=long_ago,
    )
    g6 = make_goal(
        t4,
        a,
        status=G.APPROVED,
        title="Waiting one",
        system_goals=[reading],
        decided_at=long_ago,
    )
    Goal.objects.filter(pk__in=[g5.pk, g6.pk]).update(created_at=now - datetime.timedelta(60))
    make_goal(t3, a, status=G.APPROVED, title="Last year", school_year=last_year)
    gb = make_goal(
        teacher_b,
        b,
        status=G.APPROVED,
        title="Lincoln goal",
        system_goals=[discourse, shared],
        decided_at=long_ago,
    )

    reviewer = world.coordinator
    g1_t1 = _submission(g1, 1, S.PASSED, decided=_moment(2026, 9, 15))
    _submission(g1, 2, S.SUBMITTED)
    _submission(g1, 3, S.DRAFT)
    g2_t1_v1 = _submission(g2, 1, S.SUPERSEDED)
    g2_t1_v2 = _submission(
        g2, 1, S.PASSED, version=2, previous=g2_t1_v1, decided=_moment(2026, 10, 3)
    )
    g2_t2 = _submission(g2, 2, S.PASSED, decided=_moment(2026, 10, 20))
    _submission(g6, 1, S.SUBMITTED, ago=datetime.timedelta(days=40))
    _review(g2_t1_v1, reviewer, 1)
    _review(g2_t1_v2, reviewer, 3)
    _review(g2_t2, reviewer, 10)
    _review(g1_t1, reviewer, 2)
    _payout(g1_t1, "75.00", "0.25")
    _payout(g2_t1_v2, "75.00", "0.25")
    _payout(g2_t2, "80.00", "0.50")
    gb_t1 = _submission(gb, 1, S.PASSED, decided=_moment(2026, 9, 1))
    _submission(gb, 2, S.SUBMITTED)
    _review(gb_t1, reviewer, 100)
    _payout(gb_t1, "999.00", "9.00")

    today = timezone.localdate()
    for teacher, days in [(t1, 10), (t4, 45), (t2, 1), (teacher_b, 1)]:
        Conversation.objects.create(
            coach=world.coach,
            teacher=teacher,
            school_year=year,
            held_on=today - datetime.timedelta(days=days),
        )
    return {"school": a, "year": year, "now": now, "stalled": g5, "t4": t4}


EXPECTED = {
    "participation": [
        ["Teachers", 4],
        ["Teachers with an approved goal", 3],
        ["Share with an approved goal", "75%"],
    ],
    "goals-by-status": [
        ["Draft", 1],
        ["Proposed", 0],
        ["Changes requested", 0],
        ["Approved", 3],
        ["Complete", 1],
        ["Withdrawn", 1],
    ],
    "tier-funnel": [
        ["Tier 1 Learning", 3, 2],
        ["Tier 2 Implementation", 2, 1],
        ["Tier 3 Impact", 0, 0],
        ["Tier 4 Sharing", 0, 0],
    ],
    "alignment": [
        ["Academic discourse", 3],
        ["Reading growth", 3],
        ["Attendance", 0],
        ["Family engagement", 0],
    ],
    "unaddressed": [["Attendance"], ["Family engagement"]],
    "reviews": [["Submissions waiting for review", 2], ["Median turnaround (days)", "2.5"]],
    "coaching": [
        ["Approved goals", 3],
        ["With a conversation in the last 30 days", 1],
        ["Share covered", "33%"],
    ],
    "earnings": [
        ["Tier 1 Learning", 2, "150.00", "0.50"],
        ["Tier 2 Implementation", 1, "80.00", "0.50"],
        ["Tier 3 Impact", 0, "0.00", "0.00"],
        ["Tier 4 Sharing", 0, "0.00", "0.00"],
        ["Total", 3, "230.00", "1.00"],
    ],
    "tiers-by-month": [["2026-09", 1], ["2026-10", 2]],
}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_every_figure_is_exact(school, key):
    tables = dashboard_tables(
        school=school["school"], school_year=school["year"], now=school["now"]
    )
    assert tables[key].rows == EXPECTED[key]


def test_stalled_goals_are_listed_with_links(school):
    tables = dashboard_tables(
        school=school["school"], school_year=school["year"], now=school["now"]
    )
    stalled = school["stalled"]
    assert tables["stalled"].rows == [
        [
            stalled.title,
            school["t4"].full_name,
            timezone.localdate(stalled.decided_at).isoformat(),
            40,
        ]
    ]
    assert tables["stalled"].links == [stalled.get_absolute_url()]


def test_page_shows_figures_charts_and_links(client, world, school):
    client.force_login(world.principal)
    response = client.get(reverse("dashboards:school", args=[world.school_a.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('role="img"') == 4
    assert "<title>Tier 1 Learning, Reached: 3</title>" in html
    assert 'y="222" font-size="12" fill="#212529">Passed</text>' in html  # the legend
    assert "style=" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert f'href="{school["stalled"].get_absolute_url()}"' in html
    for key in TABLES:
        url = reverse("dashboards:school_csv", args=[world.school_a.pk, key])
        assert f'href="{url}?year={school["year"].pk}"' in html


def test_home_links_the_principal_to_the_dashboard(client, world):
    client.force_login(world.principal)
    html = client.get(reverse("home")).content.decode()
    assert reverse("dashboards:school", args=[world.school_a.pk]) in html
    assert reverse("dashboards:school", args=[world.school_b.pk]) not in html


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_csv_holds_its_table(client, world, school, key):
    client.force_login(world.principal)
    response = client.get(reverse("dashboards:school_csv", args=[world.school_a.pk, key]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[1:] == [[str(cell) for cell in row] for row in EXPECTED[key]]


def test_csv_cells_that_look_like_formulas_are_made_inert(client, world, school):
    client.force_login(world.principal)
    SystemGoalFactory(district=world.district, title="@SUM(A1)")
    stalled = _csv(
        client.get(reverse("dashboards:school_csv", args=[world.school_a.pk, "stalled"]))
    )
    alignment = _csv(
        client.get(reverse("dashboards:school_csv", args=[world.school_a.pk, "unaddressed"]))
    )
    assert stalled[1][0] == "'=HYPERLINK(1)"
    assert ["'@SUM(A1)"] in alignment


def test_a_year_can_be_chosen_and_another_districts_year_is_404(client, world, school):
    client.force_login(world.principal)
    last_year = world.district.school_years.get(name="2025-26")
    url = reverse("dashboards:school_csv", args=[world.school_a.pk, "goals-by-status"])
    rows = _csv(client.get(url, {"year": last_year.pk}))
    assert {r[0]: r[1] for r in rows[1:]}["Approved"] == "1"
    foreign = current_year(world.other_district)
    assert client.get(url, {"year": foreign.pk}).status_code == 404
    page = reverse("dashboards:school", args=[world.school_a.pk])
    assert client.get(page, {"year": "x"}).status_code == 404


def test_unknown_table_is_404(client, world):
    client.force_login(world.principal)
    url = reverse("dashboards:school_csv", args=[world.school_a.pk, "nothing"])
    assert client.get(url).status_code == 404


def _viewer(world, name):
    a, b = world.school_a, world.school_b
    return {
        "principal": lambda: world.principal,
        "principal_b": lambda: make_person(Role.PRINCIPAL, school=b),
        "coordinator": lambda: world.coordinator,
        "coordinator_a": lambda: make_person(Role.COORDINATOR, school=a),
        "coordinator_b": lambda: make_person(Role.COORDINATOR, school=b),
        "district_admin": lambda: world.district_admin,
        "teacher": lambda: world.teacher,
        "coach": lambda: world.coach,
        "outsider": lambda: world.outsider,
        "outsider_principal": lambda: make_person(Role.PRINCIPAL, school=world.other_school),
    }[name]()


ACCESS = {
    "principal": 200,
    "principal_b": 404,
    "coordinator": 200,
    "coordinator_a": 200,
    "coordinator_b": 404,
    "district_admin": 200,
    "teacher": 404,
    "coach": 404,
    "outsider": 404,
    "outsider_principal": 404,
}


@pytest.mark.parametrize("name", sorted(ACCESS))
@pytest.mark.parametrize("view", ["page", "csv"])
def test_who_may_see_school_a(client, world, name, view):
    client.force_login(_viewer(world, name))
    if view == "page":
        url = reverse("dashboards:school", args=[world.school_a.pk])
    else:
        url = reverse("dashboards:school_csv", args=[world.school_a.pk, "participation"])
    assert client.get(url).status_code == ACCESS[name]


@pytest.mark.parametrize("view", ["page", "csv"])
def test_signed_out_people_are_sent_to_sign_in(client, world, view):
    url = reverse("dashboards:school", args=[world.school_a.pk])
    if view == "csv":
        url = reverse("dashboards:school_csv", args=[world.school_a.pk, "stalled"])
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_school_b_exports_hold_nothing_of_school_a(client, world, school):
    client.force_login(make_person(Role.PRINCIPAL, school=world.school_b))
    stalled = _csv(
        client.get(reverse("dashboards:school_csv", args=[world.school_b.pk, "stalled"]))
    )
    earnings = _csv(
        client.get(reverse("dashboards:school_csv", args=[world.school_b.pk, "earnings"]))
    )
    statuses = _csv(
        client.get(reverse("dashboards:school_csv", args=[world.school_b.pk, "goals-by-status"]))
    )
    assert stalled[1:] == []
    assert {r[0]: r[1] for r in statuses[1:]}["Approved"] == "1"
    assert earnings[-1] == ["Total", "1", "999.00", "9.00"]
    page = client.get(reverse("dashboards:school", args=[world.school_b.pk])).content.decode()
    assert "HYPERLINK" not in page


def _grow(world, teachers: int) -> None:
    """A school of `teachers` teachers, each with goals, evidence, payouts and coaching."""
    a = world.school_a
    year = current_year(world.district)
    long_ago = timezone.now() - datetime.timedelta(days=45)
    for n in range(teachers):
        teacher = make_person(Role.TEACHER, school=a)
        goal = make_goal(teacher, a, status=G.APPROVED, title=f"Goal {n}", decided_at=long_ago)
        stalled = make_goal(
            teacher, a, status=G.APPROVED, title=f"Stalled {n}", decided_at=long_ago
        )
        Goal.objects.filter(pk=stalled.pk).update(created_at=long_ago)
        passed = _submission(goal, 1, S.PASSED, decided=_moment(2026, 9 + n % 3, 10))
        _submission(goal, 2, S.SUBMITTED)
        _review(passed, world.coordinator, n + 1)
        _payout(passed, "75.00", "0.25")
        Conversation.objects.create(coach=world.coach, teacher=teacher, school_year=year)


def _page_queries(client, world) -> list[str]:
    url = reverse("dashboards:school", args=[world.school_a.pk])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def test_query_count_does_not_grow_with_the_school(client, world, django_assert_max_num_queries):
    client.force_login(world.principal)
    _grow(world, 2)
    _page_queries(client, world)  # the first request of a session does a little more
    small = _page_queries(client, world)
    _grow(world, 12)
    large = _page_queries(client, world)
    assert len(large) == len(small), "\n".join(large)
    url = reverse("dashboards:school", args=[world.school_a.pk])
    with django_assert_max_num_queries(len(small)):
        client.get(url)
