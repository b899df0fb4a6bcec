"""Reminder pages: the district's settings, one's own delivery, pauses; who may, and the audit."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import NoReverseMatch, include, path, reverse
from django.utils import timezone

import pplearn.urls
from coaching.models import ReminderPreference, ReminderSettings
from coaching.reminders import reminders_sweep
from goals.models import Goal
from pplearn.models import AuditEvent, Notification, Role
from tests.factories import make_person
from tests.goals.goal_factories import make_goal


def _mounted() -> bool:
    try:
        reverse("coaching:notification_settings", urlconf="pplearn.urls")
    except NoReverseMatch:
        return False
    return True


if _mounted():
    urlpatterns = pplearn.urls.urlpatterns
else:
    # Until coaching/urls.py includes the reminder URLs, mount them with the coaching pages.
    from coaching.urls_reminders import urlpatterns as reminder_patterns

    try:
        from coaching.urls import urlpatterns as coaching_patterns
    except ImportError:
        coaching_patterns = []
    urlpatterns = [
        *(p for p in pplearn.urls.urlpatterns if getattr(p, "namespace", None) != "coaching"),
        path("", include(([*coaching_patterns, *reminder_patterns], "coaching"))),
    ]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

SETTINGS_URL = "coaching:reminder_settings"
PAUSES_URL = "coaching:reminder_pause_list"
NOW = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=datetime.UTC)  # a Friday, 9:00 in Chicago
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=True):
        yield


def valid_settings(**changes) -> dict:
    data = {
        "draft_goal_on": "on",
        "draft_goal_days": 7,
        "no_evidence_on": "on",
        "no_evidence_days": 21,
        "returned_on": "on",
        "returned_days": 7,
        "no_goal_on": "on",
        "no_goal_days": 21,
        "checkin_on": "on",
        "checkin_interval_days": 14,
        "approval_on": "on",
        "approval_days": 3,
        "queue_digest_on": "on",
        "principal_digest_on": "on",
        "principal_digest_weekday": 0,
        "repeat_days": 7,
        "quiet_start": "19:00",
        "quiet_end": "07:00",
        "quiet_weekends": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def people(world):
    return {
        "teacher": world.teacher,
        "coach": world.coach,
        "principal": world.principal,
        "coordinator": world.coordinator,
        "school_coordinator": make_person(Role.COORDINATOR, school=world.school_b),
        "district_admin": world.district_admin,
    }


# District reminder settings


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("teacher", False),
        ("coach", False),
        ("principal", False),
        ("school_coordinator", False),
        ("coordinator", True),
        ("district_admin", True),
    ],
)
def test_district_admins_and_district_wide_coordinators_change_reminder_settings(
    client, world, people, role, allowed
):
    client.force_login(people[role])

    page = client.get(reverse(SETTINGS_URL))
    saved = client.post(reverse(SETTINGS_URL), valid_settings(draft_goal_days=10))

    assert page.status_code == (200 if allowed else 404)
    assert saved.status_code == (302 if allowed else 404)
    rules = ReminderSettings.objects.filter(district=world.district).first()
    assert (rules is not None and rules.draft_goal_days == 10) is allowed


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(reverse(SETTINGS_URL))

    assert response.status_code == 302
    assert "/accounts/sign-in/" in response["Location"]


def test_saving_settings_records_what_changed(client, world):
    client.force_login(world.district_admin)

    response = client.post(
        reverse(SETTINGS_URL),
        valid_settings(no_goal_on=None, repeat_days=10, quiet_start="20:30"),
        follow=True,
    )

    assert "Saved the reminder settings" in response.content.decode()
    rules = ReminderSettings.objects.get(district=world.district)
    assert (rules.no_goal_on, rules.repeat_days, rules.quiet_start) == (
        False,
        10,
        datetime.time(20, 30),
    )
    event = AuditEvent.objects.get(verb="reminder_settings.update")
    assert event.actor == world.district_admin
    assert event.district == world.district
    assert event.data == {
        "changed": {"no_goal_on": "False", "repeat_days": "10", "quiet_start": "20:30:00"}
    }

    same = valid_settings(no_goal_on=None, repeat_days=10, quiet_start="20:30")
    client.post(reverse(SETTINGS_URL), same)  # saving again changes nothing
    assert AuditEvent.objects.filter(verb="reminder_settings.update").count() == 1


@pytest.mark.parametrize(
    "bad",
    [{"repeat_days": 0}, {"draft_goal_days": 400}, {"quiet_end": "late"}, {"approval_days": ""}],
)
def test_invalid_settings_save_nothing(client, world, bad):
    client.force_login(world.coordinator)

    response = client.post(reverse(SETTINGS_URL), valid_settings(**bad))

    assert response.status_code == 200
    assert "Nothing was saved" in response.content.decode()
    assert not ReminderSettings.objects.exists()
    assert not AuditEvent.objects.filter(verb="reminder_settings.update").exists()


def test_an_administrator_changes_only_their_own_districts_settings(client, world):
    client.force_login(world.outsider)

    client.post(reverse(SETTINGS_URL), valid_settings(draft_goal_days=30))

    assert ReminderSettings.objects.get().district == world.other_district
    assert not ReminderSettings.objects.filter(district=world.district).exists()


# One's own notification settings


@pytest.mark.parametrize("role", ["teacher", "coach", "principal", "coordinator"])
def test_everyone_chooses_single_emails_or_the_digest(client, people, role):
    person = people[role]
    client.force_login(person)
    url = reverse("coaching:notification_settings")

    assert client.get(url).status_code == 200
    response = client.post(url, {"delivery": "digest"})

    assert response.status_code == 302
    assert ReminderPreference.objects.get(user=person).delivery == "digest"
    event = AuditEvent.objects.get(verb="reminder_preference.update")
    assert (event.actor, event.data) == (person, {"delivery": "digest", "was": "immediate"})


def test_there_is_no_way_to_switch_reminders_off(client, world):
    client.force_login(world.teacher)
    url = reverse("coaching:notification_settings")

    response = client.post(url, {"delivery": "off"})

    assert response.status_code == 200
    assert not ReminderPreference.objects.exists()
    assert "off" not in [value for value, _ in ReminderPreference.Delivery.choices]


def test_a_person_sees_that_their_reminders_are_paused(client, world):
    ReminderPreference.objects.create(
        user=world.teacher,
        paused_until=TODAY + datetime.timedelta(days=30),
        paused_by=world.coordinator,
    )
    client.force_login(world.teacher)

    page = client.get(reverse("coaching:notification_settings")).content.decode()

    assert "Your reminders are paused until December 20, 2026" in page
    assert world.coordinator.full_name in page


# Pauses


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("teacher", False),
        ("coach", False),
        ("principal", False),
        ("district_admin", False),
        ("coordinator", True),
        ("school_coordinator", True),
    ],
)
def test_coordinators_pause_reminders(client, world, people, role, allowed):
    client.force_login(people[role])
    person = make_person(Role.TEACHER, school=world.school_b)
    until = TODAY + datetime.timedelta(days=60)

    page = client.get(reverse(PAUSES_URL))
    response = client.post(
        reverse(PAUSES_URL), {"person": person.pk, "paused_until": until.isoformat()}
    )

    assert page.status_code == (200 if allowed else 404)
    assert response.status_code == (302 if allowed else 404)
    preference = ReminderPreference.objects.filter(user=person).first()
    assert (preference is not None and preference.paused_until == until) is allowed
    if allowed:
        event = AuditEvent.objects.get(verb="reminders.pause")
        assert event.actor == people[role]
        assert event.data == {"person": person.pk, "until": until.isoformat()}
        assert preference.paused_by == people[role]


def test_a_coordinator_cannot_pause_people_out_of_their_reach(client, world, people):
    teacher_a = world.teacher
    client.force_login(people["school_coordinator"])  # serves school B only
    until = (TODAY + datetime.timedelta(days=5)).isoformat()

    listed = client.post(reverse(PAUSES_URL), {"person": teacher_a.pk, "paused_until": until})
    direct = client.post(
        reverse("coaching:reminder_pause", args=[teacher_a.pk]), {"paused_until": until}
    )
    elsewhere = client.post(
        reverse("coaching:reminder_pause", args=[world.outsider.pk]), {"paused_until": until}
    )

    assert listed.status_code == 200  # the form refuses the choice
    assert direct.status_code == 404
    assert elsewhere.status_code == 404
    assert not ReminderPreference.objects.exists()


def test_a_pause_ends_today_or_later_and_lasts_a_year_at_most(client, world):
    client.force_login(world.coordinator)
    url = reverse("coaching:reminder_pause", args=[world.teacher.pk])

    past = client.post(url, {"paused_until": (TODAY - datetime.timedelta(days=1)).isoformat()})
    far = client.post(url, {"paused_until": (TODAY + datetime.timedelta(days=400)).isoformat()})
    today = client.post(url, {"paused_until": TODAY.isoformat()})

    assert past.status_code == far.status_code == 200
    assert today.status_code == 302
    assert ReminderPreference.objects.get(user=world.teacher).paused_until == TODAY


def test_a_coordinator_sees_and_ends_pauses(client, world):
    ReminderPreference.objects.create(
        user=world.teacher,
        paused_until=TODAY + datetime.timedelta(days=10),
        paused_by=world.coordinator,
    )
    ReminderPreference.objects.create(
        user=world.coach, paused_until=TODAY - datetime.timedelta(days=1)
    )
    client.force_login(world.coordinator)

    page = client.get(reverse(PAUSES_URL)).content.decode()
    assert world.teacher.full_name in page.split('id="paused-heading"')[1].split("</table>")[0]
    assert "November 30, 2026" in page
    assert world.coach.full_name not in page.split("</table>")[0]

    response = client.post(reverse("coaching:reminder_unpause", args=[world.teacher.pk]))

    assert response.status_code == 302
    assert ReminderPreference.objects.get(user=world.teacher).paused_until is None
    event = AuditEvent.objects.get(verb="reminders.unpause")
    assert event.data == {
        "person": world.teacher.pk,
        "was": (TODAY + datetime.timedelta(days=10)).isoformat(),
    }


def test_ending_a_pause_takes_a_post(client, world):
    client.force_login(world.coordinator)

    response = client.get(reverse("coaching:reminder_unpause", args=[world.teacher.pk]))

    assert response.status_code == 405


def test_a_paused_teacher_is_skipped_by_the_sweep_until_the_pause_ends(client, world):
    make_goal(world.teacher, status=Goal.Status.DRAFT)
    client.force_login(world.coordinator)
    until = TODAY + datetime.timedelta(days=10)
    client.post(reverse(PAUSES_URL), {"person": world.teacher.pk, "paused_until": until})

    reminders_sweep(now=timezone.now() + datetime.timedelta(days=8))
    assert not Notification.objects.filter(recipient=world.teacher).exists()

    reminders_sweep(now=timezone.now() + datetime.timedelta(days=11))
    assert Notification.objects.filter(recipient=world.teacher).exists()


# The notification centre


def test_reminders_show_in_the_notification_centre_with_the_unread_count(client, world):
    make_goal(world.teacher, status=Goal.Status.DRAFT, title="Talk moves")
    reminders_sweep(now=timezone.now() + datetime.timedelta(days=8))
    client.force_login(world.teacher)

    page = client.get(reverse("notification_list")).content.decode()

    assert "Your draft goal “Talk moves” is waiting for you" in page
    assert '1<span class="visually-hidden"> unread</span>' in page
