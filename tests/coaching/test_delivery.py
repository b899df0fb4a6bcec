"""Email delivery from the outbox: retries without duplicates, held rows, broker outages."""

from __future__ import annotations

import datetime
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from coaching.models import Reminder, ReminderPreference, ReminderSettings
from coaching.reminders import DRAIN_GRACE, notifications_drain, reminders_sweep
from goals.models import Goal
from pplearn.models import Notification
from pplearn.notifications import EMAIL_MAX_ATTEMPTS, notification_email, notify
from pplearn.tasks import notification_email_task, notifications_enqueue
from tests.goals.goal_factories import make_goal

pytestmark = pytest.mark.django_db

SENT = Notification.EmailStatus.SENT
PENDING = Notification.EmailStatus.PENDING
MINUTE = datetime.timedelta(minutes=1)


class FlakyBackend(EmailBackend):
    """The locmem backend, but the mail server refuses the first `failures` sends."""

    failures = 0
    tries = 0

    def send_messages(self, messages):
        type(self).tries += 1
        if type(self).failures > 0:
            type(self).failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.failures = 0
    FlakyBackend.tries = 0
    return FlakyBackend


@pytest.fixture
def broker_down():
    """Publishing a task fails as it does when Redis is unreachable."""
    error = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with mock.patch.object(notification_email_task, "delay", side_effect=error) as delay:
        yield delay


def tell(world, message: str = "Your goal was approved", **fields) -> Notification:
    (notification,) = notify(
        recipients=[world.teacher],
        actor=world.principal,
        verb="goal.approved",
        message=message,
        url="/goals/1/",
    )
    if fields:
        Notification.objects.filter(pk=notification.pk).update(**fields)
        notification.refresh_from_db()
    return notification


# Retries


def test_a_send_that_fails_then_succeeds_is_retried_and_emails_once(world, flaky):
    flaky.failures = 1
    notification = tell(world)

    # Run the task in this process the way a worker would: its failure becomes a retry.
    result = notification_email_task.apply(args=[notification.pk], throw=False)

    assert result.get() == SENT
    assert flaky.tries == 2
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts) == (SENT, 2)


def test_a_retry_after_the_email_went_out_sends_nothing(world, flaky):
    notification = tell(world)
    assert notification_email(notification_id=notification.pk) == SENT

    assert notification_email(notification_id=notification.pk) == SENT
    notification_email_task.apply(args=[notification.pk])

    assert len(mail.outbox) == 1
    assert flaky.tries == 1


def test_a_failed_send_keeps_the_row_pending_and_counts_the_attempt(world, flaky):
    flaky.failures = 1
    notification = tell(world)

    with pytest.raises(smtplib.SMTPServerDisconnected):
        notification_email(notification_id=notification.pk)

    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts) == (PENDING, 1)
    assert mail.outbox == []


def test_the_task_retries_smtp_and_os_errors_with_backoff():
    assert smtplib.SMTPException in notification_email_task.autoretry_for
    assert OSError in notification_email_task.autoretry_for
    assert notification_email_task.retry_backoff == 30
    assert notification_email_task.max_retries >= 5


def test_after_the_last_attempt_a_notification_is_marked_failed(world, flaky):
    flaky.failures = 1
    notification = tell(world, email_attempts=EMAIL_MAX_ATTEMPTS - 1)

    assert notification_email(notification_id=notification.pk) == "failed"

    notification.refresh_from_db()
    assert notification.email_attempts == EMAIL_MAX_ATTEMPTS
    later = timezone.now() + DRAIN_GRACE + MINUTE
    assert notifications_drain(now=later) == 0
    assert flaky.tries == 1


# Held rows


def test_a_held_notification_is_not_sent_before_its_time(world, flaky):
    when = timezone.now() + datetime.timedelta(hours=3)
    notification = tell(world, deliver_after=when)

    assert notification_email(notification_id=notification.pk) == "held"
    assert notification_email(notification_id=notification.pk, now=when - MINUTE) == "held"
    assert mail.outbox == []
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts) == (PENDING, 0)

    assert notifications_drain(now=when - MINUTE) == 0
    assert notifications_drain(now=when) == 1
    assert len(mail.outbox) == 1


def test_the_email_has_text_and_html_with_the_absolute_link(world, settings):
    settings.SITE_URL = "https://ppl.example.org/"
    notification = tell(world, message="Your draft goal “Talk moves” is waiting")

    notification_email(notification_id=notification.pk)

    (email,) = mail.outbox
    assert email.subject == "pplearn: Your draft goal “Talk moves” is waiting"
    assert "https://ppl.example.org/goals/1/" in email.body
    assert "https://ppl.example.org/notifications/" in email.body
    ((html, kind),) = email.alternatives
    assert kind == "text/html"
    assert 'href="https://ppl.example.org/goals/1/"' in html
    assert "Your draft goal “Talk moves” is waiting" in html


