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
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

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


def _stored(figures: SchoolFigures) -> dict:
    return {
        **{name: getattr(figures, name) for name in FIELDS},
        "statuses": figures.statuses,
        "reached": {str(tier): n for tier, n in figures.reached.items()},
        "passed": {str(tier): n for tier, n in figures.passed.items()},
        "alignment": {str(pk): n for pk, n in figures.alignment.items()},
    }


def as_figures(row: SchoolYearFigures, school: School | None = None) -> SchoolFigures:
    """A rollup row as the dashboard's figures of its school."""
    return SchoolFigures(
        school=school,
        **{name: getattr(row, name) for name in FIELDS},
        statuses=dict(row.statuses),
        reached={int(tier): n for tier, n in row.reached.items()},
        passed={int(tier): n for tier, n in row.passed.items()},
        alignment={int(pk): n for pk, n in row.alignment.items()},
        counted_at=row.counted_at,
    )


def _store(ids: list[int], school_year_id: int, now: datetime.datetime) -> list[SchoolYearFigures]:
    """Count the schools' figures for the year and write them, replacing older counts."""
    school_year = SchoolYear(pk=school_year_id)
    counted = count_figures(ids=ids, school_year=school_year, now=now)
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
        update_fields=[*FIELDS, "statuses", "reached", "passed", "alignment", "counted_at"],
    )
    return rows


def rollup_refresh(*, school_id: int, school_year_id: int) -> None:
    """Count one school's figures for one year again, in the caller's transaction.

    Call it from a service after its change is written (the count must see the change).
    """
    now = timezone.now()
    with transaction.atomic():
        SchoolYearFigures.objects.get_or_create(
            school_id=school_id, school_year_id=school_year_id, defaults={"counted_at": now}
        )
        # The lock queues changes at the same school: the second count sees the first change.
        SchoolYearFigures.objects.select_for_update().filter(
            school_id=school_id, school_year_id=school_year_id
        ).exists()
        _store([school_id], school_year_id, now)


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


def rollup_figures(
    *, schools: list[School], school_year: SchoolYear, now: datetime.datetime | None = None
) -> list[SchoolFigures]:
    """The schools' figures for the year from their rollups, in the order given.

    A school not yet counted this year (a new school or year, data loaded without the
    services) is counted now and kept.
    """
    rows = {
        row.school_id: row
        for row in SchoolYearFigures.objects.filter(
            school_year=school_year, school__in=[school.pk for school in schools]
        )
    }
    missing = [school.pk for school in schools if school.pk not in rows]
    if missing:
        for row in _store(missing, school_year.pk, now or timezone.now()):
            rows[row.school_id] = row
    return [as_figures(rows[school.pk], school) for school in schools]


def turnaround_total(
    *, ids: list[int], school_year: SchoolYear, now: datetime.datetime | None = None
) -> tuple[datetime.timedelta | None, datetime.datetime]:
    """The median turnaround over the schools' reviews of the year, and when it was counted."""
    key = _key(ids)
    kept = TurnaroundTotal.objects.filter(school_year=school_year, schools_key=key).first()
    if kept is None:
        kept = _store_total(ids, school_year, key, now or timezone.now())
    return kept.median_turnaround, kept.counted_at


def _store_total(
    ids: list[int], school_year: SchoolYear, key: str, now: datetime.datetime
) -> TurnaroundTotal:
    kept = TurnaroundTotal(
        school_year=school_year,
        schools_key=key,
        school_ids=sorted(ids),
        median_turnaround=total_turnaround(ids=ids, school_year=school_year),
        counted_at=now,
    )
    TurnaroundTotal.objects.bulk_create(
        [kept],
        update_conflicts=True,
        unique_fields=["school_year", "schools_key"],
        update_fields=["school_ids", "median_turnaround", "counted_at"],
    )
    return kept


def recount(*, school_years: Iterable[SchoolYear] | None = None, now=None) -> int:
    """Count every school's figures again for these years (all years if None), and the
    turnaround totals kept for them. Returns the number of school rows written."""
    now = now or timezone.now()
    years = list(school_years if school_years is not None else SchoolYear.objects.all())
    written = 0
    for school_year in years:
        ids = list(
            School.objects.filter(district_id=school_year.district_id).values_list("pk", flat=True)
        )
        if ids:
            written += len(_store(ids, school_year.pk, now))
        for kept in TurnaroundTotal.objects.filter(school_year=school_year):
            _recount_total(kept, school_year, now)
    return written


def _recount_total(kept: TurnaroundTotal, school_year: SchoolYear, now) -> None:
    _store_total(kept.school_ids, school_year, kept.schools_key, now)


def recount_current(now=None) -> int:
    """The beat's recount: every school of each district's current year."""
    return recount(school_years=SchoolYear.objects.filter(is_current=True), now=now)
