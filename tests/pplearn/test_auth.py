"""Signing in and out, password reset, role switching and the home page of each role."""

import re
from urllib.parse import urlparse

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse

from pplearn.models import Role, User
from tests.factories import UserFactory, add_role

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("login")
HOME_URL = reverse("home")
NEW_PASSWORD = "a-brand-new-passphrase-42"
SIGN_IN_ERROR = re.compile(rb'<div class="[^"]*alert-danger[^"]*"[^>]*>.*?</div>', re.S)


def sign_in(client, email, password):
    return client.post(LOGIN_URL, {"username": email, "password": password})


def signed_in_user_id(client):
    """Return the id of the user the client's server session belongs to, or None."""
    cookie = client.cookies.get("sessionid")
    if cookie is None or not cookie.value:
        return None
    session = Session.objects.filter(session_key=cookie.value).first()
    return session.get_decoded().get(SESSION_KEY) if session else None


def heading(response) -> str:
    match = re.search(rb"<h1[^>]*>(.*?)</h1>", response.content, re.S)
    assert match, "the page has no h1"
    return match.group(1).decode().strip()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# Signing in


def test_sign_in_with_email_in_any_case(client, world):
    response = sign_in(client, "  TEACHER@Example.Org ", world.password)

    assert response.status_code == 302
    assert response.url == HOME_URL
    assert signed_in_user_id(client) == str(world.teacher.pk)


def test_sign_in_follows_next(client, world):
    response = client.post(
        LOGIN_URL,
        {"username": world.teacher.email, "password": world.password, "next": "/accounts/"},
    )

    assert response.url == "/accounts/"


def test_sign_in_ignores_next_to_another_site(client, world):
    response = client.post(
        LOGIN_URL,
        {
            "username": world.teacher.email,
            "password": world.password,
            "next": "https://evil.example/steal",
        },
    )

    assert response.url == HOME_URL


def test_failed_sign_in_never_says_why(client, world):
    world.principal.is_active = False
    world.principal.save()

    attempts = {
        "wrong password": sign_in(client, world.teacher.email, "not-the-password"),
        "unknown email": sign_in(client, "nobody@example.org", world.password),
        "deactivated": sign_in(client, world.principal.email, world.password),
    }

    errors = {}
    for why, response in attempts.items():
        assert response.status_code == 200, why
        found = SIGN_IN_ERROR.findall(response.content)
        assert len(found) == 1, why
        errors[why] = found[0]
    assert b"did not match an active account" in errors["wrong password"]
    assert errors["wrong password"] == errors["unknown email"] == errors["deactivated"]
    assert signed_in_user_id(client) is None
    assert not Session.objects.exists()


def test_session_key_rotates_at_sign_in(client, world):
    session = client.session
    session["before"] = "sign-in"
    session.save()
    key_before = session.session_key

    sign_in(client, world.teacher.email, world.password)

    key_after = client.cookies["sessionid"].value
    assert key_after != key_before
    assert not Session.objects.filter(session_key=key_before).exists()
    assert signed_in_user_id(client) == str(world.teacher.pk)


def test_signed_in_person_visiting_sign_in_goes_home(client, world):
    client.force_login(world.teacher)

    response = client.get(LOGIN_URL)

    assert response.status_code == 302
    assert response.url == HOME_URL


def test_anonymous_home_redirects_to_sign_in_with_next(client, world):
    response = client.get(HOME_URL)

    assert response.status_code == 302
    assert response.url == f"{LOGIN_URL}?next=/"


# Signing out


def test_sign_out_is_post_and_ends_the_server_session(client, world):
    sign_in(client, world.teacher.email, world.password)
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()

    refused = client.get(reverse("logout"))
    assert refused.status_code == 405
    assert Session.objects.filter(session_key=key).exists()

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response.url == LOGIN_URL
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(HOME_URL).status_code == 302


def test_deactivated_person_loses_an_open_session(client, world):
    client.force_login(world.teacher)
    assert client.get(HOME_URL).status_code == 200

    world.teacher.is_active = False
    world.teacher.save()

    response = client.get(HOME_URL)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)


# Password reset


def _reset_link(message) -> str:
    match = re.search(r"https?://\S+/accounts/password/reset/\S+/\S+/", message.body)
    assert match, message.body
    return urlparse(match.group(0)).path


def _request_reset(client, email):
    return client.post(reverse("password_reset"), {"email": email})


def test_password_reset_for_known_email_sends_one_link(client, world):
    response = _request_reset(client, "Teacher@Example.org")

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [world.teacher.email]
    assert _reset_link(mail.outbox[0]).startswith("/accounts/password/reset/")


def test_password_reset_for_unknown_email_sends_nothing_but_looks_the_same(client, world):
    known = _request_reset(client, world.teacher.email)
    mail.outbox.clear()

    unknown = _request_reset(client, "nobody@example.org")

    assert unknown.status_code == known.status_code == 302
    assert unknown.url == known.url
    assert mail.outbox == []


def test_password_reset_for_deactivated_person_sends_nothing(client, world):
    world.teacher.is_active = False
    world.teacher.save()

    response = _request_reset(client, world.teacher.email)

    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_person_who_never_chose_a_password_can_ask_for_a_link(client, world):
    # Added by an administrator, they have no password until they follow the emailed link;
    # the welcome email tells them to ask the sign-in page for a new link if it expires.
    newcomer = User.objects.create_user(
        "newcomer@example.org", full_name="New Comer", district=world.district
    )

    _request_reset(client, newcomer.email)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [newcomer.email]


