"""The reminder sweep: who is nudged about what and when, once, quietly, in few queries."""

from __future__ import annotations

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from coaching import reminders
from coaching.models import (
    CoachAssignment,
    Conversation,
    Reminder,
    ReminderPreference,
    ReminderSettings,
)
from coaching.reminders import KINDS, notifications_drain, reminders_sweep, school_days_between
from evidence.models import ReviewPolicy, Submission
from goals.models import Goal
from pplearn.models import Notification, Role, User
from tests.factories import DistrictFactory, SchoolFactory, SchoolYearFactory, make_person
from tests.goals.goal_factories import make_goal

K = Reminder.Kind
S = Goal.Status
CHICAGO = ZoneInfo("America/Chicago")
SWITCHES = {kind: switch for kind, switch, _, _ in KINDS}
DAY = datetime.timedelta(days=1)


def local(y: int, m: int, d: int, hour: int = 10, minute: int = 0, zone=CHICAGO):
    return datetime.datetime(y, m, d, hour, minute, tzinfo=zone)


# A Monday morning in the fixtures' school year 2026-27 (it starts on August 1).
T0 = local(2026, 10, 5)


@pytest.fixture
def celery_eager():
    """Run tasks in the test's own process, raising their errors, for this test only."""
    from pplearn.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def only(district, *kinds: str, **fields) -> ReminderSettings:
    """The district's reminder settings with only these kinds switched on."""
    values = {switch: kind in kinds for kind, switch in SWITCHES.items()} | fields
    rules, _ = ReminderSettings.objects.update_or_create(district=district, defaults=values)
    return rules


def at(moment: datetime.datetime):
    """Freeze the clock at a moment, for writing rows as though then."""
    return time_machine.travel(moment, tick=False)


def sweep(moment: datetime.datetime) -> list[tuple]:
    """Run the sweep at a moment; return the new reminders as (recipient, kind, subject)."""
    before = set(Reminder.objects.values_list("pk", flat=True))
    reminders_sweep(now=moment)
    new = Reminder.objects.exclude(pk__in=before).select_related("recipient")
    return sorted(((r.recipient, r.kind, r.subject_key) for r in new), key=str)


def submission(goal: Goal, status: str, *, tier: int = 1, **fields) -> Submission:
    return Submission.objects.create(goal=goal, tier=tier, status=status, **fields)


# Teachers: a draft goal untouched


@pytest.mark.parametrize(("days", "nudged"), [(6, False), (7, True)])
def test_an_untouched_draft_goal_is_nudged_after_the_threshold(world, days, nudged):
    only(world.district, K.DRAFT_GOAL)
    with at(T0):
        goal = make_goal(world.teacher, status=S.DRAFT, title="Talk moves")

    new = sweep(T0 + days * DAY)

    assert new == ([(world.teacher, K.DRAFT_GOAL, f"goal:{goal.pk}")] if nudged else [])
    if nudged:
        note = Notification.objects.get(recipient=world.teacher)
        assert note.verb == "reminder.draft_goal"
        assert "Talk moves" in note.message
        assert note.url == goal.get_absolute_url()
        assert Reminder.objects.get().notification == note


def test_the_district_sets_the_draft_threshold_and_can_switch_the_kind_off(world):
    with at(T0):
        make_goal(world.teacher, status=S.DRAFT)
    only(world.district, K.DRAFT_GOAL, draft_goal_days=3)
    assert sweep(T0 + 2 * DAY) == []

    only(world.district, draft_goal_days=3)
    assert sweep(T0 + 3 * DAY) == []

    only(world.district, K.DRAFT_GOAL, draft_goal_days=3)
    assert [kind for _, kind, _ in sweep(T0 + 3 * DAY)] == [K.DRAFT_GOAL]


def test_changes_requested_counts_as_a_draft_but_a_proposed_goal_does_not(world):
    only(world.district, K.DRAFT_GOAL)
    other = make_person(Role.TEACHER, school=world.school_a)
    with at(T0):
        returned = make_goal(world.teacher, status=S.CHANGES_REQUESTED)
        make_goal(other, status=S.PROPOSED)

    assert sweep(T0 + 7 * DAY) == [(world.teacher, K.DRAFT_GOAL, f"goal:{returned.pk}")]
    assert "changes" in Notification.objects.get().message


