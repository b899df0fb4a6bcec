"""The 503 page in-process: a database error anywhere in the request (a middleware, a view)
answers the friendly page with Retry-After; any other error stays a 500."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, world):
    client.force_login(world.teacher)
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize(
    "error", [OperationalError("server closed the connection"), InterfaceError("closed")]
)
def test_a_database_error_in_the_session_middleware_answers_503(signed_in, error):
    # The session is loaded by the authentication middleware, before any view runs.
    with mock.patch("django.contrib.sessions.backends.db.SessionStore.load", side_effect=error):
        response = signed_in.get(reverse("home"))

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    assert "pplearn is back in a moment" in response.content.decode()
    assert "503.html" in [t.name for t in response.templates]


def test_a_database_error_in_a_view_answers_503(signed_in):
    with mock.patch(
        "evidence.rubric_views.get_editor_district_or_404", side_effect=OperationalError("gone")
    ):
        response = signed_in.get(reverse("evidence:review_settings"))

    assert response.status_code == 503
    assert "What you saved before is safe." in response.content.decode()


def test_any_other_error_is_still_a_500(signed_in):
    with mock.patch(
        "evidence.rubric_views.get_editor_district_or_404", side_effect=ValueError("a bug")
    ):
        response = signed_in.get(reverse("evidence:review_settings"))

    assert response.status_code == 500
    assert "Retry-After" not in response
