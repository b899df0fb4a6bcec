"""What passing a tier earns: stipend, credit, both or neither, and the district's cap."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from evidence.models import Payout, ReviewPolicy, TierRequirement
from pplearn.models import Notification, Role
from tests.evidence.review_factories import approved_goal, decide, set_policy, submit_tier
from tests.factories import make_person

pytestmark = pytest.mark.django_db

C = ReviewPolicy.Compensation
NO_COMPENSATION = "No compensation under the district's policy"


def pass_tier(world, teacher=None, tier: int = 1) -> Payout:
    """A new goal of the teacher whose tier is submitted and passed by the coordinator."""
    evidence = submit_tier(approved_goal(teacher or world.teacher), tier)
    decide(evidence, world.coordinator)
    return Payout.objects.get(submission=evidence)


def passed_message(teacher) -> str:
    return (
        Notification.objects.filter(recipient=teacher, verb="submission.passed")
        .latest("pk")
        .message
    )


def test_each_tier_pays_the_default_75_dollar_stipend(world):
    goal = approved_goal(world.teacher)
    payouts = []
    for tier in (1, 2, 3, 4):
        evidence = submit_tier(goal, tier)
        review = decide(evidence, world.coordinator)
        payouts.append(Payout.objects.get(submission=evidence))
        assert payouts[-1].passed_at == review.decided_at

    assert [(p.tier, p.amount, p.credit, p.note) for p in payouts] == [
        (tier, Decimal("75.00"), 0, "") for tier in (1, 2, 3, 4)
    ]
    assert sum(p.amount for p in payouts) == Decimal("300.00")
    assert {(p.teacher, p.district, p.batch) for p in payouts} == {
        (world.teacher, world.district, None)
    }


@pytest.mark.parametrize(
    ("compensation", "amount", "credit", "note", "earned"),
    [
        (C.STIPEND, "75.00", "0", "", ": you earned $75.00."),
        (C.CREDIT, "0", "0.25", "", ": you earned 0.25 credit."),
        (C.BOTH, "75.00", "0.25", "", ": you earned $75.00 and 0.25 credit."),
        (C.NONE, "0", "0", NO_COMPENSATION, " passed."),
    ],
    ids=["stipend", "credit", "both", "none"],
)
def test_the_policy_decides_what_a_pass_earns(world, compensation, amount, credit, note, earned):
    set_policy(world.district, compensation=compensation)

    payout = pass_tier(world)

    assert (payout.amount, payout.credit, payout.note) == (Decimal(amount), Decimal(credit), note)
    assert passed_message(world.teacher).endswith(earned)


def test_the_districts_own_amounts_per_tier_are_used(world):
    set_policy(world.district, compensation=C.BOTH)
    TierRequirement.objects.filter(district=world.district, tier=2).update(
        stipend=Decimal("150.00"), credit=Decimal("0.50")
    )

    tier1 = pass_tier(world, tier=1)
    tier2 = pass_tier(world, tier=2)

    assert (tier1.amount, tier1.credit) == (Decimal("75.00"), Decimal("0.25"))
    assert (tier2.amount, tier2.credit) == (Decimal("150.00"), Decimal("0.50"))
    assert passed_message(world.teacher).endswith("you earned $150.00 and 0.50 credit.")


def test_a_returned_submission_earns_nothing(world):
    evidence = submit_tier(approved_goal(world.teacher), 1)

    decide(evidence, world.coordinator, passed=False)

    assert not Payout.objects.filter(submission=evidence).exists()


# The cap: how many passes of one tier count per person in a period


@pytest.fixture
def capped(world):
    return set_policy(world.district, compensation=C.BOTH, cap_count=1, cap_period_years=3)


def test_a_pass_over_the_cap_records_zero_with_a_note(world, capped):
    first = pass_tier(world)
    second = pass_tier(world)

    assert (first.amount, first.credit, first.note) == (Decimal("75.00"), Decimal("0.25"), "")
    assert (second.amount, second.credit) == (0, 0)
    assert second.note == "Over the cap of 1 Tier 1 in 3 years"
    assert passed_message(world.teacher).endswith(" passed.")


def test_the_cap_counts_each_tier_apart(world, capped):
    pass_tier(world, tier=1)

    tier2 = pass_tier(world, tier=2)

    assert tier2.amount == Decimal("75.00")
    assert tier2.note == ""


def test_the_cap_counts_each_teacher_apart(world, capped):
    pass_tier(world)
    colleague = make_person(Role.TEACHER, school=world.school_a)

    theirs = pass_tier(world, teacher=colleague)

    assert theirs.amount == Decimal("75.00")


@pytest.mark.parametrize(
    ("days_ago", "over"),
    [(365 * 3 + 2, False), (365 * 2, True)],
    ids=["earlier-pass-outside-the-period", "earlier-pass-inside-the-period"],
)
def test_the_cap_counts_passes_within_the_period(world, capped, days_ago, over):
    earlier = pass_tier(world)
    Payout.objects.filter(pk=earlier.pk).update(
        passed_at=timezone.now() - datetime.timedelta(days=days_ago)
    )

    later = pass_tier(world)

    assert (later.amount == 0) is over
    assert later.note.startswith("Over the cap") is over


def test_passes_over_the_cap_do_not_use_it_up(world, capped):
    pass_tier(world)
    assert pass_tier(world).note.startswith("Over the cap")
    set_policy(world.district, cap_count=2)

    third = pass_tier(world)

    assert third.amount == Decimal("75.00")
    assert third.note == ""


def test_the_cap_applies_to_credit_alone_too(world):
    set_policy(world.district, compensation=C.CREDIT, cap_count=1, cap_period_years=1)
    pass_tier(world)

    second = pass_tier(world)

    assert (second.amount, second.credit) == (0, 0)
    assert second.note == "Over the cap of 1 Tier 1 in 1 year"
