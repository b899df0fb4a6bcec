"""The evidence pages: drafts, autosave, submit, recall, revise, versions, files and who
gets them. Through the URLs, checking both the response and the database."""

from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from evidence import services
from evidence.models import Artifact, LearningResource, Submission
from evidence.review_services import submission_open
from evidence.rubric_services import rubric_revise
from pplearn.models import AuditEvent
from tests.evidence.evidence_factories import (
    add_resource,
    approved_goal,
    complete_draft,
    current_rubric,
    fixture_bytes,
    messages_of,
    passed_tier,
    png_bytes,
    returned,
    submitted,
    upload,
    words,
)
from tests.goals.goal_factories import make_cast

S = Submission.Status
PDF_NAME = "Élève exit ticket – week 1.pdf"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def url(name, obj):
    return reverse(f"evidence:{name}", args=[obj.pk])


def tier_2_goal(world, **fields):
    goal = approved_goal(world, **fields)
    passed_tier(goal, 1)
    return goal


def attach_file(submission, name=PDF_NAME, data=None, **fields) -> Artifact:
    """Attach a checked file to a draft through the service."""
    return services.artifact_add(
        submission=submission,
        actor=submission.goal.teacher,
        purpose=fields.pop("purpose", "artifact"),
        upload=upload(name, data or fixture_bytes("exit_ticket.pdf")),
        **fields,
    )


def audit_verbs(submission) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type="evidence.submission", target_id=str(submission.pk))
        .order_by("at", "pk")
        .values_list("verb", flat=True)
    )


# Drafts --------------------------------------------------------------------------------


def test_the_draft_page_shows_the_tiers_fields_rules_and_scoring_guide(client, world):
    draft = services.submission_start(goal=tier_2_goal(world), tier=2, actor=world.teacher)
    client.force_login(world.teacher)

    page = client.get(url("submission_edit", draft))

    assert page.status_code == 200
    assert set(page.context["form"].fields) == {
        "reflection_format",
        "reflection",
        "desired_outcome",
        "curriculum_connection",
    }
    assert "A reflection of 250-350 words, or a video of 1-2 minutes." in page.text
    assert "How Tier 2 is scored (scoring guide v1)" in page.text
    assert 'data-word-min="250"' in page.text


def test_saving_a_draft_keeps_only_the_tiers_own_fields(client, world):
    draft = services.submission_start(goal=approved_goal(world), tier=1, actor=world.teacher)
    client.force_login(world.teacher)

    response = client.post(
        url("submission_edit", draft),
        {"reflection_format": "text", "reflection": "My notes.", "sharing_how": "Not tier 1"},
        follow=True,
    )

    assert messages_of(response) == ["Draft saved."]
    draft.refresh_from_db()
    assert (draft.reflection, draft.sharing_how) == ("My notes.", "")
    assert audit_verbs(draft) == ["submission.start", "submission.save"]


def test_an_invalid_draft_is_shown_again_with_the_error_and_what_was_typed(client, world):
    draft = services.submission_start(goal=tier_2_goal(world), tier=2, actor=world.teacher)
    client.force_login(world.teacher)

    page = client.post(
        url("submission_edit", draft),
        {
            "reflection_format": "audio",
            "reflection": "Typed before the error.",
            "curriculum_connection": "Common Core 3.OA",
        },
    )

    assert page.status_code == 200
    assert page.context["form"].errors["reflection_format"] == [
        "Select a valid choice. audio is not one of the available choices."
    ]
    assert "Typed before the error." in page.text
    assert "Common Core 3.OA" in page.text
    draft.refresh_from_db()
    assert draft.reflection == ""


def test_a_submitted_draft_page_leads_to_the_submission(client, world):
    submission = submitted(approved_goal(world), 1)
    client.force_login(world.teacher)

    response = client.get(url("submission_edit", submission))

    assert response.url == submission.get_absolute_url()


# Autosave ------------------------------------------------------------------------------


def autosave(client, draft, **data):
    return client.post(url("submission_autosave", draft), {"reflection_format": "text", **data})


