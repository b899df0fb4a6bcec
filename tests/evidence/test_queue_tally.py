"""The review queue's tallies (issue 8): kept by PostgreSQL's triggers, never off a recount.

Every change that moves an item in or out of the queue, or in or out of review, goes through
the real services (or the ORM where a service does not exist, such as moving a goal), and
after each one the tallies must equal a count of the submissions themselves.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from evidence.models import Claim, QueueTally, Submission
from evidence.review_selectors import (
    QueueFilters,
    median_turnaround,
    median_turnaround_recount,
    queue_counts,
    queue_for_reviewer,
    queue_scope,
    queue_tallies,
)
from evidence.review_services import submission_claim, submission_release
from evidence.services import submission_recall
from goals.models import Goal
from pplearn.models import Role
from tests.evidence.review_factories import (
    approved_goal,
    decide,
    make_review,
    queue_item,
    submit_tier,
)
from tests.factories import SchoolFactory, add_role, make_person

pytestmark = pytest.mark.django_db

S = Submission.Status


def kept() -> list[tuple[int, int, int, int]]:
    """The tallies the triggers keep, leaving out the rows that fell back to nothing."""
    return sorted(
        row
        for row in QueueTally.objects.values_list("school_id", "tier", "waiting", "claimed")
        if row[2] or row[3]
    )


def assert_no_drift() -> None:
    assert kept() == QueueTally.objects.recount()


def test_the_tallies_follow_every_change_of_the_queue(world):
    assert connection.vendor == "postgresql", "the triggers are PostgreSQL's"
    second = make_person(Role.COORDINATOR, district=world.district)
    a, b = world.school_a.pk, world.school_b.pk

    first = submit_tier(approved_goal(world.teacher), 1)
    assert kept() == [(a, 1, 1, 0)]
    assert_no_drift()

    submission_claim(submission=first, reviewer=world.coordinator)
    assert kept() == [(a, 1, 1, 1)]
    submission_claim(submission=first, reviewer=second, take_over=True)
    assert kept() == [(a, 1, 1, 1)]
    submission_release(submission=first, reviewer=second)
    assert kept() == [(a, 1, 1, 0)]
    assert_no_drift()

    submission_claim(submission=first, reviewer=world.coordinator)
    decide(first, world.coordinator, passed=False)
    assert kept() == []
    assert_no_drift()

    other_teacher = make_person(Role.TEACHER, school=world.school_b)
    recalled = submit_tier(approved_goal(other_teacher, school=world.school_b), 2)
    passed = submit_tier(approved_goal(world.teacher), 3)
    assert kept() == [(a, 3, 1, 0), (b, 2, 1, 0)]
    submission_recall(submission=recalled, actor=other_teacher)
    assert kept() == [(a, 3, 1, 0)]
    submission_claim(submission=passed, reviewer=world.coordinator)
    decide(passed, world.coordinator)
    assert kept() == []
    assert_no_drift()


def test_a_goal_moved_to_another_school_takes_its_waiting_items_along(world):
    item = queue_item(world.school_a, tier=2, claimed_by=world.coordinator)
    queue_item(world.school_a, tier=2)

    Goal.objects.filter(pk=item.goal_id).update(school=world.school_b)

    assert kept() == [(world.school_a.pk, 2, 1, 0), (world.school_b.pk, 2, 1, 1)]
    assert_no_drift()


def test_deleting_a_waiting_item_and_its_claim_takes_both_away(world):
    item = queue_item(world.school_a, tier=4, claimed_by=world.coordinator)
    assert kept() == [(world.school_a.pk, 4, 1, 1)]

    item.delete()  # the claim goes first (cascade), then the item

    assert kept() == []
    assert_no_drift()


def test_rebuild_counts_again_from_the_submissions(world):
    queue_item(world.school_a, tier=1, claimed_by=world.coordinator)
    queue_item(world.school_b, tier=3)
    QueueTally.objects.update(waiting=99, claimed=7)

    QueueTally.objects.rebuild(school_ids=[world.school_a.pk])
    assert (world.school_a.pk, 1, 1, 1) in kept()
    assert (world.school_b.pk, 3, 99, 7) in kept(), "other schools are left alone"

    QueueTally.objects.rebuild()
    assert kept() == [(world.school_a.pk, 1, 1, 1), (world.school_b.pk, 3, 1, 0)]


def test_the_counts_are_those_of_the_users_schools_and_claims(world):
    second = make_person(Role.COORDINATOR, district=world.district)
    queue_item(world.school_a, tier=1, claimed_by=world.coordinator)
    queue_item(world.school_a, tier=2, claimed_by=second)
    queue_item(world.school_b, tier=2)
    queue_item(world.other_school, tier=1, claimed_by=world.outsider)

    assert queue_counts(user=world.coordinator) == {
        "total": 3,
        "unclaimed": 1,
        "mine": 1,
        "tier1": 1,
        "tier2": 2,
        "tier3": 0,
        "tier4": 0,
    }
    # A principal sees the queue of their own school only.
    assert queue_counts(user=world.principal)["total"] == 2
    assert queue_tallies(user=second).counts()["mine"] == 1


def test_the_median_is_counted_again_as_soon_as_a_decision_is_recorded(world):
    ids = [world.school_a.pk, world.school_b.pk]
    for hours in (2, 4, 6):
        make_review(queue_item(world.school_a), world.coordinator, waited=_hours(hours))
    assert median_turnaround(user=world.coordinator, school_ids=ids) == _hours(4)

    make_review(queue_item(world.school_b), world.coordinator, waited=_hours(40))
    make_review(queue_item(world.school_b), world.coordinator, waited=_hours(50))

    recount = median_turnaround_recount(school_ids=ids)
    assert recount == _hours(6)
    assert median_turnaround(user=world.coordinator, school_ids=ids) == recount


def test_a_kept_median_costs_one_small_query(world, django_assert_num_queries):
    ids = [world.school_a.pk]
    make_review(queue_item(world.school_a), world.coordinator, waited=_hours(3))
    assert median_turnaround(user=world.coordinator, school_ids=ids) == _hours(3)

    with django_assert_num_queries(1):  # the newest decision's id
        assert median_turnaround(user=world.coordinator, school_ids=ids) == _hours(3)


def test_the_median_is_kept_apart_for_each_set_of_schools(world):
    make_review(queue_item(world.school_a), world.coordinator, waited=_hours(3))
    make_review(queue_item(world.school_b), world.coordinator, waited=_hours(30))

    assert median_turnaround(user=world.coordinator, school_ids=[world.school_a.pk]) == _hours(3)
    assert median_turnaround(user=world.coordinator, school_ids=[world.school_b.pk]) == _hours(30)
    assert median_turnaround(user=world.principal) == _hours(3)


def _hours(hours: float) -> datetime.timedelta:
    return datetime.timedelta(hours=hours)


def test_a_claim_on_an_item_no_longer_waiting_is_not_counted(world):
    item = queue_item(world.school_a, tier=1)
    Submission.objects.filter(pk=item.pk).update(status=S.DRAFT)
    Claim.objects.create(submission=item, reviewer=world.coordinator)

    assert kept() == []
    assert_no_drift()


def test_other_databases_count_the_same_numbers_from_the_items(world):
    """The SQLite path counts what the triggers keep: the same rows, school chosen or not."""
    from evidence.review_selectors import _tally_rows_counted

    queue_item(world.school_a, tier=1, claimed_by=world.coordinator)
    queue_item(world.school_b, tier=1)
    queue_item(world.school_b, tier=3, claimed_by=world.coordinator)
    ids = [world.school_a.pk, world.school_b.pk]

    counted = _tally_rows_counted(world.coordinator, ids, world.school_b.pk)
    kept_rows = queue_tallies(user=world.coordinator, school_ids=ids, chosen=world.school_b.pk)

    by_tier = {row["tier"]: row for row in counted}
    assert {t: r["all_waiting"] for t, r in by_tier.items()} == kept_rows.schools.waiting
    assert {t: r["all_claimed"] for t, r in by_tier.items()} == kept_rows.schools.claimed
    assert {t: r["chosen_waiting"] for t, r in by_tier.items()} == kept_rows.chosen.waiting
    assert kept_rows.chosen.waiting == {1: 1, 3: 1}
    assert kept_rows.chosen.mine == {1: 0, 3: 1}


def test_only_claims_at_the_queues_schools_count_as_mine(world):
    """A claim the reviewer still holds at a school no longer in their queue is not theirs to
    count there (the claims are kept to the queue's schools after they are read)."""
    queue_item(world.school_a, tier=1, claimed_by=world.coordinator)
    queue_item(world.school_b, tier=2, claimed_by=world.coordinator)
    queue_item(world.school_b, tier=2, claimed_by=world.coordinator)

    only_b = queue_tallies(user=world.coordinator, school_ids=[world.school_b.pk])
    both = queue_tallies(
        user=world.coordinator,
        school_ids=[world.school_a.pk, world.school_b.pk],
        chosen=world.school_a.pk,
    )

    assert only_b.schools.mine == {2: 2}
    assert only_b.counts()["mine"] == 2
    assert both.schools.mine == {1: 1, 2: 2}
    assert both.chosen.mine == {1: 1, 2: 0}


def test_no_schools_means_nothing_counted(world):
    queue_item(world.school_a, tier=1)

    assert queue_tallies(user=world.coordinator, school_ids=[]).counts()["total"] == 0
    assert queue_tallies(user=world.coordinator, school_ids=[world.school_a.pk]).counts() == {
        "total": 1,
        "unclaimed": 1,
        "mine": 0,
        "tier1": 1,
        "tier2": 0,
        "tier3": 0,
        "tier4": 0,
    }


def test_a_generated_district_has_its_tallies_even_without_triggers(db):
    """The benchmark's generator writes with the triggers off (session_replication_role):
    its last stage counts the tallies again."""
    from tests.perf.generated import small_district

    district = small_district(
        teachers=15,
        years=1,
        seed=11,
        today=datetime.date(2026, 11, 20),
        slug="tally-check",
        skip_fk_checks=True,
    )

    assert QueueTally.objects.filter(school__district=district, waiting__gt=0).exists()
    assert_no_drift()


def test_a_district_wide_queue_is_scoped_by_its_district(world):
    closed = SchoolFactory(district=world.district, name="Old Mill School", is_active=False)

    schools, ids = queue_scope(user=world.coordinator)

    assert [name for _, name in schools] == [
        "Cedar Creek Elementary",
        "Lincoln Middle",
        "Old Mill School",
    ]
    assert sorted(ids) == sorted([world.school_a.pk, world.school_b.pk, closed.pk])
    assert ids.district_id == world.district.pk


def test_a_queue_of_chosen_schools_or_of_two_districts_is_scoped_by_ids(world):
    chosen = make_person(Role.COORDINATOR, school=world.school_a)
    add_role(world.coordinator, Role.PRINCIPAL, world.other_school)

    assert queue_scope(user=chosen)[1].district_id is None
    _, ids = queue_scope(user=world.coordinator)
    assert ids.district_id is None
    assert world.other_school.pk in ids


def test_the_district_scope_finds_what_the_ids_find(world):
    """The same items and numbers, the schools named by their district or by their ids."""
    closed = SchoolFactory(district=world.district, is_active=False)
    queue_item(world.school_a, tier=1, claimed_by=world.coordinator)
    queue_item(world.school_b, tier=2, days_ago=3)
    queue_item(closed, tier=3, days_ago=2)
    queue_item(world.other_school, tier=1)
    _, by_district = queue_scope(user=world.coordinator)
    by_ids = list(by_district)
    assert by_district.district_id is not None

    for chosen in (None, world.school_b.pk):
        a = queue_tallies(user=world.coordinator, school_ids=by_district, chosen=chosen)
        b = queue_tallies(user=world.coordinator, school_ids=by_ids, chosen=chosen)
        assert a == b
    assert a.counts()["total"] == 3

    def listed(ids):
        items = queue_for_reviewer(user=world.coordinator, filters=QueueFilters(), school_ids=ids)
        return [item.pk for item in items]

    assert listed(by_district) == listed(by_ids)
    assert len(listed(by_ids)) == 3
