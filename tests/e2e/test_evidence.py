"""A teacher's tier evidence in a real browser: Tier 1 written with two resources, Tier 2
with a photo and a short video reflection, axe on both forms, and an expired session that
loses nothing typed."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from evidence import services
from evidence.models import Artifact, Submission
from pplearn.notifications import email_suppressed
from tests.e2e.conftest import sign_in
from tests.e2e.test_accessibility import assert_no_serious_violations
from tests.evidence.evidence_factories import (
    FIXTURES,
    approved_goal,
    decide,
    png_bytes,
    set_rule,
    words,
)

pytestmark = pytest.mark.e2e

S = Submission.Status


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def is_autosave(response) -> bool:
    return response.url.endswith("/autosave/") and response.request.method == "POST"


def open_tier(page: Page, live_server, goal, tier: int) -> None:
    """From the goal page, start the tier as a teacher would."""
    page.goto(f"{live_server.url}{goal.get_absolute_url()}")
    page.get_by_role("link", name=f"Start Tier {tier}").click()
    page.get_by_role("button", name=f"Start Tier {tier}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Tier {tier} ·")


def add_resource(page: Page, title: str, kind: str, citation: str, *, research: bool) -> None:
    form = page.locator("form", has=page.get_by_role("button", name="Add resource"))
    form.get_by_label("Title").fill(title)
    form.get_by_label("Kind").select_option(label=kind)
    form.get_by_label("Citation or URL").fill(citation)
    form.get_by_label("Research-based").set_checked(research)
    form.get_by_role("button", name="Add resource").click()
    expect(page.get_by_text(f"Added “{title}”.")).to_be_visible()


def check_and_submit(page: Page, tier: int) -> None:
    page.get_by_role("button", name="Check and submit").click()
    expect(page.get_by_text(f"Everything Tier {tier} asks for is here.")).to_be_visible()
    page.get_by_role("button", name=f"Submit Tier {tier} for review").click()
    expect(page.get_by_text(f"Tier {tier} submitted for review.")).to_be_visible()
    expect(page.get_by_text("Submitted for review", exact=True)).to_be_visible()


def test_teacher_completes_tier_1_in_writing_and_tier_2_with_a_photo_and_a_video(
    page: Page, live_server, world
):
    goal = approved_goal(world)
    sign_in(page, live_server, world.teacher.email, world.password)

    # Tier 1: two resources, one research-based, and a written reflection in range.
    open_tier(page, live_server, goal, 1)
    add_resource(
        page, "Classroom Discussions", "Book", "Chapin et al., Math Solutions, 2013", research=True
    )
    add_resource(page, "Talk moves session", "Conference session", "NCTM 2026", research=False)
    reflection = page.get_by_role("textbox", name="Reflection")
    reflection.fill(words(520))
    expect(page.locator("#word-count")).to_have_text("520 words (500-600 words) · within the range")
    assert_no_serious_violations(page)
    check_and_submit(page, 1)

    tier_1 = Submission.objects.get(goal=goal, tier=1)
    assert (tier_1.status, tier_1.word_count) == (S.SUBMITTED, 520)
    assert sorted(tier_1.resources.values_list("title", "research_based")) == [
        ("Classroom Discussions", True),
        ("Talk moves session", False),
    ]
    with email_suppressed():
        decide(tier_1, world.coordinator)

    # Tier 2: a photo of practice and a video reflection of the district's length.
    set_rule(world.district, 2, min_video_seconds=20, max_video_seconds=45)
    open_tier(page, live_server, goal, 2)
    photo_form = page.locator("form#artifact")
    photo_form.get_by_label("File").set_input_files(
        files=[{"name": "anchor-chart.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    photo_form.get_by_label("Short description").fill("Anchor chart")
    photo_form.get_by_role("button", name="Attach").click()
    expect(page.get_by_text("Attached “Anchor chart”.")).to_be_visible()
    expect(page.get_by_role("img", name="Anchor chart")).to_be_visible()

    expect(page.get_by_label("Desired outcome")).to_have_value(goal.desired_outcome)
    page.get_by_label("Connection to curriculum or best practice").fill(
        "Standards for Mathematical Practice 3: construct viable arguments."
    )
    page.get_by_label("Record a video of 0:20-0:45 minutes").check()
    expect(reflection).to_be_hidden()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()

    video_form = page.locator("form#reflection_video")
    video_form.get_by_label("File").set_input_files(FIXTURES / "clip_30s.mp4")
    video_form.get_by_role("button", name="Upload video").click()
    expect(page.get_by_text("Attached “clip_30s.mp4”.")).to_be_visible()
    expect(page.locator(".reflection-video").get_by_text("30 s")).to_be_visible()
    assert_no_serious_violations(page)
    check_and_submit(page, 2)
    # Stop the video player fetching its file before the test's media folder goes away.
    page.goto("about:blank")

    tier_2 = Submission.objects.get(goal=goal, tier=2)
    assert tier_2.status == S.SUBMITTED
    assert tier_2.reflection_format == Submission.ReflectionFormat.VIDEO
    assert tier_2.curriculum_connection.startswith("Standards for Mathematical Practice 3")
    assert sorted(tier_2.artifacts.values_list("purpose", "kind", "duration_seconds")) == [
        (Artifact.Purpose.ARTIFACT, Artifact.Kind.IMAGE, None),
        (Artifact.Purpose.REFLECTION_VIDEO, Artifact.Kind.VIDEO, 30),
    ]


def test_what_was_typed_survives_an_expired_session(page: Page, live_server, world):
    goal = approved_goal(world)
    draft = services.submission_start(goal=goal, tier=1, actor=world.teacher)
    edit_url = reverse("evidence:submission_edit", args=[draft.pk])
    sign_in(page, live_server, world.teacher.email, world.password)
    page.goto(f"{live_server.url}{edit_url}")
    status = page.locator("#autosave-status")
    reflection = page.get_by_role("textbox", name="Reflection")
    expect(status).to_have_text("Not saved yet")

    with page.expect_response(is_autosave) as first:
        reflection.fill("Talk moves gave quiet students a way in.")
    assert first.value.status == 200
    expect(status).to_contain_text("Saved at")
    draft.refresh_from_db()
    assert draft.reflection == "Talk moves gave quiet students a way in."

    # The session ends (cookies gone) while the teacher keeps typing.
    page.context.clear_cookies()
    typed = "Talk moves gave quiet students a way in. Then my session ran out as I wrote on."
    with page.expect_response(is_autosave) as lost:
        reflection.fill(typed)
    assert lost.value.status == 401
    banner = page.get_by_role("alert").filter(has_text="You were signed out")
    expect(banner).to_be_visible()
    expect(status).to_have_text("Not saved: you were signed out")
    draft.refresh_from_db()
    assert draft.reflection == "Talk moves gave quiet students a way in."

    banner.get_by_role("link", name="Sign in again").click()
    page.get_by_label("Email").fill(world.teacher.email)
    page.get_by_label("Password").fill(world.password)
    with page.expect_response(is_autosave) as saved:
        page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(f"{live_server.url}{edit_url}")
    expect(page.get_by_text("We restored what you typed on this device")).to_be_visible()
    expect(reflection).to_have_value(typed)
    assert saved.value.status == 200
    draft.refresh_from_db()
    assert draft.reflection == typed
