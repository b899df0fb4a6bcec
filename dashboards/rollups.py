"""The district dashboard's rollups (issue 8): one row of figures per school and school year.

Every row is a recount, never an increment: `rollup_refresh` counts one school-year again from
the data inside the transaction of the change that moved it (the services of goals, evidence,
reviews, payouts, coaching and memberships call it), after locking the row, so two changes at
the same school are counted one after the other and the last count sees both. The figures that
move with the clock alone (coaching coverage in the last 30 days, stalled goals) and the median
turnaround over several schools are counted again every 15 minutes (`rollups_recount_task`);
the page says when ("as of 10:05").
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Min, Sum
from django.utils import timezone

from evidence.models import TIERS
from goals.models import Goal
from pplearn.models import School, SchoolYear

from .district_selectors import SchoolFigures, count_figures, total_turnaround
from .models import SchoolYearFigures, TurnaroundTotal

FIELDS = (
    "teachers",
    "with_approved_goal",
    "backlog",
    "median_turnaround",
    "approved_goals",
    "coached",
    "stalled",
    "payouts",
    "stipends",
    "credit",
)
# The columns summed into the total row.
SUMMED = tuple(name for name in FIELDS if name != "median_turnaround") + (
    *(f"status_{status}" for status in Goal.Status.values),
    *(f"reached_{tier}" for tier in TIERS),
    *(f"passed_{tier}" for tier in TIERS),
)


# Every column a recount writes.
STORED = [
    field.name
    for field in SchoolYearFigures._meta.concrete_fields
    if field.name not in ("id", "school", "school_year")
]


def _stored(figures: SchoolFigures) -> dict:
    return {
        **{name: getattr(figures, name) for name in FIELDS},
        "participation": figures.participation,
        "coverage": figures.coverage,
        "goals": figures.goals,
        **{f"status_{status}": n for status, n in figures.statuses.items()},
        **{f"reached_{tier}": n for tier, n in figures.reached.items()},
        **{f"passed_{tier}": n for tier, n in figures.passed.items()},
        "alignment": {str(pk): n for pk, n in figures.alignment.items()},
    }


def _figures(values: dict, school: School | None) -> SchoolFigures:
    return SchoolFigures(
        school=school,
        **{name: values[name] for name in FIELDS if name in values},
        statuses={status: values[f"status_{status}"] for status in Goal.Status.values},
        reached={tier: values[f"reached_{tier}"] for tier in TIERS},
        passed={tier: values[f"passed_{tier}"] for tier in TIERS},
    )


def as_figures(row: SchoolYearFigures, school: School | None = None) -> SchoolFigures:
    """A rollup row as the dashboard's figures of its school."""
    figures = _figures(row.__dict__, school)
    # The page leaves the alignment out of the rows it reads (deferred): never load it alone.
    alignment = row.__dict__.get("alignment") or {}
    figures.alignment = {int(pk): n for pk, n in alignment.items()}
    figures.counted_at = row.counted_at
    return figures


def _store(ids: list[int], school_year_id: int, now: datetime.datetime) -> list[SchoolYearFigures]:
    """Count the schools' figures for the year and write them, replacing older counts."""
    counted = count_figures(ids=ids, school_year=SchoolYear(pk=school_year_id), now=now)
    return _write(ids, school_year_id, now, counted)


def _write(
    ids: list[int], school_year_id: int, now: datetime.datetime, counted: dict
) -> list[SchoolYearFigures]:
    rows = [
        SchoolYearFigures(
            school_id=pk, school_year_id=school_year_id, counted_at=now, **_stored(figures)
        )
        for pk, figures in counted.items()
    ]
    SchoolYearFigures.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["school_year", "school"],
        update_fields=STORED,
    )
    _sum_totals_containing(ids, school_year_id)
    return rows


# The school-years whose count waits for the end of a `deferred()` block, or None.
_waiting: ContextVar[set[tuple[int, int]] | None] = ContextVar("rollups_waiting", default=None)


@contextmanager
def deferred() -> Iterator[None]:
    """Hold every rollup refresh made inside the block, then count each school-year touched
    once when it ends (only if it ends without an error).

    For bulk work through the services: the demo district makes about a thousand changes,
    and counting a school-year after each one took a minute of its loading.
    """
    if _waiting.get() is not None:  # inside another block: that one counts at its end
        yield
        return
    touched: set[tuple[int, int]] = set()
    token = _waiting.set(touched)
    try:
        yield
    finally:
        _waiting.reset(token)
    for school_id, school_year_id in sorted(touched):
        rollup_refresh(school_id=school_id, school_year_id=school_year_id)


