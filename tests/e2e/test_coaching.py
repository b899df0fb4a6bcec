"""Coaching in a real browser: the coach logs a conversation from the caseload, the teacher
ticks a next step and reflects, and the coach sees both; axe on every coaching page."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from coaching.models import Conversation
from goals.models import Goal
from pplearn.models import SchoolYear
from tests.coaching.coaching_factories import assign
from tests.e2e.conftest import DESKTOP, sign_in
from tests.e2e.test_accessibility import assert_no_serious_violations
from tests.goals.goal_factories import make_goal

pytestmark = pytest.mark.e2e

NOTES = "We looked at the talk moves chart and planned Tuesday's lesson."
STEPS = ["Try the visible timer for partner talk", "Bring two student work samples"]


@pytest.fixture
def coached(world):
    """The coach coaches the teacher this school year, whatever today's date."""
    today = timezone.localdate()
    SchoolYear.objects.filter(district=world.district, is_current=True).update(
        start_date=today - datetime.timedelta(days=90),
        end_date=today + datetime.timedelta(days=200),
    )
    assign(world.coach, world.teacher, world.school_a)
    make_goal(world.teacher, status=Goal.Status.APPROVED, title="Academic talk in math")
    return world


def second_page(browser: Browser) -> Page:
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(10_000)
    return context.new_page()


def test_a_coach_logs_a_conversation_and_the_teacher_ticks_and_reflects(
    page: Page, browser: Browser, live_server, coached
):
    world = coached
    teacher_name = world.teacher.full_name

    # The coach lands on the caseload and logs a conversation with two next steps.
    sign_in(page, live_server, world.coach.email, world.password)
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    expect(page.get_by_text(teacher_name, exact=True)).to_be_visible()
    assert_no_serious_violations(page)
    page.get_by_role("link", name=f"Log conversation with {teacher_name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Log a conversation with {teacher_name}"
    )
    page.get_by_label("Planning conference").check()
    page.get_by_label("Notes").fill(NOTES)
    page.get_by_label("Agreed next steps").fill("\n".join(STEPS))
    assert_no_serious_violations(page)
    page.get_by_role("button", name="Log conversation").click()
    expect(page.get_by_text("Conversation logged.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Planning conference")
    for step in STEPS:
        expect(page.get_by_role("button", name=f"Mark done: {step}")).to_be_visible()
    assert_no_serious_violations(page)
    conversation_url = page.url

    # The teacher finds it on their coaching page, ticks a step and adds a reflection.
    teacher_page = second_page(browser)
    try:
        sign_in(teacher_page, live_server, world.teacher.email, world.password)
        teacher_page.goto(f"{live_server.url}/coaching/mine/")
        expect(teacher_page.get_by_role("heading", level=1)).to_have_text("My coaching")
        expect(teacher_page.get_by_role("link", name="Planning conference")).to_be_visible()
        assert_no_serious_violations(teacher_page)
        teacher_page.get_by_role("button", name=f"Mark done: {STEPS[0]}").click()
        expect(
            teacher_page.get_by_role("button", name=f"Mark not done: {STEPS[0]}")
        ).to_be_visible()
        teacher_page.get_by_role("link", name="Planning conference").click()
        expect(teacher_page.get_by_text(NOTES)).to_be_visible()
        teacher_page.get_by_role("textbox", name="Your reflection").fill(
            "The timer idea fits my class."
        )
        teacher_page.get_by_role("button", name="Save reflection").click()
        expect(teacher_page.get_by_text("Your reflection is saved.")).to_be_visible()
        assert_no_serious_violations(teacher_page)
    finally:
        teacher_page.context.close()

    # The coach sees the tick and the reflection.
    page.goto(conversation_url)
    expect(page.get_by_role("button", name=f"Mark not done: {STEPS[0]}")).to_be_visible()
    expect(page.get_by_role("button", name=f"Mark done: {STEPS[1]}")).to_be_visible()
    expect(page.get_by_text(f"ticked by {teacher_name}")).to_be_visible()
    expect(page.get_by_text("The timer idea fits my class.")).to_be_visible()
    conversation = Conversation.objects.get()
    assert conversation.kind == Conversation.Kind.PLANNING
    assert [s.is_done for s in conversation.next_steps.all()] == [True, False]


def test_the_caseload_reads_well_on_a_phone(phone_page: Page, live_server, coached):
    world = coached
    sign_in(phone_page, live_server, world.coach.email, world.password)
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("My caseload")
    expect(phone_page.get_by_text(world.teacher.full_name, exact=True)).to_be_visible()
    assert_no_serious_violations(phone_page)


def test_the_principal_home_and_the_assignment_page_pass_axe(page: Page, live_server, coached):
    world = coached
    sign_in(page, live_server, world.principal.email, world.password)
    expect(page.get_by_role("heading", name="Check-ins overdue")).to_be_visible()
    assert_no_serious_violations(page)
    page.goto(f"{live_server.url}/coaching/assignments/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Coach assignments")
    expect(page.get_by_role("button", name="Assign")).to_be_visible()
    assert_no_serious_violations(page)
