"""The district dashboard: every figure per school and in total against a hand-built district,
sorting, who sees which schools (page and CSV), and a query count that does not grow with the
number of schools."""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coaching.models import Conversation
from dashboards.district_tables import SORT_KEYS, Sort, district_dashboard
from dashboards.tables import dashboard_tables
from evidence.models import Submission
from goals.models import Goal
from pplearn.models import Role
from tests.dashboards import test_school_dashboard as school_dashboard
from tests.dashboards.test_school_dashboard import _moment, _payout, _review, _submission
from tests.factories import SchoolFactory, add_role, make_person
from tests.goals.goal_factories import SystemGoalFactory, current_year, make_goal

pytestmark = pytest.mark.django_db
# The hand-built school A (and a little of B) of the school dashboard's tests, as a fixture.
school = school_dashboard.school
G = Goal.Status
S = Submission.Status

URL = reverse("dashboards:district")
BIRCH, CEDAR, LINCOLN = "Birch Primary", "Cedar Creek Elementary", "Lincoln Middle"


@pytest.fixture
def district(world, school):
    """School A and B as built for the school dashboard, plus Birch Primary (a teacher, no
    goal), a closed school and another district whose figures must never count."""
    birch = SchoolFactory(district=world.district, name=BIRCH)
    make_person(Role.TEACHER, school=birch, full_name="Bo Birch")
    closed = SchoolFactory(district=world.district, name="Closed Academy", is_active=False)
    closed_teacher = make_person(Role.TEACHER, school=closed)
    make_goal(closed_teacher, closed, status=G.APPROVED, title="Closed goal")

    far_teacher = make_person(Role.TEACHER, school=world.other_school, full_name="Fay Far")
    far_goal = make_goal(far_teacher, world.other_school, status=G.APPROVED, title="Far goal")
    passed = _submission(far_goal, 1, S.PASSED, decided=_moment(2026, 9, 2))
    _review(passed, world.outsider, 7)
    _payout(passed, "5000.00", "50.00")
    return {**school, "birch": birch, "closed": closed}


# The hand-counted figures, schools in name order, then the total row.
EXPECTED = {
    "schools": [
        [BIRCH, 1, 0, "0%", 0, "", "", 0, 0, "0.00", "0.00"],
        [CEDAR, 4, 3, "75%", 2, "2.5", "33%", 1, 3, "230.00", "1.00"],
        [LINCOLN, 1, 1, "100%", 1, "100.0", "100%", 0, 1, "999.00", "9.00"],
        # Participation 4/6, median of the waits 1, 2, 3, 10, 100; coverage 2/4.
        ["Total", 6, 4, "67%", 3, "3.0", "50%", 1, 4, "1229.00", "10.00"],
    ],
    "goals-by-status": [
        [BIRCH, 0, 0, 0, 0, 0, 0, 0],
        [CEDAR, 1, 0, 0, 3, 1, 1, 6],
        [LINCOLN, 0, 0, 0, 1, 0, 0, 1],
        ["Total", 1, 0, 0, 4, 1, 1, 7],
    ],
    "tier-funnel": [
        [BIRCH, 0, 0, 0, 0, 0, 0, 0, 0],
        [CEDAR, 3, 2, 2, 1, 0, 0, 0, 0],
        [LINCOLN, 1, 1, 1, 0, 0, 0, 0, 0],
        ["Total", 4, 3, 3, 1, 0, 0, 0, 0],
    ],
    "alignment": [
        ["Academic discourse", 4, 2],
        ["Reading growth", 3, 1],
        ["Attendance", 1, 1],
        ["Belonging", 0, 0],
        ["Family engagement", 0, 0],
    ],
    "unaddressed": [["Belonging"], ["Family engagement"]],
}
HEADERS = {
    "schools": [
        "School",
        "Teachers",
        "With an approved goal",
        "Participation",
        "Waiting for review",
        "Median turnaround (days)",
        "Coaching coverage",
        "Stalled goals",
        "Payouts",
        "Stipends",
        "Credit",
    ],
    "goals-by-status": [
        "School",
        "Draft",
        "Proposed",
        "Changes requested",
        "Approved",
        "Complete",
        "Withdrawn",
        "All goals",
    ],
    "tier-funnel": ["School"]
    + [f"Tier {t} {what}" for t in range(1, 5) for what in ("reached", "passed")],
    "alignment": ["System goal", "Goals", "Schools working on it"],
    "unaddressed": ["System goal"],
}
# The sort key of each column of the three school tables, in column order.
KEYS = {
    "schools": [
        "name",
        "teachers",
        "approved-teachers",
        "participation",
        "backlog",
        "turnaround",
        "coverage",
        "stalled",
        "payouts",
        "stipends",
        "credit",
    ],
    "goals-by-status": [
        "name",
        "status-draft",
        "status-proposed",
        "status-changes-requested",
        "status-approved",
        "status-complete",
        "status-withdrawn",
        "goals",
    ],
    "tier-funnel": ["name"] + [f"tier{t}-{w}" for t in range(1, 5) for w in ("reached", "passed")],
}