def test_the_html_email_escapes_what_people_wrote(world):
    notification = tell(world, message="<script>alert(1)</script> approved your goal")

    notification_email(notification_id=notification.pk)

    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<script>alert(1)</script>" in mail.outbox[0].body


# Broker outages


def test_a_broker_outage_never_reaches_the_caller_and_the_drain_delivers(
    world, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = tell(world)

    assert broker_down.called
    notification.refresh_from_db()
    assert notification.email_status == PENDING
    assert mail.outbox == []

    later = notification.created_at + DRAIN_GRACE
    assert notifications_drain(now=later - MINUTE) == 0  # the task may still be on its way
    assert notifications_drain(now=later) == 1
    assert notifications_drain(now=later + MINUTE) == 0
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts) == (SENT, 1)


def test_enqueueing_stops_at_the_first_broker_error(broker_down):
    assert notifications_enqueue([1, 2, 3]) == 0
    assert broker_down.call_count == 1


@pytest.mark.django_db(transaction=True)
def test_a_request_whose_notification_cannot_be_queued_still_succeeds(
    transactional_db, world, client, broker_down
):
    goal = make_goal(world.teacher, status=Goal.Status.PROPOSED)
    client.force_login(world.principal)

    response = client.post(
        reverse("goals:goal_transition", args=[goal.pk]), {"action": "approve", "comment": ""}
    )

    assert response.status_code == 302
    assert broker_down.called
    goal.refresh_from_db()
    assert goal.status == Goal.Status.APPROVED
    assert Notification.objects.get(recipient=world.teacher).email_status == PENDING


def test_reminders_swept_while_the_broker_is_down_are_drained_later(
    world, broker_down, django_capture_on_commit_callbacks
):
    ReminderSettings.objects.create(district=world.district, quiet_weekends=False)
    make_goal(world.teacher, status=Goal.Status.DRAFT)
    moment = timezone.now() + datetime.timedelta(days=8)
    moment = moment.replace(hour=16, minute=0)  # 10:00 or 11:00 in Chicago

    with django_capture_on_commit_callbacks(execute=True):
        written = reminders_sweep(now=moment)

    assert written >= 1
    assert broker_down.called
    assert mail.outbox == []
    sent = notifications_drain(now=moment + DRAIN_GRACE)
    assert sent == written == len(mail.outbox)
    assert Reminder.objects.filter(notification__email_status=SENT).count() == written


def test_a_mail_server_outage_loses_nothing_and_delivery_resumes(world, flaky):
    notifications = [tell(world, message=f"Message {i}") for i in range(3)]
    later = timezone.now() + DRAIN_GRACE
    flaky.failures = 100

    assert notifications_drain(now=later) == 0
    assert flaky.tries == 1  # the run stops at the first failure instead of trying them all

    flaky.failures = 0
    assert notifications_drain(now=later + MINUTE) == 3
    assert notifications_drain(now=later + 2 * MINUTE) == 0

    assert sorted(m.subject for m in mail.outbox) == [f"pplearn: Message {i}" for i in range(3)]
    statuses = Notification.objects.filter(pk__in=[n.pk for n in notifications])
    assert set(statuses.values_list("email_status", flat=True)) == {SENT}


def test_a_failed_digest_is_sent_whole_once_the_mail_server_is_back(world, flaky):
    ReminderPreference.objects.create(
        user=world.teacher, delivery=ReminderPreference.Delivery.DIGEST
    )
    now = timezone.now()
    for i in range(3):
        tell(world, message=f"Nudge {i}", deliver_after=now)
    flaky.failures = 1

    assert notifications_drain(now=now) == 0
    assert set(Notification.objects.values_list("email_attempts", flat=True)) == {1}
    assert notifications_drain(now=now + MINUTE) == 3
    assert notifications_drain(now=now + 2 * MINUTE) == 0

    (email,) = mail.outbox
    assert [f"Nudge {i}" in email.body for i in range(3)] == [True, True, True]
    assert set(Notification.objects.values_list("email_status", flat=True)) == {SENT}


def test_a_deactivated_persons_digest_is_skipped(world, flaky):
    ReminderPreference.objects.create(
        user=world.teacher, delivery=ReminderPreference.Delivery.DIGEST
    )
    tell(world, deliver_after=timezone.now())
    world.teacher.is_active = False
    world.teacher.save()

    assert notifications_drain(now=timezone.now()) == 0

    assert mail.outbox == []
    assert Notification.objects.get().email_status == Notification.EmailStatus.SKIPPED
