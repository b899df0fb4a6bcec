"""The audit table cannot be rewritten, and views of evidence by others are logged and shown
to the principal of the author's school."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from pplearn.access_log import SUBMISSION_VIEW
from pplearn.audit import audit_record
from pplearn.models import AuditEvent, Role
from tests.evidence.evidence_factories import approved_goal, submitted
from tests.factories import make_person


def views_of(submission) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(verb=SUBMISSION_VIEW, target_id=str(submission.pk)).order_by("pk")
    )


@pytest.fixture
def event(world):
    return audit_record(actor=world.teacher, verb="goal.submit", target=world.school_a)


def test_the_database_refuses_to_change_an_audit_event(event):
    assert connection.vendor == "postgresql"
    refused = pytest.raises(DatabaseError, match="audit events cannot be changed")
    with refused, transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(verb="nothing.happened")
    event.refresh_from_db()
    assert event.verb == "goal.submit"


def test_the_database_refuses_to_delete_an_audit_event(event):
    refused = pytest.raises(DatabaseError, match="audit events cannot be changed")
    with refused, transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_person_with_history_cannot_be_deleted_only_deactivated(event, world):
    with pytest.raises(ProtectedError), transaction.atomic():
        world.teacher.delete()
    assert AuditEvent.objects.get(pk=event.pk).actor == world.teacher


def test_new_audit_events_are_still_written(event, world):
    audit_record(actor=world.principal, verb="goal.approve", target=world.school_a)
    assert AuditEvent.objects.count() == 2


@pytest.fixture
def evidence(world, media_root):
    goal = approved_goal(world)
    return submitted(goal, 1)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_principal_opening_evidence_is_logged_once_a_day(client, world, evidence):
    client.force_login(world.principal)
    url = reverse("evidence:submission_detail", args=[evidence.pk])

    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200

    [view] = views_of(evidence)
    assert view.actor == world.principal
    assert view.data == {
        "submission": evidence.pk,
        "tier": 1,
        "teacher": world.teacher.pk,
        "school": world.school_a.pk,
    }
    assert view.district == world.district


def test_a_view_on_an_earlier_day_does_not_hide_todays(client, world, evidence):
    AuditEvent.objects.create(
        actor=world.principal,
        verb=SUBMISSION_VIEW,
        target_type="evidence.submission",
        target_id=str(evidence.pk),
        at=timezone.now() - datetime.timedelta(days=1, hours=1),
    )
    client.force_login(world.principal)

    client.get(reverse("evidence:submission_detail", args=[evidence.pk]))

    assert len(views_of(evidence)) == 2


def test_the_author_reading_their_own_evidence_is_not_logged(client, world, evidence):
    client.force_login(world.teacher)

    assert client.get(reverse("evidence:submission_detail", args=[evidence.pk])).status_code == 200

    assert views_of(evidence) == []


def test_the_scoring_page_logs_the_coordinator(client, world, evidence):
    client.force_login(world.coordinator)

    assert client.get(reverse("evidence:review_score", args=[evidence.pk])).status_code == 200

    [view] = views_of(evidence)
    assert view.actor == world.coordinator


def test_someone_refused_is_not_logged_as_having_seen_it(client, world, evidence):
    client.force_login(world.outsider)

    assert client.get(reverse("evidence:submission_detail", args=[evidence.pk])).status_code == 404

    assert views_of(evidence) == []


# The access log page.


def log_view(viewer, submission, at=None) -> AuditEvent:
    goal = submission.goal
    return AuditEvent.objects.create(
        actor=viewer,
        district_id=goal.school.district_id,
        verb=SUBMISSION_VIEW,
        target_type="evidence.submission",
        target_id=str(submission.pk),
        target_repr=str(submission),
        at=at or timezone.now(),
        data={
            "submission": submission.pk,
            "tier": submission.tier,
            "teacher": goal.teacher_id,
            "school": goal.school_id,
        },
    )


@pytest.fixture
def logged(world, evidence):
    """Views of school A's evidence (two teachers) and of school B's."""
    other_teacher = make_person(Role.TEACHER, school=world.school_a, full_name="Omar Other")
    other = submitted(approved_goal(world, teacher=other_teacher), 1)
    teacher_b = make_person(Role.TEACHER, school=world.school_b, full_name="Bea Lincoln")
    at_b = submitted(approved_goal(world, teacher=teacher_b, school=world.school_b), 1)
    week_ago = timezone.now() - datetime.timedelta(days=7)
    return {
        "ours": log_view(world.coordinator, evidence),
        "old": log_view(world.coach, evidence, at=week_ago),
        "other": log_view(world.coordinator, other),
        "school_b": log_view(world.coordinator, at_b),
        "other_teacher": other_teacher,
    }


def listed(response) -> set[int]:
    return {event.pk for event, _ in response.context["rows"]}


def test_the_principal_reads_who_viewed_their_schools_evidence(client, world, logged):
    client.force_login(world.principal)

    response = client.get(reverse("access_log"))

    assert response.status_code == 200
    assert listed(response) == {logged[k].pk for k in ("ours", "old", "other")}
    page = response.content.decode()
    assert world.coordinator.full_name in page
    assert world.teacher.full_name in page
    assert "Bea Lincoln" not in page


def test_the_log_filters_by_teacher_and_dates(client, world, logged):
    client.force_login(world.principal)
    url = reverse("access_log")
    today = timezone.localdate()

    by_teacher = client.get(url, {"teacher": logged["other_teacher"].pk})
    recent = client.get(url, {"date_from": (today - datetime.timedelta(days=2)).isoformat()})
    older = client.get(url, {"date_to": (today - datetime.timedelta(days=2)).isoformat()})

    assert listed(by_teacher) == {logged["other"].pk}
    assert listed(recent) == {logged["ours"].pk, logged["other"].pk}
    assert listed(older) == {logged["old"].pk}


def test_a_teacher_of_another_school_is_not_a_choice(client, world, logged):
    client.force_login(world.principal)
    teacher_b = AuditEvent.objects.get(pk=logged["school_b"].pk).data["teacher"]

    response = client.get(reverse("access_log"), {"teacher": teacher_b})

    # Not a valid choice: the filter is ignored and school B's views still do not show.
    assert logged["school_b"].pk not in listed(response)


@pytest.mark.parametrize("role", ["teacher", "coach", "coordinator", "district_admin", "outsider"])
def test_only_a_principal_reads_the_log(client, world, role):
    client.force_login(getattr(world, role))
    assert client.get(reverse("access_log")).status_code == 404


def test_the_principal_of_another_school_gets_404(client, world, logged):
    principal_b = make_person(Role.PRINCIPAL, school=world.school_b)
    client.force_login(principal_b)

    theirs = client.get(reverse("access_log"))
    ours = client.get(reverse("access_log"), {"school": world.school_a.pk})

    assert listed(theirs) == {logged["school_b"].pk}
    assert ours.status_code == 404


def test_the_log_pages_with_a_fixed_number_of_queries(
    client, world, evidence, settings, django_assert_num_queries, django_assert_max_num_queries
):
    settings.PAGE_SIZE = 5
    viewers = [make_person(Role.COACH, school=world.school_a) for _ in range(3)]
    client.force_login(world.principal)
    url = reverse("access_log")
    log_view(viewers[0], evidence)
    client.get(url)  # the session's district time zone is looked up once

    with django_assert_max_num_queries(10) as few:
        client.get(url)
    for viewer in viewers * 3:
        log_view(viewer, evidence)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)

    assert len(response.context["rows"]) == 5
    assert response.context["page"].paginator.num_pages == 2
