"""The signed-in person is loaded once per request with what the layout shows."""

from django.contrib.auth import get_user
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pplearn.backends import EmailBackend
from pplearn.notifications import notifications_mark_read, notify, unread_count


def _notify(world, message: str):
    notify(recipients=[world.teacher], actor=world.principal, verb="goal.approved", message=message)


def test_the_person_comes_with_their_district_and_unread_count_in_one_query(world):
    _notify(world, "One")
    _notify(world, "Two")
    with CaptureQueriesContext(connection) as captured:
        user = EmailBackend().get_user(world.teacher.pk)
        district_name = user.district.name
        count = unread_count(user)
    assert len(captured.captured_queries) == 1
    assert district_name == world.teacher.district.name
    assert count == 2


def test_marking_read_in_the_same_request_does_not_leave_a_stale_count(world):
    _notify(world, "One")
    user = EmailBackend().get_user(world.teacher.pk)
    assert unread_count(user) == 1
    notifications_mark_read(user=user)
    assert unread_count(user) == 0


def test_a_deactivated_person_is_not_loaded(world):
    world.teacher.is_active = False
    world.teacher.save(update_fields=["is_active"])
    assert EmailBackend().get_user(world.teacher.pk) is None
    assert EmailBackend().get_user(10**9) is None


def test_the_layout_runs_three_queries_of_its_own(client, world):
    """Session, person (district and unread count included), roles: nothing else."""
    client.force_login(world.teacher)
    url = reverse("password_change")
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert len(captured.captured_queries) == 3, [q["sql"][:80] for q in captured.captured_queries]
    request = RequestFactory().get(url)
    request.session = client.session
    assert get_user(request).pk == world.teacher.pk