def test_a_nudge_repeats_every_repeat_days_and_touching_the_goal_starts_over(world):
    only(world.district, K.DRAFT_GOAL, draft_goal_days=7, repeat_days=5)
    with at(T0):
        goal = make_goal(world.teacher, status=S.DRAFT)
    expected = [(world.teacher, K.DRAFT_GOAL, f"goal:{goal.pk}")]

    assert sweep(T0 + 7 * DAY) == expected
    assert sweep(T0 + 8 * DAY) == []
    assert sweep(T0 + 11 * DAY) == []
    assert sweep(T0 + 12 * DAY) == expected
    with at(T0 + 13 * DAY):
        goal.save()  # the teacher edits it
    assert sweep(T0 + 19 * DAY) == []
    assert sweep(T0 + 20 * DAY) == expected
    periods = list(Reminder.objects.order_by("pk").values_list("period", flat=True))
    assert periods == ["2026-10-12", "2026-10-17", "2026-10-25"]


# Teachers: an approved goal without evidence activity


def test_an_approved_goal_without_evidence_is_nudged_after_the_threshold(world):
    only(world.district, K.NO_EVIDENCE, no_evidence_days=21)
    with at(T0):
        goal = make_goal(world.teacher, status=S.APPROVED, title="Exit tickets")

    assert sweep(T0 + 20 * DAY) == []
    assert sweep(T0 + 21 * DAY) == [(world.teacher, K.NO_EVIDENCE, f"goal:{goal.pk}")]
    note = Notification.objects.get()
    assert note.message.startswith("21 days since the last evidence on “Exit tickets”")
    assert note.url == goal.get_absolute_url()


def test_evidence_activity_resets_the_no_evidence_clock(world):
    only(world.district, K.NO_EVIDENCE, no_evidence_days=21)
    with at(T0):
        goal = make_goal(world.teacher, status=S.APPROVED)
    with at(T0 + 10 * DAY):
        submission(goal, Submission.Status.DRAFT)

    assert sweep(T0 + 21 * DAY) == []
    assert sweep(T0 + 31 * DAY) == [(world.teacher, K.NO_EVIDENCE, f"goal:{goal.pk}")]


@pytest.mark.parametrize(
    ("status", "tier", "target", "nudged"),
    [
        (Submission.Status.SUBMITTED, 1, 4, False),  # waiting for the reviewer
        (Submission.Status.RETURNED, 1, 4, False),  # has a nudge of its own
        (Submission.Status.PASSED, 2, 2, False),  # the target tier has passed
        (Submission.Status.PASSED, 1, 2, True),  # on the way: tier 2 is next
    ],
)
def test_no_evidence_leaves_out_goals_that_wait_on_others_or_are_done(
    world, status, tier, target, nudged
):
    only(world.district, K.NO_EVIDENCE, no_evidence_days=21)
    with at(T0):
        goal = make_goal(world.teacher, status=S.APPROVED, target_tier=target)
        for earlier in range(1, tier):
            submission(goal, Submission.Status.PASSED, tier=earlier)
        submission(goal, status, tier=tier, submitted_at=T0, decided_at=T0)

    assert bool(sweep(T0 + 22 * DAY)) is nudged


# Teachers: returned evidence not resubmitted


