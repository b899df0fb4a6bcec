"""The district dashboard as tables: schools side by side with a total, sortable by any column.

Each table is built once and serves the page, its chart and its CSV export, as on the school
dashboard. Sorting happens on the server from a whitelisted `?sort=` key, so it works without
JavaScript and a sorted view can be bookmarked.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import F
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from evidence.models import TIER_NAMES, TIERS
from goals.models import Goal
from pplearn.models import District, School, SchoolYear

from . import district_selectors, rollups
from .charts import bar_chart
from .district_selectors import SchoolFigures
from .tables import Table, days_text, percent_text

DEFAULT_SORT = "name"
# Schools per page: a district of 200 schools reads as 8 pages of every table, the total row
# and the order over all of them (the CSV holds every school).
PAGE_SIZE = 25
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
    # The rollup's column the database sorts by (dashboards.models.SchoolYearFigures).
    field: str = ""

    def cell(self, figures: SchoolFigures):
        return self.text(self.value(figures))


NAME = Column(
    "name", "School", lambda f: f.school.name.casefold(), highest_first=False, field="school__name"
)


def _status_column(status: Goal.Status) -> Column:
    return Column(
        f"status-{status.value.replace('_', '-')}",
        status.label,
        lambda f: f.statuses[status.value],
        field=f"status_{status.value}",
    )


def _tier_columns(tier: int) -> list[Column]:
    return [
        Column(
            f"tier{tier}-reached",
            f"Tier {tier} reached",
            lambda f: f.reached[tier],
            field=f"reached_{tier}",
        ),
        Column(
            f"tier{tier}-passed",
            f"Tier {tier} passed",
            lambda f: f.passed[tier],
            field=f"passed_{tier}",
        ),
    ]


OVERVIEW = [
    Column("teachers", "Teachers", lambda f: f.teachers, field="teachers"),
    Column(
        "approved-teachers",
        "With an approved goal",
        lambda f: f.with_approved_goal,
        field="with_approved_goal",
    ),
    Column(
        "participation",
        "Participation",
        lambda f: f.participation,
        percent_text,
        field="participation",
    ),
    Column("backlog", "Waiting for review", lambda f: f.backlog, field="backlog"),
    Column(
        "turnaround",
        "Median turnaround (days)",
        lambda f: f.median_turnaround,
        days_text,
        field="median_turnaround",
    ),
    Column("coverage", "Coaching coverage", lambda f: f.coverage, percent_text, field="coverage"),
    Column("stalled", "Stalled goals", lambda f: f.stalled, field="stalled"),
    Column("payouts", "Payouts", lambda f: f.payouts, field="payouts"),
    Column("stipends", "Stipends", lambda f: f.stipends, _money, field="stipends"),
    Column("credit", "Credit", lambda f: f.credit, _money, field="credit"),
]
STATUSES = [_status_column(status) for status in Goal.Status] + [
    Column("goals", "All goals", lambda f: f.goals, field="goals")
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


def order_by(sort: Sort) -> list:
    """The database's order of the schools' rollups for the sort: ties A to Z, and schools
    without the figure last."""
    by_name = Lower("school__name")
    if sort.key == NAME.key:
        name = by_name.desc() if sort.descending else by_name.asc()
        return [name, "school_id"]
    figure = F(_column(sort.key).field)
    figure = figure.desc(nulls_last=True) if sort.descending else figure.asc(nulls_last=True)
    return [figure, by_name, "school_id"]


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

    def _body(self, rows: list[SchoolFigures]) -> list[tuple[School, str, list]]:
        link = reverse("dashboards:school", args=[0]).removesuffix("0/")
        return [
            (
                figures.school,
                f"{link}{figures.school.pk}/?year={self.school_year.pk}",
                [column.cell(figures) for column in self.columns],
            )
            for figures in rows
        ]

    @property
    def body(self) -> list[tuple[School, str, list]]:
        """The rows shown: a page of schools, or every school in the CSV."""
        return self._body(self.rows)

    @property
    def body_html(self) -> SafeString:
        """The body's rows as HTML in one step (issue 8: a template loop per cell of 25
        schools in three tables cost more than the rest of the page); every value escaped."""
        rows = []
        for school, link, cells in self.body:
            tds = "".join(f'<td class="text-end">{escape(str(cell))}</td>' for cell in cells)
            rows.append(
                f'<tr><th scope="row" class="fw-normal"><a href="{escape(link)}">'
                f"{escape(school.name)}</a></th>{tds}</tr>"
            )
        return mark_safe("\n".join(rows))  # noqa: S308 (every value escaped above)

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


class _Rows(Sequence):
    """The ordered rollups as a sequence the paginator slices: only a page is read."""

    def __init__(self, queryset, count: int, figures: Callable):
        self.queryset, self.count_, self.figures = queryset, count, figures

    def __len__(self) -> int:
        return self.count_

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.figures(row) for row in self.queryset[index]]
        return self.figures(self.queryset[index])


@dataclass
class DistrictDashboard:
    district: District
    schools: list[School]
    school_year: SchoolYear
    sort: Sort
    school_tables: list[SchoolTable]
    other_tables: list[Table] = field(default_factory=list)
    total: SchoolFigures | None = None
    page: Page | None = None

    @property
    def page_query(self) -> str:
        """The query string that keeps the year and order when turning pages."""
        return urlencode({"year": self.school_year.pk, "sort": self.sort.param})

    @property
    def counted_at(self) -> datetime.datetime | None:
        """When the figures that move with the clock were counted."""
        return self.total.counted_at if self.total else None

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
    page_number: str | None = None,
    every_school: bool = False,
) -> DistrictDashboard:
    """Every table of the district dashboard for the year, schools in the chosen order: the
    page of schools asked for, or every school (the CSV). The total and the order are over
    every school, summed and sorted in the database from the rollups (dashboards.rollups)."""
    total, alignment_counts = rollups.scope_total(schools=schools, school_year=school_year, now=now)
    by_pk = {school.pk: school for school in schools}
    ordered = rollups.rollup_rows(
        schools=schools, school_year=school_year, order_by=order_by(sort)
    ).defer("alignment")
    page = None
    if every_school:
        shown = [rollups.as_figures(row, by_pk[row.school_id]) for row in ordered]
    else:
        rows = _Rows(
            ordered, len(schools), lambda row: rollups.as_figures(row, by_pk[row.school_id])
        )
        page = Paginator(rows, PAGE_SIZE).get_page(page_number)
        shown = list(page.object_list)

    def table(key, title, description, columns, chart=None) -> SchoolTable:
        return SchoolTable(
            key=key,
            title=title,
            description=description,
            columns=columns,
            rows=shown,
            total=total,
            school_year=school_year,
            sort=sort,
            chart=chart,
        )

    # A school without teachers has no participation to draw (its table cell is empty too).
    with_teachers = [f for f in shown if f.participation is not None]
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
        district=district,
        schools=schools,
        school_year=school_year,
        counts=alignment_counts,
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
        page=page,
    )
