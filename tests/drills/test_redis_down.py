"""Drill: Redis is down when a teacher proposes a goal.

The proposal commits with its notifications (the outbox rows); queueing their email fails and
is logged; once Redis is back the drain task sends each notification exactly once, and a late
copy of a task sends nothing more.
"""

from __future__ import annotations

import datetime
import logging
from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from coaching.tasks import notifications_drain_task
from goals.models import Goal
from pplearn.models import Notification
from pplearn.tasks import notification_email_task, notifications_enqueue
from tests.drills.conftest import celery_broker
from tests.goals.goal_factories import make_goal

pytestmark = [pytest.mark.integration, pytest.mark.drill, pytest.mark.django_db(transaction=True)]


def test_with_redis_down_a_teacher_still_proposes_and_each_notification_goes_out_once(
    client, world, own_redis, caplog
):
    goal = make_goal(world.teacher, title="Talk moves in math")
    client.force_login(world.teacher)

    with celery_broker(own_redis.url):  # nothing listens there yet: Redis is down
        with caplog.at_level(logging.WARNING, logger="pplearn.tasks"):
            response = client.post(
                reverse("goals:goal_transition", args=[goal.pk]), {"action": "propose"}
            )

        goal.refresh_from_db()
        notes = list(Notification.objects.filter(verb="goal.proposed").order_by("pk"))
        assert response.status_code == 302
        assert goal.status == Goal.Status.PROPOSED
        assert sorted(n.recipient.email for n in notes) == sorted(
            [world.principal.email, world.coordinator.email]
        )
        assert {(n.email_status, n.email_attempts) for n in notes} == {("pending", 0)}
        assert "Broker unreachable: 2 notification email(s) left for the drain task" in caplog.text
        assert mail.outbox == []

        own_redis.start()
        # The drain (every five minutes) leaves a fresh row two minutes for its own task.
        with time_machine.travel(timezone.now() + datetime.timedelta(minutes=3), tick=True):
            sent = notifications_drain_task.apply().get()
            again = notifications_drain_task.apply().get()
        # With Redis back, queueing works; a task that arrives late finds the row sent.
        queued = notifications_enqueue([n.pk for n in notes])
        late = [notification_email_task.apply(args=[n.pk]).get() for n in notes]

    assert (sent, again, queued) == (2, 0, 2)
    assert late == ["sent", "sent"]
    assert Counter(tuple(m.to) for m in mail.outbox) == {
        (world.principal.email,): 1,
        (world.coordinator.email,): 1,
    }
    assert all("Talk moves in math" in m.subject for m in mail.outbox)
    for note in notes:
        note.refresh_from_db()
        assert (note.email_status, note.email_attempts) == ("sent", 1)
