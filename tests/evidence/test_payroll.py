"""Payroll export: numbered batches that never pay twice, safe files, who may do what."""

from __future__ import annotations

import csv
import datetime
import io
import threading
import time
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evidence.models import Payout, PayrollBatch
from evidence.payroll import (
    TierTotal,
    neutralise,
    payouts_pending,
    payroll_csv,
    payroll_export,
    payroll_rows,
    payroll_xlsx,
)
from pplearn.models import AuditEvent, Role
from tests.evidence.payroll_factories import make_payout, make_payouts, make_teacher
from tests.factories import SchoolFactory, make_person

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
BOM = b"\xef\xbb\xbf"
HEADER = "Employee ID,Name,School,Goal,Tier,Amount (USD),Credit,Date passed"
PAGE = reverse("evidence:payout_list")
EXPORT = reverse("evidence:payroll_export")


def download_url(batch: PayrollBatch, file_format: str = "csv") -> str:
    return reverse("evidence:payroll_batch_download", args=[batch.pk]) + f"?format={file_format}"


def export(world) -> PayrollBatch:
    return payroll_export(district=world.district, actor=world.coordinator)


def goals_of(batch: PayrollBatch) -> list[str]:
    return sorted(row.goal for row in payroll_rows(batch))


def pending_pks(district) -> set[int]:
    return set(payouts_pending(district).payouts.values_list("pk", flat=True))


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def teachers(world):
    return [
        make_teacher(world.school_a, full_name="Ada Lovelace"),
        make_teacher(world.school_b, full_name="Bo Diddley"),
    ]


# Neutralising would-be formulas


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise_prefixes_a_quote_to_would_be_formulas(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Ada", "", "1-2", "O'Neil", 5, Decimal("-1.00")])
def test_neutralise_leaves_other_values_alone(value):
    assert neutralise(value) == value


# Batching


def test_export_puts_every_pending_payout_of_the_district_in_batch_1(world, teachers):
    ours = make_payouts(teachers, 3)
    other_teacher = make_teacher(world.other_school)
    theirs = make_payout(other_teacher)

    batch = export(world)

    assert (batch.number, batch.district, batch.created_by) == (
        1,
        world.district,
        world.coordinator,
    )
    assert set(batch.payouts.values_list("pk", flat=True)) == {p.pk for p in ours}
    assert pending_pks(world.district) == set()
    assert pending_pks(world.other_district) == {theirs.pk}


def test_second_export_contains_only_the_new_payouts(world, teachers):
    make_payout(teachers[0], goal_title="First")
    first = export(world)
    make_payout(teachers[1], goal_title="Second")
    make_payout(teachers[0], goal_title="Third")

    second = export(world)

    assert second.number == 2
    assert goals_of(first) == ["First"]
    assert goals_of(second) == ["Second", "Third"]


def test_batch_numbers_count_per_district(world, teachers):
    make_payout(teachers[0])
    export(world)
    make_payout(teachers[0])
    export(world)
    make_payout(make_teacher(world.other_school))
    other_coordinator = make_person(Role.COORDINATOR, district=world.other_district)

    batch = payroll_export(district=world.other_district, actor=other_coordinator)

    assert batch.number == 1


def test_export_with_nothing_new_is_refused(world, teachers):
    make_payout(teachers[0])
    export(world)

    with pytest.raises(ValidationError, match="Nothing new to export"):
        export(world)

    assert PayrollBatch.objects.filter(district=world.district).count() == 1


def test_export_with_no_payouts_at_all_is_refused(world):
    with pytest.raises(ValidationError, match="Nothing new to export"):
        export(world)

    assert not PayrollBatch.objects.exists()


@pytest.mark.parametrize("who", ["principal", "teacher", "coach", "outsider"])
def test_export_service_refuses_people_who_may_not_export(world, teachers, who):
    make_payout(teachers[0])

    with pytest.raises(PermissionDenied):
        payroll_export(district=world.district, actor=getattr(world, who))

    assert not PayrollBatch.objects.exists()


def test_school_coordinator_may_not_export_through_the_service(world, teachers):
    make_payout(teachers[0])
    coordinator_a = make_person(Role.COORDINATOR, school=world.school_a)

    with pytest.raises(PermissionDenied):
        payroll_export(district=world.district, actor=coordinator_a)


# Two exports at once


def test_export_locks_the_pending_payouts(world, teachers):
    make_payout(teachers[0])

    with CaptureQueriesContext(connection) as queries:
        export(world)

    locking = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "evidence_payout"') and q["sql"].endswith("FOR UPDATE")
    ]
    assert len(locking) == 1
    assert '"evidence_payout"."batch_id" IS NULL' in locking[0]


