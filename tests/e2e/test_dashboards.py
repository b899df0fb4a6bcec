"""The dashboards in a real browser: a principal reads the school dashboard and downloads a
table; a coordinator sorts the district dashboard and follows a school; axe on both at laptop
and phone widths."""

import csv
import io

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.dashboards import test_school_dashboard as school_dashboard
from tests.e2e.conftest import sign_in
from tests.e2e.test_accessibility import assert_no_serious_violations

pytestmark = pytest.mark.e2e

# The hand-built school A of the school dashboard's tests, committed for the live server.
school = school_dashboard.school


def test_a_principal_reads_the_school_dashboard_and_downloads_a_table(
    page: Page, live_server, world, school
):
    sign_in(page, live_server, world.principal.email, world.password)
    expect(page.get_by_role("heading", level=1)).to_have_text("My school")
    page.get_by_role("link", name=f"School dashboard of {world.school_a.name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(world.school_a.name)

    participation = page.get_by_role("table", name="Participation")
    row = participation.get_by_role("row", name="Share with an approved goal")
    expect(row.get_by_role("cell")).to_have_text("75%")

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV of participation").click()
    assert download.value.suggested_filename.endswith("-participation.csv")
    with open(download.value.path(), encoding="utf-8") as exported:
        rows = list(csv.reader(io.StringIO(exported.read())))
    assert rows == [
        ["Measure", "Value"],
        ["Teachers", "4"],
        ["Teachers with an approved goal", "3"],
        ["Share with an approved goal", "75%"],
    ]


def test_a_coordinator_sorts_the_district_dashboard_and_opens_a_school(
    page: Page, live_server, world, school
):
    sign_in(page, live_server, world.coordinator.email, world.password)
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(world.district.name)
    schools = page.get_by_role("table", name="Schools side by side")
    names = schools.locator("tbody th")
    expect(names).to_have_text([world.school_a.name, world.school_b.name])

    schools.get_by_role("link", name="Participation").click()
    expect(page).to_have_url(
        f"{live_server.url}/dashboards/district/?year="
        f"{school['year'].pk}&sort=-participation#table-schools"
    )
    schools = page.get_by_role("table", name="Schools side by side")
    # Lincoln Middle: one teacher of one with an approved goal, before Cedar Creek's 75%.
    expect(schools.locator("tbody th")).to_have_text([world.school_b.name, world.school_a.name])
    expect(schools.locator('th[aria-sort="descending"]')).to_contain_text("Participation")
    expect(page.get_by_text("Sorted by Participation, highest first").first).to_be_visible()

    schools.get_by_role("link", name=world.school_b.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(world.school_b.name)
    assert page.url.endswith(
        reverse("dashboards:school", args=[world.school_b.pk]) + f"?year={school['year'].pk}"
    )


@pytest.mark.parametrize("width", ["laptop", "phone"])
@pytest.mark.parametrize("dashboard", ["school", "district"])
def test_dashboards_have_no_serious_accessibility_violations(
    request, live_server, world, school, width, dashboard
):
    page: Page = request.getfixturevalue("page" if width == "laptop" else "phone_page")
    if dashboard == "school":
        person, path = world.principal, reverse("dashboards:school", args=[world.school_a.pk])
    else:
        person, path = world.district_admin, reverse("dashboards:district")
    sign_in(page, live_server, person.email, world.password)
    page.goto(f"{live_server.url}{path}?sort=-turnaround")
    expect(page.locator("svg[role=img]").first).to_be_visible()
    assert_no_serious_violations(page)
    # The page itself never scrolls sideways: wide tables scroll inside their own box.
    viewport = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport
    if dashboard == "district":
        # Scrolled to its last column, the table still shows which school each row is.
        box = page.locator(".table-responsive").first
        box.evaluate("element => { element.scrollLeft = element.scrollWidth; }")
        name = page.get_by_role("table", name="Schools side by side").locator("tbody th").first
        expect(name).to_be_in_viewport()
        bounds = name.bounding_box()
        assert bounds["x"] >= 0
        assert bounds["x"] + bounds["width"] <= viewport
