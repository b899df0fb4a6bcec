"""axe-core on each role's pages: no serious or critical accessibility violations."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

BLOCKING_IMPACTS = {"serious", "critical"}


def _describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"  - {', '.join(map(str, node['target']))}: {node['html']}")
            summary = node.get("failureSummary") or ""
            lines.extend(f"      {line.strip()}" for line in summary.splitlines()[1:])
    return "\n".join(lines)


def _blocking(page: Page, violations: list[dict]) -> list[dict]:
    blocking = []
    for violation in violations:
        if violation["impact"] not in BLOCKING_IMPACTS:
            continue
        nodes = violation["nodes"]
        if nodes:
            blocking.append({**violation, "nodes": nodes})
    return blocking


def assert_no_serious_violations(page: Page) -> None:
    """Run axe on the page as it is now; fail on serious or critical violations."""
    violations = Axe().run(page).response["violations"]
    # Printed so that `pytest -rP` also shows the minor and moderate findings.
    print(f"axe on {page.url}:\n{_describe(violations) or '  no violations'}")
    blocking = _blocking(page, violations)
    assert not blocking, f"axe found serious violations on {page.url}:\n{_describe(blocking)}"


def test_sign_in_page(page: Page, live_server, transactional_db):
    page.goto(f"{live_server.url}/accounts/sign-in/")
    assert_no_serious_violations(page)


def test_sign_in_page_showing_an_error(page: Page, live_server, world):
    sign_in(page, live_server, world.teacher.email, "not-the-password")
    expect(page.get_by_text("did not match an active account")).to_be_visible()
    assert_no_serious_violations(page)


@pytest.mark.parametrize(
    ("person", "heading"),
    [
        ("teacher", "My goals"),
        ("coach", "My caseload"),
        ("coordinator", "Review queue"),
        ("principal", "My school"),
        ("district_admin", "Maple Valley"),
    ],
)
def test_home_page_of_each_role(page: Page, live_server, world, person, heading):
    user = getattr(world, person)
    sign_in(page, live_server, user.email, world.password)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_no_serious_violations(page)


@pytest.mark.parametrize(
    ("path", "heading"),
    [("/manage/people/", "People"), ("/manage/people/add/", "Add a person")],
    ids=["people-list", "add-person"],
)
def test_district_admin_people_pages(page: Page, live_server, world, path, heading):
    sign_in(page, live_server, world.district_admin.email, world.password)
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_no_serious_violations(page)


def test_navigation_bar_text_has_enough_contrast(page: Page, live_server, world):
    sign_in(page, live_server, world.district_admin.email, world.password)
    page.goto(f"{live_server.url}/manage/people/")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    results = Axe().run(page, context="nav.navbar", options={"runOnly": ["color-contrast"]})
    violations = results.response["violations"]
    assert not violations, _describe(violations)