def test_password_reset_link_sets_a_password_once(client, world):
    _request_reset(client, world.teacher.email)
    link = _reset_link(mail.outbox[0])

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    set_password_url = form_page.redirect_chain[-1][0]
    saved = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert saved.status_code == 302
    assert saved.url == reverse("password_reset_complete")

    again = client.get(link, follow=True)
    assert again.context["validlink"] is False
    assert b"This link no longer works" in again.content

    fresh = client.__class__()
    assert sign_in(fresh, world.teacher.email, world.password).status_code == 200
    assert signed_in_user_id(fresh) is None
    assert sign_in(fresh, world.teacher.email, NEW_PASSWORD).status_code == 302
    assert signed_in_user_id(fresh) == str(world.teacher.pk)


def test_password_reset_link_with_bad_token_is_refused(client, world):
    _request_reset(client, world.teacher.email)
    link = _reset_link(mail.outbox[0])
    tampered = link.rstrip("/")[:-3] + "zzz/"

    response = client.get(tampered, follow=True)

    assert response.context["validlink"] is False
    world.teacher.refresh_from_db()
    assert world.teacher.check_password(world.password)


# Roles and home pages


@pytest.fixture
def teacher_coach(world):
    add_role(world.coach, Role.TEACHER, world.school_a)
    return world.coach


def test_role_switch_changes_the_home_page(client, teacher_coach):
    client.force_login(teacher_coach)
    assert heading(client.get(HOME_URL, follow=True)) == "My caseload"

    response = client.post(reverse("role_switch"), {"role": Role.TEACHER}, follow=True)

    assert heading(response) == "My goals"
    assert "You are now working as teacher." in messages_of(response)
    assert heading(client.get(HOME_URL)) == "My goals"

    response = client.post(reverse("role_switch"), {"role": Role.COACH}, follow=True)
    assert heading(response) == "My caseload"


def test_role_switch_to_a_role_not_held_is_refused(client, teacher_coach):
    client.force_login(teacher_coach)
    client.post(reverse("role_switch"), {"role": Role.TEACHER})

    response = client.post(reverse("role_switch"), {"role": Role.PRINCIPAL}, follow=True)

    assert "You do not hold that role." in messages_of(response)
    assert heading(response) == "My goals"
    assert client.session["active_role"] == Role.TEACHER


def test_role_switch_goes_back_to_a_local_page_only(client, teacher_coach):
    client.force_login(teacher_coach)

    local = client.post(reverse("role_switch"), {"role": Role.TEACHER, "next": "/?from=nav"})
    external = client.post(
        reverse("role_switch"), {"role": Role.TEACHER, "next": "https://evil.example/"}
    )

    assert local.url == "/?from=nav"
    assert external.url == HOME_URL


def test_role_switch_needs_post(client, teacher_coach):
    client.force_login(teacher_coach)

    response = client.get(reverse("role_switch"), {"role": Role.TEACHER})

    assert response.status_code == 405
    assert "active_role" not in client.session


def test_role_menu_shows_only_to_people_with_several_roles(client, world, teacher_coach):
    client.force_login(teacher_coach)
    assert b"Switch role" in client.get(HOME_URL, follow=True).content

    client.force_login(world.teacher)
    assert b"Switch role" not in client.get(HOME_URL).content


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("teacher", "My goals"),
        ("coach", "My caseload"),
        ("coordinator", "Review queue"),
        ("principal", "My school"),
        ("district_admin", "Maple Valley"),
        ("outsider", "Elsewhere"),
    ],
)
def test_home_page_of_each_role(client, world, person, expected):
    client.force_login(getattr(world, person))

    # The coordinator's home is the review queue: the home URL redirects there.
    response = client.get(HOME_URL, follow=True)

    assert response.status_code == 200
    assert heading(response) == expected


def test_home_pages_show_the_right_schools(client, world):
    client.force_login(world.coach)
    coach_page = client.get(HOME_URL, follow=True).content.decode()
    client.force_login(world.principal)
    principal_page = client.get(HOME_URL).content.decode()

    assert "Cedar Creek Elementary" in coach_page
    assert "Lincoln Middle" in coach_page
    assert "Far Away High" not in coach_page
    assert "Lincoln Middle" not in principal_page
    assert world.teacher.email in principal_page


def test_person_with_no_role_gets_the_no_role_page(client, world):
    loner = UserFactory(district=world.district, full_name="Lone Wolf")
    client.force_login(loner)

    response = client.get(HOME_URL)

    assert response.status_code == 200
    assert heading(response) == "Welcome, Lone"
    assert b"Your account has no role yet" in response.content
    assert [t.name for t in response.templates][0] == "pplearn/home_no_role.html"


def test_friendly_404_page(client, world, settings):
    settings.DEBUG = False
    client.force_login(world.teacher)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert heading(response) == "We could not find that page"
    assert b"Go to your home page" in response.content
    assert b"Traceback" not in response.content


def test_friendly_404_page_for_manage_pages_out_of_reach(client, world, settings):
    settings.DEBUG = False
    client.force_login(world.teacher)

    response = client.get(reverse("manage:person_list"))

    assert response.status_code == 404
    assert heading(response) == "We could not find that page"
