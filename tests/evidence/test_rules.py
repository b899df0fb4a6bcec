"""Every rule of every tier, met and not met; each problem names the rule it breaks.

Drafts start from `complete_draft` (every default rule met), then break one rule, so a test
fails if any other rule misfires. Files go through the draft page's upload form.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evidence import services
from evidence.models import Artifact, Submission
from evidence.rules import submission_problems
from tests.evidence.evidence_factories import (
    DEFAULT_WORDS,
    HTML_PAGE,
    add_resource,
    approved_goal,
    attach,
    complete_draft,
    fixture_upload,
    messages_of,
    passed_tiers,
    pdf_bytes,
    png_bytes,
    save,
    set_rule,
    upload,
    windows_program,
    words,
)

S = Submission.Status
MB = 1024 * 1024
RESEARCH_RULE = (
    "At least 1 resource must be research-based: a published book or article, a webinar "
    "or a course."
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def draft_of(world, tier: int) -> Submission:
    """A draft of `tier` meeting every default rule, on a goal whose earlier tiers passed."""
    goal = approved_goal(world)
    passed_tiers(goal, *range(1, tier))
    return complete_draft(goal, tier)


def problems(submission: Submission) -> list[str]:
    submission = Submission.objects.get(pk=submission.pk)
    return [p.message for p in submission_problems(submission)]


def submit_refusal(submission: Submission) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        services.submission_submit(submission=submission, actor=submission.goal.teacher)
    submission.refresh_from_db()
    assert submission.status == S.DRAFT
    return caught.value.messages


def test_a_draft_meeting_every_rule_of_its_tier_is_submitted(world):
    drafts = {tier: draft_of(world, tier) for tier in (1, 2, 3, 4)}

    assert {tier: problems(draft) for tier, draft in drafts.items()} == dict.fromkeys(drafts, [])
    for draft in drafts.values():
        services.submission_submit(submission=draft, actor=world.teacher)
        draft.refresh_from_db()
        assert draft.status == S.SUBMITTED
        assert draft.submitted_at is not None


# The written reflection ----------------------------------------------------------------


@pytest.mark.parametrize("tier", [1, 2, 3, 4])
def test_written_reflection_length_of_each_tier(world, tier):
    low, high = DEFAULT_WORDS[tier]
    draft = draft_of(world, tier)

    found = {}
    for count in (low - 1, low, high, high + 1):
        save(draft, reflection=words(count))
        found[count] = problems(draft)

    rule = f"Tier {tier} asks for {low} to {high}."
    assert found == {
        low - 1: [f"Your reflection has {low - 1} words; {rule}"],
        low: [],
        high: [],
        high + 1: [f"Your reflection has {high + 1} words; {rule}"],
    }


def test_empty_reflection_is_refused_at_submit(world):
    draft = save(draft_of(world, 3), reflection="")

    assert submit_refusal(draft) == ["Your reflection has 0 words; Tier 3 asks for 250 to 350."]


def test_the_districts_word_range_is_the_rule(world):
    draft = save(draft_of(world, 2), reflection=words(15))
    set_rule(world.district, 2, min_words=10, max_words=20)

    assert problems(draft) == []
    save(draft, reflection=words(21))
    assert problems(draft) == ["Your reflection has 21 words; Tier 2 asks for 10 to 20."]


# Tier 1: learning resources ------------------------------------------------------------


def test_tier_1_with_one_resource_only_is_refused(world):
    draft = draft_of(world, 1)
    draft.resources.filter(research_based=False).delete()

    assert submit_refusal(draft) == ["Add at least 2 learning resources (you have 1)."]


def test_tier_1_without_a_research_based_resource_is_refused(world):
    draft = draft_of(world, 1)
    draft.resources.update(research_based=False)

    assert submit_refusal(draft) == [RESEARCH_RULE]


def test_tier_1_without_resources_breaks_both_resource_rules(world):
    draft = draft_of(world, 1)
    draft.resources.all().delete()

    assert problems(draft) == ["Add at least 2 learning resources (you have 0).", RESEARCH_RULE]


def test_one_event_and_one_research_based_resource_pass_tier_1(world):
    draft = draft_of(world, 1)

    kinds = sorted(draft.resources.values_list("kind", "research_based"))
    assert kinds == [("book", True), ("visit", False)]
    assert problems(draft) == []


def test_the_districts_resource_counts_are_the_rule(world):
    draft = draft_of(world, 1)
    set_rule(world.district, 1, min_resources=3, min_research_based=2)

    assert problems(draft) == [
        "Add at least 3 learning resources (you have 2).",
        "At least 2 resources must be research-based: a published book or article, a "
        "webinar or a course.",
    ]
    add_resource(draft, research_based=True)
    assert problems(draft) == []


def test_a_district_asking_for_one_resource_says_so(world):
    draft = draft_of(world, 1)
    draft.resources.all().delete()
    set_rule(world.district, 1, min_resources=1, min_research_based=0)

    assert problems(draft) == ["Add at least 1 learning resource (you have 0)."]


def test_resources_belong_to_tier_1_only(world):
    draft = draft_of(world, 2)

    with pytest.raises(ValidationError, match="Learning resources belong to Tier 1"):
        add_resource(draft)


# Tier 2: artifacts of practice ---------------------------------------------------------


def test_tier_2_without_an_artifact_is_refused(world):
    draft = draft_of(world, 2)
    draft.artifacts.all().delete()

    assert submit_refusal(draft) == ["Add at least one artifact of practice: a file or a link."]


def test_tier_2_needs_the_outcome_and_the_connection(world):
    draft = draft_of(world, 2)

    save(draft, desired_outcome="  \n ")
    assert submit_refusal(draft) == ["Describe the desired outcome for students."]
    save(draft, desired_outcome="Students justify.", curriculum_connection="")
    assert submit_refusal(draft) == [
        "Explain the connection to the curriculum or to professional best practice."
    ]


def test_tier_2_with_an_uploaded_image_instead_of_a_link_passes(client, world):
    draft = draft_of(world, 2)
    draft.artifacts.all().delete()
    client.force_login(world.teacher)

    response = attach(
        client, draft, "artifact", upload=upload("chart.png", png_bytes()), title="Anchor chart"
    )

    assert messages_of(response) == ["Attached “Anchor chart”."]
    assert draft.artifacts.get().kind == Artifact.Kind.IMAGE
    assert problems(draft) == []


# Tier 3: data ------------------------------------------------------------------------


def test_tier_3_without_data_is_refused(world):
    draft = save(draft_of(world, 3), data_table="  ")

    assert submit_refusal(draft) == ["Add your data: a file, or a small table typed in."]


def test_tier_3_data_as_a_file_instead_of_a_table_passes(client, world):
    draft = save(draft_of(world, 3), data_table="")
    client.force_login(world.teacher)

    attach(client, draft, "data", upload=upload("scores.csv", b"name,score\nA,3\nB,4\n"))

    assert draft.artifacts.get().purpose == Artifact.Purpose.DATA
    assert problems(draft) == []


def test_tier_3_needs_the_data_type_goal_and_results(world):
    draft = draft_of(world, 3)
    complete = {f: getattr(draft, f) for f in ("data_type", "learning_goal_measured", "results")}

    found = {}
    for field in complete:
        save(draft, **(complete | {field: ""}))
        found[field] = submit_refusal(draft)

    assert found == {
        "data_type": ["Say what type of data it is."],
        "learning_goal_measured": ["Name the student learning goal you measured."],
        "results": ["Say whether the results were positive, negative or mixed."],
    }


def test_tier_3_results_pass_whether_positive_negative_or_mixed(world):
    draft = draft_of(world, 3)

    found = {}
    for results in ("positive", "negative", "mixed"):
        save(draft, results=results)
        found[results] = problems(draft)

    assert found == {"positive": [], "negative": [], "mixed": []}


# Tier 4: sharing -----------------------------------------------------------------------


def test_tier_4_without_a_plan_or_overview_is_refused(world):
    draft = save(draft_of(world, 4), practice_overview="")

    assert submit_refusal(draft) == [
        "Add the lesson plan or an overview of the practice (typed in or as a file)."
    ]


def test_tier_4_plan_as_a_file_instead_of_typed_passes(client, world):
    draft = save(draft_of(world, 4), practice_overview="")
    client.force_login(world.teacher)

    attach(client, draft, "plan", upload=fixture_upload("exit_ticket.pdf", "plan.pdf"))

    assert draft.artifacts.get().purpose == Artifact.Purpose.PLAN
    assert problems(draft) == []


def test_tier_4_needs_links_and_how_it_was_shared(world):
    draft = draft_of(world, 4)

    save(draft, resource_links=" \n \n")
    assert submit_refusal(draft) == ["Add links to every resource a colleague would need."]
    save(draft, resource_links="https://example.org/a\n", sharing_how=" ")
    assert submit_refusal(draft) == ["Say how and with whom you shared the practice."]


def test_several_broken_rules_are_all_named_at_once(world):
    draft = save(draft_of(world, 4), practice_overview="", sharing_how="", reflection="Short.")

    assert problems(draft) == [
        "Add the lesson plan or an overview of the practice (typed in or as a file).",
        "Say how and with whom you shared the practice.",
        "Your reflection has 1 word; Tier 4 asks for 250 to 350.",
    ]


# The video reflection --------------------------------------------------------------------


def video_draft(world, tier: int) -> Submission:
    return save(draft_of(world, tier), reflection_format="video", reflection="")


def upload_video(client, draft, fixture_name):
    return attach(client, draft, "reflection_video", upload=fixture_upload(fixture_name))


def test_a_video_reflection_must_be_uploaded(world):
    assert submit_refusal(video_draft(world, 2)) == ["Upload your video reflection."]


# What the committed clips make of the default video range of Tier 1 and Tier 2.
VIDEO_CASES = {
    1: {
        "clip_90s.mp4": ["Your video reflection is 1:30 long; Tier 1 asks for 2:00 to 3:00."],
        "clip_150s.mp4": [],
    },
    2: {
        "clip_30s.mp4": ["Your video reflection is 0:30 long; Tier 2 asks for 1:00 to 2:00."],
        "clip_90s.mp4": [],
        "clip_150s.mp4": ["Your video reflection is 2:30 long; Tier 2 asks for 1:00 to 2:00."],
    },
}


@pytest.mark.parametrize("tier", sorted(VIDEO_CASES))
def test_video_reflection_length_is_read_from_the_file(client, world, tier):
    draft = video_draft(world, tier)
    client.force_login(world.teacher)

    found = {}
    for clip in VIDEO_CASES[tier]:
        upload_video(client, draft, clip)
        found[clip] = problems(draft)

    assert found == VIDEO_CASES[tier]
    # Each upload replaced the one before: one video reflection per submission.
    videos = draft.artifacts.filter(purpose=Artifact.Purpose.REFLECTION_VIDEO)
    assert [(v.original_name, v.duration_seconds) for v in videos] == [(clip, 150)]


def test_the_districts_video_range_is_the_rule(client, world):
    draft = video_draft(world, 3)
    client.force_login(world.teacher)
    upload_video(client, draft, "clip_30s.mp4")
    assert problems(draft) == ["Your video reflection is 0:30 long; Tier 3 asks for 1:00 to 2:00."]

    set_rule(world.district, 3, min_video_seconds=20, max_video_seconds=40)

    assert problems(draft) == []


def test_a_video_reflection_cannot_be_a_link(client, world):
    draft = video_draft(world, 2)
    client.force_login(world.teacher)

    response = attach(client, draft, "reflection_video", url="https://video.example.org/1")

    assert messages_of(response) == [
        "Nothing was attached: Upload the video reflection as a file, so its length can be checked."
    ]
    assert not draft.artifacts.filter(purpose=Artifact.Purpose.REFLECTION_VIDEO).exists()


def test_sound_without_picture_is_not_a_video_reflection(client, world):
    draft = video_draft(world, 2)
    client.force_login(world.teacher)

    response = upload_video(client, draft, "tone_7s.webm")

    assert messages_of(response) == [
        "Nothing was attached: “tone_7s.webm” has sound but no picture; video reflections "
        "must be a video."
    ]
    assert problems(draft) == ["Upload your video reflection."]


def test_with_a_written_reflection_an_uploaded_video_is_not_checked(client, world):
    draft = draft_of(world, 2)
    client.force_login(world.teacher)

    upload_video(client, draft, "clip_150s.mp4")

    assert problems(draft) == []


# Files that are refused --------------------------------------------------------------


def refused_upload(client, world, name, data, purpose="artifact"):
    """Upload to a complete Tier 2 draft; check nothing changed; return the message."""
    draft = draft_of(world, 2)
    before = list(draft.artifacts.values_list("pk", flat=True))
    client.force_login(world.teacher)

    response = attach(client, draft, purpose, upload=upload(name, data), title="Evidence")

    assert response.redirect_chain[-1][0].endswith(f"/evidence/{draft.pk}/edit/#{purpose}")
    assert list(draft.artifacts.values_list("pk", flat=True)) == before
    # The rest of the draft is untouched and still shown.
    assert "Students justify." in response.text
    assert problems(draft) == []
    [message] = messages_of(response)
    return message


def test_a_windows_program_renamed_pdf_is_refused(client, world):
    message = refused_upload(client, world, "lesson.pdf", windows_program())

    assert message == (
        "Nothing was attached: “lesson.pdf” is not an image, video, audio, PDF, document or "
        "spreadsheet file we accept: it looks like a Windows program."
    )


def test_an_html_page_renamed_png_is_refused(client, world):
    message = refused_upload(client, world, "photo.png", HTML_PAGE)

    assert message == (
        "Nothing was attached: “photo.png” is not an image, video, audio, PDF, document or "
        "spreadsheet file we accept: it looks like a web page (HTML). To upload it, save it "
        "as PDF."
    )


def test_an_oversized_file_is_refused(client, world, settings):
    settings.EVIDENCE_MAX_FILE_BYTES = 2 * 1024

    message = refused_upload(client, world, "worksheet.pdf", pdf_bytes(3 * 1024))

    assert message == (
        "Nothing was attached: “worksheet.pdf” is 3 KB; files other than videos may be at "
        "most 2 KB."
    )


def test_a_file_just_under_the_size_limit_is_accepted(client, world, settings):
    settings.EVIDENCE_MAX_FILE_BYTES = 2 * 1024
    draft = draft_of(world, 2)
    client.force_login(world.teacher)

    attach(client, draft, "artifact", upload=upload("worksheet.pdf", pdf_bytes(2 * 1024)))

    assert draft.artifacts.filter(kind=Artifact.Kind.PDF, size=2 * 1024).exists()


def test_files_of_one_submission_add_up_to_the_limit(client, world, settings):
    settings.EVIDENCE_MAX_SUBMISSION_BYTES = 1 * MB
    draft = draft_of(world, 2)
    client.force_login(world.teacher)
    attach(client, draft, "artifact", upload=upload("a.pdf", pdf_bytes(600 * 1024)))

    response = attach(client, draft, "artifact", upload=upload("b.pdf", pdf_bytes(600 * 1024)))

    assert messages_of(response) == [
        "Nothing was attached: Files of one submission may add up to 1 MB; this one would go "
        "over. Remove a file or share a link instead."
    ]
    assert list(draft.artifacts.filter(size__gt=0).values_list("original_name", flat=True)) == [
        "a.pdf"
    ]


def test_a_video_is_not_accepted_as_data(client, world):
    goal = approved_goal(world)
    passed_tiers(goal, 1, 2)
    draft = complete_draft(goal, 3)
    client.force_login(world.teacher)

    response = attach(client, draft, "data", upload=fixture_upload("clip_30s.mp4"))

    assert messages_of(response) == [
        "Nothing was attached: “clip_30s.mp4” is a video; data files must be a CSV, text, "
        "spreadsheet, PDF or image file."
    ]
    assert not draft.artifacts.exists()


def test_choosing_neither_a_file_nor_a_link_attaches_nothing(client, world):
    draft = draft_of(world, 2)
    client.force_login(world.teacher)

    response = attach(client, draft, "artifact")

    assert messages_of(response) == ["Nothing was attached: Choose a file or paste a link."]
    assert draft.artifacts.count() == 1


# Checking over HTTP --------------------------------------------------------------------


def test_the_check_page_names_every_broken_rule(client, world):
    goal = approved_goal(world)
    draft = services.submission_start(goal=goal, tier=1, actor=world.teacher)
    save(draft, reflection=words(12))
    client.force_login(world.teacher)

    page = client.get(reverse("evidence:submission_submit", args=[draft.pk]))

    assert [p.message for p in page.context["problems"]] == [
        "Add at least 2 learning resources (you have 0).",
        RESEARCH_RULE,
        "Your reflection has 12 words; Tier 1 asks for 500 to 600.",
    ]
    assert "3 things to fix before you submit" in page.text
    assert "Submit Tier 1 for review" not in page.text


def test_check_and_submit_saves_the_draft_then_shows_what_to_fix(client, world):
    goal = approved_goal(world)
    draft = services.submission_start(goal=goal, tier=1, actor=world.teacher)
    client.force_login(world.teacher)
    url = reverse("evidence:submission_edit", args=[draft.pk])

    response = client.post(
        url, {"reflection_format": "text", "reflection": "Only a few words.", "check": ""}
    )

    assert response.url == reverse("evidence:submission_submit", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.reflection == "Only a few words."
    page = client.get(response.url)
    assert "Your reflection has 4 words; Tier 1 asks for 500 to 600." in page.text