def test_autosave_round_trip(client, world):
    draft = services.submission_start(goal=approved_goal(world), tier=1, actor=world.teacher)
    client.force_login(world.teacher)
    assert "Not saved yet" in client.get(url("submission_edit", draft)).text

    response = autosave(client, draft, reflection="Saved while typing")

    assert response.status_code == 200
    assert "Saved at" in response.text
    draft.refresh_from_db()
    assert draft.reflection == "Saved while typing"
    assert draft.autosaved_at is not None
    page = client.get(url("submission_edit", draft))
    assert "Saved while typing" in page.text
    assert f'data-saved-at="{int(draft.autosaved_at.timestamp())}"' in page.text


def test_autosave_after_the_session_expired_answers_401(world):
    draft = services.submission_start(goal=approved_goal(world), tier=1, actor=world.teacher)
    # The browser lost its session and CSRF cookies; its page still holds the old token.
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(
        url("submission_autosave", draft),
        {"reflection_format": "text", "reflection": "Lost?", "csrfmiddlewaretoken": "x" * 64},
    )

    assert response.status_code == 401
    assert "You were signed out" in response.text
    draft.refresh_from_db()
    assert draft.reflection == ""


def test_autosave_still_needs_the_csrf_token_when_signed_in(world):
    draft = services.submission_start(goal=approved_goal(world), tier=1, actor=world.teacher)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.teacher)

    response = browser.post(
        url("submission_autosave", draft), {"reflection_format": "text", "reflection": "Forged"}
    )

    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.reflection == ""


def test_autosave_with_the_csrf_token_saves(world):
    draft = services.submission_start(goal=approved_goal(world), tier=1, actor=world.teacher)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.teacher)
    page = browser.get(url("submission_edit", draft))
    token = page.context["csrf_token"]

    response = browser.post(
        url("submission_autosave", draft),
        {"reflection_format": "text", "reflection": "Mine", "csrfmiddlewaretoken": str(token)},
    )

    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.reflection == "Mine"


def test_autosave_of_invalid_data_answers_422_and_saves_nothing(client, world):
    draft = services.submission_start(goal=approved_goal(world), tier=1, actor=world.teacher)
    client.force_login(world.teacher)

    response = autosave(client, draft, reflection_format="audio", reflection="Half typed")

    assert response.status_code == 422
    assert response.text == (
        "Not saved: How will you reflect?: Select a valid choice. audio is not one of the "
        "available choices."
    )
    draft.refresh_from_db()
    assert (draft.reflection, draft.autosaved_at) == ("", None)


def test_autosave_of_evidence_no_longer_a_draft_answers_409(client, world):
    submission = submitted(approved_goal(world), 1)
    before = submission.reflection
    client.force_login(world.teacher)

    response = autosave(client, submission, reflection="Changed after submitting")

    assert response.status_code == 409
    submission.refresh_from_db()
    assert submission.reflection == before


def test_autosave_answers_only_post(client, world):
    draft = services.submission_start(goal=approved_goal(world), tier=1, actor=world.teacher)
    client.force_login(world.teacher)

    assert client.get(url("submission_autosave", draft)).status_code == 405


# Submit --------------------------------------------------------------------------------


def test_submitting_a_complete_draft_binds_the_current_scoring_guide(client, world):
    goal = approved_goal(world)
    draft = complete_draft(goal, 1)
    earlier = submitted(approved_goal(world), 1)
    newer = rubric_revise(
        rubric=current_rubric(world.district, 1),
        actor=world.coordinator,
        criteria=[
            {"title": "Only row", "not_yet": "No.", "on_track": "Yes.", "is_prerequisite": False}
        ],
    )
    client.force_login(world.teacher)

    page = client.post(url("submission_submit", draft), follow=True)

    assert page.redirect_chain[-1][0] == draft.get_absolute_url()
    assert "Tier 1 submitted for review." in messages_of(page)[0]
    draft.refresh_from_db()
    assert draft.status == S.SUBMITTED
    assert draft.submitted_at is not None
    assert draft.rubric == newer
    assert newer.version == 2
    earlier.refresh_from_db()
    assert earlier.rubric.version == 1
    assert audit_verbs(draft)[-1] == "submission.submit"


