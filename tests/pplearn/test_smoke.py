import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_sign_in_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Sign in" in response.content


def test_database_is_postgresql():
    from django.db import connection

    assert connection.vendor == "postgresql"