def test_returned_evidence_is_nudged_after_the_threshold_until_resubmitted(world):
    only(world.district, K.RETURNED, returned_days=7)
    with at(T0):
        goal = make_goal(world.teacher, status=S.APPROVED, title="Anchor charts")
        returned = submission(goal, Submission.Status.RETURNED, tier=1, decided_at=T0)
    subject = f"goal:{goal.pk}:tier:1"

    assert sweep(T0 + 6 * DAY) == []
    assert sweep(T0 + 7 * DAY) == [(world.teacher, K.RETURNED, subject)]
    note = Notification.objects.get()
    assert note.url == returned.get_absolute_url()
    assert "Tier 1 evidence for “Anchor charts”" in note.message

    # Revising without resubmitting still counts; the nudge then opens the revision.
    Submission.objects.filter(pk=returned.pk).update(status=Submission.Status.SUPERSEDED)
    revision = submission(goal, Submission.Status.DRAFT, tier=1, version=2, previous=returned)
    assert sweep(T0 + 14 * DAY) == [(world.teacher, K.RETURNED, subject)]
    assert Notification.objects.latest("pk").url == revision.get_absolute_url()

    Submission.objects.filter(pk=revision.pk).update(status=Submission.Status.SUBMITTED)
    assert sweep(T0 + 21 * DAY) == []


# Teachers: no goal yet this school year


def test_teachers_without_a_goal_are_nudged_from_the_set_day_of_the_school_year(world):
    only(world.district, K.NO_GOAL, no_goal_days=21)
    drafting = make_person(Role.TEACHER, school=world.school_a)
    withdrew = make_person(Role.TEACHER, school=world.school_b)
    make_goal(drafting, status=S.DRAFT)
    make_goal(withdrew, status=S.WITHDRAWN)
    year = world.district.current_school_year()

    assert sweep(local(2026, 8, 21)) == []
    new = sweep(local(2026, 8, 22))

    assert new == sorted(
        [
            (world.teacher, K.NO_GOAL, f"year:{year.pk}"),
            (withdrew, K.NO_GOAL, f"year:{year.pk}"),
        ],
        key=str,
    )
    assert set(Notification.objects.values_list("url", flat=True)) == {"/goals/new/"}


def test_no_goal_is_quiet_after_the_school_year_ends(world):
    only(world.district, K.NO_GOAL, no_goal_days=21)

    assert sweep(local(2027, 7, 2)) == []


# Coaches: check-ins due and overdue


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (10, None),
        (11, "Coaching check-ins: 1 due in the next 3 days."),
        (14, "Coaching check-ins: 1 due in the next 3 days."),
        (15, "Coaching check-ins: 1 overdue."),
    ],
)
def test_a_coach_hears_of_check_ins_coming_due_and_overdue(world, days, message):
    only(world.district, K.CHECKIN, checkin_interval_days=14)
    with at(T0):
        make_goal(world.teacher, status=S.APPROVED)
        CoachAssignment.objects.create(
            coach=world.coach,
            teacher=world.teacher,
            school=world.school_a,
            school_year=world.district.current_school_year(),
        )

    new = sweep(T0 + days * DAY)

    if message is None:
        assert new == []
    else:
        assert new == [(world.coach, K.CHECKIN, "caseload")]
        note = Notification.objects.get()
        assert note.message.startswith(message)
        assert note.url == "/coaching/caseload/"


def test_a_conversation_moves_the_next_check_in_and_goals_not_approved_expect_none(world):
    only(world.district, K.CHECKIN, checkin_interval_days=14)
    year = world.district.current_school_year()
    drafting = make_person(Role.TEACHER, school=world.school_a)
    with at(T0):
        make_goal(world.teacher, status=S.APPROVED)
        make_goal(drafting, status=S.DRAFT)
        for teacher in (world.teacher, drafting):
            CoachAssignment.objects.create(
                coach=world.coach, teacher=teacher, school=world.school_a, school_year=year
            )
    Conversation.objects.create(
        coach=world.coach, teacher=world.teacher, school_year=year, held_on=T0.date() + 12 * DAY
    )

    assert sweep(T0 + 20 * DAY) == []
    assert sweep(T0 + 27 * DAY) == [(world.coach, K.CHECKIN, "caseload")]


# Approvers: goals waiting for approval


