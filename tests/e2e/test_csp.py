"""In a real Chromium, no page of any role breaks the Content Security Policy.

Chromium reports each blocked script, style or attribute on the console ("Refused to ...")
and as a `securitypolicyviolation` event; both are collected across each role's main pages,
including htmx swaps, Bootstrap menus and the evidence draft's scripts.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from tests.e2e.conftest import sign_in
from tests.security.conftest import Objects, media_root, objects  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || ""}:${event.lineNumber}`);
});
"""


class Watch:
    """Collect CSP reports of one browser page across navigations."""

    def __init__(self, page: Page):
        self.page = page
        self.console: list[str] = []
        self.events: list[str] = []
        page.add_init_script(LISTEN)
        page.on("console", self._console)

    def _console(self, message) -> None:
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            self.console.append(f"{self.page.url}: {text}")

    def visit(self, live_server, url: str) -> None:
        response = self.page.goto(f"{live_server.url}{url}")
        assert response is not None, url
        assert response.status < 400, (url, response.status)
        self.page.wait_for_load_state("load")
        self.collect()

    def collect(self) -> None:
        found = self.page.evaluate("window.__csp || []")
        self.events += [f"{self.page.url}: {event}" for event in found]
        self.page.evaluate("window.__csp = []")

    def assert_clean(self) -> None:
        self.collect()
        problems = self.console + self.events
        assert not problems, "CSP violations:\n" + "\n".join(problems)


def _pages(o: Objects) -> dict[str, list[str]]:
    w = o.world
    return {
        "teacher": [
            reverse("home"),
            reverse("goals:goal_list"),
            reverse("goals:goal_detail", args=[o.goal.pk]),
            reverse("evidence:submission_detail", args=[o.submission.pk]),
            reverse("evidence:tier_start", args=[o.draft_goal.pk, 2]),
            reverse("coaching:my_coaching"),
            reverse("coaching:conversation_detail", args=[o.conversation.pk]),
            reverse("goals:team_detail", args=[o.team.pk]),
            reverse("notification_list"),
            reverse("evidence:rubric_list"),
            reverse("dashboards:growth"),
            reverse("dashboards:growth_portfolio"),
            reverse("library:list"),
            reverse("library:detail", args=[o.entry.pk]),
            reverse("library:publish", args=[o.shared_goal.pk]),
        ],
        "coach": [
            reverse("home"),
            reverse("coaching:caseload"),
            reverse("coaching:conversation_edit", args=[o.conversation.pk]),
            reverse("goals:team_list"),
        ],
        "coordinator": [
            reverse("home"),
            reverse("evidence:review_queue"),
            reverse("evidence:review_score", args=[o.submission.pk]),
            reverse("evidence:payout_list"),
            reverse("evidence:review_settings"),
            reverse("evidence:rubric_edit", args=[1]),
            reverse("coaching:reminder_pause_list"),
            reverse("dashboards:district"),
        ],
        "principal": [
            reverse("home"),
            reverse("dashboards:school", args=[w.school_a.pk]),
            reverse("access_log"),
            reverse("goals:approval_list"),
            reverse("coaching:assignment_list"),
            reverse("goals:system_goal_list"),
            reverse("library:school_recognition"),
        ],
        "district_admin": [
            reverse("home"),
            reverse("manage:school_list"),
            reverse("manage:person_edit", args=[w.teacher.pk]),
            reverse("manage:school_year_list"),
            reverse("goals:vision"),
            reverse("goals:framework_edit", args=[o.framework.pk]),
            reverse("coaching:reminder_settings"),
            reverse("password_change"),
        ],
    }


@pytest.mark.parametrize("role", ["teacher", "coach", "coordinator", "principal", "district_admin"])
def test_no_page_of_a_role_breaks_the_policy(page: Page, live_server, objects, role):  # noqa: F811
    person = getattr(objects.world, role)
    watch = Watch(page)
    sign_in(page, live_server, person.email, objects.world.password)
    for url in _pages(objects)[role]:
        watch.visit(live_server, url)
    # Open the first dropdown menu of the navigation (Bootstrap positions it with Popper).
    toggle = page.locator("[data-bs-toggle=dropdown]").first
    if toggle.count():
        toggle.click()
        page.wait_for_timeout(200)
    watch.assert_clean()


def test_htmx_and_the_draft_scripts_keep_to_the_policy(page: Page, live_server, objects):  # noqa: F811
    watch = Watch(page)
    sign_in(page, live_server, objects.teacher.email, objects.world.password)
    watch.visit(live_server, reverse("evidence:submission_edit", args=[objects.draft.pk]))
    page.get_by_label("Reflection", exact=False).first.fill("We tried talk moves " * 5)
    # The autosave (htmx) answers within a few seconds; its status line then changes.
    page.wait_for_timeout(4_500)
    watch.assert_clean()


def test_htmx_search_keeps_to_the_policy(page: Page, live_server, objects):  # noqa: F811
    watch = Watch(page)
    sign_in(page, live_server, objects.world.district_admin.email, objects.world.password)
    watch.visit(live_server, reverse("manage:person_list"))
    with page.expect_response(lambda r: "/manage/people/" in r.url and r.status == 200):
        page.locator("#id_q").fill("teach")
    page.wait_for_timeout(300)
    watch.assert_clean()


def test_the_watch_sees_an_inline_style_and_script_being_refused(page: Page, live_server, world):
    """The check above can fail: markup with inline style and script is refused and reported."""
    watch = Watch(page)
    watch.visit(live_server, reverse("login"))
    page.evaluate(
        """document.body.insertAdjacentHTML("beforeend", '<p style="color: red">x</p>');
        const s = document.createElement("script"); s.textContent = "window.ran = 1";
        document.body.append(s);"""
    )
    page.wait_for_timeout(300)
    watch.collect()
    assert any("style-src" in event for event in watch.events), watch.events
    assert any("script-src" in event for event in watch.events), watch.events
    assert page.evaluate("window.ran") is None


def test_the_sign_in_and_reset_pages_keep_to_the_policy(page: Page, live_server, world):
    watch = Watch(page)
    watch.visit(live_server, reverse("login"))
    watch.visit(live_server, reverse("password_reset"))
    watch.assert_clean()
