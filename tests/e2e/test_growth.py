"""The growth record in a real browser: the teacher opens it from the navigation, then the
printable portfolio; axe on both, and the print stylesheet leaves only the portfolio."""

import os

import pytest
from playwright.sync_api import Page, expect

from tests.dashboards.test_growth_record import PASS_FEEDBACK, PASSED_T2, build_growth
from tests.e2e.conftest import PHONE, sign_in
from tests.e2e.test_accessibility import assert_no_serious_violations

pytestmark = pytest.mark.e2e

# Screenshots for a person to look at, when asked for (GROWTH_SHOTS=/some/folder).
SHOTS = os.environ.get("GROWTH_SHOTS", "")


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_a_teacher_opens_the_growth_record_and_prints_the_portfolio(page: Page, live_server, world):
    build_growth(world)
    sign_in(page, live_server, world.teacher.email, world.password)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Growth record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My growth record")
    expect(page.get_by_role("heading", name="School year 2026-27")).to_be_visible()
    expect(page.get_by_text(PASS_FEEDBACK)).to_be_visible()
    expect(page.get_by_text("Returned", exact=True)).to_be_visible()
    assert_no_serious_violations(page)
    _shot(page, "record-desktop")

    page.get_by_role("link", name="Printable portfolio").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Professional learning portfolio")
    expect(page.get_by_text(PASSED_T2)).to_be_visible()
    expect(page.get_by_text("Class photo on the carpet")).to_have_count(0)
    assert_no_serious_violations(page)
    _shot(page, "portfolio-desktop")

    # Only the last school year's goal, through the form.
    page.get_by_label("School year").select_option("2025-26")
    expect(page.get_by_role("heading", name="Exit tickets", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Talk moves in math")).to_have_count(0)
    page.get_by_label("School year").select_option("")
    expect(page.get_by_role("heading", name="Talk moves in math")).to_be_visible()
    page.get_by_role("checkbox", name="Exit tickets").uncheck()
    page.get_by_role("button", name="Update the portfolio").click()
    expect(page.get_by_role("heading", name="Exit tickets", exact=True)).to_have_count(0)
    expect(page.get_by_role("heading", name="Talk moves in math")).to_be_visible()

    # The button opens the browser's print window (replaced here: headless has none).
    page.evaluate("window.print = () => { window.printed = true; }")
    page.get_by_role("button", name="Print or save as PDF").click()
    assert page.evaluate("window.printed === true")

    # On paper: no navigation, no buttons, no forms; the portfolio's header stays.
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_hidden()
    expect(page.get_by_role("heading", name="Choose what to include")).to_be_hidden()
    expect(page.get_by_text(world.teacher.full_name, exact=True)).to_be_visible()
    colour = page.get_by_role("heading", name="Talk moves in math").evaluate(
        "element => getComputedStyle(element).color"
    )
    assert colour == "rgb(0, 0, 0)"
    _shot(page, "portfolio-print")


def test_the_growth_record_at_phone_width(browser, live_server, world):
    build_growth(world)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        sign_in(page, live_server, world.teacher.email, world.password)
        page.get_by_role("button", name="Open menu").click()
        nav = page.get_by_role("navigation", name="Main")
        nav.get_by_role("link", name="Growth record").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("My growth record")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"]
        assert_no_serious_violations(page)
        _shot(page, "record-phone")
        page.get_by_role("link", name="Printable portfolio").click()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"]
        assert_no_serious_violations(page)
        _shot(page, "portfolio-phone")
    finally:
        context.close()