def _dashboard(world, district, sort="name", schools=None):
    return district_dashboard(
        district=world.district,
        schools=schools or [district["birch"], world.school_a, world.school_b],
        school_year=district["year"],
        sort=Sort.parse(sort),
        now=district["now"],
    )


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_every_figure_and_total_is_exact(world, district, key):
    headers, rows = _dashboard(world, district).csv_table(key)
    assert headers == HEADERS[key]
    assert rows == EXPECTED[key]


@pytest.mark.parametrize("letter", ["a", "b"])
def test_each_school_row_matches_its_own_dashboard(world, district, letter):
    school_obj = getattr(world, f"school_{letter}")
    own = dashboard_tables(school=school_obj, school_year=district["year"], now=district["now"])
    dashboard = _dashboard(world, district)
    by_table = {
        table.key: {row[0]: row[1:] for row in table.csv_rows} for table in dashboard.school_tables
    }
    overview = by_table["schools"][school_obj.name]
    participation = [row[1] for row in own["participation"].rows]
    coaching = own["coaching"].rows
    reviews = [row[1] for row in own["reviews"].rows]
    earnings_total = own["earnings"].rows[-1]
    assert overview[0:3] == participation
    assert [overview[3], overview[4]] == reviews
    assert overview[5] == coaching[2][1]
    assert overview[6] == len(own["stalled"].rows)
    assert overview[7:] == earnings_total[1:]
    statuses = [count for _, count in own["goals-by-status"].rows]
    assert by_table["goals-by-status"][school_obj.name] == [*statuses, sum(statuses)]
    funnel = [n for row in own["tier-funnel"].rows for n in row[1:]]
    assert by_table["tier-funnel"][school_obj.name] == funnel


def _number(cell):
    """A displayed figure as a number to compare, or None when there is none."""
    if cell == "":
        return None
    if isinstance(cell, str) and not re.fullmatch(r"[\d.]+%?", cell):
        return cell.casefold()
    return Decimal(str(cell).rstrip("%"))


def _expected_order(table: str, index: int, descending: bool) -> list[str]:
    """Schools ordered by the hand-counted column: ties A to Z, missing figures last."""
    rows = sorted(EXPECTED[table][:-1], key=lambda row: row[0].casefold())
    present = [row for row in rows if _number(row[index]) is not None]
    missing = [row for row in rows if _number(row[index]) is None]
    present.sort(key=lambda row: _number(row[index]), reverse=descending)
    return [row[0] for row in present + missing]


SORTS = [
    (table, index, key, descending)
    for table, keys in KEYS.items()
    for index, key in enumerate(keys)
    for descending in (False, True)
]


@pytest.mark.parametrize(
    ("table", "index", "key", "descending"),
    SORTS,
    ids=[f"{'-' if d else ''}{k}@{t}" for t, _, k, d in SORTS],
)
def test_every_column_sorts_the_schools(client, world, district, table, index, key, descending):
    client.force_login(world.district_admin)
    param = f"-{key}" if descending else key
    response = client.get(URL, {"sort": param})
    dashboard = response.context["dashboard"]
    expected = _expected_order(table, index, descending)
    for shown in dashboard.school_tables:
        assert [f.school.name for f in shown.rows] == expected
    rows = _csv(client.get(reverse("dashboards:district_csv", args=[table]), {"sort": param}))
    assert [row[0] for row in rows[1:-1]] == expected
    assert rows[-1][0] == "Total"


def test_the_sort_keys_are_exactly_the_columns():
    assert {key for keys in KEYS.values() for key in keys} == SORT_KEYS


