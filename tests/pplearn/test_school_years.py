"""District administrators manage school years; the current one moves atomically."""

import datetime

import pytest
from django.urls import reverse

from pplearn.models import AuditEvent, SchoolYear

pytestmark = pytest.mark.django_db


def _post_year(client, name="2027-28", start="2027-08-01", end="2028-06-30", pk=None):
    url = (
        reverse("manage:school_year_edit", args=[pk])
        if pk
        else reverse("manage:school_year_create")
    )
    return client.post(url, {"name": name, "start_date": start, "end_date": end})


def test_admin_adds_a_school_year_and_makes_it_current(client, world):
    client.force_login(world.district_admin)

    response = _post_year(client)

    assert response.status_code == 302
    added = SchoolYear.objects.get(district=world.district, name="2027-28")
    assert added.start_date == datetime.date(2027, 8, 1)
    assert not added.is_current
    client.post(reverse("manage:school_year_make_current", args=[added.pk]))
    current = SchoolYear.objects.get(district=world.district, is_current=True)
    assert current.pk == added.pk
    verbs = list(
        AuditEvent.objects.filter(target_type="pplearn.schoolyear").values_list("verb", flat=True)
    )
    assert sorted(verbs) == ["school_year.create", "school_year.make_current"]


def test_end_before_start_and_duplicate_names_are_refused(client, world):
    client.force_login(world.district_admin)

    backwards = _post_year(client, start="2028-06-30", end="2027-08-01")
    duplicate = _post_year(client, name="2026-27")

    assert b"A school year ends after it starts." in backwards.content
    assert b"already has a school year called 2026-27" in duplicate.content
    assert SchoolYear.objects.filter(district=world.district).count() == 1


def test_editing_changes_dates_and_is_audited(client, world):
    year = SchoolYear.objects.get(district=world.district)
    client.force_login(world.district_admin)

    _post_year(client, name="2026-27", start="2026-08-15", end="2027-06-15", pk=year.pk)

    year.refresh_from_db()
    assert year.start_date == datetime.date(2026, 8, 15)
    event = AuditEvent.objects.get(verb="school_year.update")
    assert event.data["from"]["start"] == "2026-08-01"


@pytest.mark.parametrize("person", ["teacher", "coach", "principal", "coordinator"])
def test_only_a_district_admin_reaches_school_years(client, world, person):
    year = SchoolYear.objects.get(district=world.district)
    client.force_login(getattr(world, person))

    pages = [
        client.get(reverse("manage:school_year_list")),
        client.get(reverse("manage:school_year_edit", args=[year.pk])),
        client.post(reverse("manage:school_year_make_current", args=[year.pk])),
        _post_year(client),
    ]

    assert [p.status_code for p in pages] == [404, 404, 404, 404]
    assert SchoolYear.objects.filter(district=world.district).count() == 1


def test_another_districts_admin_cannot_touch_our_years(client, world):
    year = SchoolYear.objects.get(district=world.district)
    client.force_login(world.outsider)

    listing = client.get(reverse("manage:school_year_list")).content.decode()
    edit = client.get(reverse("manage:school_year_edit", args=[year.pk]))
    make_current = client.post(reverse("manage:school_year_make_current", args=[year.pk]))

    assert "2026-27" not in listing
    assert (edit.status_code, make_current.status_code) == (404, 404)


def test_list_shows_years_newest_first(client, world):
    client.force_login(world.district_admin)
    _post_year(client, name="2025-26", start="2025-08-01", end="2026-06-30")
    client.get(reverse("manage:school_year_list"))  # shows and consumes the "Saved" message

    content = client.get(reverse("manage:school_year_list")).content.decode()

    assert content.index("2026-27") < content.index("2025-26")
    assert "Current" in content