def test_a_draft_breaking_a_rule_is_not_submitted(client, world):
    draft = complete_draft(approved_goal(world), 1)
    draft.resources.update(research_based=False)
    client.force_login(world.teacher)

    page = client.post(url("submission_submit", draft), follow=True)

    assert messages_of(page) == [
        "Not submitted yet: At least 1 resource must be research-based: a published book or "
        "article, a webinar or a course."
    ]
    draft.refresh_from_db()
    assert (draft.status, draft.rubric) == (S.DRAFT, None)


# Recall --------------------------------------------------------------------------------


def test_recall_before_a_reviewer_opened_it_makes_a_draft_again(client, world):
    submission = submitted(approved_goal(world), 1)
    client.force_login(world.teacher)
    assert "Recall" in client.get(submission.get_absolute_url()).text

    response = client.post(url("submission_recall", submission), follow=True)

    assert response.redirect_chain[-1][0] == url("submission_edit", submission)
    submission.refresh_from_db()
    assert (submission.status, submission.submitted_at, submission.rubric) == (S.DRAFT, None, None)
    assert audit_verbs(submission)[-1] == "submission.recall"


def test_recall_is_refused_once_a_reviewer_opened_it(client, world):
    submission = submitted(approved_goal(world), 1)
    submission_open(submission=submission, reviewer=world.coordinator)
    client.force_login(world.teacher)

    response = client.post(url("submission_recall", submission), follow=True)

    assert messages_of(response) == [
        "A reviewer has already opened this submission, so it can no longer be recalled."
    ]
    assert "A reviewer is looking at it now." in response.text
    assert url("submission_recall", submission) not in response.text
    submission.refresh_from_db()
    assert submission.status == S.SUBMITTED
    assert submission.opened_at is not None


def test_only_submitted_evidence_is_recalled(world):
    draft = complete_draft(approved_goal(world), 1)

    with pytest.raises(ValidationError, match="Only a submitted item can be recalled."):
        services.submission_recall(submission=draft, actor=world.teacher)


# Revise and versions -------------------------------------------------------------------


def test_revise_copies_everything_into_the_next_version(client, world):
    goal = tier_2_goal(world)
    draft = complete_draft(goal, 2)
    photo = attach_file(draft, "class.png", png_bytes(), title="Group work", shows_students=True)
    old = returned(draft, world.coordinator)
    client.force_login(world.teacher)

    response = client.post(url("submission_revise", old))

    new = Submission.objects.get(goal=goal, tier=2, version=2)
    assert response.url == url("submission_edit", new)
    old.refresh_from_db()
    assert old.status == S.SUPERSEDED
    assert (new.status, new.previous) == (S.DRAFT, old)
    fields = ["reflection_format", "reflection", "desired_outcome", "curriculum_connection"]
    assert [getattr(new, f) for f in fields] == [getattr(old, f) for f in fields]
    copied = ["purpose", "kind", "title", "file", "url", "original_name", "size", "shows_students"]
    assert list(new.artifacts.values_list(*copied)) == list(old.artifacts.values_list(*copied))
    copy = new.artifacts.get(title="Group work")
    assert copy.pk != photo.pk
    assert copy.shows_students is True
    assert audit_verbs(new) == ["submission.revise"]


def test_revise_copies_tier_1_resources(client, world):
    goal = approved_goal(world)
    old = returned(complete_draft(goal, 1), world.coordinator)
    client.force_login(world.teacher)

    client.post(url("submission_revise", old))

    new = Submission.objects.get(goal=goal, tier=1, version=2)
    shape = ["title", "kind", "citation", "research_based", "position"]
    assert list(new.resources.values_list(*shape)) == list(old.resources.values_list(*shape))
    assert LearningResource.objects.filter(submission=old).count() == 2


def test_only_returned_evidence_is_revised(client, world):
    submission = submitted(approved_goal(world), 1)
    client.force_login(world.teacher)

    response = client.post(url("submission_revise", submission), follow=True)

    assert messages_of(response) == ["Only returned evidence is revised as a new version."]
    assert Submission.objects.filter(goal=submission.goal).count() == 1