def test_a_few_orders_by_hand(world, district):
    def order(sort):
        return [f.school.name for f in _dashboard(world, district, sort).school_tables[0].rows]

    assert order("-participation") == [LINCOLN, CEDAR, BIRCH]
    assert order("turnaround") == [CEDAR, LINCOLN, BIRCH]  # no review yet: last
    assert order("-turnaround") == [LINCOLN, CEDAR, BIRCH]
    assert order("-teachers") == [CEDAR, BIRCH, LINCOLN]  # a tie stays A to Z
    assert order("-name") == [LINCOLN, CEDAR, BIRCH]


@pytest.mark.parametrize("bad", ["", "bogus", "-bogus", "name;DROP", "school__name", "--name"])
def test_an_unknown_sort_is_ignored(client, world, district, bad):
    client.force_login(world.district_admin)
    response = client.get(URL, {"sort": bad})
    assert response.status_code == 200
    names = [f.school.name for f in response.context["dashboard"].school_tables[0].rows]
    assert names == [BIRCH, CEDAR, LINCOLN]
    assert response.context["dashboard"].sort == Sort("name", False)


def _th(html: str, table: str) -> list[str]:
    section = html.split(f'id="table-{table}"', 1)[1].split("</thead>", 1)[0]
    return re.findall(r"<th scope=\"col\"[^>]*>.*?</th>", section, re.S)


def test_the_sorted_column_says_so_and_links_to_the_other_direction(client, world, district):
    client.force_login(world.coordinator)
    year = district["year"].pk
    html = client.get(URL, {"sort": "-participation"}).content.decode()
    headers = _th(html, "schools")
    sorted_ones = [th for th in headers if "aria-sort" in th]
    assert len(sorted_ones) == 1
    assert 'aria-sort="descending"' in sorted_ones[0]
    assert f'href="?year={year}&amp;sort=participation#table-schools"' in sorted_ones[0]
    assert "Participation" in sorted_ones[0]
    # Other columns sort highest first on the first click, names A to Z.
    assert f'href="?year={year}&amp;sort=-teachers#table-schools"' in html
    assert f'href="?year={year}&amp;sort=name#table-schools"' in html
    assert "Sorted by Participation, highest first" in html
    assert not any("aria-sort" in th for th in _th(html, "tier-funnel"))
    ascending = client.get(URL, {"sort": "name"}).content.decode()
    assert 'aria-sort="ascending"' in _th(ascending, "schools")[0]


def test_page_links_schools_csvs_and_draws_charts(client, world, district):
    client.force_login(world.coordinator)
    year = district["year"].pk
    response = client.get(URL, {"sort": "-stalled"})
    assert response.status_code == 200
    html = response.content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "style=" not in main
    assert "<script" not in main
    assert main.count('role="img"') == 2
    assert "<title>Lincoln Middle, Participation: 100%</title>" in main
    assert "<title>Academic discourse, Goals: 4</title>" in main
    for school_obj in (district["birch"], world.school_a, world.school_b):
        link = reverse("dashboards:school", args=[school_obj.pk])
        assert f'<a href="{link}?year={year}">{school_obj.name}</a>' in main
    for key in EXPECTED:
        url = reverse("dashboards:district_csv", args=[key])
        assert f'href="{url}?year={year}' in main
    assert "Closed Academy" not in main
    assert '<th scope="row">Total</th>' in main


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_csv_holds_its_table_with_the_total(client, world, district, key):
    client.force_login(world.district_admin)
    rows = _csv(client.get(reverse("dashboards:district_csv", args=[key])))
    assert rows[0] == HEADERS[key]
    assert rows[1:] == [[str(cell) for cell in row] for row in EXPECTED[key]]


def test_csv_cells_that_look_like_formulas_are_made_inert(client, world, district):
    SchoolFactory(district=world.district, name="=HYPERLINK(1)")
    SystemGoalFactory(district=world.district, title="@SUM(A1)")
    client.force_login(world.district_admin)
    schools = _csv(client.get(reverse("dashboards:district_csv", args=["schools"])))
    unaddressed = _csv(client.get(reverse("dashboards:district_csv", args=["unaddressed"])))
    assert schools[1][0] == "'=HYPERLINK(1)"
    assert ["'@SUM(A1)"] in unaddressed


def test_a_year_can_be_chosen_and_another_districts_year_is_404(client, world, district):
    client.force_login(world.district_admin)
    last_year = world.district.school_years.get(name="2025-26")
    rows = _csv(
        client.get(
            reverse("dashboards:district_csv", args=["goals-by-status"]), {"year": last_year.pk}
        )
    )
    assert rows[-1] == ["Total", "0", "0", "0", "1", "0", "0", "1"]
    foreign = current_year(world.other_district)
    assert client.get(URL, {"year": foreign.pk}).status_code == 404
    assert client.get(URL, {"year": "x"}).status_code == 404
    csv_url = reverse("dashboards:district_csv", args=["schools"])
    assert client.get(csv_url, {"year": foreign.pk}).status_code == 404


