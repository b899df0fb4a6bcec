"""Gating: evidence opens on an approved (or complete) goal, tier N only after 1..N-1 passed.

Checked in the services and again over HTTP, where a locked tier posted to directly must
be refused just the same.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from evidence import services
from evidence.models import Submission
from evidence.selectors import tier_overview
from goals.models import Goal
from tests.evidence.evidence_factories import (
    approved_goal,
    complete_draft,
    decide,
    in_status,
    passed_tier,
    passed_tiers,
    submitted,
)
from tests.goals.goal_factories import make_cast

S = Submission.Status
G = Goal.Status

pytestmark = pytest.mark.django_db


def start(goal, tier):
    return services.submission_start(goal=goal, tier=tier, actor=goal.teacher)


def refusal(goal, tier) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        start(goal, tier)
    return caught.value


# Service level -------------------------------------------------------------------------


def test_tier_1_opens_as_a_first_draft_on_an_approved_goal(world):
    goal = approved_goal(world)

    submission = start(goal, 1)

    assert (submission.tier, submission.version, submission.status) == (1, 1, S.DRAFT)
    assert submission.goal == goal


def test_no_tier_opens_before_the_goal_is_approved(world):
    statuses = [G.DRAFT, G.PROPOSED, G.CHANGES_REQUESTED, G.WITHDRAWN]
    goals = {status: approved_goal(world, status=status) for status in statuses}

    errors = {status: refusal(goal, 1) for status, goal in goals.items()}

    assert {s: (e.code, e.messages) for s, e in errors.items()} == dict.fromkeys(
        statuses, ("tier_closed", ["Evidence opens once your goal is approved."])
    )
    assert not Submission.objects.exists()


# (tier asked for, tiers passed): why it is refused.
LOCKED = {
    (2, ()): "Tier 2 opens when Tier 1 has passed.",
    (3, ()): "Tier 3 opens when Tier 1, Tier 2 have passed.",
    (3, (1,)): "Tier 3 opens when Tier 2 has passed.",
    (3, (2,)): "Tier 3 opens when Tier 1 has passed.",
    (4, (1, 2)): "Tier 4 opens when Tier 3 has passed.",
    (4, (1, 3)): "Tier 4 opens when Tier 2 has passed.",
    (4, (2, 3)): "Tier 4 opens when Tier 1 has passed.",
}


def test_a_tier_is_refused_until_every_earlier_tier_passed(world):
    refused = {}
    for tier, passed in LOCKED:
        goal = approved_goal(world)
        passed_tiers(goal, *passed)
        refused[tier, passed] = " ".join(refusal(goal, tier).messages)
        assert not Submission.objects.filter(goal=goal, tier=tier).exists()

    assert refused == LOCKED


def test_a_tier_opens_once_every_earlier_tier_passed(world):
    opened = {}
    for tier in (2, 3, 4):
        goal = approved_goal(world)
        passed_tiers(goal, *range(1, tier))
        opened[tier] = start(goal, tier).status

    assert opened == {2: S.DRAFT, 3: S.DRAFT, 4: S.DRAFT}


def test_an_earlier_tier_not_yet_passed_keeps_the_next_one_closed(world):
    refused = {}
    for status in (S.DRAFT, S.SUBMITTED, S.RETURNED):
        goal = approved_goal(world)
        in_status(goal, 1, status)
        refused[status] = refusal(goal, 2).messages

    message = ["Tier 2 opens when Tier 1 has passed."]
    assert refused == {S.DRAFT: message, S.SUBMITTED: message, S.RETURNED: message}


def test_a_teacher_may_go_beyond_the_target_tier_on_a_complete_goal(world):
    goal = approved_goal(world, target_tier=2)
    passed_tiers(goal, 1, 2)
    Goal.objects.filter(pk=goal.pk).update(status=G.COMPLETE)  # as passing the target does
    goal.refresh_from_db()

    assert start(goal, 3).status == S.DRAFT


def test_passing_the_target_tier_completes_the_goal_and_the_next_tier_opens(world):
    goal = approved_goal(world, target_tier=1)
    tier_1 = submitted(goal, 1)

    decide(tier_1, world.coordinator)

    goal.refresh_from_db()
    assert goal.status == G.COMPLETE
    assert start(goal, 2).status == S.DRAFT


def test_there_are_four_tiers(world):
    goal = approved_goal(world)

    assert refusal(goal, 0).messages == ["There are four tiers."]
    assert refusal(goal, 5).messages == ["There are four tiers."]


def test_only_the_goals_teacher_opens_a_tier(world):
    cast = make_cast(world)
    goal = approved_goal(world)

    for person in ("coach", "principal", "coordinator", "colleague"):
        with pytest.raises(PermissionDenied):
            services.submission_start(goal=goal, tier=1, actor=cast[person])

    assert not Submission.objects.filter(goal=goal).exists()


def test_opening_a_tier_again_returns_its_live_version(world):
    goal = approved_goal(world)
    first = start(goal, 1)

    assert start(goal, 1) == first
    assert Submission.objects.filter(goal=goal, tier=1).count() == 1


def test_tier_2_draft_starts_with_the_goals_desired_outcome(world):
    goal = approved_goal(world, desired_outcome="Every student explains a strategy.")
    passed_tier(goal, 1)

    assert start(goal, 2).desired_outcome == "Every student explains a strategy."


def test_submit_checks_the_gate_again_when_the_goal_was_withdrawn_meanwhile(world):
    goal = approved_goal(world)
    draft = complete_draft(goal, 1)
    Goal.objects.filter(pk=goal.pk).update(status=G.WITHDRAWN)
    draft.goal.refresh_from_db()

    with pytest.raises(ValidationError) as caught:
        services.submission_submit(submission=draft, actor=world.teacher)

    assert caught.value.messages == ["Evidence opens once your goal is approved."]
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_submit_refuses_a_later_tier_draft_whose_earlier_tier_has_not_passed(world):
    goal = approved_goal(world)
    # A Tier 2 draft made through the ORM, as if the gate at start had been slipped past.
    draft = in_status(goal, 2, S.DRAFT, reflection="x")

    with pytest.raises(ValidationError) as caught:
        services.submission_submit(submission=draft, actor=world.teacher)

    assert caught.value.code == "tier_closed"
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_tier_overview_follows_the_gate(world):
    goal = approved_goal(world)
    assert [t.state for t in tier_overview(goal)] == ["open", "locked", "locked", "locked"]

    passed_tier(goal, 1)
    in_status(goal, 2, S.SUBMITTED)

    assert [t.state for t in tier_overview(goal)] == ["passed", "submitted", "locked", "locked"]


def test_tier_overview_of_a_goal_not_approved_is_all_locked(world):
    goal = approved_goal(world, status=G.PROPOSED)

    assert {t.state for t in tier_overview(goal)} == {"locked"}


# HTTP level ----------------------------------------------------------------------------


def tier_url(goal, tier):
    return reverse("evidence:tier_start", args=[goal.pk, tier])


def test_teacher_starts_tier_1_from_its_page(client, world):
    goal = approved_goal(world)
    client.force_login(world.teacher)

    page = client.get(tier_url(goal, 1))
    assert page.status_code == 200
    assert "Start Tier 1" in page.text

    response = client.post(tier_url(goal, 1))

    submission = Submission.objects.get(goal=goal, tier=1)
    assert response.status_code == 302
    assert response.url == reverse("evidence:submission_edit", args=[submission.pk])


def test_a_locked_tier_page_says_why_and_offers_no_start(client, world):
    goal = approved_goal(world)
    client.force_login(world.teacher)

    page = client.get(tier_url(goal, 3))

    assert page.status_code == 200
    assert "Tier 3 opens when Tier 1, Tier 2 have passed." in page.text
    assert "Start Tier 3" not in page.text


def test_posting_to_a_locked_tier_directly_is_refused(client, world):
    client.force_login(world.teacher)
    for tier, passed in [(2, ()), (3, (1,)), (4, (1, 2)), (4, (2, 3))]:
        goal = approved_goal(world)
        passed_tiers(goal, *passed)

        response = client.post(tier_url(goal, tier), follow=True)

        assert not Submission.objects.filter(goal=goal, tier=tier).exists()
        assert response.redirect_chain[-1][0] == goal.get_absolute_url()
        assert LOCKED[tier, passed] in response.text


def test_posting_to_a_tier_of_a_goal_not_yet_approved_is_refused(client, world):
    goal = approved_goal(world, status=G.PROPOSED)
    client.force_login(world.teacher)

    response = client.post(tier_url(goal, 1), follow=True)

    assert not Submission.objects.filter(goal=goal).exists()
    assert "Evidence opens once your goal is approved." in response.text


def test_posting_to_tier_2_once_tier_1_passed_opens_it(client, world):
    goal = approved_goal(world)
    passed_tier(goal, 1)
    client.force_login(world.teacher)

    response = client.post(tier_url(goal, 2))

    submission = Submission.objects.get(goal=goal, tier=2)
    assert response.url == reverse("evidence:submission_edit", args=[submission.pk])


def test_a_tier_outside_1_to_4_is_not_found(client, world):
    goal = approved_goal(world)
    client.force_login(world.teacher)

    assert client.post(tier_url(goal, 0)).status_code == 404
    assert client.post(tier_url(goal, 5)).status_code == 404
    assert client.get(tier_url(goal, 5)).status_code == 404


def test_nobody_but_the_teacher_opens_a_tier_over_http(client, world):
    cast = make_cast(world)
    goal = approved_goal(world)
    people = ["coach", "principal", "coordinator", "colleague", "outsider"]

    answers = {}
    for person in people:
        client.force_login(cast[person])
        answers[person] = (
            client.get(tier_url(goal, 1)).status_code,
            client.post(tier_url(goal, 1)).status_code,
        )

    assert answers == dict.fromkeys(people, (404, 404))
    assert not Submission.objects.filter(goal=goal).exists()


def test_the_tier_page_leads_to_the_live_version(client, world):
    goal = approved_goal(world)
    live = in_status(goal, 1, S.SUBMITTED)
    client.force_login(world.teacher)

    response = client.post(tier_url(goal, 1))

    assert response.url == live.get_absolute_url()
    assert Submission.objects.filter(goal=goal, tier=1).count() == 1


def test_submitting_a_later_tier_over_http_is_refused_while_an_earlier_one_is_open(client, world):
    goal = approved_goal(world)
    draft = in_status(goal, 2, S.DRAFT, reflection="x")  # ORM: past the gate at start
    client.force_login(world.teacher)

    response = client.post(reverse("evidence:submission_submit", args=[draft.pk]), follow=True)

    assert "Tier 2 opens when Tier 1 has passed." in response.text
    draft.refresh_from_db()
    assert draft.status == S.DRAFT