def _wait_until_someone_waits_for_a_lock(timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.02)
    return False


@pytest.mark.django_db(transaction=True)
def test_export_waits_for_a_payout_taken_elsewhere_and_leaves_it_out(world, teachers):
    taken = make_payout(teachers[0], goal_title="Taken")
    free = make_payout(teachers[1], goal_title="Free")
    holding, release = threading.Event(), threading.Event()
    result: dict = {}

    def other_transaction():
        # Puts a payout into a batch and holds its transaction open, as a slow export would.
        try:
            with transaction.atomic():
                other = PayrollBatch.objects.create(
                    district=world.district, number=99, created_by=world.district_admin
                )
                Payout.objects.filter(pk=taken.pk).update(batch=other)
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    def exporter():
        try:
            result["batch"] = export(world)
        except Exception as exc:  # reported by the assertions below
            result["error"] = exc
        finally:
            connections.close_all()

    holder = threading.Thread(target=other_transaction)
    holder.start()
    try:
        assert holding.wait(10)
        worker = threading.Thread(target=exporter)
        worker.start()
        assert _wait_until_someone_waits_for_a_lock()
        assert worker.is_alive()
    finally:
        release.set()
        holder.join(10)
    worker.join(10)

    assert "error" not in result, result
    assert goals_of(result["batch"]) == ["Free"]
    assert Payout.objects.get(pk=taken.pk).batch.number == 99
    assert Payout.objects.get(pk=free.pk).batch == result["batch"]


# Files


def make_two_lines(world, teachers):
    """Bo first by id, Ada first by name; Ada passed late on Feb 28 in Chicago."""
    ada, bo = teachers
    ada.employee_id, bo.employee_id = "E0042", "00123"
    ada.save()
    bo.save()
    make_payout(
        bo,
        goal_title="Exit tickets, daily",
        tier=1,
        amount="1234.5",
        credit="0",
        passed_at=datetime.datetime(2027, 3, 2, 18, 0, tzinfo=UTC),
    )
    make_payout(
        ada,
        goal_title="Talk moves in math",
        tier=2,
        amount="75.00",
        credit="0.25",
        passed_at=datetime.datetime(2027, 3, 1, 3, 30, tzinfo=UTC),
    )


def test_csv_has_the_columns_and_values_exactly(world, teachers):
    make_two_lines(world, teachers)

    content = payroll_csv(export(world))

    lines = [
        HEADER,
        "E0042,Ada Lovelace,Cedar Creek Elementary,Talk moves in math,2,75.00,0.25,2027-02-28",
        '00123,Bo Diddley,Lincoln Middle,"Exit tickets, daily",1,1234.50,0.00,2027-03-02',
    ]
    assert content == BOM + "".join(f"{line}\r\n" for line in lines).encode()


def test_date_passed_is_the_districts_calendar_day(world, teachers):
    world.district.timezone = "Pacific/Auckland"
    world.district.save()
    make_two_lines(world, teachers)

    rows = payroll_rows(export(world))

    assert [row.passed_on for row in rows] == [
        datetime.date(2027, 3, 1),
        datetime.date(2027, 3, 3),
    ]


FORMULAS = {
    "employee_id": "@1",
    "full_name": '=HYPERLINK("http://evil.example","Pay")',
    "goal": "+SUM(A1:A9)",
}


def make_formula_line(world):
    teacher = make_teacher(
        world.school_a, employee_id=FORMULAS["employee_id"], full_name=FORMULAS["full_name"]
    )
    make_payout(teacher, goal_title=FORMULAS["goal"])
    school = SchoolFactory(district=world.district, name="-1 Academy")
    make_payout(make_teacher(school, full_name="Zed Zulu"), goal_title="\tTabbed")


def test_csv_neutralises_would_be_formulas(world):
    make_formula_line(world)

    content = payroll_csv(export(world)).decode("utf-8-sig")

    rows = list(csv.reader(io.StringIO(content)))
    assert rows[1][:4] == [
        "'@1",
        "'" + FORMULAS["full_name"],
        "Cedar Creek Elementary",
        "'" + FORMULAS["goal"],
    ]
    assert rows[2][2:4] == ["'-1 Academy", "'\tTabbed"]


def read_xlsx(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content)).active


