"""A coordinator returns a Tier 1, the teacher revises it, the coordinator passes it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from evidence.models import Payout, PayrollBatch, Submission
from pplearn.models import Role
from tests.e2e.conftest import DESKTOP, sign_in
from tests.e2e.test_accessibility import assert_no_serious_violations
from tests.evidence.review_factories import approved_goal, queue_item, scored_criteria, submit_tier
from tests.factories import make_person

pytestmark = pytest.mark.e2e

FEEDBACK = "Summarize what each resource says about wait time, then resubmit."
COMMENT = "Connect the ideas to your own third graders."


@pytest.fixture
def teacher_page(browser: Browser) -> Iterator[Page]:
    """A second browser context, so the teacher and the coordinator are signed in at once."""
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def choose(page: Page, criterion: str, choice: str) -> None:
    """Choose a row's score with the keyboard: focus its first radio, then Space or ↓."""
    row = page.get_by_role("group", name=criterion)
    row.get_by_role("radio", name=re.compile(r"^On track")).focus()
    page.keyboard.press("Space" if choice == "on_track" else "ArrowDown")
    checked = "On track" if choice == "on_track" else "Not yet on track"
    expect(row.get_by_role("radio", name=re.compile(f"^{checked}"))).to_be_checked()


def test_return_revise_and_pass_a_tier_1(page: Page, teacher_page: Page, live_server, world):
    goal = approved_goal(world.teacher, target_tier=2, title="Talk moves in grade 3")
    first = submit_tier(goal, 1, days_ago=1)
    rows = [c.title for c in scored_criteria(first)]
    teacher = world.teacher.full_name
    coordinator = page

    # The coordinator opens the queue and the Tier 1 waiting in it.
    sign_in(coordinator, live_server, world.coordinator.email, world.password)
    coordinator.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Review queue"
    ).click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Review queue")
    expect(coordinator.get_by_text("1 item, the longest waiting first.")).to_be_visible()
    assert_no_serious_violations(coordinator)
    coordinator.get_by_role("link", name=f"Score Tier 1 of {teacher}").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Tier 1 · Learning")
    expect(coordinator.get_by_text("Classroom Discussions")).to_be_visible()
    assert_no_serious_violations(coordinator)

    # Every row on track but the last, which is not yet, with a comment; Ctrl+Enter saves.
    for title in rows[:-1]:
        choose(coordinator, title, "on_track")
    choose(coordinator, rows[-1], "not_yet")
    coordinator.keyboard.press("Tab")
    expect(coordinator.get_by_label(f"Comment on {rows[-1]}")).to_be_focused()
    coordinator.keyboard.type(COMMENT)
    coordinator.keyboard.press("Tab")
    expect(coordinator.get_by_label("Overall feedback to the teacher")).to_be_focused()
    coordinator.keyboard.type(FEEDBACK)
    coordinator.keyboard.press("Control+Enter")

    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Review queue")
    expect(
        coordinator.get_by_text(f"Tier 1 of {teacher}: returned to the teacher.")
    ).to_be_visible()
    expect(coordinator.get_by_text("The queue is clear.")).to_be_visible()
    first.refresh_from_db()
    assert first.status == Submission.Status.RETURNED

    # The teacher reads the feedback and revises as version 2.
    sign_in(teacher_page, live_server, world.teacher.email, world.password)
    teacher_page.goto(f"{live_server.url}{goal.get_absolute_url()}")
    teacher_page.get_by_role("link", name="Read feedback and revise").click()
    expect(
        teacher_page.get_by_role("heading", name=re.compile("^Returned for revision"))
    ).to_be_visible()
    expect(teacher_page.get_by_text(FEEDBACK)).to_be_visible()
    expect(teacher_page.get_by_text(COMMENT)).to_be_visible()
    assert_no_serious_violations(teacher_page)
    teacher_page.get_by_role("button", name="Revise", exact=True).click()
    expect(teacher_page.get_by_role("heading", level=1)).to_contain_text("version 2")
    teacher_page.get_by_role("button", name="Check and submit…").click()
    expect(teacher_page.get_by_text("Everything Tier 1 asks for is here.")).to_be_visible()
    teacher_page.get_by_role("button", name="Submit Tier 1 for review").click()
    expect(teacher_page.get_by_text("Tier 1 submitted for review.")).to_be_visible()
    second = Submission.objects.get(goal=goal, tier=1, version=2)
    assert second.status == Submission.Status.SUBMITTED

    # The coordinator scores version 2 all on track.
    coordinator.reload()
    coordinator.get_by_role("link", name=f"Score Tier 1 of {teacher}").click()
    expect(coordinator.get_by_role("heading", level=1)).to_contain_text("version 2")
    expect(coordinator.get_by_text("Version 1 · Revised (earlier version)")).to_be_visible()
    for title in rows:
        coordinator.get_by_role("group", name=title).get_by_text("On track", exact=True).click()
    coordinator.get_by_role("button", name="Save, back to queue").click()
    expect(coordinator.get_by_text(f"Tier 1 of {teacher}: passed.")).to_be_visible()

    # The teacher sees Tier 1 passed and what it earned.
    teacher_page.goto(f"{live_server.url}{goal.get_absolute_url()}")
    tier_1 = teacher_page.locator(".tier-row").filter(has_text="Tier 1 · Learning")
    expect(tier_1).to_contain_text("Passed")
    teacher_page.get_by_role("link", name=re.compile("^Notifications")).click()
    earned = f"Tier 1 of “{goal.title}” passed: you earned $75.00."
    expect(teacher_page.get_by_text(earned)).to_be_visible()

    # The coordinator exports the payout for payroll.
    coordinator.goto(f"{live_server.url}{reverse('evidence:payout_list')}")
    expect(coordinator.get_by_role("cell", name=re.compile(re.escape(teacher)))).to_be_visible()
    coordinator.once("dialog", lambda dialog: dialog.accept())
    coordinator.get_by_role("button", name="Export 1 payout").click()
    expect(coordinator.get_by_text(re.compile(r"Exported batch 1: 1 payout, \$75"))).to_be_visible()
    payout = Payout.objects.get(submission=second)
    assert payout.batch == PayrollBatch.objects.get(district=world.district, number=1)


def test_queue_and_scoring_pages_in_their_other_states_have_no_serious_violations(
    page: Page, live_server, world
):
    other = make_person(Role.COORDINATOR, district=world.district, full_name="Sam Second")
    claimed = queue_item(world.school_a, days_ago=9, claimed_by=other, full_name="Ada Park")
    queue_item(world.school_b, tier=2, days_ago=4, claimed_by=world.coordinator)
    queue_item(world.school_a, tier=3, days_ago=1)
    sign_in(page, live_server, world.coordinator.email, world.password)

    page.goto(f"{live_server.url}{reverse('evidence:review_queue')}?claim=&tier=")
    expect(page.get_by_text("3 items, the longest waiting first.")).to_be_visible()
    expect(page.get_by_text("In review by Sam Second")).to_be_visible()
    assert_no_serious_violations(page)

    page.get_by_role("link", name="Score Tier 1 of Ada Park").click()
    expect(page.get_by_text("In review by Sam Second since")).to_be_visible()
    assert_no_serious_violations(page)

    page.get_by_role("button", name="Take it over").click()
    page.get_by_role("button", name="Save, back to queue").click()
    first_row = scored_criteria(claimed)[0].title
    expect(page.get_by_text(f"Score “{first_row}”.")).to_be_visible()
    assert_no_serious_violations(page)
