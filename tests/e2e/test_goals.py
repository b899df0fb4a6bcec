"""Co-construction in the browser: propose, changes requested, revise, approve."""

import pytest
from playwright.sync_api import Browser, Page, expect

from goals.models import Goal
from tests.e2e.conftest import sign_in
from tests.e2e.test_accessibility import assert_no_serious_violations
from tests.goals.goal_factories import SystemGoalFactory

pytestmark = pytest.mark.e2e


def _second_page(browser: Browser) -> Page:
    return browser.new_context(viewport={"width": 1280, "height": 800}).new_page()


def test_teacher_and_principal_co_construct_a_goal(
    page: Page, browser: Browser, live_server, world
):
    SystemGoalFactory(district=world.district, title="Student discourse and engagement")
    sign_in(page, live_server, world.teacher.email, world.password)

    # The teacher plans a goal with the guided form and proposes it.
    page.get_by_role("link", name="Start a goal").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Plan a new goal")
    assert_no_serious_violations(page)
    page.get_by_label("Goal title").fill("Academic talk in math")
    page.get_by_label("Pedagogy (how I teach)").check()
    page.get_by_label("Your inquiry question").fill("Do talk moves raise participation?")
    page.get_by_label("Student discourse and engagement").check()
    page.get_by_label("Desired student outcome").fill("Students explain their reasoning.")
    page.get_by_label("Implementation plan").fill("Four talk moves over six weeks.")
    page.get_by_label("How impact will be measured").fill("Tallies and exit tickets.")
    page.get_by_role("button", name="Save and propose").click()
    expect(
        page.get_by_text("Proposed. Your principal or coordinator will review it.")
    ).to_be_visible()
    goal = Goal.objects.get(teacher=world.teacher)
    assert goal.status == Goal.Status.PROPOSED
    assert_no_serious_violations(page)

    # The principal asks for a change, with a comment.
    principal = _second_page(browser)
    sign_in(principal, live_server, world.principal.email, world.password)
    principal.get_by_role("link", name="Goals to approve").first.click()
    principal.get_by_role("link", name="Academic talk in math").click()
    assert_no_serious_violations(principal)
    principal.get_by_label("Comment for").fill("Name the assessment you will use for impact.")
    principal.get_by_role("button", name="Ask for changes").click()
    expect(principal.get_by_text("Sent back to the teacher with your comment.")).to_be_visible()
    goal.refresh_from_db()
    assert goal.status == Goal.Status.CHANGES_REQUESTED

    # The teacher sees the comment, revises and proposes again.
    page.goto(f"{live_server.url}{goal.get_absolute_url()}")
    expect(page.get_by_text("Name the assessment you will use for impact.").first).to_be_visible()
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("How impact will be measured").fill("The unit 3 common assessment.")
    page.get_by_role("button", name="Save and propose").click()
    goal.refresh_from_db()
    assert goal.status == Goal.Status.PROPOSED
    assert goal.impact_measure == "The unit 3 common assessment."

    # The principal approves; the teacher sees it approved with Tier 1 open.
    principal.goto(f"{live_server.url}{goal.get_absolute_url()}")
    principal.get_by_role("button", name="Approve").click()
    expect(principal.get_by_text("Approved. The teacher can start Tier 1.")).to_be_visible()
    principal.context.close()
    goal.refresh_from_db()
    assert goal.status == Goal.Status.APPROVED
    page.goto(f"{live_server.url}{goal.get_absolute_url()}")
    expect(page.get_by_role("link", name="Start Tier 1")).to_be_visible()
    expect(page.get_by_role("link", name="Notifications")).to_contain_text("unread")
    assert_no_serious_violations(page)