def test_approvers_of_the_school_hear_of_goals_waiting_past_the_threshold(world):
    only(world.district, K.APPROVAL, approval_days=3)
    school_coordinator_b = make_person(Role.COORDINATOR, school=world.school_b)
    school_coordinator_a = make_person(Role.COORDINATOR, school=world.school_a)
    make_person(Role.PRINCIPAL, district=world.district, school=world.school_b)
    with at(T0):
        make_goal(world.teacher, status=S.PROPOSED)
        make_goal(make_person(Role.TEACHER, school=world.school_a), status=S.PROPOSED)

    assert sweep(T0 + 2 * DAY) == []
    new = sweep(T0 + 3 * DAY)

    assert {(person, kind) for person, kind, _ in new} == {
        (world.principal, K.APPROVAL),
        (world.coordinator, K.APPROVAL),
        (school_coordinator_a, K.APPROVAL),
    }
    assert school_coordinator_b not in {person for person, _, _ in new}
    note = Notification.objects.get(recipient=world.principal)
    assert note.message.startswith("2 goals have waited more than 3 days for your approval")
    assert note.url == "/goals/approvals/"


# Coordinators: the daily queue digest


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (datetime.date(2026, 10, 5), datetime.date(2026, 10, 5), 0),
        (datetime.date(2026, 10, 5), datetime.date(2026, 10, 12), 5),  # Monday to Monday
        (datetime.date(2026, 10, 9), datetime.date(2026, 10, 12), 1),  # Friday to Monday
        (datetime.date(2026, 10, 10), datetime.date(2026, 10, 11), 0),  # a weekend
        (datetime.date(2026, 10, 2), datetime.date(2026, 10, 20), 12),
    ],
)
def test_school_days_skip_weekends(start, end, days):
    assert school_days_between(start, end) == days


def test_a_coordinator_gets_a_daily_digest_of_evidence_waiting_past_the_target(world):
    only(world.district, K.QUEUE_DIGEST)
    ReviewPolicy.objects.update_or_create(
        district=world.district, defaults={"turnaround_target_days": 5}
    )
    friday = local(2026, 10, 9)
    goal = make_goal(world.teacher, status=S.APPROVED)
    submission(goal, Submission.Status.SUBMITTED, submitted_at=friday)
    school_b_coordinator = make_person(Role.COORDINATOR, school=world.school_b)

    assert sweep(local(2026, 10, 16)) == []  # five school days later
    assert sweep(local(2026, 10, 19)) == [(world.coordinator, K.QUEUE_DIGEST, "queue")]
    assert sweep(local(2026, 10, 19, 15)) == []  # once a day
    assert sweep(local(2026, 10, 20)) == [(world.coordinator, K.QUEUE_DIGEST, "queue")]
    assert school_b_coordinator not in {r.recipient for r in Reminder.objects.all()}
    note = Notification.objects.order_by("pk").first()
    assert note.message == (
        "Review queue: 1 submission waited longer than 5 school days (the longest 6)."
    )
    assert note.url == "/review/"
    periods = list(Reminder.objects.order_by("pk").values_list("period", flat=True))
    assert periods == ["2026-10-19", "2026-10-20"]


# Principals: the weekly school digest


def test_a_principal_gets_a_weekly_digest_of_the_school_on_the_chosen_day(world):
    only(world.district, K.PRINCIPAL_DIGEST, principal_digest_weekday=3)
    colleague = make_person(Role.TEACHER, school=world.school_a)
    make_person(Role.TEACHER, school=world.school_a)
    with at(T0 - 30 * DAY):
        stalled = make_goal(world.teacher, status=S.DRAFT)
        goal = make_goal(colleague, status=S.APPROVED)
    submission(goal, Submission.Status.PASSED, tier=1, decided_at=T0 + DAY)

    assert sweep(local(2026, 10, 7)) == []  # Wednesday
    assert sweep(local(2026, 10, 8)) == [
        (world.principal, K.PRINCIPAL_DIGEST, f"school:{world.school_a.pk}")
    ]
    assert sweep(local(2026, 10, 10)) == []  # the same week
    note = Notification.objects.get()
    assert note.message == (
        "Cedar Creek Elementary this week: 2 of 3 teachers have a goal; "
        "1 tier passed (1 this school year); 1 goal stalled."
    )
    assert Reminder.objects.get().period == "2026-W41"
    assert stalled.pk  # the draft untouched for 30 days is the stalled goal