def rollup_refresh(*, school_id: int, school_year_id: int) -> None:
    """Count one school's figures for one year again, in the caller's transaction.

    Call it from a service after its change is written (the count must see the change).
    When the figures come out as they were (a draft saved, a file added), nothing is written.
    Inside `deferred()`, the count waits for the end of the block.
    """
    waiting = _waiting.get()
    if waiting is not None:
        waiting.add((school_id, school_year_id))
        return
    now = timezone.now()
    with transaction.atomic():
        _, created = SchoolYearFigures.objects.get_or_create(
            school_id=school_id, school_year_id=school_year_id, defaults={"counted_at": now}
        )
        # The lock queues changes at the same school: the second count sees the first change.
        row = SchoolYearFigures.objects.select_for_update().get(
            school_id=school_id, school_year_id=school_year_id
        )
        counted = count_figures(ids=[school_id], school_year=SchoolYear(pk=school_year_id), now=now)
        values = _stored(counted[school_id])
        if created or any(getattr(row, name) != value for name, value in values.items()):
            _write([school_id], school_year_id, now, {school_id: counted[school_id]})


def rollup_refresh_schools(*, school_ids: Iterable[int | None]) -> None:
    """Count every school year of these schools again (a teacher joined, left or was
    deactivated: the teacher counts of every year change)."""
    ids = sorted({pk for pk in school_ids if pk})
    schools = School.objects.filter(pk__in=ids).values_list("pk", "district_id")
    years = SchoolYear.objects.filter(district__in={district for _, district in schools})
    for school_id, district_id in schools:
        for school_year in years:
            if school_year.district_id == district_id:
                rollup_refresh(school_id=school_id, school_year_id=school_year.pk)


def rollup_refresh_teacher(*, teacher_id: int, school_year_id: int) -> None:
    """Count again the schools where the teacher has goals this year (a coaching
    conversation with them moves the coaching coverage of their approved goals)."""
    from goals.models import Goal

    schools = Goal.objects.filter(teacher_id=teacher_id, school_year_id=school_year_id)
    for school_id in sorted(set(schools.values_list("school_id", flat=True))):
        rollup_refresh(school_id=school_id, school_year_id=school_year_id)


def _key(ids: Iterable[int]) -> str:
    return hashlib.sha256(",".join(map(str, sorted(ids))).encode()).hexdigest()


def scope_filter(schools: list[School]):
    """What the queries filter the schools by: the query that chose them when there is one
    (permissions.Schools), else their ids."""
    queryset = getattr(schools, "queryset", None)
    if queryset is not None:
        return queryset.values("pk")
    return [school.pk for school in schools]


def _scope(schools: list[School], school_year: SchoolYear):
    return SchoolYearFigures.objects.filter(
        school_year=school_year, school__in=scope_filter(schools)
    )


def _fill_missing(schools: list[School], school_year: SchoolYear, now) -> None:
    """Count the schools not yet counted this year (a new school or year, data loaded
    without the services) and keep them."""
    counted = set(_scope(schools, school_year).values_list("school_id", flat=True))
    missing = [school.pk for school in schools if school.pk not in counted]
    if missing:
        _store(missing, school_year.pk, now or timezone.now())


def _sums(ids: list[int], school_year_id: int) -> dict:
    """The schools' rollups summed (JSON-ready): every summed column, the alignment counts
    per system goal (goals, schools with any), how many schools and the oldest count."""
    rows = SchoolYearFigures.objects.filter(school_year_id=school_year_id, school__in=ids)
    values = rows.aggregate(
        **{name: Sum(name) for name in SUMMED}, counted=Count("pk"), oldest=Min("counted_at")
    )
    alignment: dict[str, list[int]] = {}
    for counts in rows.values_list("alignment", flat=True):
        for pk, goals in counts.items():
            if goals:
                before = alignment.setdefault(pk, [0, 0])
                before[0] += goals
                before[1] += 1
    return {
        "sums": {name: str(values[name] or 0) for name in SUMMED},
        "alignment": alignment,
        "counted": values["counted"],
        "counted_at": values["oldest"].isoformat() if values["oldest"] else None,
    }