def test_xlsx_neutralises_would_be_formulas(world):
    make_formula_line(world)

    sheet = read_xlsx(payroll_xlsx(export(world)))

    assert [cell.value for cell in sheet[2]][:4] == [
        "'@1",
        "'" + FORMULAS["full_name"],
        "Cedar Creek Elementary",
        "'" + FORMULAS["goal"],
    ]
    assert [cell.value for cell in sheet[3]][2:4] == ["'-1 Academy", "'\tTabbed"]
    assert not [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]


def test_xlsx_has_typed_cells_a_bold_header_and_widths(world, teachers):
    make_two_lines(world, teachers)

    sheet = read_xlsx(payroll_xlsx(export(world)))

    assert [cell.value for cell in sheet[1]] == HEADER.split(",")
    assert all(cell.font.bold for cell in sheet[1])
    ada = sheet[2]
    assert [cell.value for cell in ada] == [
        "E0042",
        "Ada Lovelace",
        "Cedar Creek Elementary",
        "Talk moves in math",
        2,
        75,
        0.25,
        datetime.datetime(2027, 2, 28),
    ]
    assert sheet["F3"].value == 1234.5
    assert sheet["F3"].number_format == '"$"#,##0.00'
    assert sheet["G3"].number_format == "0.00"
    assert sheet["H3"].is_date
    assert sheet["H3"].number_format == "yyyy-mm-dd"
    assert sheet["A3"].value == "00123"
    assert sheet.column_dimensions["D"].width == 44
    assert sheet.freeze_panes == "A2"


def test_a_batch_downloads_again_as_identical_bytes(world, teachers, monkeypatch):
    make_two_lines(world, teachers)
    batch = export(world)
    csv_first, xlsx_first = payroll_csv(batch), payroll_xlsx(batch)
    make_payout(teachers[0], goal_title="After the batch")
    an_hour_later = time.time() + 3600
    monkeypatch.setattr(time, "time", lambda: an_hour_later)

    assert payroll_csv(batch) == csv_first
    assert payroll_xlsx(batch) == xlsx_first


def test_a_batch_keeps_its_lines_when_people_and_schools_change_later(world, teachers):
    make_two_lines(world, teachers)
    batch = export(world)
    csv_first, xlsx_first = payroll_csv(batch), payroll_xlsx(batch)
    teachers[0].full_name = "Ada King"
    teachers[0].employee_id = "CHANGED"
    teachers[0].save()
    world.school_b.name = "Renamed Middle"
    world.school_b.save()

    batch.refresh_from_db()
    assert "Ada Lovelace" in payroll_csv(batch).decode("utf-8-sig")
    assert "Renamed Middle" not in payroll_csv(batch).decode("utf-8-sig")
    assert payroll_csv(batch) == csv_first
    assert payroll_xlsx(batch) == xlsx_first


def test_a_batch_from_before_snapshots_is_read_from_the_payouts(world, teachers):
    make_two_lines(world, teachers)
    batch = export(world)
    PayrollBatch.objects.filter(pk=batch.pk).update(rows=[])
    teachers[0].full_name = "Ada King"
    teachers[0].save()

    batch.refresh_from_db()
    assert "Ada King" in payroll_csv(batch).decode("utf-8-sig")


# Pages


@pytest.fixture
def cast(world):
    return {
        "coordinator": world.coordinator,
        "school_coordinator": make_person(
            Role.COORDINATOR, school=world.school_a, full_name="Cora Cedar"
        ),
        "district_admin": world.district_admin,
        "principal": world.principal,
        "teacher": world.teacher,
        "coach": world.coach,
        "other_coordinator": make_person(Role.COORDINATOR, district=world.other_district),
        "other_admin": world.outsider,
        "anonymous": None,
    }


def as_(client, cast, who):
    if cast[who] is not None:
        client.force_login(cast[who])
    return client


ROLES = [
    "coordinator",
    "school_coordinator",
    "district_admin",
    "principal",
    "teacher",
    "coach",
    "other_coordinator",
    "other_admin",
    "anonymous",
]
EXPORTERS = {"coordinator", "district_admin"}
SEE_OUR_PAYOUTS = EXPORTERS | {"school_coordinator"}
SEE_A_PAGE = SEE_OUR_PAYOUTS | {"other_coordinator", "other_admin"}