def test_versions_are_listed_and_the_earlier_one_stays_readable(client, world):
    goal = approved_goal(world)
    old = returned(complete_draft(goal, 1), world.coordinator)
    client.force_login(world.teacher)
    client.post(url("submission_revise", old))
    new = Submission.objects.get(goal=goal, tier=1, version=2)
    edit = client.get(url("submission_edit", new))
    assert "Read the feedback on version 1" in edit.text
    add_resource(new, research_based=True, title="Added in version 2")
    services.submission_submit(submission=new, actor=world.teacher)

    page = client.get(new.get_absolute_url())

    assert [v.version for v in page.context["versions"]] == [2, 1]
    assert f'<a href="{old.get_absolute_url()}">Version 1</a> · Revised (earlier version)' in (
        page.text
    )
    assert "Added in version 2" in page.text
    earlier = client.get(old.get_absolute_url())
    assert earlier.status_code == 200
    assert "Added in version 2" not in earlier.text


def test_a_file_removed_from_the_new_version_stays_in_the_old_one(client, world):
    goal = tier_2_goal(world)
    draft = complete_draft(goal, 2)
    attach_file(draft)
    old = returned(draft, world.coordinator)
    new = services.submission_revise(submission=old, actor=world.teacher)
    services.artifact_remove(artifact=new.artifacts.get(kind="pdf"), actor=world.teacher)
    client.force_login(world.teacher)

    response = client.get(url("artifact_download", old.artifacts.get(kind="pdf")))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == fixture_bytes("exit_ticket.pdf")


# What another teacher's evidence answers -----------------------------------------------


DRAFT_ENDPOINTS = [
    ("submission_edit", "get"),
    ("submission_edit", "post"),
    ("submission_detail", "get"),
    ("submission_autosave", "post"),
    ("submission_submit", "get"),
    ("submission_submit", "post"),
    ("submission_recall", "post"),
    ("submission_revise", "post"),
    ("resource_add", "post"),
    ("artifact_add", "post"),
]


def test_another_teachers_draft_is_not_found(client, world):
    cast = make_cast(world)
    draft = complete_draft(approved_goal(world), 1)
    client.force_login(cast["colleague"])

    answers = {
        (name, method): getattr(client, method)(
            url(name, draft), {"reflection_format": "text", "reflection": "Mine now"}
        ).status_code
        for name, method in DRAFT_ENDPOINTS
    }

    assert answers == dict.fromkeys(DRAFT_ENDPOINTS, 404)
    draft.refresh_from_db()
    assert (draft.status, draft.reflection) == (S.DRAFT, words(500))
    assert draft.resources.count() == 2


def test_another_teachers_file_is_not_found(client, world):
    cast = make_cast(world)
    artifact = attach_file(complete_draft(tier_2_goal(world), 2))
    client.force_login(cast["colleague"])

    answers = [
        client.get(url("artifact_download", artifact)).status_code,
        client.post(url("artifact_privacy", artifact), {"shows_students": "1"}).status_code,
        client.post(url("artifact_remove", artifact)).status_code,
    ]

    assert answers == [404, 404, 404]
    artifact.refresh_from_db()
    assert artifact.shows_students is False


def test_a_draft_and_its_files_are_the_teachers_alone(client, world):
    cast = make_cast(world)
    draft = complete_draft(tier_2_goal(world), 2)
    artifact = attach_file(draft)
    people = ["coach", "principal", "coordinator", "district_admin"]

    answers = {}
    for person in people:
        client.force_login(cast[person])
        answers[person] = (
            client.get(draft.get_absolute_url()).status_code,
            client.get(url("artifact_download", artifact)).status_code,
        )

    assert answers == dict.fromkeys(people, (404, 404))
    assert not AuditEvent.objects.filter(verb="artifact.view").exists()


# Downloads -----------------------------------------------------------------------------

ALLOWED = ["coach", "principal", "coordinator", "coordinator_a", "district_admin"]
NOT_ALLOWED = [
    "collaborator",
    "teammate",
    "colleague",
    "teacher_b",
    "other_coach",
    "principal_b",
    "coordinator_b",
    "outsider",
    "outsider_coordinator",
]


