"""Sign-in hardening: lockout without revealing accounts, sessions that end, CSRF on every POST."""

from __future__ import annotations

import datetime
import json
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from .access_matrix import MATRIX, ROLE_CODES

LOGIN_URL = reverse("login")
HOME_URL = reverse("home")
LOCKED = "Too many attempts to sign in with that email from this device"


def attempt(client, email, password, ip="203.0.113.7"):
    return client.post(
        LOGIN_URL, {"username": email, "password": password}, REMOTE_ADDR=ip, follow=False
    )


def fail_five_times(client, email, ip="203.0.113.7"):
    for _ in range(5):
        response = attempt(client, email, "wrong-password", ip)
    return response


def visible_text(response) -> str:
    """The page without its CSRF tokens and the email typed, to compare two pages."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r"hx-headers='[^']*'", "", html)
    return re.sub(r'value="[^"]*@[^"]*"', "", html)


def test_five_failures_lock_the_email_even_with_the_right_password(client, world):
    fifth = fail_five_times(client, world.teacher.email)

    sixth = attempt(client, world.teacher.email, world.password)

    assert fifth.status_code == 429
    assert sixth.status_code == 429
    assert LOCKED in sixth.content.decode()
    assert '<form method="post"' in sixth.content.decode()  # the same sign-in page
    assert "_auth_user_id" not in client.session


def test_four_failures_do_not_lock(client, world):
    for _ in range(4):
        assert attempt(client, world.teacher.email, "wrong").status_code == 200

    assert attempt(client, world.teacher.email, world.password).status_code == 302


def test_lockout_looks_the_same_for_an_email_with_no_account(client, world):
    fail_five_times(client, world.teacher.email)
    fail_five_times(client, "nobody-here@example.org")

    real = attempt(client, world.teacher.email, world.password)
    unknown = attempt(client, "nobody-here@example.org", "anything")

    assert real.status_code == unknown.status_code == 429
    assert visible_text(real) == visible_text(unknown)


def test_changing_the_case_of_the_email_does_not_reset_the_count(client, world):
    for variant in ("Teacher@example.org", "TEACHER@EXAMPLE.ORG", " teacher@example.org"):
        attempt(client, variant, "wrong")
    attempt(client, world.teacher.email.upper(), "wrong")
    attempt(client, world.teacher.email, "wrong")

    assert attempt(client, world.teacher.email, world.password).status_code == 429


def test_the_lock_holds_one_email_from_one_address(client, world):
    fail_five_times(client, world.teacher.email, ip="203.0.113.7")

    from_elsewhere = attempt(Client(), world.teacher.email, world.password, ip="198.51.100.2")
    someone_else = attempt(Client(), world.principal.email, world.password, ip="203.0.113.7")

    assert from_elsewhere.status_code == 302
    assert someone_else.status_code == 302


def test_the_lock_ends_fifteen_minutes_after_the_last_attempt(client, world):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        fail_five_times(client, world.teacher.email)
        traveller.shift(datetime.timedelta(minutes=10))
        # Trying while locked starts the fifteen minutes again (axes' default).
        assert attempt(client, world.teacher.email, world.password).status_code == 429
        traveller.shift(datetime.timedelta(minutes=14))
        assert attempt(client, world.teacher.email, world.password).status_code == 429
        traveller.shift(datetime.timedelta(minutes=16))
        assert attempt(client, world.teacher.email, world.password).status_code == 302


# Sessions


def test_the_session_before_sign_in_is_not_the_signed_in_one(world):
    client = Client()
    client.get(LOGIN_URL)
    client.session.save()
    before = client.session.session_key

    attempt(client, world.teacher.email, world.password)

    assert client.cookies["sessionid"].value != before
    replay = Client()
    replay.cookies["sessionid"] = before
    assert replay.get(HOME_URL).status_code == 302


def test_an_old_session_cookie_does_not_work_after_sign_out(world):
    client = Client()
    attempt(client, world.teacher.email, world.password)
    cookie = client.cookies["sessionid"].value
    assert client.get(HOME_URL).status_code == 200

    client.post(reverse("logout"))

    replay = Client()
    replay.cookies["sessionid"] = cookie
    response = replay.get(HOME_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


# CSRF


def _first_allowed_role(access) -> str:
    return sorted(access.may("POST"))[0]


POSTS = sorted(name for name, access in MATRIX.items() if access.may("POST"))


@pytest.mark.parametrize("name", POSTS)
def test_every_post_without_a_csrf_token_is_refused(name, objects):
    access = MATRIX[name]
    role = _first_allowed_role(access)
    client = Client(enforce_csrf_checks=True)
    client.force_login(getattr(objects.world, role))
    url = reverse(name, kwargs=access.args(objects))

    response = client.post(url, access.data(objects))

    assert response.status_code == 403, (name, role, response.status_code)
    assert "CSRF" in response.content.decode() or "form" in response.content.decode()


def test_sign_in_itself_needs_the_token(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN_URL, {"username": world.teacher.email, "password": "x"})
    assert response.status_code == 403


def test_htmx_requests_carry_the_token_from_the_page(objects):
    """base.html puts the token in hx-headers; htmx sends it as X-CSRFToken."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(objects.teacher)
    page = client.get(reverse("evidence:submission_edit", args=[objects.draft.pk]))
    match = re.search(r"hx-headers='([^']+)'", page.content.decode())
    assert match, "base.html must give htmx the CSRF token"
    token = json.loads(match.group(1))["X-CSRFToken"]
    url = reverse("evidence:submission_autosave", args=[objects.draft.pk])

    without = client.post(url, {"reflection": "Draft words"}, headers={"HX-Request": "true"})
    with_token = client.post(
        url, {"reflection": "Draft words"}, headers={"HX-Request": "true", "X-CSRFToken": token}
    )

    assert without.status_code == 403
    assert with_token.status_code in (200, 422)


def test_role_codes_cover_the_world():
    assert set(ROLE_CODES.values()) <= {
        "teacher",
        "coach",
        "coordinator",
        "principal",
        "district_admin",
        "outsider",
    }
