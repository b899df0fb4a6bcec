"""Scoring guides are versioned; tier rules and the review policy are the district's own."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from evidence.models import ReviewPolicy, Rubric, TierRequirement
from evidence.review_permissions import policy_for
from evidence.review_services import Score, review_record, review_token
from evidence.rubric_forms import VideoLengthField
from evidence.rubric_services import (
    review_policy_update,
    rubric_revise,
    tier_requirement_update,
)
from evidence.rubric_views import compensation_summary
from pplearn.models import AuditEvent, Role
from tests.evidence.rubric_factories import (
    ApprovedGoalFactory,
    current_rubric,
    make_submitted,
    revise,
    rows_of,
    snapshot,
)
from tests.factories import make_person

pytestmark = pytest.mark.django_db

NEW_WORDING = "Links to every resource, each checked to open without a district login."


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def audits(verb: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(verb=verb).order_by("pk"))


def edit_url(tier: int) -> str:
    return reverse("evidence:rubric_edit", args=[tier])


def edit_data(rubric: Rubric) -> dict:
    """The edit page as a browser posts it unchanged: every row, then one blank row."""
    rows = list(rubric.criteria.all())
    prerequisite = [c for c in rows if c.is_prerequisite]
    others = [c for c in rows if not c.is_prerequisite]
    data = {
        "based_on": str(rubric.version),
        "criteria-TOTAL_FORMS": str(len(others) + 1),
        "criteria-INITIAL_FORMS": str(len(others)),
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "30",
    }
    for i, c in enumerate(others):
        data[f"criteria-{i}-title"] = c.title
        data[f"criteria-{i}-not_yet"] = c.not_yet
        data[f"criteria-{i}-on_track"] = c.on_track
        data[f"criteria-{i}-ORDER"] = str(i + 1)
    blank = len(others)
    for name in ("title", "not_yet", "on_track", "ORDER"):
        data[f"criteria-{blank}-{name}"] = ""
    if prerequisite:
        data["prerequisite-not_yet"] = prerequisite[0].not_yet
        data["prerequisite-on_track"] = prerequisite[0].on_track
    return data


def titles(rubric: Rubric) -> list[str]:
    return list(rubric.criteria.values_list("title", flat=True))


@pytest.fixture
def editor(client, world):
    client.force_login(world.coordinator)
    return client


# Versioning (the service)


def test_a_change_saves_version_2_and_leaves_version_1_as_it_was(world):
    v1 = current_rubric(world.district, 4)
    before = snapshot(v1)

    v2 = revise(v1, world.coordinator, on_track_of_last=NEW_WORDING)

    assert (v2.version, v2.is_current, v2.created_by) == (2, True, world.coordinator)
    v1.refresh_from_db()
    assert v1.is_current is False
    assert snapshot(v1) == before
    assert v2.criteria.last().on_track == NEW_WORDING
    assert not set(v2.criteria.values_list("pk", flat=True)) & {row[0] for row in before[1:]}
    assert list(Rubric.objects.filter(district=world.district, tier=4, is_current=True)) == [v2]


def test_saving_without_a_change_creates_no_version_and_no_audit(world):
    v1 = current_rubric(world.district, 3)
    rows = rows_of(v1)
    rows[1]["title"] = f"  {rows[1]['title']}  "
    rows[1]["on_track"] = rows[1]["on_track"] + "\r\n"

    saved = rubric_revise(rubric=v1, actor=world.district_admin, criteria=rows)

    assert saved.pk == v1.pk
    assert Rubric.objects.filter(district=world.district, tier=3).count() == 1
    assert audits("rubric.revise") == []


def test_a_revision_is_audited_with_the_new_version_and_the_changed_rows(world):
    v1 = current_rubric(world.district, 4)
    rows = rows_of(v1)
    rows[-1]["on_track"] = NEW_WORDING
    removed = rows.pop(4)["title"]
    rows.append({"title": "Colleague feedback", "not_yet": "None.", "on_track": "Collected."})

    v2 = rubric_revise(rubric=v1, actor=world.coordinator, criteria=rows)

    [event] = audits("rubric.revise")
    assert (event.actor, event.district, event.target_id) == (
        world.coordinator,
        world.district,
        str(v2.pk),
    )
    assert event.data["version"] == 2
    assert event.data["from_version"] == 1
    assert event.data["added"] == ["Colleague feedback"]
    assert event.data["removed"] == [removed]
    [changed] = event.data["changed"]
    assert changed["title"] == "Links to needed resources"
    assert changed["to"]["on_track"] == NEW_WORDING
    assert changed["from"]["on_track"] != NEW_WORDING
    assert len(event.data["from"]) == 6
    assert len(event.data["to"]) == 6


def test_a_third_version_follows_the_second(world):
    v1 = current_rubric(world.district, 2)
    v2 = revise(v1, world.coordinator, on_track_of_last="Second wording.")
    v3 = revise(v2, world.coordinator, on_track_of_last="Third wording.")

    assert [r.version for r in Rubric.objects.filter(district=world.district, tier=2)] == [3, 2, 1]
    assert current_rubric(world.district, 2) == v3


def test_a_guide_saved_from_an_outdated_version_is_refused(world):
    v1 = current_rubric(world.district, 1)
    revise(v1, world.coordinator, on_track_of_last="Saved first.")

    with pytest.raises(ValidationError, match="newer version"):
        revise(v1, world.district_admin, on_track_of_last="Saved second.")

    assert Rubric.objects.filter(district=world.district, tier=1).count() == 2


def test_evidence_submitted_under_version_1_is_scored_against_version_1(world):
    submission = make_submitted(ApprovedGoalFactory(school=world.school_a), tier=1)
    v1 = submission.rubric
    v1_rows = [c.pk for c in v1.criteria.all()]
    revise(v1, world.coordinator, on_track_of_last=NEW_WORDING)
    submission.refresh_from_db()

    review = review_record(
        submission=submission,
        reviewer=world.coordinator,
        scores={pk: Score(True) for pk in v1_rows},
        feedback="",
        token=review_token(submission),
    )

    assert submission.rubric == v1
    assert review.rubric == v1
    assert sorted(review.scores.values_list("criterion_id", flat=True)) == sorted(v1_rows)


def test_the_version_page_of_a_submissions_guide_shows_that_versions_rows(client, world):
    submission = make_submitted(ApprovedGoalFactory(school=world.school_a), tier=1)
    v1 = submission.rubric
    old_wording = v1.criteria.last().on_track
    revise(v1, world.coordinator, on_track_of_last=NEW_WORDING)
    client.force_login(world.coordinator)

    response = client.get(reverse("evidence:rubric_version", args=[submission.rubric_id]))

    assert response.status_code == 200
    assert escape(old_wording) in response.content.decode()
    assert NEW_WORDING not in response.content.decode()
    assert response.context["submission_count"] == 1
    assert b"Earlier version" in response.content


def test_the_submission_page_shows_the_guide_it_was_submitted_under(client, world):
    goal = ApprovedGoalFactory(school=world.school_a)
    submission = make_submitted(goal, tier=1)
    revise(submission.rubric, world.coordinator, on_track_of_last=NEW_WORDING)
    client.force_login(goal.teacher)

    response = client.get(submission.get_absolute_url())

    assert response.status_code == 200
    assert response.context["rubric"].pk == submission.rubric_id
    assert NEW_WORDING not in response.content.decode()


# The prerequisite row


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda rows: rows[1:], "cannot be removed"),
        (lambda rows: [rows[1], rows[0], *rows[2:]], "stays first"),
        (lambda rows: [rows[0], *rows], "stays first"),
    ],
    ids=["removed", "moved", "doubled"],
)
def test_the_prerequisite_stays_first_and_cannot_be_removed(world, change, message):
    v1 = current_rubric(world.district, 3)

    with pytest.raises(ValidationError, match=message):
        rubric_revise(rubric=v1, actor=world.coordinator, criteria=change(rows_of(v1)))

    assert Rubric.objects.filter(district=world.district, tier=3).count() == 1


def test_tier_1_has_no_prerequisite(world):
    v1 = current_rubric(world.district, 1)
    rows = rows_of(v1)
    rows[0]["is_prerequisite"] = True

    with pytest.raises(ValidationError, match="Tier 1 has no prerequisite"):
        rubric_revise(rubric=v1, actor=world.coordinator, criteria=rows)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda rows: rows[:1], "at least one criterion"),
        (lambda rows: [*rows, {**rows[2], "not_yet": "Other."}], "Two criteria are called"),
        (lambda rows: [*rows, {"title": "", "not_yet": "a", "on_track": "b"}], "needs a title"),
        (lambda rows: [*rows, {"title": "Tone", "not_yet": " ", "on_track": "b"}], "needs both"),
    ],
    ids=["only-prerequisite", "duplicate", "no-title", "no-descriptor"],
)
def test_a_guide_the_service_would_not_score_is_refused(world, change, message):
    v1 = current_rubric(world.district, 2)

    with pytest.raises(ValidationError, match=message):
        rubric_revise(rubric=v1, actor=world.coordinator, criteria=change(rows_of(v1)))

    assert Rubric.objects.filter(district=world.district, tier=2).count() == 1


# The edit page


def test_the_edit_page_shows_every_row_with_the_prerequisite_apart(editor, world):
    response = editor.get(edit_url(3))

    assert response.status_code == 200
    formset = response.context["formset"]
    assert [f.initial["title"] for f in formset.initial_forms] == titles(
        current_rubric(world.district, 3)
    )[1:]
    assert len(formset.forms) == 6
    assert response.context["prerequisite"].is_prerequisite
    assert b'name="prerequisite-DELETE"' not in response.content
    assert b'name="criteria-0-DELETE"' in response.content


def test_posting_the_page_unchanged_creates_no_version(editor, world):
    v1 = current_rubric(world.district, 2)

    response = editor.post(edit_url(2), edit_data(v1), follow=True)

    assert response.redirect_chain[-1][0] == reverse("evidence:rubric_list")
    assert "Nothing changed" in messages_of(response)[0]
    assert Rubric.objects.filter(district=world.district, tier=2).count() == 1


def test_rewording_a_row_saves_a_new_version(editor, world):
    v1 = current_rubric(world.district, 4)
    before = snapshot(v1)
    data = edit_data(v1)
    data["criteria-4-on_track"] = NEW_WORDING
    data["prerequisite-not_yet"] = "Tier 3 has not passed yet."

    response = editor.post(edit_url(4), data, follow=True)

    v2 = current_rubric(world.district, 4)
    assert v2.version == 2
    assert "as version 2" in messages_of(response)[0]
    rows = list(v2.criteria.all())
    assert (rows[0].is_prerequisite, rows[0].title) == (True, "Prerequisite")
    assert rows[0].not_yet == "Tier 3 has not passed yet."
    assert rows[-1].on_track == NEW_WORDING
    assert snapshot(v1) == before
    assert audits("rubric.revise")[0].data["version"] == 2


@pytest.mark.parametrize(
    ("row", "position", "order"),
    [(0, 5, [1, 2, 3, 4, 0]), (4, 2, [0, 4, 1, 2, 3]), (2, 1, [2, 0, 1, 3, 4])],
    ids=["down-to-the-end", "up-to-second", "up-to-first"],
)
def test_reordering_rows_by_position(editor, world, row, position, order):
    v1 = current_rubric(world.district, 3)
    prerequisite, *rows = titles(v1)
    data = edit_data(v1)
    data[f"criteria-{row}-ORDER"] = str(position)

    editor.post(edit_url(3), data)

    v2 = current_rubric(world.district, 3)
    assert titles(v2) == [prerequisite, *[rows[i] for i in order]]
    assert list(v2.criteria.values_list("position", flat=True)) == [0, 1, 2, 3, 4, 5]
    assert titles(v1) == [prerequisite, *rows]
    assert audits("rubric.revise")[0].data["reordered"] is True


def test_adding_and_removing_rows(editor, world):
    v1 = current_rubric(world.district, 1)
    old = titles(v1)
    data = edit_data(v1)
    data["criteria-1-DELETE"] = "on"
    data["criteria-5-title"] = "Sources cited"
    data["criteria-5-not_yet"] = "Sources are not cited."
    data["criteria-5-on_track"] = "Every source is cited."
    data["criteria-5-ORDER"] = "1"  # a new row put first goes before the row there

    editor.post(edit_url(1), data)

    assert titles(current_rubric(world.district, 1)) == ["Sources cited", old[0], *old[2:]]
    [event] = audits("rubric.revise")
    assert (event.data["added"], event.data["removed"]) == (["Sources cited"], [old[1]])


def test_a_forged_delete_of_the_prerequisite_is_ignored(editor, world):
    v1 = current_rubric(world.district, 2)
    data = edit_data(v1)
    data["prerequisite-DELETE"] = "on"
    data["criteria-0-on_track"] = "Artifacts show the practice with students, dated."

    editor.post(edit_url(2), data)

    rows = list(current_rubric(world.district, 2).criteria.all())
    assert [r.is_prerequisite for r in rows] == [True] + [False] * 5


def test_add_another_criterion_shows_one_more_blank_row_and_saves_nothing(editor, world):
    v1 = current_rubric(world.district, 2)
    data = edit_data(v1)
    data["criteria-0-title"] = "Artifacts of practice"
    data["add_row"] = ""

    response = editor.post(edit_url(2), data)

    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 7
    assert b'value="Artifacts of practice"' in response.content
    assert Rubric.objects.filter(district=world.district, tier=2).count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"criteria-0-title": ""}, "This field is required."),
        ({"criteria-1-title": "Artifacts submitted"}, "Two criteria are called"),
        ({"prerequisite-on_track": ""}, "This field is required."),
        ({"criteria-5-title": "Half a row"}, "This field is required."),
    ],
    ids=["empty-title", "duplicate-title", "empty-prerequisite", "half-filled-new-row"],
)
def test_an_invalid_guide_shows_the_errors_and_saves_nothing(editor, world, change, message):
    v1 = current_rubric(world.district, 2)
    data = {**edit_data(v1), **change}

    response = editor.post(edit_url(2), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Rubric.objects.filter(district=world.district, tier=2).count() == 1


def test_removing_every_row_is_refused(editor, world):
    v1 = current_rubric(world.district, 1)
    data = edit_data(v1)
    for i in range(5):
        data[f"criteria-{i}-DELETE"] = "on"

    response = editor.post(edit_url(1), data)

    assert response.status_code == 200
    assert "Keep at least one criterion" in response.content.decode()
    assert Rubric.objects.filter(district=world.district, tier=1).count() == 1


def test_a_page_opened_before_someone_elses_save_is_refused(editor, world):
    v1 = current_rubric(world.district, 3)
    stale = edit_data(v1)
    revise(v1, world.district_admin, on_track_of_last="Saved by the administrator.")
    stale["criteria-4-on_track"] = "Saved by the coordinator."

    response = editor.post(edit_url(3), stale)

    assert response.status_code == 200
    assert "newer version" in response.content.decode()
    assert response.context["based_on"] == 1
    assert current_rubric(world.district, 3).version == 2
    assert current_rubric(world.district, 3).criteria.last().on_track == (
        "Saved by the administrator."
    )


def test_an_unknown_tier_is_not_found(editor):
    assert editor.get(edit_url(5)).status_code == 404


# The list and the history


def test_the_list_shows_each_tiers_current_guide_and_earlier_versions(editor, world):
    v1 = current_rubric(world.district, 2)
    revise(v1, world.coordinator, on_track_of_last=NEW_WORDING)

    response = editor.get(reverse("evidence:rubric_list"))

    assert response.status_code == 200
    guides = response.context["guides"]
    assert [(g.tier, g.current.version) for g in guides] == [(1, 1), (2, 2), (3, 1), (4, 1)]
    assert guides[1].earlier == [v1]
    assert guides[1].criteria[-1].on_track == NEW_WORDING
    assert reverse("evidence:rubric_version", args=[v1.pk]).encode() in response.content
    assert edit_url(2).encode() in response.content


def test_the_list_page_query_count_does_not_grow_with_versions(editor, world):
    url = reverse("evidence:rubric_list")
    editor.get(url)  # session and caches warm
    with CaptureQueriesContext(connection) as one_version:
        editor.get(url)
    for tier in (1, 2, 3, 4):
        rubric = current_rubric(world.district, tier)
        for n in range(3):
            rubric = revise(rubric, world.coordinator, on_track_of_last=f"Wording {n}.")

    with CaptureQueriesContext(connection) as four_versions:
        response = editor.get(url)

    assert sum(len(g.earlier) for g in response.context["guides"]) == 12
    assert len(four_versions) == len(one_version)
    assert len(four_versions) <= 10


# Tier rules and the review policy


def settings_data(world, **changes) -> dict:
    """The settings page as a browser posts it unchanged, with `changes` applied."""
    policy = policy_for(world.district)
    data = {
        "policy-compensation": policy.compensation,
        "policy-cap_count": "" if policy.cap_count is None else str(policy.cap_count),
        "policy-cap_period_years": str(policy.cap_period_years),
        "policy-turnaround_target_days": str(policy.turnaround_target_days),
        "policy-student_work_retention_days": (
            ""
            if policy.student_work_retention_days is None
            else str(policy.student_work_retention_days)
        ),
    }
    if policy.coaches_may_score:
        data["policy-coaches_may_score"] = "on"
    for r in TierRequirement.objects.filter(district=world.district):
        prefix = f"tier{r.tier}-"
        data[prefix + "min_words"] = str(r.min_words)
        data[prefix + "max_words"] = str(r.max_words)
        data[prefix + "min_video_seconds"] = str(r.min_video_seconds)
        data[prefix + "max_video_seconds"] = str(r.max_video_seconds)
        data[prefix + "stipend"] = str(r.stipend)
        data[prefix + "credit"] = str(r.credit)
        if r.tier == 1:
            data[prefix + "min_resources"] = str(r.min_resources)
            data[prefix + "min_research_based"] = str(r.min_research_based)
    data.update({key.replace("__", "-"): value for key, value in changes.items()})
    return {key: value for key, value in data.items() if value is not None}


def requirement(world, tier: int) -> TierRequirement:
    return TierRequirement.objects.get(district=world.district, tier=tier)


def test_the_settings_page_shows_the_forms_and_the_totals(editor, world):
    response = editor.get(reverse("evidence:review_settings"))

    assert response.status_code == 200
    assert len(response.context["tier_forms"]) == 4
    assert "min_resources" in response.context["tier_forms"][0].fields
    assert "min_resources" not in response.context["tier_forms"][1].fields
    assert b'value="2:00"' in response.content  # Tier 1's shortest video as m:ss
    assert "All four tiers pay $300.00; no district credit is given." in response.content.decode()
    assert [t.cumulative_stipend for t in response.context["totals"]] == [75, 150, 225, 300]


def test_changing_a_tiers_rules_saves_and_audits_only_that_tier(editor, world):
    before = requirement(world, 2)

    response = editor.post(
        reverse("evidence:review_settings"),
        settings_data(
            world,
            tier2__max_words="400",
            tier2__max_video_seconds="2:30",
            tier2__stipend="80.00",
        ),
        follow=True,
    )

    assert messages_of(response) == ["Saved the Tier 2 rules."]
    after = requirement(world, 2)
    assert (after.max_words, after.max_video_seconds, after.stipend) == (400, 150, Decimal("80"))
    assert (after.min_words, after.min_resources) == (before.min_words, before.min_resources)
    [event] = audits("tier_rule.update")
    assert event.target_id == str(after.pk)
    assert event.actor == world.coordinator
    assert event.data == {
        "tier": 2,
        "from": {"max_words": 350, "max_video_seconds": 120, "stipend": "75.00"},
        "to": {"max_words": 400, "max_video_seconds": 150, "stipend": "80.00"},
    }
    assert audits("review_policy.update") == []


def test_saving_the_settings_unchanged_writes_nothing(editor, world):
    response = editor.post(reverse("evidence:review_settings"), settings_data(world), follow=True)

    assert messages_of(response) == ["Nothing changed."]
    assert not AuditEvent.objects.filter(verb__in=["tier_rule.update", "review_policy.update"])


def test_changing_the_policy_saves_audits_and_shows_the_new_totals(editor, world):
    response = editor.post(
        reverse("evidence:review_settings"),
        settings_data(
            world,
            policy__compensation="both",
            policy__cap_count="4",
            policy__cap_period_years="3",
            policy__coaches_may_score="on",
            policy__turnaround_target_days="7",
        ),
        follow=True,
    )

    assert messages_of(response) == ["Saved the review policy."]
    policy = ReviewPolicy.objects.get(district=world.district)
    assert (policy.compensation, policy.cap_count, policy.cap_period_years) == ("both", 4, 3)
    assert (policy.coaches_may_score, policy.turnaround_target_days) == (True, 7)
    [event] = audits("review_policy.update")
    assert event.data == {
        "from": {
            "compensation": "stipend",
            "cap_count": None,
            "coaches_may_score": False,
            "turnaround_target_days": 5,
        },
        "to": {
            "compensation": "both",
            "cap_count": 4,
            "coaches_may_score": True,
            "turnaround_target_days": 7,
        },
    }
    page = response.content.decode()
    assert "All four tiers pay $300.00 and 1.00 credit." in page
    assert "at most 4 passed submissions of one tier earn it per person in 3 years" in page


def test_a_cap_can_be_removed_again(editor, world):
    ReviewPolicy.objects.update_or_create(district=world.district, defaults={"cap_count": 4})

    editor.post(reverse("evidence:review_settings"), settings_data(world, policy__cap_count=""))

    assert ReviewPolicy.objects.get(district=world.district).cap_count is None
    assert audits("review_policy.update")[0].data["to"] == {"cap_count": None}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"tier3__max_words": "200"}, "Make this at least the fewest words (250)"),
        ({"tier3__min_words": "0"}, "greater than or equal to 1"),
        ({"tier2__max_video_seconds": "0:45"}, "Make this at least the shortest video (1:00)"),
        ({"tier2__min_video_seconds": "a minute"}, "Enter seconds (90) or minutes and seconds"),
        ({"tier1__min_research_based": "3"}, "cannot be more than the learning resources"),
        ({"tier1__min_resources": "0"}, "greater than or equal to 1"),
        ({"tier4__stipend": "-5"}, "greater than or equal to 0"),
        ({"tier4__credit": "0.125"}, "no more than 2 decimal places"),
        ({"policy__cap_count": "0"}, "greater than or equal to 1"),
        ({"policy__cap_period_years": "11"}, "less than or equal to 10"),
        ({"policy__turnaround_target_days": "0"}, "greater than or equal to 1"),
        ({"policy__compensation": "gold stars"}, "Select a valid choice"),
    ],
)
def test_invalid_settings_show_a_clear_message_and_save_nothing(editor, world, changes, message):
    valid_change = {"tier4__stipend": "90.00"} if "tier4__stipend" not in changes else {}

    response = editor.post(
        reverse("evidence:review_settings"), settings_data(world, **valid_change, **changes)
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Nothing was saved" in response.content.decode()
    assert requirement(world, 4).stipend == Decimal("75.00")
    assert not AuditEvent.objects.filter(verb__in=["tier_rule.update", "review_policy.update"])


@pytest.mark.parametrize(
    ("typed", "seconds"),
    [("90", 90), ("1:30", 90), ("2:00", 120), (" 0:45 ", 45), ("120:00", 7200)],
)
def test_video_lengths_are_typed_in_seconds_or_minutes(typed, seconds):
    assert VideoLengthField().clean(typed) == seconds


@pytest.mark.parametrize("typed", ["0", "1:5", "1:60", "1.5", "2 min", "120:01", "-30"])
def test_video_lengths_that_are_not_lengths_are_refused(typed):
    with pytest.raises(ValidationError):
        VideoLengthField().clean(typed)


def test_the_service_refuses_ranges_the_database_would_refuse(world):
    rule = requirement(world, 1)
    values = {
        "min_words": 600,
        "max_words": 500,
        "min_video_seconds": 120,
        "max_video_seconds": 180,
        "stipend": Decimal("75"),
        "credit": Decimal("0.25"),
    }

    with pytest.raises(ValidationError, match="maximum number of words"):
        tier_requirement_update(requirement=rule, actor=world.coordinator, **values)

    assert requirement(world, 1).min_words == 500


@pytest.mark.parametrize(
    ("compensation", "expected"),
    [
        ("stipend", "All four tiers pay $300.00; no district credit is given."),
        ("credit", "All four tiers give 1.00 credit; no stipend is paid."),
        ("both", "All four tiers pay $300.00 and 1.00 credit."),
        ("none", "Passing a tier earns no stipend and no credit: recognition only."),
    ],
)
def test_the_totals_follow_the_compensation_policy(world, compensation, expected):
    requirements = list(TierRequirement.objects.filter(district=world.district))

    summary = compensation_summary(ReviewPolicy(compensation=compensation), requirements)

    assert summary == expected


# Who may read and who may change


@pytest.fixture
def cast(world):
    return {
        "teacher": world.teacher,
        "coach": world.coach,
        "principal": world.principal,
        "school_coordinator": make_person(Role.COORDINATOR, school=world.school_a),
        "coordinator": world.coordinator,
        "district_admin": world.district_admin,
        "other_admin": world.outsider,
        "other_coordinator": make_person(Role.COORDINATOR, district=world.other_district),
    }


EDITORS = ["coordinator", "district_admin"]
READERS = ["teacher", "coach", "principal", "school_coordinator"]
OUTSIDERS = ["other_admin", "other_coordinator"]


def pages(world) -> dict[str, str]:
    return {
        "list": reverse("evidence:rubric_list"),
        "version": reverse("evidence:rubric_version", args=[current_rubric(world.district, 2).pk]),
        "edit": edit_url(2),
        "settings": reverse("evidence:review_settings"),
    }


@pytest.mark.parametrize("who", EDITORS)
def test_editors_open_every_page(client, world, cast, who):
    client.force_login(cast[who])

    codes = {name: client.get(url).status_code for name, url in pages(world).items()}

    assert codes == {"list": 200, "version": 200, "edit": 200, "settings": 200}


@pytest.mark.parametrize("who", READERS)
def test_everyone_else_in_the_district_reads_the_guides_but_changes_nothing(
    client, world, cast, who
):
    client.force_login(cast[who])
    urls = pages(world)

    codes = {name: client.get(url).status_code for name, url in urls.items()}
    list_page = client.get(urls["list"])
    edit_post = client.post(urls["edit"], edit_data(current_rubric(world.district, 2)))
    settings_post = client.post(urls["settings"], settings_data(world, tier2__stipend="1.00"))

    assert codes == {"list": 200, "version": 200, "edit": 404, "settings": 404}
    assert list_page.context["can_edit"] is False
    assert urls["edit"].encode() not in list_page.content
    assert (edit_post.status_code, settings_post.status_code) == (404, 404)
    assert requirement(world, 2).stipend == Decimal("75.00")
    assert Rubric.objects.filter(district=world.district, tier=2).count() == 1


@pytest.mark.parametrize("who", OUTSIDERS)
def test_another_districts_people_do_not_find_this_districts_guides(client, world, cast, who):
    client.force_login(cast[who])
    ours = current_rubric(world.district, 2)

    version = client.get(reverse("evidence:rubric_version", args=[ours.pk]))
    listing = client.get(reverse("evidence:rubric_list"))
    client.post(edit_url(2), edit_data(ours))

    assert version.status_code == 404
    assert [g.current.district for g in listing.context["guides"]] == [world.other_district] * 4
    assert current_rubric(world.district, 2) == ours
    assert current_rubric(world.other_district, 2).version == 1


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    response = client.get(reverse("evidence:rubric_list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_deactivated_coordinator_changes_nothing(world):
    world.coordinator.is_active = False
    world.coordinator.save()

    with pytest.raises(PermissionDenied):
        revise(current_rubric(world.district, 1), world.coordinator, on_track_of_last="x")


@pytest.mark.parametrize("who", [*READERS, *OUTSIDERS])
def test_the_services_refuse_everyone_but_the_districts_editors(world, cast, who):
    actor = cast[who]
    rule = requirement(world, 1)
    policy = policy_for(world.district)

    with pytest.raises(PermissionDenied):
        revise(current_rubric(world.district, 1), actor, on_track_of_last="x")
    with pytest.raises(PermissionDenied):
        tier_requirement_update(
            requirement=rule,
            actor=actor,
            min_words=1,
            max_words=2,
            min_video_seconds=1,
            max_video_seconds=2,
            stipend=Decimal("1"),
            credit=Decimal("0"),
        )
    with pytest.raises(PermissionDenied):
        review_policy_update(
            policy=policy,
            actor=actor,
            compensation="none",
            cap_count=None,
            cap_period_years=3,
            coaches_may_score=True,
            turnaround_target_days=5,
        )

    assert not AuditEvent.objects.filter(
        verb__in=["rubric.revise", "tier_rule.update", "review_policy.update"]
    )
    assert Rubric.objects.filter(district=world.district, tier=1).count() == 1
