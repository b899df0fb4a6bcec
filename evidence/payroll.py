"""Payroll: pending payouts, numbered export batches, and their CSV and XLSX files."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, DecimalField, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from pplearn.audit import audit_record
from pplearn.models import District, School, User

from .models import TIER_NAMES, Payout, PayrollBatch
from .payroll_permissions import can_export_payroll

ZERO = Decimal("0.00")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Currency:
    code: str
    symbol: str

    def format(self, amount: Decimal) -> str:
        """Write an amount the way the district reads money: $1,234.50."""
        sign = "-" if amount < 0 else ""
        return f"{sign}{self.symbol}{abs(amount):,.2f}"

    @property
    def excel_format(self) -> str:
        return f'"{self.symbol}"#,##0.00'


USD = Currency(code="USD", symbol="$")


def currency_for(district: District) -> Currency:
    """The district's currency; District has no currency field yet, so every district pays USD."""
    return USD


def district_zone(district: District) -> zoneinfo.ZoneInfo:
    """The district's time zone, or the site's when the stored name is not a zone."""
    try:
        return zoneinfo.ZoneInfo(district.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def neutralise(value):
    """Make a text cell inert in spreadsheets: prefix a quote to a would-be formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return f"'{value}"
    return value


def _sum(field: str, **extra):
    return Coalesce(
        Sum(field, **extra), Value(ZERO), output_field=DecimalField(max_digits=12, decimal_places=2)
    )


def _for_listing(payouts: QuerySet[Payout]) -> QuerySet[Payout]:
    return payouts.select_related("teacher", "submission__goal__school")


# Pending payouts


@dataclass(frozen=True)
class TierTotal:
    tier: int
    count: int
    amount: Decimal
    credit: Decimal

    @property
    def name(self) -> str:
        return TIER_NAMES.get(self.tier, "")


@dataclass(frozen=True)
class PendingPayouts:
    payouts: QuerySet[Payout]
    by_tier: list[TierTotal]
    count: int
    amount: Decimal
    credit: Decimal
    without_employee_id: int


def payouts_pending(
    district: District, *, schools: Iterable[School] | None = None
) -> PendingPayouts:
    """Payouts not yet exported, with totals by tier and overall summed by the database."""
    pending = Payout.objects.filter(district=district, batch__isnull=True)
    if schools is not None:
        pending = pending.filter(submission__goal__school__in=[s.pk for s in schools])
    by_tier = [
        TierTotal(**row)
        for row in pending.order_by()
        .values("tier")
        .annotate(count=Count("pk"), amount=_sum("amount"), credit=_sum("credit"))
        .order_by("tier")
    ]
    totals = pending.aggregate(
        count=Count("pk"),
        amount=_sum("amount"),
        credit=_sum("credit"),
        without_employee_id=Count("pk", filter=Q(teacher__employee_id="")),
    )
    return PendingPayouts(
        payouts=_for_listing(pending).order_by("passed_at", "pk"), by_tier=by_tier, **totals
    )


def payroll_batches(district: District) -> QuerySet[PayrollBatch]:
    """The district's batches, newest first, with their counts and totals."""
    return (
        PayrollBatch.objects.filter(district=district)
        .select_related("created_by")
        .annotate(
            payout_count=Count("payouts"),
            amount=_sum("payouts__amount"),
            credit=_sum("payouts__credit"),
        )
        .order_by("-number")
    )


# Export


def _batch_totals(batch: PayrollBatch) -> dict:
    payouts = Payout.objects.filter(batch=batch)
    totals = payouts.aggregate(count=Count("pk"), amount=_sum("amount"), credit=_sum("credit"))
    by_tier = (
        payouts.order_by()
        .values("tier")
        .annotate(count=Count("pk"), amount=_sum("amount"), credit=_sum("credit"))
        .order_by("tier")
    )
    return {
        "count": totals["count"],
        "amount": str(totals["amount"]),
        "credit": str(totals["credit"]),
        "by_tier": {
            str(row["tier"]): {
                "count": row["count"],
                "amount": str(row["amount"]),
                "credit": str(row["credit"]),
            }
            for row in by_tier
        },
    }


def payroll_export(*, district: District, actor: User) -> PayrollBatch:
    """Put every payout not yet exported into the district's next numbered batch."""
    if not can_export_payroll(actor, district):
        raise PermissionDenied("You cannot export this district's payroll.")
    with transaction.atomic():
        # One export per district at a time, so batch numbers never collide.
        District.objects.select_for_update(no_key=True).get(pk=district.pk)
        # Locking the payouts makes a concurrent writer's claim on a row win or wait:
        # a payout is never in two batches, so it is never paid twice.
        pending = list(
            Payout.objects.select_for_update()
            .filter(district=district, batch__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not pending:
            raise ValidationError("Nothing new to export: every payout is already in a batch.")
        last = PayrollBatch.objects.filter(district=district).aggregate(last=Max("number"))
        batch = PayrollBatch.objects.create(
            district=district,
            number=(last["last"] or 0) + 1,
            created_at=timezone.now(),
            created_by=actor,
        )
        Payout.objects.filter(pk__in=pending).update(batch=batch)
        batch.rows = [row.as_json() for row in _live_rows(batch)]
        batch.save(update_fields=["rows"])
        audit_record(
            actor=actor,
            verb="payroll.export",
            target=batch,
            district=district,
            data={"number": batch.number, **_batch_totals(batch)},
        )
    return batch


# Files


HEADERS = (
    "Employee ID",
    "Name",
    "School",
    "Goal",
    "Tier",
    "Amount",
    "Credit",
    "Date passed",
)
COLUMN_WIDTHS = (14, 28, 28, 44, 6, 12, 8, 12)


@dataclass(frozen=True)
class PayrollRow:
    employee_id: str
    name: str
    school: str
    goal: str
    tier: int
    amount: Decimal
    credit: Decimal
    passed_on: datetime.date

    def cells(self) -> tuple:
        return (
            self.employee_id,
            self.name,
            self.school,
            self.goal,
            self.tier,
            self.amount,
            self.credit,
            self.passed_on,
        )

    def as_json(self) -> dict:
        return {
            "employee_id": self.employee_id,
            "name": self.name,
            "school": self.school,
            "goal": self.goal,
            "tier": self.tier,
            "amount": str(self.amount),
            "credit": str(self.credit),
            "passed_on": self.passed_on.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict) -> PayrollRow:
        return cls(
            **{
                **data,
                "amount": Decimal(data["amount"]),
                "credit": Decimal(data["credit"]),
                "passed_on": datetime.date.fromisoformat(data["passed_on"]),
            }
        )


def payroll_rows(batch: PayrollBatch) -> list[PayrollRow]:
    """The batch's lines as exported (batches from before snapshots are read live)."""
    if batch.rows:
        return [PayrollRow.from_json(row) for row in batch.rows]
    return _live_rows(batch)


def _live_rows(batch: PayrollBatch) -> list[PayrollRow]:
    """The batch's lines, person by person; dates are the district's calendar days."""
    zone = district_zone(batch.district)
    payouts = _for_listing(Payout.objects.filter(batch=batch)).order_by(
        "teacher__full_name", "teacher_id", "passed_at", "pk"
    )
    return [
        PayrollRow(
            employee_id=p.teacher.employee_id,
            name=p.teacher.full_name,
            school=p.submission.goal.school.name,
            goal=p.submission.goal.title,
            tier=p.tier,
            amount=p.amount,
            credit=p.credit,
            passed_on=timezone.localtime(p.passed_at, zone).date(),
        )
        for p in payouts
    ]


def _headers(batch: PayrollBatch) -> list[str]:
    code = currency_for(batch.district).code
    return [f"Amount ({code})" if h == "Amount" else h for h in HEADERS]


def payroll_csv(batch: PayrollBatch) -> bytes:
    """The batch as CSV: UTF-8 with a byte order mark, so Excel reads names correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_headers(batch))
    for row in payroll_rows(batch):
        writer.writerow(
            [
                neutralise(row.employee_id),
                neutralise(row.name),
                neutralise(row.school),
                neutralise(row.goal),
                row.tier,
                f"{row.amount:.2f}",
                f"{row.credit:.2f}",
                row.passed_on.isoformat(),
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def payroll_xlsx(batch: PayrollBatch) -> bytes:
    """The batch as an Excel workbook: numbers as numbers, dates as dates."""
    currency = currency_for(batch.district)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Batch {batch.number}"
    sheet.append(_headers(batch))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in payroll_rows(batch):
        sheet.append([neutralise(value) for value in row.cells()])
        cells = sheet[sheet.max_row]
        cells[5].number_format = currency.excel_format
        cells[6].number_format = "0.00"
        cells[7].number_format = "yyyy-mm-dd"
    for index, width in enumerate(COLUMN_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    # Pin every timestamp to the batch's, so downloading it again gives the same bytes.
    stamp = batch.created_at.astimezone(datetime.UTC).replace(tzinfo=None, microsecond=0)
    workbook.properties.creator = "pplearn"
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    buffer = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    return _pin_zip_times(buffer.getvalue(), stamp)


def _pin_zip_times(data: bytes, stamp: datetime.datetime) -> bytes:
    when = max(stamp, datetime.datetime(1980, 1, 1)).timetuple()[:6]
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            pinned = zipfile.ZipInfo(info.filename, date_time=when)
            pinned.compress_type = zipfile.ZIP_DEFLATED
            pinned.external_attr = info.external_attr
            target.writestr(pinned, source.read(info))
    return out.getvalue()


@dataclass(frozen=True)
class PayrollFile:
    content: bytes
    filename: str
    content_type: str


FORMATS = {"csv": (payroll_csv, CSV_TYPE), "xlsx": (payroll_xlsx, XLSX_TYPE)}


def payroll_download(*, batch: PayrollBatch, actor: User, file_format: str) -> PayrollFile:
    """Build a batch's file again and record who took a copy of the payroll data."""
    if not can_export_payroll(actor, batch.district):
        raise PermissionDenied("You cannot download this district's payroll.")
    if file_format not in FORMATS:
        raise ValidationError(f"Unknown format “{file_format}”: choose CSV or XLSX.")
    build, content_type = FORMATS[file_format]
    content = build(batch)
    audit_record(
        actor=actor,
        verb="payroll.download",
        target=batch,
        district=batch.district,
        data={"number": batch.number, "format": file_format},
    )
    return PayrollFile(
        content=content,
        filename=f"pplearn-payroll-{batch.district.slug}-batch-{batch.number}.{file_format}",
        content_type=content_type,
    )
