"""The shared library in a real browser: a teacher shares their passed Tier 4, a colleague
finds it by a word of the reflection, saves it and marks it tried; axe on the pages."""

import pytest
from playwright.sync_api import Browser, Page, expect

from library.models import Bookmark, LibraryEntry, TriedIt
from tests.e2e.conftest import DESKTOP, PHONE, sign_in
from tests.e2e.test_accessibility import assert_no_serious_violations
from tests.library.library_factories import artifact, colleague, tier4_goal, tier4_of

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def passed(world):
    goal = tier4_goal(
        world,
        title="Number talks every morning",
        reflection="At the PLC the sentence frames travelled best; next year I start in week one.",
    )
    artifact(tier4_of(goal), title="Number talk plan")
    artifact(tier4_of(goal), title="Class photo", shows_students=True)
    return goal


def _new_page(browser: Browser, viewport: dict) -> Page:
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    return context.new_page()


def test_a_teacher_shares_and_a_colleague_finds_saves_and_tries_it(
    page: Page, browser: Browser, live_server, world, passed
):
    sign_in(page, live_server, world.teacher.email, world.password)
    page.goto(f"{live_server.url}{tier4_of(passed).get_absolute_url()}")
    page.get_by_role("link", name="Share in the library").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Share your practice in the library")
    expect(page.get_by_text("Class photo")).to_have_count(0)
    expect(page.get_by_label("Number talk plan (Tier 4 image)")).to_be_checked()
    page.get_by_label("Summary").fill("Ten-minute number talks that get every student talking.")
    page.get_by_label("Subject").select_option(label="Mathematics")
    page.get_by_role("button", name="Publish in the library").click()
    expect(page.get_by_text("Your practice is in the library")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Number talks every morning")
    entry = LibraryEntry.objects.get()
    assert entry.is_published

    reader = colleague(world, full_name="Rosa Colleague", email="rosa@example.org")
    other = _new_page(browser, PHONE)
    sign_in(other, live_server, reader.email, world.password)
    other.goto(f"{live_server.url}/library/")
    other.get_by_label("Search the library").fill("sentence frames")
    other.get_by_role("button", name="Search").click()
    expect(other.get_by_text("1 practice found for “sentence frames”")).to_be_visible()
    expect(other.get_by_label("Search the library")).to_have_value("sentence frames")
    other.get_by_role("link", name="Number talks every morning").click()
    expect(other.get_by_role("heading", level=1)).to_have_text("Number talks every morning")
    expect(other.get_by_text("Class photo")).to_have_count(0)
    other.get_by_role("button", name="Save", exact=True).click()
    expect(other.get_by_role("button", name="Saved")).to_have_attribute("aria-pressed", "true")
    assert Bookmark.objects.filter(user=reader, entry=entry).exists()
    other.get_by_label("How did it go?").fill("My fourth graders loved the dot images.")
    other.get_by_role("button", name="I tried this").click()
    expect(other.get_by_text("the author sees that you tried it")).to_be_visible()
    assert TriedIt.objects.get(user=reader).comment == "My fourth graders loved the dot images."
    other.context.close()

    page.goto(f"{live_server.url}/library/mine/")
    expect(page.get_by_text("1 saved · 1 tried it")).to_be_visible()
    expect(page.get_by_text("My fourth graders loved the dot images.")).to_be_visible()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_library_list_and_entry_pass_axe(browser: Browser, live_server, world, passed, viewport):
    from library import services

    entry = services.entry_publish(
        goal=passed,
        actor=world.teacher,
        title=passed.title,
        summary="Ten-minute number talks.",
        practice="Show a dot image, give think time, collect strategies.",
        grade_band="elementary",
        subject="math",
        artifact_ids=list(services.shareable_artifacts(passed).values_list("pk", flat=True)),
    )
    reader = colleague(world)
    page = _new_page(browser, viewport)
    sign_in(page, live_server, reader.email, world.password)
    page.goto(f"{live_server.url}/library/?q=number")
    expect(page.get_by_role("link", name=entry.title)).to_be_visible()
    assert_no_serious_violations(page)
    page.goto(f"{live_server.url}{entry.get_absolute_url()}")
    assert_no_serious_violations(page)
    page.goto(f"{live_server.url}/library/saved/")
    assert_no_serious_violations(page)
    page.context.close()
    for person, paths in (
        (world.teacher, [f"/library/publish/{passed.pk}/", "/library/mine/"]),
        (world.principal, ["/library/recognition/"]),
    ):
        page = _new_page(browser, viewport)
        sign_in(page, live_server, person.email, world.password)
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            assert_no_serious_violations(page)
        page.context.close()