# Every kind at once, and each switch


@pytest.fixture
def everything_due(world):
    """A Monday on which every kind of reminder is due for someone."""
    year = world.district.current_school_year()
    waiting = make_person(Role.TEACHER, school=world.school_a, full_name="Wade Waiting")
    idle = make_person(Role.TEACHER, school=world.school_a, full_name="Ida Idle")
    returned = make_person(Role.TEACHER, school=world.school_a, full_name="Ray Returned")
    queued = make_person(Role.TEACHER, school=world.school_a, full_name="Quinn Queued")
    with at(T0 - 30 * DAY):
        make_goal(world.teacher, status=S.DRAFT)
        make_goal(waiting, status=S.PROPOSED)
        idle_goal = make_goal(idle, status=S.APPROVED)
        returned_goal = make_goal(returned, status=S.APPROVED)
        submission(returned_goal, Submission.Status.RETURNED, decided_at=T0 - 20 * DAY)
        queued_goal = make_goal(queued, status=S.APPROVED)
        submission(queued_goal, Submission.Status.SUBMITTED, submitted_at=T0 - 20 * DAY)
        CoachAssignment.objects.create(
            coach=world.coach, teacher=idle, school=world.school_a, school_year=year
        )
    no_goal = make_person(Role.TEACHER, school=world.school_b, full_name="Nora Nogoal")
    assert idle_goal.pk
    assert no_goal.pk
    return {
        K.DRAFT_GOAL: world.teacher,
        K.APPROVAL: world.principal,
        K.NO_EVIDENCE: idle,
        K.RETURNED: returned,
        K.NO_GOAL: no_goal,
        K.CHECKIN: world.coach,
        K.QUEUE_DIGEST: world.coordinator,
        K.PRINCIPAL_DIGEST: world.principal,
    }


def test_every_kind_reaches_its_person(world, everything_due):
    only(world.district, *SWITCHES)

    new = sweep(T0)

    kinds = {(person, kind) for person, kind, _ in new}
    assert {(person, kind) for kind, person in everything_due.items()} <= kinds
    assert {kind for _, kind in kinds} == set(SWITCHES)


@pytest.mark.parametrize("off", list(SWITCHES))
def test_each_kind_has_its_own_switch(world, everything_due, off):
    only(world.district, *(kind for kind in SWITCHES if kind != off))

    kinds = {kind for _, kind, _ in sweep(T0)}

    assert kinds == set(SWITCHES) - {off}


def test_the_other_district_keeps_its_own_settings(world, everything_due):
    only(world.district)
    elsewhere = make_person(Role.TEACHER, school=world.other_school)
    SchoolYearFactory(district=world.other_district)
    only(world.other_district, K.NO_GOAL)

    year = world.other_district.current_school_year()
    assert sweep(T0) == [(elsewhere, K.NO_GOAL, f"year:{year.pk}")]


# Pause


@pytest.mark.parametrize(("paused_until", "nudged"), [(0, False), (10, False), (-1, True)])
def test_paused_people_get_nothing_until_the_pause_ends(
    world, everything_due, paused_until, nudged
):
    only(world.district, *SWITCHES)
    ReminderPreference.objects.create(
        user=world.principal,
        paused_until=T0.date() + paused_until * DAY,
        paused_by=world.coordinator,
    )

    recipients = {person for person, _, _ in sweep(T0)}

    assert (world.principal in recipients) is nudged
    assert world.teacher in recipients


# Quiet hours and weekends, in the district's time zone