def test_unknown_table_is_404(client, world):
    client.force_login(world.district_admin)
    assert client.get(reverse("dashboards:district_csv", args=["nothing"])).status_code == 404


def _viewer(world, name):
    return {
        "teacher": lambda: world.teacher,
        "coach": lambda: world.coach,
        "principal": lambda: world.principal,
        "coordinator": lambda: world.coordinator,
        "coordinator_a": lambda: make_person(Role.COORDINATOR, school=world.school_a),
        "district_admin": lambda: world.district_admin,
        "outsider": lambda: world.outsider,
    }[name]()


# The schools each person sees, or 404.
SEES = {
    "teacher": 404,
    "coach": 404,
    "principal": 404,
    "coordinator": [BIRCH, CEDAR, LINCOLN],
    "coordinator_a": [CEDAR],
    "district_admin": [BIRCH, CEDAR, LINCOLN],
    "outsider": ["Far Away High"],
}


@pytest.mark.parametrize("name", sorted(SEES))
@pytest.mark.parametrize("view", ["page", "csv"])
def test_who_sees_which_schools(client, world, district, name, view):
    client.force_login(_viewer(world, name))
    url = URL if view == "page" else reverse("dashboards:district_csv", args=["schools"])
    response = client.get(url)
    if SEES[name] == 404:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    if view == "page":
        shown = [f.school.name for f in response.context["dashboard"].school_tables[0].rows]
        body = response.content.decode()
    else:
        shown = [row[0] for row in _csv(response)[1:-1]]
        body = response.content.decode()
    assert shown == SEES[name]
    others = {BIRCH, CEDAR, LINCOLN, "Far Away High", "Closed Academy"} - set(SEES[name])
    for other in others:
        assert other not in body


def test_a_school_coordinator_gets_their_schools_figures_only(client, world, district):
    client.force_login(make_person(Role.COORDINATOR, school=world.school_a))
    response = client.get(URL)
    tables = {t.key: t.csv_rows for t in response.context["dashboard"].school_tables}
    assert tables["schools"] == [EXPECTED["schools"][1], ["Total", *EXPECTED["schools"][1][1:]]]
    alignment = client.get(reverse("dashboards:district_csv", args=["alignment"]))
    # System goals that apply at Cedar Creek, counted there only (as on its own dashboard).
    assert _csv(alignment)[1:] == [
        ["Academic discourse", "3", "1"],
        ["Reading growth", "3", "1"],
        ["Attendance", "0", "0"],
        ["Family engagement", "0", "0"],
    ]


def test_the_other_districts_admin_cannot_reach_this_districts_year(client, world, district):
    client.force_login(world.outsider)
    assert client.get(URL, {"year": district["year"].pk}).status_code == 404


@pytest.mark.parametrize("view", ["page", "csv"])
def test_signed_out_people_are_sent_to_sign_in(client, world, view):
    url = URL if view == "page" else reverse("dashboards:district_csv", args=["schools"])
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_district_without_goals_says_so_and_links_each_school(client, world):
    client.force_login(world.coordinator)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "No goals yet in 2026-27" in html
    for school_obj in (world.school_a, world.school_b):
        assert reverse("dashboards:school", args=[school_obj.pk]) in html
    assert "<table" not in html.split("<main", 1)[1]


def _fill(world, where, n: int) -> None:
    """Give a school teachers, goals, evidence, reviews, payouts and coaching."""
    year = current_year(world.district)
    long_ago = timezone.now() - datetime.timedelta(days=45)
    aligned = SystemGoalFactory(district=world.district, title=f"System goal {n}")
    for m in range(2):
        teacher = make_person(Role.TEACHER, school=where)
        goal = make_goal(
            teacher,
            where,
            status=G.APPROVED,
            title=f"Goal {n}-{m}",
            decided_at=long_ago,
            system_goals=[aligned],
        )
        passed = _submission(goal, 1, S.PASSED, decided=_moment(2026, 9 + m, 10))
        _submission(goal, 2, S.SUBMITTED)
        _review(passed, world.coordinator, n + m + 1)
        _payout(passed, "75.00", "0.25")
        Conversation.objects.create(coach=world.coach, teacher=teacher, school_year=year)