def _sum_totals_containing(ids: list[int], school_year_id: int) -> None:
    """Sum again the kept totals that count any of these schools (after their rows changed).

    The total's row is locked first, so two changes at two of its schools are summed one
    after the other and the second sum sees the first change."""
    changed = set(ids)
    for kept in TurnaroundTotal.objects.filter(school_year_id=school_year_id).only(
        "pk", "school_ids"
    ):
        if changed & set(kept.school_ids):
            locked = TurnaroundTotal.objects.select_for_update().filter(pk=kept.pk)
            with transaction.atomic():
                if locked.exists():
                    locked.update(figures=_sums(kept.school_ids, school_year_id))


def _total_from(kept: TurnaroundTotal) -> tuple[SchoolFigures, dict[int, tuple[int, int]]]:
    sums = kept.figures["sums"]
    values = {
        name: Decimal(sums[name]) if name in ("stipends", "credit") else int(sums[name])
        for name in SUMMED
    }
    total = _figures(values, None)
    total.median_turnaround = kept.median_turnaround
    oldest = kept.figures["counted_at"]
    total.counted_at = kept.counted_at
    if oldest is not None:
        total.counted_at = min(kept.counted_at, datetime.datetime.fromisoformat(oldest))
    alignment = {
        int(pk): (goals, schools) for pk, (goals, schools) in kept.figures["alignment"].items()
    }
    return total, alignment


def scope_total(
    *, schools: list[School], school_year: SchoolYear, now: datetime.datetime | None = None
) -> tuple[SchoolFigures, dict[int, tuple[int, int]]]:
    """The schools' total for the year and the alignment counts per system goal, read from
    their kept total (one row, whatever the number of schools). The first time these
    schools are shown together, their missing rollups and their total are counted."""
    ids = [school.pk for school in schools]
    kept = TurnaroundTotal.objects.filter(school_year=school_year, schools_key=_key(ids)).first()
    if kept is None or kept.figures.get("counted") != len(ids):
        _fill_missing(schools, school_year, now)
        kept = _store_total(ids, school_year, _key(ids), now or timezone.now())
    return _total_from(kept)


def rollup_rows(*, schools: list[School], school_year: SchoolYear, order_by: list):
    """The schools' rollups for the year in the order asked, to slice (a page) or list."""
    return _scope(schools, school_year).order_by(*order_by)


def _store_total(
    ids: list[int], school_year: SchoolYear, key: str, now: datetime.datetime
) -> TurnaroundTotal:
    kept = TurnaroundTotal(
        school_year=school_year,
        schools_key=key,
        school_ids=sorted(ids),
        median_turnaround=total_turnaround(ids=ids, school_year=school_year),
        counted_at=now,
        figures=_sums(ids, school_year.pk),
    )
    TurnaroundTotal.objects.bulk_create(
        [kept],
        update_conflicts=True,
        unique_fields=["school_year", "schools_key"],
        update_fields=["school_ids", "median_turnaround", "counted_at", "figures"],
    )
    return kept


def recount(*, school_years: Iterable[SchoolYear] | None = None, now=None) -> int:
    """Count every school's figures again for these years (all years if None), the median
    turnaround of each district's active schools (what its administrators see) and the
    other turnaround totals kept for them. Returns the number of school rows written."""
    now = now or timezone.now()
    years = list(school_years if school_years is not None else SchoolYear.objects.all())
    written = 0
    for school_year in years:
        schools = list(
            School.objects.filter(district_id=school_year.district_id).values_list(
                "pk", "is_active"
            )
        )
        if not schools:
            continue
        written += len(_store([pk for pk, _ in schools], school_year.pk, now))
        active = [pk for pk, is_active in schools if is_active]
        _store_total(active, school_year, _key(active), now)
        for kept in TurnaroundTotal.objects.filter(school_year=school_year).exclude(
            schools_key=_key(active)
        ):
            _recount_total(kept, school_year, now)
    return written


def _recount_total(kept: TurnaroundTotal, school_year: SchoolYear, now) -> None:
    _store_total(kept.school_ids, school_year, kept.schools_key, now)


def recount_current(now=None) -> int:
    """The beat's recount: every school of each district's current year."""
    return recount(school_years=SchoolYear.objects.filter(is_current=True), now=now)
