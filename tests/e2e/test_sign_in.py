"""Signing in and out, the phone menu and switching roles, in a real browser."""

import re

import pytest
from playwright.sync_api import Page, expect

from pplearn.models import Role
from tests.e2e.conftest import sign_in
from tests.factories import add_role

pytestmark = pytest.mark.e2e

SIGN_IN_PATH = re.compile(r"/accounts/sign-in/(\?.*)?$")
GENERIC_ERROR = "That email and password did not match an active account."


def test_teacher_signs_in_and_sees_their_goals(page: Page, live_server, world):
    sign_in(page, live_server, world.teacher.email, world.password)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My goals")
    expect(page.get_by_text(f"Welcome, {world.teacher.get_short_name()}")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="My goals")).to_have_attribute("aria-current", "page")
    expect(page.get_by_text(world.school_a.name)).to_be_visible()


def test_wrong_password_shows_the_generic_error_and_stays_on_sign_in(
    page: Page, live_server, world
):
    sign_in(page, live_server, world.teacher.email, "not-the-password")

    expect(page).to_have_url(SIGN_IN_PATH)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_text(GENERIC_ERROR)).to_be_visible()
    # The email stays typed in, so only the password needs retyping.
    expect(page.get_by_label("Email")).to_have_value(world.teacher.email)
    expect(page.get_by_label("Password")).to_have_value("")


def test_unknown_email_shows_the_same_error_as_a_wrong_password(page: Page, live_server, world):
    sign_in(page, live_server, "nobody@example.org", world.password)

    expect(page).to_have_url(SIGN_IN_PATH)
    expect(page.get_by_text(GENERIC_ERROR)).to_be_visible()


def test_phone_menu_collapses_and_signs_out(phone_page: Page, live_server, world):
    page = phone_page
    sign_in(page, live_server, world.teacher.email, world.password)
    expect(page.get_by_role("heading", level=1)).to_have_text("My goals")
    menu_button = page.get_by_role("button", name="Open menu")
    user_menu = page.get_by_role("button", name=world.teacher.get_short_name(), exact=True)
    sign_out = page.get_by_role("button", name="Sign out")

    expect(menu_button).to_be_visible()
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    expect(user_menu).to_be_hidden()
    expect(sign_out).to_be_hidden()

    menu_button.click()
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    # Wait for the menu to finish opening: a click while Bootstrap animates its height can
    # land before the dropdown is ready (seen once on a fresh clone).
    expect(page.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))
    user_menu.click()
    expect(user_menu).to_have_attribute("aria-expanded", "true")
    expect(sign_out).to_be_visible()
    sign_out.click()

    expect(page).to_have_url(SIGN_IN_PATH)
    expect(page.get_by_role("button", name="Open menu")).to_have_count(0)
    # Signed out for real: the home page now asks to sign in again.
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next=/$"))


def test_navigation_is_not_collapsed_on_a_desktop(page: Page, live_server, world):
    sign_in(page, live_server, world.teacher.email, world.password)

    expect(page.get_by_role("button", name="Open menu")).to_be_hidden()
    user_menu = page.get_by_role("button", name=world.teacher.get_short_name(), exact=True)
    expect(user_menu).to_be_visible()


def test_teacher_coach_switches_role_through_working_as_menu(page: Page, live_server, world):
    add_role(world.coach, Role.TEACHER, world.school_a)
    sign_in(page, live_server, world.coach.email, world.password)
    heading = page.get_by_role("heading", level=1)
    # Coaching comes first among the two roles, so switch away from it and back again.
    expect(heading).to_have_text("My caseload")

    page.get_by_role("button", name="Working as coach").click()
    page.get_by_role("button", name="Teacher", exact=True).click()
    expect(heading).to_have_text("My goals")
    expect(page.get_by_text("You are now working as teacher.")).to_be_visible()

    page.get_by_role("button", name="Working as teacher").click()
    page.get_by_role("button", name="Coach", exact=True).click()
    expect(heading).to_have_text("My caseload")
    expect(page.get_by_text("You are now working as coach.")).to_be_visible()
    expect(page.get_by_role("heading", name=world.school_b.name)).to_be_visible()