def _page_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"sort": "-coverage"})
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def test_query_count_is_the_same_for_two_and_eight_schools(
    client, world, django_assert_num_queries
):
    client.force_login(world.district_admin)
    _fill(world, world.school_a, 0)
    _fill(world, world.school_b, 1)
    _page_queries(client)  # the first request of a session does a little more
    two = _page_queries(client)
    for n in range(2, 8):
        _fill(world, SchoolFactory(district=world.district), n)
    # The factories bypass the services: the first request counts the new schools' rollups.
    _page_queries(client)
    eight = _page_queries(client)
    assert len(eight) == len(two), "\n".join(eight)
    assert len(two) <= 15, "\n".join(two)
    with django_assert_num_queries(len(two)):
        response = client.get(URL, {"sort": "-coverage"})
    assert len(response.context["dashboard"].school_tables[0].rows) == 8


def test_someone_coordinating_in_two_districts_sees_their_own_districts_schools(
    client, world, district
):
    person = make_person(Role.COORDINATOR, district=world.district)
    add_role(person, Role.COORDINATOR, world.other_school)
    client.force_login(person)
    response = client.get(URL)
    shown = [f.school.name for f in response.context["dashboard"].school_tables[0].rows]
    assert shown == [BIRCH, CEDAR, LINCOLN]
    assert "Far Away High" not in response.content.decode()


def test_a_school_without_teachers_has_no_participation_bar_or_figure(client, world, district):
    SchoolFactory(district=world.district, name="Annex")
    client.force_login(world.district_admin)
    response = client.get(URL)
    html = response.content.decode()
    assert "<title>Annex, Participation" not in html
    assert "<title>Birch Primary, Participation: 0%</title>" in html
    rows = response.context["dashboard"].school_tables[0].csv_rows
    assert rows[0][:4] == ["Annex", 0, 0, ""]


def test_a_coordinator_of_a_closed_school_only_is_told_so(client, world, district):
    client.force_login(make_person(Role.COORDINATOR, school=district["closed"]))
    response = client.get(URL)
    assert response.status_code == 200
    assert "No schools to show" in response.content.decode()
    rows = _csv(client.get(reverse("dashboards:district_csv", args=["schools"])))
    assert rows[1:] == [["Total", "0", "0", "", "0", "", "", "0", "0", "0.00", "0.00"]]


def test_many_schools_are_paged_with_the_order_and_total_over_all_of_them(client, world):
    """30 schools: 25 on the first page and 5 on the second, sorted across both pages; the
    total counts every school and the CSV holds all 30."""
    year = current_year(world.district)
    make_goal(world.teacher, world.school_a, status=G.APPROVED, title="A goal to show")
    for n in range(28):
        extra = SchoolFactory(district=world.district, name=f"School {n:02d}")
        for _ in range(n % 4):
            make_person(Role.TEACHER, school=extra)
    client.force_login(world.district_admin)
    first = client.get(URL, {"sort": "-teachers"})
    second = client.get(URL, {"sort": "-teachers", "page": "2"})
    rows = _csv(
        client.get(reverse("dashboards:district_csv", args=["schools"]), {"sort": "-teachers"})
    )
    shown = [
        [f.school.name for f in response.context["dashboard"].school_tables[0].rows]
        for response in (first, second)
    ]
    assert [len(names) for names in shown] == [25, 5]
    assert shown[0] + shown[1] == [row[0] for row in rows[1:-1]]
    teachers = [int(row[1]) for row in rows[1:-1]]
    assert teachers == sorted(teachers, reverse=True)
    assert rows[-1][:2] == ["Total", str(sum(teachers))]
    for response in (first, second):
        html = response.content.decode()
        assert "of 30 in each table below" in html
        assert "Page 1 of 2" in html or "Page 2 of 2" in html
        assert response.context["dashboard"].total.teachers == sum(teachers)
        assert response.context["dashboard"].school_year == year
    assert f'href="?year={year.pk}&amp;sort=-teachers&amp;page=2"' in first.content.decode()
    # A page that does not exist shows the last one, as elsewhere.
    assert client.get(URL, {"page": "9"}).context["dashboard"].page.number == 2


def test_the_page_says_when_the_clock_figures_were_counted(client, world, district):
    client.force_login(world.district_admin)
    html = client.get(URL).content.decode()
    assert "Median turnaround, coaching coverage and stalled goals as of" in html
