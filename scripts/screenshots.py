"""Full-page screenshots of pplearn's pages, at phone and desktop widths, for visual review.

Run against a server that has the demo district loaded (`manage.py load_demo`):

    .venv/bin/python scripts/screenshots.py [BASE_URL] [--out screenshots]

BASE_URL defaults to http://127.0.0.1:8000. It signs in through the form as each demo
role and writes PNGs named <width>-<nn>-<page>.png into the output folder (gitignored).
It uses Debian's Chromium; it never downloads a browser. With DEBUG on, the server answers
an unknown address with Django's debug page, so run it with DJANGO_DEBUG=false (plus
SECRET_KEY, SECURE_SSL_REDIRECT=false and collectstatic) to see the real 404 page.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

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
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
DEMO_PASSWORD = "pplearn-demo"  # noqa: S105 - the demo district's published password
DOMAIN = "maplevalley.example"
ROLES = ["teacher", "coach", "principal", "coordinator", "admin"]


class Shooter:
    """Save numbered full-page screenshots of one viewport into one folder."""

    def __init__(self, browser: Browser, base_url: str, out: Path, width_name: str):
        self.browser = browser
        self.base_url = base_url.rstrip("/")
        self.out = out
        self.width_name = width_name
        self.count = 0
        self.saved: list[Path] = []

    def context(self) -> BrowserContext:
        return self.browser.new_context(viewport=VIEWPORTS[self.width_name])

    def open(self, page: Page, path: str) -> None:
        response = page.goto(f"{self.base_url}{path}", wait_until="networkidle")
        if response is None:
            raise RuntimeError(f"No response for {path}")

    def shot(self, page: Page, name: str) -> None:
        self.count += 1
        path = self.out / f"{self.width_name}-{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.saved.append(path)
        print(f"  {path}  ({page.url})")

    def sign_in(self, page: Page, email: str, password: str) -> None:
        self.open(page, "/accounts/sign-in/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state("networkidle")
        if "/accounts/sign-in/" in page.url:
            raise RuntimeError(f"Could not sign in as {email}: is the demo district loaded?")


def shoot_signed_out(shooter: Shooter) -> None:
    context = shooter.context()
    page = context.new_page()
    shooter.open(page, "/accounts/sign-in/")
    shooter.shot(page, "sign-in")
    page.get_by_label("Email").fill("teacher@" + DOMAIN)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")
    shooter.shot(page, "sign-in-error")
    shooter.open(page, "/accounts/password/reset/")
    shooter.shot(page, "password-reset")
    context.close()


def shoot_role(shooter: Shooter, role: str, password: str) -> None:
    context = shooter.context()
    page = context.new_page()
    shooter.sign_in(page, f"{role}@{DOMAIN}", password)
    shooter.shot(page, f"home-{role}")
    menu = page.get_by_role("button", name="Open menu")
    if menu.is_visible():
        menu.click()
        page.wait_for_timeout(400)  # let the collapse animation finish
        shooter.shot(page, f"home-{role}-menu-open")
    if role == "coach":
        page.get_by_role("button", name="Working as coach").click()
        shooter.shot(page, "home-coach-role-menu")
        page.get_by_role("button", name="Teacher", exact=True).click()
        page.wait_for_load_state("networkidle")
        shooter.shot(page, "home-coach-working-as-teacher")
    if role == "teacher":
        shoot_not_found(shooter, page)
    if role == "admin":
        shoot_admin_pages(shooter, page)
    context.close()


def shoot_not_found(shooter: Shooter, page: Page) -> None:
    shooter.open(page, "/this-page-does-not-exist/")
    if "Using the URLconf" in page.content():
        print("  note: the server runs with DEBUG on, so this is Django's debug 404 page")
    shooter.shot(page, "not-found")


def shoot_admin_pages(shooter: Shooter, page: Page) -> None:
    shooter.open(page, "/manage/schools/")
    shooter.shot(page, "schools")
    school_link = page.locator("td[data-label=School] a").first
    school_name = school_link.inner_text()
    school_link.click()
    page.wait_for_load_state("networkidle")
    shooter.shot(page, "school-edit")

    shooter.open(page, "/manage/people/")
    shooter.shot(page, "people")
    # Filter as a person would; htmx swaps the rows and pushes the filters into the URL.
    page.get_by_label("Role").select_option(label="Teacher")
    page.wait_for_url("**role=teacher**")
    page.get_by_label("School").select_option(label=school_name)
    page.wait_for_url("**school=**")
    page.wait_for_load_state("networkidle")
    shooter.shot(page, "people-filtered")
    page.get_by_label("Search name, email or employee ID").fill("zzzz-nobody")
    page.wait_for_url("**q=zzzz-nobody**")
    page.wait_for_load_state("networkidle")
    shooter.shot(page, "people-filtered-empty")

    shooter.open(page, "/manage/people/add/")
    shooter.shot(page, "person-add")
    page.get_by_role("button", name="Save person").click()
    page.wait_for_load_state("networkidle")
    shooter.shot(page, "person-add-errors")

    shooter.open(page, "/manage/people/?q=teacher%40")
    page.locator("td[data-label=Name] a").first.click()
    page.wait_for_load_state("networkidle")
    shooter.shot(page, "person-edit")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--password", default=DEMO_PASSWORD)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    saved: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            for width_name in VIEWPORTS:
                print(f"{width_name} {VIEWPORTS[width_name]}")
                shooter = Shooter(browser, args.base_url, args.out, width_name)
                shoot_signed_out(shooter)
                for role in ROLES:
                    shoot_role(shooter, role, args.password)
                saved += shooter.saved
        finally:
            browser.close()
    print(f"Saved {len(saved)} screenshots in {args.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
