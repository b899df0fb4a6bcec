"""Inputs the fuzz tests found answering 500, kept as plain examples."""

import pytest
from django.urls import reverse
from django.utils import timezone

from pplearn.models import Role
from tests.factories import add_role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("next_url", ["a b", "home", "a\x00b", "goals:goal_list", "\x00/"])
def test_role_switch_with_a_next_that_is_not_a_path_goes_home(client, world, next_url):
    add_role(world.coach, Role.TEACHER, world.school_a)
    client.force_login(world.coach)
    response = client.post(reverse("role_switch"), {"role": "teacher", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_role_switch_still_returns_to_a_path_of_the_site(client, world):
    add_role(world.coach, Role.TEACHER, world.school_a)
    client.force_login(world.coach)
    response = client.post(reverse("role_switch"), {"role": "teacher", "next": "/goals/"})
    assert response["Location"] == "/goals/"


@pytest.mark.parametrize("next_url", ["a b", "a\x00b", "coaching:caseload"])
def test_ticking_a_next_step_with_a_next_that_is_not_a_path_returns_to_the_conversation(
    client, world, next_url
):
    from coaching import services as coaching_services
    from tests.goals.goal_factories import assign_coach

    assign_coach(world.coach, world.teacher, world.school_a)
    conversation = coaching_services.conversation_log(
        coach=world.coach,
        teacher=world.teacher,
        held_on=timezone.localdate(),
        kind="check_in",
        notes="Talk moves.",
        next_steps=["Try the stems"],
    )
    step = conversation.next_steps.get()
    client.force_login(world.teacher)
    response = client.post(
        reverse("coaching:next_step_toggle", args=[step.pk]), {"done": "1", "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("coaching:conversation_detail", args=[conversation.pk])


@pytest.mark.parametrize("year", ["²", "٣", "-1", "1.0", " 1"])
def test_a_school_year_that_is_not_ascii_digits_is_not_found(client, world, year):
    client.force_login(world.principal)
    url = reverse("dashboards:school", args=[world.school_a.pk])
    assert client.get(url, {"year": year}).status_code == 404


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12), ("0", 0), ("²", None), ("٣", None), ("-1", None), ("", None), (None, None)],
)
def test_whole_number_reads_only_ascii_digits(value, expected):
    from pplearn.params import whole_number

    assert whole_number(value) == expected
