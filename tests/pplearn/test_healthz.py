"""The health check answers load balancers without a sign-in, and says what is down."""

import pytest
from django.db import OperationalError
from django.urls import reverse

from pplearn.celery import app as celery_app

pytestmark = pytest.mark.django_db

HEALTHZ = "/healthz"
# Nothing listens on port 1 of the loopback: connecting is refused at once.
CLOSED_BROKER = "redis://127.0.0.1:1/0"


def test_healthz_url():
    assert reverse("healthz") == HEALTHZ


def test_healthz_reports_database_and_broker_ok_without_sign_in(client):
    response = client.get(HEALTHZ)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_healthz_reports_an_unreachable_broker(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", CLOSED_BROKER)

    response = client.get(HEALTHZ)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error: ")


class _BrokenConnection:
    def cursor(self):
        raise OperationalError("the database is gone")


def test_healthz_reports_an_unreachable_database(client, monkeypatch):
    monkeypatch.setattr("pplearn.views.connection", _BrokenConnection())

    response = client.get(HEALTHZ)

    assert response.status_code == 503
    assert response.json()["database"] == "error: OperationalError"
    assert response.json()["broker"] == "ok"


def test_healthz_is_read_only(client):
    assert client.post(HEALTHZ).status_code == 405


def test_healthz_is_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(HEALTHZ).status_code == 200
    assert client.get(reverse("login")).status_code == 301
