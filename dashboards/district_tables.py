"""The district dashboard as tables: schools side by side with a total, sortable by any column.

Each table is built once and serves the page, its chart and its CSV export, as on the school
dashboard. Sorting happens on the server from a whitelisted `?sort=` key, so it works without
JavaScript and a sorted view can be bookmarked.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.safestring import SafeString

from evidence.models import TIER_NAMES, TIERS
from goals.models import Goal
from pplearn.models import District, School, SchoolYear

from . import district_selectors
from .charts import bar_chart
from .district_selectors import SchoolFigures
from .tables import Table, days_text, percent_text

DEFAULT_SORT = "name"
TOTAL_LABEL = "Total"


def _same(value):
    return value


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


@dataclass(frozen=True)
class Column:
    """A figure of each school: its sort key, heading, raw value and its text as shown."""

    key: str
    header: str
    value: Callable[[SchoolFigures], Any]
    text: Callable[[Any], Any] = _same
    # Numbers sort highest first on the first click; names A to Z.
    highest_first: bool = True

    def cell(self, figures: SchoolFigures):
        return self.text(self.value(figures))


NAME = Column("name", "School", lambda f: f.school.name.casefold(), highest_first=False)


def _status_column(status: Goal.Status) -> Column:
    return Column(
        f"status-{status.value.replace('_', '-')}",
        status.label,
        lambda f: f.statuses[status.value],
    )


def _tier_columns(tier: int) -> list[Column]:
    return [
        Column(f"tier{tier}-reached", f"Tier {tier} reached", lambda f: f.reached[tier]),
        Column(f"tier{tier}-passed", f"Tier {tier} passed", lambda f: f.passed[tier]),
    ]


OVERVIEW = [
    Column("teachers", "Teachers", lambda f: f.teachers),
    Column("approved-teachers", "With an approved goal", lambda f: f.with_approved_goal),
    Column("participation", "Participation", lambda f: f.participation, percent_text),
    Column("backlog", "Waiting for review", lambda f: f.backlog),
    Column("turnaround", "Median turnaround (days)", lambda f: f.median_turnaround, days_text),
    Column("coverage", "Coaching coverage", lambda f: f.coverage, percent_text),
    Column("stalled", "Stalled goals", lambda f: f.stalled),
    Column("payouts", "Payouts", lambda f: f.payouts),
    Column("stipends", "Stipends", lambda f: f.stipends, _money),
    Column("credit", "Credit", lambda f: f.credit, _money),
]
STATUSES = [_status_column(status) for status in Goal.Status] + [
    Column("goals", "All goals", lambda f: f.goals)
]
FUNNEL = [column for tier in TIERS for column in _tier_columns(tier)]
SORT_KEYS = frozenset(column.key for column in [NAME, *OVERVIEW, *STATUSES, *FUNNEL])


@dataclass(frozen=True)
class Sort:
    key: str
    descending: bool

    @classmethod
    def parse(cls, value: str | None) -> Sort:
        """The sort asked for in `?sort=` ("key" or "-key"); anything unknown sorts by name."""
        value = value or ""
        key = value.removeprefix("-")
        if key not in SORT_KEYS:
            return cls(DEFAULT_SORT, False)
        return cls(key, value.startswith("-"))

    @property
    def param(self) -> str:
        return f"-{self.key}" if self.descending else self.key

    @property
    def direction(self) -> str:
        return "descending" if self.descending else "ascending"


def _column(key: str) -> Column:
    return next(c for c in [NAME, *OVERVIEW, *STATUSES, *FUNNEL] if c.key == key)


def sort_schools(rows: list[SchoolFigures], sort: Sort) -> list[SchoolFigures]:
    """The schools in the chosen order; ties by name, and schools without the figure last."""
    column = _column(sort.key)
    by_name = sorted(rows, key=lambda f: f.school.name.casefold())
    present = [f for f in by_name if column.value(f) is not None]
    missing = [f for f in by_name if column.value(f) is None]
    # Python's sort is stable, also in reverse: equal figures keep the A to Z order.
    return sorted(present, key=column.value, reverse=sort.descending) + missing


@dataclass
class HeaderCell:
    column: Column
    aria_sort: str | None
    href: str
    action: str


@dataclass
class SchoolTable:
    """Schools side by side: a row per school, then the total."""

    key: str
    title: str
    description: str
    columns: list[Column]
    rows: list[SchoolFigures]
    total: SchoolFigures
    school_year: SchoolYear
    sort: Sort
    chart: SafeString | None = None

    @property
    def sort_summary(self) -> str:
        column = _column(self.sort.key)
        if column.highest_first:
            order = "highest first" if self.sort.descending else "lowest first"
        else:
            order = "Z to A" if self.sort.descending else "A to Z"
        return f"Sorted by {column.header}, {order}"

    @property
    def head(self) -> list[HeaderCell]:
        cells = []
        for column in [NAME, *self.columns]:
            current = column.key == self.sort.key
            if current:
                following = Sort(column.key, not self.sort.descending)
            else:
                following = Sort(column.key, column.highest_first)
            query = urlencode({"year": self.school_year.pk, "sort": following.param})
            if column.highest_first:
                action = "highest first" if following.descending else "lowest first"
            else:
                action = "Z to A" if following.descending else "A to Z"
            cells.append(
                HeaderCell(
                    column=column,
                    aria_sort=self.sort.direction if current else None,
                    href=f"?{query}#table-{self.key}",
                    action=f"sort {action}",
                )
            )
        return cells

    @property
    def body(self) -> list[tuple[School, str, list]]:
        return [
            (
                figures.school,
                reverse("dashboards:school", args=[figures.school.pk])
                + f"?year={self.school_year.pk}",
                [column.cell(figures) for column in self.columns],
            )
            for figures in self.rows
        ]

    @property
    def foot(self) -> list:
        return [column.cell(self.total) for column in self.columns]

    @property
    def headers(self) -> list[str]:
        return [NAME.header] + [column.header for column in self.columns]

    @property
    def csv_rows(self) -> list[list]:
        rows = [[school.name, *cells] for school, _, cells in self.body]
        return [*rows, [TOTAL_LABEL, *self.foot]]


@dataclass
class DistrictDashboard:
    district: District
    schools: list[School]
    school_year: SchoolYear
    sort: Sort
    school_tables: list[SchoolTable]
    other_tables: list[Table] = field(default_factory=list)
    total: SchoolFigures | None = None

    @property
    def has_goals(self) -> bool:
        return bool(self.total and self.total.goals)

    def csv_table(self, key: str) -> tuple[list[str], list[list]] | None:
        """The headings and rows of one table for its CSV export, or None if unknown."""
        for table in self.school_tables:
            if table.key == key:
                return table.headers, table.csv_rows
        for table in self.other_tables:
            if table.key == key:
                return table.headers, table.rows
        return None


def district_dashboard(
    *,
    district: District,
    schools: list[School],
    school_year: SchoolYear,
    sort: Sort,
    now: datetime.datetime | None = None,
) -> DistrictDashboard:
    """Every table of the district dashboard for the year, schools in the chosen order."""
    figures, total = district_selectors.figures_by_school(
        schools=schools, school_year=school_year, now=now
    )
    ordered = sort_schools(figures, sort)

    def table(key, title, description, columns, chart=None) -> SchoolTable:
        return SchoolTable(
            key=key,
            title=title,
            description=description,
            columns=columns,
            rows=ordered,
            total=total,
            school_year=school_year,
            sort=sort,
            chart=chart,
        )

    # A school without teachers has no participation to draw (its table cell is empty too).
    with_teachers = [f for f in ordered if f.participation is not None]
    participation_chart = bar_chart(
        label="Participation by school: share of teachers with an approved goal",
        categories=[f.school.name for f in with_teachers],
        series=[("Participation", [f.participation for f in with_teachers])],
        unit="%",
        scale_max=100,
    )
    school_tables = [
        table(
            "schools",
            "Schools side by side",
            "Participation is the share of teachers with an approved goal; coaching coverage "
            "the share of approved goals whose teacher had a coaching conversation in the "
            f"last {district_selectors.COVERAGE_DAYS} days.",
            OVERVIEW,
            participation_chart,
        ),
        table("goals-by-status", "Goals by status", "Every goal of the year by status.", STATUSES),
        table(
            "tier-funnel",
            "Tier funnel",
            "Goals whose evidence reached a reviewer, and goals that passed, for each tier ("
            + ", ".join(f"Tier {tier} {TIER_NAMES[tier]}" for tier in TIERS)
            + ").",
            FUNNEL,
        ),
    ]

    alignment = district_selectors.alignment_for_schools(
        district=district, schools=schools, school_year=school_year, rows=figures
    )
    other_tables = [
        Table(
            "alignment",
            "Goals per system goal",
            ["System goal", "Goals", "Schools working on it"],
            [[goal.title, goal.goal_count, goal.school_count] for goal in alignment],
            chart=bar_chart(
                label="Goals per system goal across the schools",
                categories=[goal.title for goal in alignment],
                series=[("Goals", [goal.goal_count for goal in alignment])],
            )
            if alignment
            else None,
            empty="No active system goal applies at these schools this year.",
        ),
        Table(
            "unaddressed",
            "System goals no one works on",
            ["System goal"],
            [[goal.title] for goal in alignment if not goal.goal_count],
            empty="Every system goal has at least one goal.",
        ),
    ]
    return DistrictDashboard(
        district=district,
        schools=schools,
        school_year=school_year,
        sort=sort,
        school_tables=school_tables,
        other_tables=other_tables,
        total=total,
    )
