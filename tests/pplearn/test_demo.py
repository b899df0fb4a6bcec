"""The demo district loads, loads again without duplicates, and its logins work."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.validators import validate_email
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from pplearn.demo import DEMO_PASSWORD
from pplearn.models import District, Membership, Role, School, SchoolYear, User
from tests.conftest import FAST_HASHER

pytestmark = pytest.mark.django_db


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "districts": District.objects.count(),
        "school years": SchoolYear.objects.count(),
        "schools": School.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
    }


def people_with(role: str):
    return User.objects.filter(memberships__role=role).distinct()


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """Load the demo once for the module; each test runs in a savepoint inside this block."""
    # The cheap hasher of conftest applies per test; this runs before any test does.
    fast_hasher = override_settings(PASSWORD_HASHERS=[FAST_HASHER])
    with django_db_blocker.unblock(), fast_hasher, transaction.atomic():
        yield load_demo()
        transaction.set_rollback(True)


def test_loading_twice_creates_nothing_twice(demo_output):
    first = counts()
    first_emails = set(User.objects.values_list("email", flat=True))

    second_output = load_demo()

    assert counts() == first
    assert set(User.objects.values_list("email", flat=True)) == first_emails
    assert second_output == demo_output


def test_the_demo_comes_with_its_dashboard_rollups(demo_output):
    """load_demo counts the rollups once at its end (rollups.deferred): each school's row of
    every year with goals equals a recount."""
    from dashboards.models import SchoolYearFigures
    from goals.models import Goal
    from tests.dashboards.test_rollups import _compare

    counted = set(SchoolYearFigures.objects.values_list("school_id", "school_year_id"))
    with_goals = set(Goal.objects.values_list("school_id", "school_year_id"))
    assert with_goals
    assert with_goals <= counted
    assert _compare(None) == len(counted)


def test_demo_district_has_its_schools_and_people(demo_output):
    district = District.objects.get(slug="maple-valley")
    schools = School.objects.filter(district=district)

    assert sorted(schools.values_list("grade_band", flat=True)) == ["elementary", "high", "middle"]
    assert district.current_school_year().name == "2026-27"
    only_teachers = User.objects.filter(memberships__role=Role.TEACHER).exclude(
        memberships__role__in=[Role.COACH, Role.PRINCIPAL, Role.COORDINATOR, Role.DISTRICT_ADMIN]
    )
    assert only_teachers.distinct().count() == 60
    for school in schools:
        assert only_teachers.filter(memberships__school=school).distinct().count() == 20
    assert people_with(Role.COACH).count() == 3
    assert people_with(Role.PRINCIPAL).count() == 3
    assert people_with(Role.COORDINATOR).count() == 1
    assert people_with(Role.DISTRICT_ADMIN).count() == 1
    # One coach also teaches, so the demo shows role switching.
    assert people_with(Role.COACH).filter(memberships__role=Role.TEACHER).count() == 1
    assert User.objects.filter(is_superuser=True).count() == 1


def test_demo_people_have_valid_unique_emails_and_employee_ids(demo_output):
    emails = list(User.objects.values_list("email", flat=True))
    for email in emails:
        validate_email(email)
    employee_ids = [e for e in User.objects.values_list("employee_id", flat=True) if e]
    assert len(employee_ids) == len(set(employee_ids)) == 68


def test_every_printed_login_signs_in(demo_output):
    emails = re.findall(r"\S+@maplevalley\.example", demo_output)
    assert len(emails) == 6
    assert f"Password for every demo login: {DEMO_PASSWORD}" in demo_output

    for email in emails:
        client = Client()
        response = client.post(
            reverse("login"), {"username": email, "password": DEMO_PASSWORD}, follow=True
        )
        assert response.status_code == 200, email
        assert response.context["user"].email == email
        assert response.redirect_chain[0][0] == reverse("home")


def test_loading_completes_an_older_demo_without_duplicates(demo_output):
    # Earlier versions wrote generated addresses differently; the employee ID still matches.
    teacher = User.objects.filter(employee_id="E10020").get()
    teacher.email = "older.address@maplevalley.example"
    teacher.save()
    Membership.objects.filter(user=teacher).delete()
    before = counts()

    load_demo()

    after = counts()
    assert after["users"] == before["users"]
    assert after["memberships"] == before["memberships"] + 1
    assert User.objects.filter(employee_id="E10020").count() == 1


def test_last_years_complete_goals_carry_their_passed_tiers_in_last_year(demo_output):
    from evidence.models import Review, Submission
    from goals.models import Goal

    last_year = SchoolYear.objects.get(is_current=False)
    goals = Goal.objects.filter(school_year=last_year, status=Goal.Status.COMPLETE)
    assert goals.exists()
    for goal in goals:
        passed = set(
            goal.submissions.filter(status=Submission.Status.PASSED).values_list("tier", flat=True)
        )
        assert passed == set(range(1, goal.target_tier + 1)), goal
    history = Submission.objects.filter(goal__school_year=last_year)
    assert history.filter(status=Submission.Status.SUPERSEDED).exists()
    start, end = last_year.start_date, last_year.end_date
    decided = Review.objects.filter(submission__goal__school_year=last_year)
    assert {r.decided_at.date() >= start and r.decided_at.date() <= end for r in decided} == {True}
    # The demo teacher's own growth record has a history to show.
    teacher = User.objects.get(email="teacher@maplevalley.example")
    assert history.filter(goal__teacher=teacher, status=Submission.Status.PASSED).exists()