def assert_sent_to_sign_in(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ROLES)
def test_payouts_page_by_role(client, world, cast, teachers, who):
    make_payout(teachers[0], goal_title="Talk moves in math")

    response = as_(client, cast, who).get(PAGE)

    if who == "anonymous":
        assert_sent_to_sign_in(response)
        return
    assert response.status_code == (200 if who in SEE_A_PAGE else 404)
    assert (b"Talk moves in math" in response.content) == (who in SEE_OUR_PAYOUTS)


@pytest.mark.parametrize("who", ROLES)
def test_export_by_role(client, world, cast, teachers, who):
    make_payout(teachers[0])

    response = as_(client, cast, who).post(EXPORT)

    if who == "anonymous":
        assert_sent_to_sign_in(response)
    elif who in SEE_A_PAGE - {"school_coordinator"}:
        assert response.status_code == 302
    else:
        assert response.status_code == 404
    exported = PayrollBatch.objects.filter(district=world.district).exists()
    assert exported == (who in EXPORTERS)


@pytest.mark.parametrize("who", ROLES)
def test_batch_download_by_role(client, world, cast, teachers, who):
    make_payout(teachers[0])
    batch = export(world)

    response = as_(client, cast, who).get(download_url(batch))

    if who == "anonymous":
        assert_sent_to_sign_in(response)
    else:
        assert response.status_code == (200 if who in EXPORTERS else 404)


def test_another_districts_batch_is_not_found(client, world):
    other_coordinator = make_person(Role.COORDINATOR, district=world.other_district)
    make_payout(make_teacher(world.other_school))
    theirs = payroll_export(district=world.other_district, actor=other_coordinator)
    client.force_login(world.coordinator)

    assert client.get(download_url(theirs)).status_code == 404


def test_school_coordinator_sees_only_their_schools_and_is_told_they_cannot_export(
    client, world, cast, teachers
):
    make_payout(teachers[0], goal_title="At Cedar Creek")
    make_payout(teachers[1], goal_title="At Lincoln")
    export(world)
    make_payout(teachers[0], goal_title="Pending at Cedar Creek")
    make_payout(teachers[1], goal_title="Pending at Lincoln")

    response = as_(client, cast, "school_coordinator").get(PAGE)

    content = response.content.decode()
    assert "Pending at Cedar Creek" in content
    assert "Pending at Lincoln" not in content
    assert response.context["pending"].count == 1
    assert "Only district-wide coordinators and district administrators export" in content
    assert EXPORT not in content
    assert "Exported batches" not in content


def test_payouts_page_shows_pending_totals_by_tier(client, world, teachers):
    make_payout(teachers[0], tier=1, amount="75.00", credit="0.25")
    make_payout(teachers[1], tier=1, amount="75.00", credit="0.25")
    make_payout(teachers[0], tier=3, amount="1125.00", credit="0.25")
    export(world)
    make_payout(teachers[0], tier=1, amount="75.00", credit="0.25")
    make_payout(teachers[1], tier=1, amount="75.00", credit="0.25")
    make_payout(teachers[0], tier=3, amount="1125.00", credit="0.50")
    client.force_login(world.coordinator)

    response = client.get(PAGE)

    pending = response.context["pending"]
    assert pending.by_tier == [
        TierTotal(tier=1, count=2, amount=Decimal("150.00"), credit=Decimal("0.50")),
        TierTotal(tier=3, count=1, amount=Decimal("1125.00"), credit=Decimal("0.50")),
    ]
    assert (pending.count, pending.amount, pending.credit) == (3, Decimal("1275.00"), Decimal("1"))
    assert 'id="pending-total">$1,275.00<' in response.content.decode()


def test_payouts_page_warns_about_missing_employee_ids(client, world, teachers):
    make_payout(make_teacher(world.school_a, employee_id=""))
    make_payout(teachers[0])
    client.force_login(world.coordinator)

    response = client.get(PAGE)

    assert response.context["pending"].without_employee_id == 1
    assert "1 payout is for people without an employee ID" in response.content.decode()


def test_payouts_page_paginates_pending_payouts(client, world, teachers, settings):
    settings.PAGE_SIZE = 4
    make_payouts(teachers, 6)
    client.force_login(world.coordinator)

    response = client.get(PAGE, {"page": 2})

    assert len(response.context["page"].object_list) == 2
    assert response.context["pending"].count == 6


