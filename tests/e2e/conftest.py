"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

The live server answers from another thread, so it sees only committed rows: every e2e test
works on `transactional_db`, and `world` is overridden here to commit its data.
"""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# A failing expectation should report within seconds, not hang the suite.
expect.set_options(timeout=5_000)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Start one headless Chromium for the whole run."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


def _open_page(browser: Browser, viewport: dict) -> Iterator[Page]:
    # A fresh context per test: no cookies or storage leak from one test to the next.
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a new desktop-sized browser context."""
    yield from _open_page(browser, DESKTOP)


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    """A page in a new browser context the size of a phone held upright."""
    yield from _open_page(browser, PHONE)


@pytest.fixture
def world(transactional_db, world):
    """The shared district, committed so that the live server's thread can read it."""
    return world


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Each test creates several people; the production hasher would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(page: Page, live_server, email: str, password: str) -> None:
    """Sign in through the form, as a person would: open the page, type, press the button."""
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
