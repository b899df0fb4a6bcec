"""Security headers on every kind of response, and error pages that give nothing away."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from evidence.models import Artifact

from .urls_with_error import SECRET_IN_ERROR

REQUIRED_DIRECTIVES = {
    "default-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "script-src 'self'",
    "style-src 'self'",
}


def directives(response) -> set[str]:
    return {part.strip() for part in response["Content-Security-Policy"].split(";")}


@pytest.fixture
def teacher_client(objects):
    client = Client()
    client.force_login(objects.teacher)
    return client


def test_pages_carry_a_policy_without_unsafe_inline(teacher_client, objects):
    for url in (
        reverse("home"),
        reverse("goals:goal_detail", args=[objects.goal.pk]),
        reverse("evidence:submission_edit", args=[objects.draft.pk]),
    ):
        response = teacher_client.get(url)
        assert response.status_code == 200
        assert directives(response) >= REQUIRED_DIRECTIVES, url
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_the_sign_in_page_has_the_policy_too(client, db):
    response = client.get(reverse("login"))
    assert directives(response) >= REQUIRED_DIRECTIVES
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_nosniff_on_pages_static_files_errors_and_downloads(teacher_client, objects, settings):
    settings.DEBUG = False
    responses = {
        "page": teacher_client.get(reverse("home")),
        "static": teacher_client.get("/static/css/app.css"),
        "404": teacher_client.get("/no-such-page/"),
        "download": teacher_client.get(
            reverse("evidence:artifact_download", args=[objects.artifact.pk])
        ),
        "signed out": Client().get(reverse("home")),
    }
    principal = Client()
    principal.force_login(objects.world.principal)
    responses["csv"] = principal.get(
        reverse("dashboards:school_csv", args=[objects.world.school_a.pk, "participation"])
    )
    for kind, response in responses.items():
        assert response.get("X-Content-Type-Options") == "nosniff", kind
    assert responses["static"].status_code == 200
    assert responses["404"].status_code == 404
    assert responses["csv"].status_code == 200


def test_a_stored_file_keeps_its_own_sandbox_policy(teacher_client, objects):
    response = teacher_client.get(reverse("evidence:artifact_download", args=[objects.artifact.pk]))
    assert response["Content-Security-Policy"] == (
        "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
    )


def test_a_pdf_opens_in_the_browsers_viewer_without_the_site_policy(teacher_client, objects):
    pdf = Artifact.objects.create(
        submission=objects.submission,
        purpose=Artifact.Purpose.ARTIFACT,
        kind=Artifact.Kind.PDF,
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="plan.pdf"),
        original_name="plan.pdf",
        content_type="application/pdf",
        size=15,
    )
    response = teacher_client.get(reverse("evidence:artifact_download", args=[pdf.pk]))
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_the_404_page_shows_no_debug_information(client, world, settings):
    settings.DEBUG = False
    client.force_login(world.teacher)

    response = client.get("/goals/999999/")

    page = response.content.decode()
    assert response.status_code == 404
    assert "We could not find that page" in page
    for leak in ("Traceback", "urlpatterns", "Using the URLconf", "DEBUG = True"):
        assert leak not in page


def test_the_500_page_shows_no_debug_information(world, settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.security.urls_with_error"
    client = Client(raise_request_exception=False)
    client.force_login(world.teacher)

    response = client.get("/fail/")

    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    for leak in (SECRET_IN_ERROR, "Traceback", "RuntimeError", "SECRET_KEY", "settings"):
        assert leak not in page
    assert response["X-Content-Type-Options"] == "nosniff"
