"""District administrators manage schools and people through the manage pages."""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pplearn.models import AuditEvent, Membership, Role, School, User
from tests.factories import add_role, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.district_admin)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def audit_verbs(target) -> list[str]:
    return list(
        AuditEvent.objects.filter(
            target_type=target._meta.label_lower, target_id=str(target.pk)
        ).values_list("verb", flat=True)
    )


def person_data(**overrides) -> dict:
    """The person form as a browser posts it: unchecked boxes are simply absent."""
    data = {"full_name": "Ada Lovelace", "email": "ada@example.org", "employee_id": "E42"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def memberships_of(person) -> set[tuple[str, int | None]]:
    return set(Membership.objects.filter(user=person).values_list("role", "school_id"))


# Schools


def test_admin_lists_the_schools_of_their_district(admin_client, world):
    make_person(Role.TEACHER, school=world.school_b)

    response = admin_client.get(reverse("manage:school_list"))

    assert response.status_code == 200
    schools = {s.name: s.teacher_count for s in response.context["schools"]}
    assert schools == {"Cedar Creek Elementary": 1, "Lincoln Middle": 1}
    assert b"Far Away High" not in response.content


def test_admin_adds_a_school(admin_client, world):
    response = admin_client.post(
        reverse("manage:school_create"),
        {"name": "  Oak Ridge High ", "grade_band": School.GradeBand.HIGH},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("manage:school_list")
    assert "Added Oak Ridge High." in messages_of(response)
    school = School.objects.get(name="Oak Ridge High")
    assert school.district == world.district
    assert school.grade_band == School.GradeBand.HIGH
    event = AuditEvent.objects.get(verb="school.create")
    assert event.actor == world.district_admin
    assert event.district == world.district
    assert event.target_id == str(school.pk)


def test_school_name_must_be_new_in_the_district(admin_client, world):
    response = admin_client.post(
        reverse("manage:school_create"),
        {"name": "cedar creek elementary", "grade_band": School.GradeBand.ELEMENTARY},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "Your district already has a school with this name."
    ]
    assert School.objects.filter(district=world.district).count() == 2
    assert not AuditEvent.objects.exists()


def test_admin_edits_a_school(admin_client, world):
    response = admin_client.post(
        reverse("manage:school_edit", args=[world.school_a.pk]),
        {"name": "Cedar Creek K-8", "grade_band": School.GradeBand.K8},
    )

    assert response.status_code == 302
    world.school_a.refresh_from_db()
    assert world.school_a.name == "Cedar Creek K-8"
    assert world.school_a.grade_band == School.GradeBand.K8
    event = AuditEvent.objects.get(verb="school.update")
    assert event.data["from"] == {
        "name": "Cedar Creek Elementary",
        "grade_band": School.GradeBand.ELEMENTARY,
    }
    assert event.data["to"] == {"name": "Cedar Creek K-8", "grade_band": School.GradeBand.K8}


def test_saving_a_school_unchanged_writes_no_audit_event(admin_client, world):
    admin_client.post(
        reverse("manage:school_edit", args=[world.school_a.pk]),
        {"name": world.school_a.name, "grade_band": world.school_a.grade_band},
    )

    assert not AuditEvent.objects.exists()


def test_admin_deactivates_and_reactivates_a_school(admin_client, world):
    url = reverse("manage:school_set_active", args=[world.school_b.pk])

    response = admin_client.post(url, {"active": "0"}, follow=True)

    assert "Lincoln Middle is deactivated." in messages_of(response)
    world.school_b.refresh_from_db()
    assert not world.school_b.is_active
    # Its people stay, but it is no longer offered for new assignments.
    assert world.coach.memberships.filter(school=world.school_b).exists()
    form = admin_client.get(reverse("manage:person_create")).context["form"]
    assert list(form.fields["teacher_schools"].queryset) == [world.school_a]

    admin_client.post(url, {"active": "1"})

    world.school_b.refresh_from_db()
    assert world.school_b.is_active
    assert audit_verbs(world.school_b) == ["school.reactivate", "school.deactivate"]


def test_school_set_active_needs_post(admin_client, world):
    response = admin_client.get(reverse("manage:school_set_active", args=[world.school_a.pk]))

    assert response.status_code == 405
    world.school_a.refresh_from_db()
    assert world.school_a.is_active


# People: adding


def test_admin_adds_a_person_and_the_welcome_email_leaves_on_commit(
    admin_client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client.post(
            reverse("manage:person_create"),
            person_data(
                email="Ada@Example.ORG",
                teacher_schools=[world.school_a.pk, world.school_b.pk],
                coach_schools=[world.school_b.pk],
            ),
            follow=True,
        )

    assert response.redirect_chain[-1][0] == reverse("manage:person_list")
    assert (
        "Added Ada Lovelace. We emailed ada@example.org a link to set a password."
        in messages_of(response)
    )
    person = User.objects.get(email="ada@example.org")
    assert person.district == world.district
    assert person.employee_id == "E42"
    assert not person.has_usable_password()
    assert memberships_of(person) == {
        (Role.TEACHER, world.school_a.pk),
        (Role.TEACHER, world.school_b.pk),
        (Role.COACH, world.school_b.pk),
    }
    assert audit_verbs(person) == ["person.create"]
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.org"]
    assert mail.outbox[0].subject == "Welcome to pplearn"
    assert "/accounts/password/reset/" in mail.outbox[0].body


def test_welcome_email_waits_for_the_commit(
    admin_client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        admin_client.post(
            reverse("manage:person_create"), person_data(coordinator="on"), follow=True
        )

    assert User.objects.filter(email="ada@example.org").exists()
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_welcome_link_lets_the_new_person_choose_a_password(
    admin_client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("manage:person_create"), person_data(teacher_schools=[world.school_a.pk])
        )
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/", mail.outbox[0].body)
    newcomer = Client()

    form_page = newcomer.get(urlparse(link.group(0)).path, follow=True)
    newcomer.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-fresh-passphrase-7", "new_password2": "a-fresh-passphrase-7"},
    )
    response = newcomer.post(
        reverse("login"),
        {"username": "ada@example.org", "password": "a-fresh-passphrase-7"},
        follow=True,
    )

    assert response.context["user"].email == "ada@example.org"
    assert b"My goals" in response.content


@pytest.mark.parametrize(
    ("overrides", "field", "error"),
    [
        ({"email": "TEACHER@example.org"}, "email", "Someone already uses this email address."),
        (
            {"employee_id": "E100"},
            "employee_id",
            "Someone in your district already has this employee ID.",
        ),
    ],
)
def test_duplicate_email_or_employee_id_is_refused(admin_client, world, overrides, field, error):
    world.teacher.employee_id = "E100"
    world.teacher.save()

    response = admin_client.post(
        reverse("manage:person_create"),
        person_data(teacher_schools=[world.school_a.pk], **overrides),
    )

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [error]
    assert error.encode() in response.content
    assert not User.objects.filter(full_name="Ada Lovelace").exists()


def test_employee_id_of_another_district_may_be_reused(admin_client, world):
    world.outsider.employee_id = "E42"
    world.outsider.save()

    response = admin_client.post(
        reverse("manage:person_create"), person_data(teacher_schools=[world.school_a.pk])
    )

    assert response.status_code == 302
    assert User.objects.filter(email="ada@example.org", employee_id="E42").exists()


def test_person_without_a_role_is_refused(admin_client, world):
    response = admin_client.post(reverse("manage:person_create"), person_data())

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["Give the person at least one role."]
    assert not User.objects.filter(email="ada@example.org").exists()


def test_school_of_another_district_cannot_be_assigned(admin_client, world):
    response = admin_client.post(
        reverse("manage:person_create"), person_data(teacher_schools=[world.other_school.pk])
    )

    assert response.status_code == 200
    assert "teacher_schools" in response.context["form"].errors
    assert not User.objects.filter(email="ada@example.org").exists()
    assert not Membership.objects.filter(school=world.other_school).exists()


# People: editing


def edit_data(person, **overrides) -> dict:
    """The edit form of a person as it is shown, with some answers changed."""
    memberships = list(person.memberships.all())

    def schools(role):
        return [m.school_id for m in memberships if m.role == role]

    current = {
        "full_name": person.full_name,
        "email": person.email,
        "employee_id": person.employee_id,
        "teacher_schools": schools(Role.TEACHER),
        "coach_schools": schools(Role.COACH),
        "principal_schools": schools(Role.PRINCIPAL),
        "coordinator": "on" if any(m.role == Role.COORDINATOR for m in memberships) else None,
        "district_admin": "on" if any(m.role == Role.DISTRICT_ADMIN for m in memberships) else None,
    }
    return person_data(**{**current, **overrides})


def test_admin_edits_a_person(admin_client, world):
    response = admin_client.post(
        reverse("manage:person_edit", args=[world.teacher.pk]),
        edit_data(
            world.teacher,
            full_name="Grace Hopper",
            email="Grace@Example.org",
            teacher_schools=[world.school_b.pk],
            coach_schools=[world.school_a.pk],
        ),
        follow=True,
    )

    assert "Saved Grace Hopper." in messages_of(response)
    world.teacher.refresh_from_db()
    assert world.teacher.full_name == "Grace Hopper"
    assert world.teacher.email == "grace@example.org"
    assert memberships_of(world.teacher) == {
        (Role.TEACHER, world.school_b.pk),
        (Role.COACH, world.school_a.pk),
    }
    event = AuditEvent.objects.get(verb="person.update")
    assert event.data["from"]["email"] == "teacher@example.org"
    assert event.data["to"]["email"] == "grace@example.org"
    assert [Role.TEACHER, world.school_a.pk] in event.data["removed"]


def test_edit_page_shows_the_person_as_stored(admin_client, world):
    response = admin_client.get(reverse("manage:person_edit", args=[world.coach.pk]))

    form = response.context["form"]
    assert form.initial["email"] == world.coach.email
    assert set(form.initial["coach_schools"]) == {world.school_a.pk, world.school_b.pk}
    assert form.initial["teacher_schools"] == []


def test_saving_a_person_unchanged_writes_no_audit_event(admin_client, world):
    response = admin_client.post(
        reverse("manage:person_edit", args=[world.coach.pk]), edit_data(world.coach)
    )

    assert response.status_code == 302
    assert not AuditEvent.objects.exists()


def test_editing_keeps_roles_at_a_deactivated_school(admin_client, world):
    admin_client.post(
        reverse("manage:school_set_active", args=[world.school_b.pk]), {"active": "0"}
    )
    page = admin_client.get(reverse("manage:person_edit", args=[world.coach.pk]))
    assert f'value="{world.school_b.pk}"' in str(page.context["form"]["coach_schools"])

    response = admin_client.post(
        reverse("manage:person_edit", args=[world.coach.pk]),
        edit_data(world.coach, full_name="Renamed Coach"),
    )

    assert response.status_code == 302
    world.coach.refresh_from_db()
    assert world.coach.full_name == "Renamed Coach"
    assert memberships_of(world.coach) == {
        (Role.COACH, world.school_a.pk),
        (Role.COACH, world.school_b.pk),
    }


def test_duplicate_email_is_refused_when_editing(admin_client, world):
    response = admin_client.post(
        reverse("manage:person_edit", args=[world.teacher.pk]),
        edit_data(world.teacher, email="Principal@EXAMPLE.org"),
    )

    assert response.context["form"].errors["email"] == ["Someone already uses this email address."]
    world.teacher.refresh_from_db()
    assert world.teacher.email == "teacher@example.org"


def test_admin_cannot_drop_their_own_admin_role(admin_client, world):
    response = admin_client.post(
        reverse("manage:person_edit", args=[world.district_admin.pk]),
        edit_data(
            world.district_admin, full_name="Renamed Admin", district_admin=None, coordinator="on"
        ),
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "You cannot remove your own district administrator role."
    ]
    assert b"You cannot remove your own district administrator role." in response.content
    world.district_admin.refresh_from_db()
    assert world.district_admin.full_name != "Renamed Admin"
    assert memberships_of(world.district_admin) == {(Role.DISTRICT_ADMIN, None)}
    assert not AuditEvent.objects.exists()


# People: deactivating


def test_admin_deactivates_and_reactivates_a_person(admin_client, world):
    memberships_before = memberships_of(world.teacher)
    url = reverse("manage:person_set_active", args=[world.teacher.pk])

    response = admin_client.post(url, {"active": "0"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("manage:person_edit", args=[world.teacher.pk])
    assert any("is deactivated" in m for m in messages_of(response))
    world.teacher.refresh_from_db()
    assert not world.teacher.is_active
    assert memberships_of(world.teacher) == memberships_before
    teacher_client = Client()
    refused = teacher_client.post(
        reverse("login"), {"username": world.teacher.email, "password": world.password}
    )
    assert refused.status_code == 200
    assert b"did not match an active account" in refused.content

    response = admin_client.post(url, {"active": "1"}, follow=True)

    assert any("can sign in again" in m for m in messages_of(response))
    world.teacher.refresh_from_db()
    assert world.teacher.is_active
    assert audit_verbs(world.teacher) == ["person.reactivate", "person.deactivate"]
    signed_in = teacher_client.post(
        reverse("login"), {"username": world.teacher.email, "password": world.password}
    )
    assert signed_in.status_code == 302


def test_deactivating_twice_writes_one_audit_event(admin_client, world):
    url = reverse("manage:person_set_active", args=[world.teacher.pk])

    admin_client.post(url, {"active": "0"})
    admin_client.post(url, {"active": "0"})

    assert audit_verbs(world.teacher) == ["person.deactivate"]


def test_admin_cannot_deactivate_themself(admin_client, world):
    response = admin_client.post(
        reverse("manage:person_set_active", args=[world.district_admin.pk]),
        {"active": "0"},
        follow=True,
    )

    assert "You cannot deactivate your own account." in messages_of(response)
    world.district_admin.refresh_from_db()
    assert world.district_admin.is_active
    assert not AuditEvent.objects.exists()
    assert admin_client.get(reverse("manage:person_list")).status_code == 200


def test_send_link_emails_an_active_person_only(admin_client, world):
    admin_client.post(reverse("manage:person_send_link", args=[world.teacher.pk]))
    assert [m.to for m in mail.outbox] == [[world.teacher.email]]
    assert mail.outbox[0].subject == "Your pplearn sign-in link"

    world.principal.is_active = False
    world.principal.save()
    response = admin_client.post(
        reverse("manage:person_send_link", args=[world.principal.pk]), follow=True
    )

    assert "Reactivate this person before sending a sign-in link." in messages_of(response)
    assert len(mail.outbox) == 1


# Nobody but this district's administrator reaches the manage pages


def _school_form(world):
    return {"name": "Sneaky School", "grade_band": School.GradeBand.HIGH}


def _school_edit_form(world):
    return {"name": "Renamed School", "grade_band": School.GradeBand.HIGH}


def _person_form(world):
    return person_data(email="sneaky@example.org", teacher_schools=[world.school_b.pk])


def _edit_form(world):
    return person_data(
        full_name="Sneaky",
        email=world.teacher.email,
        employee_id="E99",
        teacher_schools=[world.school_a.pk],
    )


def _deactivate(world):
    return {"active": "0"}


# (method, URL name, object the URL names, form posted)
MANAGE_REQUESTS = [
    ("get", "manage:school_list", None, None),
    ("get", "manage:school_create", None, None),
    ("post", "manage:school_create", None, _school_form),
    ("get", "manage:school_edit", "school_a", None),
    ("post", "manage:school_edit", "school_a", _school_edit_form),
    ("post", "manage:school_set_active", "school_a", _deactivate),
    ("get", "manage:person_list", None, None),
    ("get", "manage:person_create", None, None),
    ("post", "manage:person_create", None, _person_form),
    ("get", "manage:person_edit", "teacher", None),
    ("post", "manage:person_edit", "teacher", _edit_form),
    ("post", "manage:person_set_active", "teacher", _deactivate),
    ("post", "manage:person_send_link", "teacher", None),
]
OBJECT_REQUESTS = [r for r in MANAGE_REQUESTS if r[2] is not None]


def _state(world) -> tuple:
    return (
        list(School.objects.order_by("pk").values_list("name", "grade_band", "is_active")),
        list(User.objects.order_by("pk").values_list("email", "full_name", "is_active")),
        Membership.objects.count(),
        AuditEvent.objects.count(),
        len(mail.outbox),
    )


def _request(client, world, method, name, target, form):
    args = [getattr(world, target).pk] if target else []
    data = form(world) if form else {}
    return getattr(client, method)(reverse(name, args=args), data)


def _answers(client, world, requests) -> dict[str, int]:
    """Send every request; return the status code of each, named by method and URL."""
    return {
        f"{method.upper()} {name}": _request(client, world, method, name, target, form).status_code
        for method, name, target, form in requests
    }


@pytest.mark.parametrize("person", ["teacher", "coach", "principal", "coordinator"])
def test_manage_pages_answer_404_to_other_roles(client, world, person):
    client.force_login(getattr(world, person))
    before = _state(world)

    answers = _answers(client, world, MANAGE_REQUESTS)

    assert answers == dict.fromkeys(answers, 404)
    assert len(answers) == len(MANAGE_REQUESTS)
    assert _state(world) == before


def test_manage_pages_answer_404_to_another_districts_admin_for_our_objects(client, world):
    client.force_login(world.outsider)
    before = _state(world)

    answers = _answers(client, world, OBJECT_REQUESTS)

    assert answers == dict.fromkeys(answers, 404)
    assert len(answers) == len(OBJECT_REQUESTS) == 7
    assert _state(world) == before


def test_manage_pages_send_anonymous_visitors_to_sign_in(client, world):
    before = _state(world)

    answers = _answers(client, world, MANAGE_REQUESTS)

    assert answers == dict.fromkeys(answers, 302)
    assert _state(world) == before


def test_same_requests_change_things_for_this_districts_admin(admin_client, world):
    # The other side of the 404 tests: sent by the right person, these requests do act.
    before = _state(world)

    answers = _answers(admin_client, world, MANAGE_REQUESTS)

    assert {name for name, status in answers.items() if status >= 400} == set()
    assert _state(world) != before
    assert set(AuditEvent.objects.values_list("verb", flat=True)) == {
        "school.create",
        "school.update",
        "school.deactivate",
        "person.create",
        "person.update",
        "person.deactivate",
    }


def test_another_districts_admin_sees_only_their_own_district(client, world):
    client.force_login(world.outsider)

    schools = client.get(reverse("manage:school_list"))
    people = client.get(reverse("manage:person_list"))

    assert [s.name for s in schools.context["schools"]] == ["Far Away High"]
    assert [p.email for p in people.context["page"]] == [world.outsider.email]


def test_another_districts_admin_cannot_assign_this_districts_schools(client, world):
    client.force_login(world.outsider)

    response = client.post(
        reverse("manage:person_create"), person_data(teacher_schools=[world.school_a.pk])
    )

    assert response.status_code == 200
    assert "teacher_schools" in response.context["form"].errors
    assert not User.objects.filter(email="ada@example.org").exists()


# The people list


def listed(response) -> list[str]:
    return [person.email for person in response.context["page"].object_list]


# (query string, the people of the world fixture listed)
PEOPLE_LIST_QUERIES = [
    ({}, {"teacher", "coach", "principal", "coordinator", "district_admin"}),
    ({"q": "PRINCIPAL@"}, {"principal"}),
    ({"q": "E777"}, {"teacher"}),
    ({"q": "E77"}, set()),
    ({"role": Role.COORDINATOR}, {"coordinator"}),
    ({"role": Role.COACH}, {"coach"}),
    ({"school": "school_b"}, {"coach"}),
    ({"school": "school_a"}, {"teacher", "coach", "principal"}),
    ({"status": "inactive"}, {"principal"}),
    ({"status": "active"}, {"teacher", "coach", "coordinator", "district_admin"}),
    ({"role": Role.TEACHER, "status": "active"}, {"teacher"}),
]


def test_people_list_search_and_filters(admin_client, world):
    world.teacher.employee_id = "E777"
    world.teacher.save()
    world.principal.is_active = False
    world.principal.save()

    listed_for, expected_for = {}, {}
    for query, expected in PEOPLE_LIST_QUERIES:
        if "school" in query:
            query = {**query, "school": getattr(world, query["school"]).pk}
        response = admin_client.get(reverse("manage:person_list"), query)
        assert response.status_code == 200
        key = str(sorted(query.items()))
        listed_for[key] = set(listed(response))
        expected_for[key] = {getattr(world, name).email for name in expected}

    assert listed_for == expected_for


def test_people_list_search_by_name(admin_client, world):
    world.teacher.full_name = "Marie Curie"
    world.teacher.save()

    response = admin_client.get(reverse("manage:person_list"), {"q": "curie"})

    assert listed(response) == [world.teacher.email]
    assert b"Marie Curie" in response.content


def test_role_and_school_filters_apply_to_the_same_membership(admin_client, world):
    # The coach teaches at A and coaches at A and B: they are no teacher at B.
    add_role(world.coach, Role.TEACHER, world.school_a)

    teachers_at_b = admin_client.get(
        reverse("manage:person_list"), {"role": Role.TEACHER, "school": world.school_b.pk}
    )
    teachers_at_a = admin_client.get(
        reverse("manage:person_list"), {"role": Role.TEACHER, "school": world.school_a.pk}
    )

    assert listed(teachers_at_b) == []
    assert set(listed(teachers_at_a)) == {world.teacher.email, world.coach.email}


def _add_people(world, count, first=0):
    """Add people with a mix of school and district-wide roles."""
    for n in range(first, first + count):
        email = f"bulk{n:03d}@example.org"
        if n % 3 == 0:
            make_person(Role.COORDINATOR, district=world.district, email=email)
        else:
            person = make_person(Role.TEACHER, school=world.school_a, email=email)
            add_role(person, Role.COACH, world.school_b)


def test_people_list_pages(admin_client, world):
    _add_people(world, 26)  # 31 people with the five of the world fixture

    first = admin_client.get(reverse("manage:person_list"))
    second = admin_client.get(reverse("manage:person_list"), {"page": 2})

    assert first.context["page"].paginator.count == 31
    assert len(listed(first)) == 25
    assert len(listed(second)) == 6
    assert set(listed(first)).isdisjoint(listed(second))
    assert b"Page 2 of 2" in second.content
    assert b"Page 1 of 2" in first.content


def test_people_list_pages_keep_the_filters(admin_client, world):
    _add_people(world, 40)

    response = admin_client.get(reverse("manage:person_list"), {"role": Role.TEACHER})

    assert response.context["page"].paginator.count == 27  # 26 added and the world's teacher
    assert b'href="?role=teacher&amp;page=2"' in response.content


def test_people_list_answers_htmx_with_the_rows_only(admin_client, world):
    full = admin_client.get(reverse("manage:person_list"), {"q": "teacher"})
    fragment = admin_client.get(
        reverse("manage:person_list"), {"q": "teacher"}, HTTP_HX_REQUEST="true"
    )

    assert fragment.status_code == 200
    assert fragment.templates[0].name == "manage/_person_rows.html"
    assert "manage/person_list.html" not in [t.name for t in fragment.templates]
    assert b"<html" not in fragment.content
    assert b'name="q"' not in fragment.content
    assert world.teacher.email.encode() in fragment.content
    assert world.coach.email.encode() not in fragment.content
    assert b"<html" in full.content


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_people_list_query_count_does_not_grow_with_people(admin_client, world):
    url = reverse("manage:person_list")
    _add_people(world, 5)
    admin_client.get(url)  # the first request may touch the session once
    with_few = _queries(admin_client, url)

    _add_people(world, 30, first=5)
    with_many = _queries(admin_client, url)

    assert with_many == with_few