@pytest.mark.parametrize(
    ("moment", "held_until"),
    [
        (local(2026, 10, 13, 10), None),  # Tuesday morning
        (local(2026, 10, 13, 5), local(2026, 10, 13, 7)),  # before the quiet hours end
        (local(2026, 10, 13, 19), local(2026, 10, 14, 7)),  # the evening
        (local(2026, 10, 16, 20), local(2026, 10, 19, 7)),  # Friday night
        (local(2026, 10, 17, 12), local(2026, 10, 19, 7)),  # Saturday noon
    ],
)
def test_quiet_hours_and_weekends_hold_the_email_back(
    world, django_capture_on_commit_callbacks, moment, held_until
):
    only(world.district, K.DRAFT_GOAL)
    with at(moment - 10 * DAY):
        make_goal(world.teacher, status=S.DRAFT)

    with django_capture_on_commit_callbacks() as callbacks:
        reminders_sweep(now=moment)

    note = Notification.objects.get()
    assert note.deliver_after == held_until
    assert note.email_status == Notification.EmailStatus.PENDING
    assert len(callbacks) == (1 if held_until is None else 0)


def test_quiet_hours_are_those_of_each_districts_own_time_zone(world):
    tokyo = DistrictFactory(name="Tokyo", slug="tokyo", timezone="Asia/Tokyo")
    SchoolYearFactory(district=tokyo)
    far_teacher = make_person(Role.TEACHER, school=SchoolFactory(district=tokyo))
    moment = local(2026, 10, 13, 10)  # Tuesday 10:00 in Chicago, Wednesday 00:00 in Tokyo
    for district in (world.district, tokyo):
        only(district, K.NO_GOAL)

    reminders_sweep(now=moment)

    assert Notification.objects.get(recipient=world.teacher).deliver_after is None
    held = Notification.objects.get(recipient=far_teacher).deliver_after
    assert held == datetime.datetime(2026, 10, 14, 7, tzinfo=ZoneInfo("Asia/Tokyo"))


def test_the_district_chooses_its_quiet_hours_and_may_allow_weekends(world):
    only(
        world.district,
        K.DRAFT_GOAL,
        quiet_start=datetime.time(22),
        quiet_end=datetime.time(6, 30),
        quiet_weekends=False,
    )
    with at(T0):
        make_goal(world.teacher, status=S.DRAFT)
        make_goal(world.teacher, status=S.DRAFT)

    reminders_sweep(now=local(2026, 10, 17, 21))  # Saturday 21:00
    reminders_sweep(now=local(2026, 10, 17, 23))  # nothing new: both already recorded

    assert [n.deliver_after for n in Notification.objects.all()] == [None, None]


# Digest


def test_digest_people_get_the_days_reminders_together_the_next_morning(
    world, django_capture_on_commit_callbacks
):
    only(world.district, K.DRAFT_GOAL)
    ReminderPreference.objects.create(
        user=world.teacher, delivery=ReminderPreference.Delivery.DIGEST
    )
    with at(T0):
        make_goal(world.teacher, status=S.DRAFT, title="First")
        make_goal(world.teacher, status=S.DRAFT, title="Second")
    tuesday = local(2026, 10, 13, 10)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        reminders_sweep(now=tuesday)

    assert callbacks == []
    assert {n.deliver_after for n in Notification.objects.all()} == {local(2026, 10, 14, 7)}
    assert notifications_drain(now=local(2026, 10, 14, 6, 59)) == 0
    assert mail.outbox == []

    assert notifications_drain(now=local(2026, 10, 14, 7)) == 2

    (email,) = mail.outbox
    assert email.to == [world.teacher.email]
    assert "digest of 2" in email.subject
    ((html, kind),) = email.alternatives
    assert kind == "text/html"
    for title in ("“First”", "“Second”"):
        assert title in email.body
        assert title in html
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"sent"}


# Once only