@pytest.fixture
def shared_file(world):
    """A PDF of submitted Tier 2 evidence, and everyone around the goal by name."""
    cast = make_cast(world)
    goal = tier_2_goal(world, collaborators=[cast["collaborator"]])
    artifact = attach_file(complete_draft(goal, 2))
    services.submission_submit(submission=artifact.submission, actor=world.teacher)
    return artifact, cast


def download(client, artifact, **params):
    response = client.get(url("artifact_download", artifact), params)
    # Reading the whole stream closes the file (calling close() again would end the request
    # twice and close the test's database connection).
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response, body


def test_the_teacher_gets_their_file_without_an_audit_row(client, world, shared_file):
    artifact, _ = shared_file
    client.force_login(world.teacher)

    response, body = download(client, artifact)

    assert response.status_code == 200
    assert body == fixture_bytes("exit_ticket.pdf")
    assert not AuditEvent.objects.filter(verb="artifact.view").exists()


def test_people_allowed_get_the_file_privately_and_are_recorded(client, shared_file):
    artifact, cast = shared_file

    for person in ALLOWED:
        client.force_login(cast[person])
        response, body = download(client, artifact)

        assert (person, response.status_code) == (person, 200)
        assert body == fixture_bytes("exit_ticket.pdf")
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "private" in response["Cache-Control"]
        disposition = response["Content-Disposition"]
        assert disposition.startswith('inline; filename="Eleve exit ticket')
        assert disposition.endswith(f"; filename*=UTF-8''{quote(PDF_NAME, safe='')}")

    events = AuditEvent.objects.filter(verb="artifact.view").order_by("pk")
    assert [e.actor for e in events] == [cast[person] for person in ALLOWED]
    assert {(e.target_type, e.target_id) for e in events} == {
        ("evidence.artifact", str(artifact.pk))
    }
    assert {e.data["submission"] for e in events} == {artifact.submission_id}


def test_people_not_allowed_do_not_find_the_file(client, shared_file):
    artifact, cast = shared_file

    answers = {}
    for person in NOT_ALLOWED:
        client.force_login(cast[person])
        answers[person] = (
            download(client, artifact)[0].status_code,
            client.get(artifact.submission.get_absolute_url()).status_code,
        )

    assert answers == dict.fromkeys(NOT_ALLOWED, (404, 404))
    assert not AuditEvent.objects.filter(verb="artifact.view").exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, shared_file):
    artifact, _ = shared_file

    response, _ = download(client, artifact)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_asking_for_a_download_gives_an_attachment(client, world, shared_file):
    artifact, _ = shared_file
    client.force_login(world.teacher)

    response, _ = download(client, artifact, download="1")

    assert response["Content-Disposition"].startswith('attachment; filename="Eleve')


def test_a_link_has_no_file_to_download(client, world, shared_file):
    artifact, _ = shared_file
    link = artifact.submission.artifacts.get(kind=Artifact.Kind.LINK)
    client.force_login(world.teacher)

    assert client.get(url("artifact_download", link)).status_code == 404


def test_media_files_are_never_served_by_a_public_url(client, world, settings, shared_file):
    artifact, cast = shared_file
    stored = settings.MEDIA_ROOT / artifact.file.name
    assert stored.read_bytes() == fixture_bytes("exit_ticket.pdf")
    assert PDF_NAME not in artifact.file.name
    client.force_login(cast["coordinator"])

    page = client.get(artifact.submission.get_absolute_url())

    assert url("artifact_download", artifact) in page.text
    assert artifact.file.name not in page.text
    assert client.get(f"/{settings.MEDIA_URL}{artifact.file.name}").status_code == 404
    assert Client().get(f"/{settings.MEDIA_URL}{artifact.file.name}").status_code == 404


def test_the_teacher_marks_a_submitted_file_as_showing_students(client, world, shared_file):
    artifact, _ = shared_file
    client.force_login(world.teacher)

    response = client.post(url("artifact_privacy", artifact), {"shows_students": "1"})

    assert response.url == artifact.submission.get_absolute_url()
    artifact.refresh_from_db()
    assert artifact.shows_students is True
