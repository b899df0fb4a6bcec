"""Oversized requests answer 413 with a page that says the limits and what to do."""

from __future__ import annotations

import pytest
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

MB = 1024 * 1024


@pytest.fixture
def teacher(world):
    client = Client()
    client.force_login(world.teacher)
    return client


@pytest.fixture
def small_limits(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1 * MB
    settings.REQUEST_MAX_BYTES = 3 * MB
    settings.EVIDENCE_MAX_FILE_BYTES = 2 * MB
    settings.EVIDENCE_MAX_VIDEO_BYTES = 2 * MB


def assert_friendly_413(response):
    page = response.content.decode()
    assert response.status_code == 413
    assert "That was too large to send" in page
    assert "up to 2 MB" in page
    assert "Compress the video" in page
    assert "Traceback" not in page


def test_a_form_body_over_the_limit_gets_the_413_page(teacher, small_limits):
    response = teacher.post(reverse("goals:goal_create"), {"title": "x" * (MB + 10)})
    assert_friendly_413(response)
    assert "form up to 1 MB" in response.content.decode()


def test_a_text_field_over_the_limit_inside_an_upload_gets_the_413_page(
    teacher, small_limits, objects
):
    """Read while parsing (RequestDataTooBig); Django would answer 400, we answer 413."""
    url = reverse("evidence:resource_add", args=[objects.draft.pk])
    # Client.post sends a dict as multipart, like a browser form with a file input.
    response = teacher.post(url, {"title": "x" * (MB + 10), "citation": "y"})
    assert_friendly_413(response)


def test_an_upload_over_the_global_cap_is_refused_before_it_is_read(teacher, small_limits, objects):
    url = reverse("evidence:artifact_add", args=[objects.draft.pk])
    body = encode_multipart(BOUNDARY, {"prefix": "artifact", "note": "z" * (3 * MB + 1)})

    response = teacher.generic("POST", url, body, content_type=MULTIPART_CONTENT)

    assert_friendly_413(response)
    assert "Connection" not in response  # hop-by-hop: WSGI servers refuse it from the app
    assert objects.draft.artifacts.count() == 0


def test_a_signed_out_visitor_gets_the_same_page(small_limits, db):
    response = Client().post(reverse("login"), {"username": "x" * (MB + 10)})
    assert_friendly_413(response)


def test_htmx_gets_a_short_line(teacher, small_limits, objects):
    url = reverse("evidence:submission_autosave", args=[objects.draft.pk])

    response = teacher.post(url, {"reflection": "x" * (MB + 10)}, headers={"HX-Request": "true"})

    text = response.content.decode()
    assert response.status_code == 413
    assert "<html" not in text
    assert len(text) < 300
    assert "Too large to send" in text


def test_requests_within_the_limits_are_untouched(teacher, small_limits, objects):
    url = reverse("evidence:resource_add", args=[objects.draft.pk])
    response = teacher.post(url, {"title": "A short title"})
    assert response.status_code in (302, 422)


def test_the_production_limits_follow_the_evidence_limits(settings):
    assert settings.REQUEST_MAX_BYTES > settings.EVIDENCE_MAX_VIDEO_BYTES
    assert settings.REQUEST_MAX_BYTES > settings.EVIDENCE_MAX_FILE_BYTES
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2 * MB


def test_a_real_server_sends_the_413_page(live_server, small_limits):
    """Through Django's WSGI server, which refuses hop-by-hop headers from the app."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(  # noqa: S310 - the test's own live server
        live_server.url + reverse("login"),
        data=b"username=" + b"x" * (MB + 10),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)  # noqa: S310

    assert refused.value.code == 413
    assert "That was too large to send" in refused.value.read().decode()