def test_the_sweep_run_twice_sends_once(
    world, everything_due, celery_eager, django_capture_on_commit_callbacks
):
    only(world.district, *SWITCHES)

    with django_capture_on_commit_callbacks(execute=True):
        first = reminders_sweep(now=T0)
    with django_capture_on_commit_callbacks(execute=True):
        second = reminders_sweep(now=T0 + datetime.timedelta(hours=1))

    assert first == Reminder.objects.count() == Notification.objects.count() >= 8
    assert second == 0
    assert len(mail.outbox) == first
    assert all(r.notification_id for r in Reminder.objects.all())


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_time_send_once(transactional_db, world, monkeypatch):
    only(world.district, K.DRAFT_GOAL, K.NO_GOAL)
    teachers = [make_person(Role.TEACHER, school=world.school_a) for _ in range(5)]
    with at(T0):
        for teacher in teachers:
            make_goal(teacher, status=S.DRAFT)
    moment = T0 + 10 * DAY
    both_inserting = threading.Barrier(2, timeout=20)
    real_bulk_create = Reminder.objects.bulk_create

    def bulk_create_together(*args, **kwargs):
        # Both sweeps have read and hold their transaction open: now both insert.
        both_inserting.wait()
        return real_bulk_create(*args, **kwargs)

    monkeypatch.setattr(Reminder.objects, "bulk_create", bulk_create_together)
    results: list = []

    def run():
        try:
            results.append(reminders_sweep(now=moment))
        except Exception as exc:  # noqa: BLE001 - reported below
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(results, key=str) == [0, 6]  # five drafts and the teacher without a goal
    assert Reminder.objects.count() == Notification.objects.count() == 6
    assert Reminder.objects.filter(notification__isnull=True).count() == 0


# Efficiency


def _add_busy_teachers(world, count: int) -> None:
    """Teachers each with a stale draft, an idle approved goal, returned evidence and a coach."""
    year = world.district.current_school_year()
    with at(T0 - 30 * DAY):
        for _ in range(count):
            teacher = make_person(Role.TEACHER, school=world.school_a)
            make_goal(teacher, status=S.DRAFT)
            make_goal(teacher, status=S.APPROVED)
            returned = make_goal(teacher, status=S.APPROVED)
            submission(returned, Submission.Status.RETURNED, decided_at=T0 - 20 * DAY)
            CoachAssignment.objects.create(
                coach=world.coach, teacher=teacher, school=world.school_a, school_year=year
            )


def test_the_sweep_runs_a_fixed_number_of_queries_per_batch(world, everything_due):
    only(world.district, *SWITCHES)
    counts = {}
    for total, more in ((10, 10), (60, 50)):
        _add_busy_teachers(world, more)
        Reminder.objects.all().delete()
        Notification.objects.all().delete()

        with CaptureQueriesContext(connection) as queries:
            written = reminders_sweep(now=T0)

        assert written >= 3 * total
        counts[total] = len(queries)

    assert counts[10] == counts[60]


# Per batch: its savepoint and release, the pause preferences, one query for each of the
# eight kinds, then the reminders' insert, the read of those inserted, the notifications'
# insert and the link between them; and the next batch's people.
QUERIES_PER_BATCH = 16


def test_each_batch_of_people_costs_the_same_queries(world, everything_due):
    """Two more batches cost two batches' queries: what is read district-wide (goals waiting
    for approval, the late review queue) is read once per sweep, not once per batch."""
    only(world.district, *SWITCHES)
    _add_busy_teachers(world, 10)
    people = User.objects.filter(is_active=True, memberships__district=world.district)
    people = people.distinct().count()
    assert people == 20
    counts, written = {}, {}
    for batches in (2, 4):
        Reminder.objects.all().delete()
        Notification.objects.all().delete()

        with CaptureQueriesContext(connection) as queries:
            written[batches] = reminders_sweep(now=T0, batch_size=people // batches)

        counts[batches] = len(queries)

    assert written[2] == written[4] >= 3 * 10 + 8
    assert counts[4] - counts[2] == 2 * QUERIES_PER_BATCH


def test_the_districts_defaults_apply_without_saved_settings(world):
    with at(T0):
        make_goal(world.teacher, status=S.DRAFT)
    assert not ReminderSettings.objects.exists()

    assert (world.teacher, K.DRAFT_GOAL) in {(p, k) for p, k, _ in sweep(T0 + 7 * DAY)}


def test_district_zone_falls_back_to_the_sites_zone():
    district = DistrictFactory.build(timezone="Nowhere/Special")

    assert reminders.district_zone(district) == ZoneInfo("America/Chicago")