def test_payouts_page_lists_batches_with_download_links(client, world, teachers):
    make_payouts(teachers, 2)
    first = export(world)
    make_payouts(teachers, 3)
    second = export(world)
    client.force_login(world.district_admin)

    response = client.get(PAGE)

    batches = [(b.number, b.payout_count, b.amount) for b in response.context["batches"]]
    assert batches == [(2, 3, Decimal("225.00")), (1, 2, Decimal("150.00"))]
    content = response.content.decode()
    for batch in (first, second):
        assert download_url(batch, "csv") in content
        assert download_url(batch, "xlsx") in content
    assert "Nothing waiting to be exported" in content


def page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PAGE)
    assert response.status_code == 200
    return len(queries)


def test_payouts_page_query_count_does_not_grow_with_payouts(client, world, teachers):
    client.force_login(world.coordinator)
    client.get(PAGE)  # the first request of a session looks up the district's time zone
    make_payouts(teachers, 5)
    export(world)
    make_payouts(teachers, 5)
    few = page_queries(client)
    export(world)
    make_payouts(teachers + [make_teacher(world.school_b)], 40)
    many = page_queries(client)

    assert many == few
    assert few <= 12


# Exporting and downloading through the pages


def test_export_from_the_page_marks_payouts_and_says_what_it_did(client, world, teachers):
    make_payouts(teachers, 3)
    client.force_login(world.coordinator)

    response = client.post(EXPORT, follow=True)

    assert response.redirect_chain == [(PAGE, 302)]
    assert messages_of(response)[0].startswith("Exported batch 1: 3 payouts, $225.00")
    assert pending_pks(world.district) == set()


def test_exporting_again_with_nothing_new_says_so_and_pays_nothing_twice(client, world, teachers):
    make_payouts(teachers, 2)
    client.force_login(world.coordinator)
    client.post(EXPORT, follow=True)

    response = client.post(EXPORT, follow=True)

    assert messages_of(response) == ["Nothing new to export: every payout is already in a batch."]
    assert PayrollBatch.objects.count() == 1
    assert Payout.objects.filter(batch__number=1).count() == 2


def test_export_page_needs_post(client, world):
    client.force_login(world.coordinator)

    assert client.get(EXPORT).status_code == 405


@pytest.mark.parametrize(
    ("file_format", "content_type"),
    [
        ("csv", "text/csv; charset=utf-8"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_download_is_an_attachment_named_after_district_and_batch(
    client, world, teachers, file_format, content_type
):
    make_payouts(teachers, 1)
    export(world)
    make_payouts(teachers, 1)
    batch = export(world)
    client.force_login(world.coordinator)

    response = client.get(download_url(batch, file_format))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="pplearn-payroll-maple-valley-batch-2.{file_format}"'
    )
    assert "no-store" in response["Cache-Control"]
    again = client.get(download_url(batch, file_format))
    assert again.content == response.content


def test_download_of_an_unknown_format_is_not_found(client, world, teachers):
    make_payouts(teachers, 1)
    batch = export(world)
    client.force_login(world.coordinator)

    assert client.get(download_url(batch, "pdf")).status_code == 404


# Audit


def test_every_export_is_audited_with_its_number_count_and_totals(world, teachers):
    make_payout(teachers[0], tier=1, amount="75.00", credit="0.25")
    make_payout(teachers[1], tier=1, amount="75.00", credit="0.25")
    make_payout(teachers[0], tier=2, amount="150.00", credit="0.50")
    before = datetime.datetime.now(tz=UTC)

    batch = export(world)

    event = AuditEvent.objects.get(verb="payroll.export")
    assert (event.actor, event.district) == (world.coordinator, world.district)
    assert (event.target_type, event.target_id) == ("evidence.payrollbatch", str(batch.pk))
    assert event.at >= before
    assert event.data == {
        "number": 1,
        "count": 3,
        "amount": "300.00",
        "credit": "1.00",
        "by_tier": {
            "1": {"count": 2, "amount": "150.00", "credit": "0.50"},
            "2": {"count": 1, "amount": "150.00", "credit": "0.50"},
        },
    }


def test_refused_export_leaves_no_audit_row(world):
    with pytest.raises(ValidationError):
        export(world)

    assert not AuditEvent.objects.filter(verb="payroll.export").exists()


def test_each_download_is_audited(client, world, teachers):
    make_payouts(teachers, 1)
    batch = export(world)
    client.force_login(world.district_admin)

    client.get(download_url(batch, "xlsx"))

    event = AuditEvent.objects.get(verb="payroll.download")
    assert (event.actor, event.district) == (world.district_admin, world.district)
    assert event.data == {"number": 1, "format": "xlsx"}
