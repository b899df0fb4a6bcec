"""The dashboard as tables: each figure once, for the page, its chart and its CSV export."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from pplearn.models import School, SchoolYear

from . import selectors
from .charts import bar_chart


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list]
    # A link per row (or None) for the page; the CSV leaves links out.
    links: list[str | None] = field(default_factory=list)
    chart: SafeString | None = None
    empty: str = "Nothing yet."

    @property
    def linked_rows(self) -> list[tuple[list, str | None]]:
        return [(row, self.links[i] if self.links else None) for i, row in enumerate(self.rows)]


def days_text(wait: datetime.timedelta | None) -> str:
    if wait is None:
        return ""
    return f"{wait.total_seconds() / 86400:.1f}"


def percent_text(value: int | None) -> str:
    return "" if value is None else f"{value}%"


def dashboard_tables(
    *, school: School, school_year: SchoolYear, now: datetime.datetime | None = None
) -> dict[str, Table]:
    """Every table of the school's dashboard for the year, keyed by its CSV name."""
    from django.utils import timezone

    now = now or timezone.now()
    tables: list[Table] = []

    part = selectors.participation_for_school(school=school, school_year=school_year)
    tables.append(
        Table(
            "participation",
            "Participation",
            ["Measure", "Value"],
            [
                ["Teachers", part.teachers],
                ["Teachers with an approved goal", part.with_approved_goal],
                ["Share with an approved goal", percent_text(part.percent)],
            ],
        )
    )

    # Goals and submissions are each read once for several tables (issue 8).
    statuses, coverage = selectors.goal_figures(
        school=school, school_year=school_year, today=timezone.localdate(now)
    )
    funnel, backlog = selectors.submission_figures(school=school, school_year=school_year)
    tables.append(
        Table(
            "goals-by-status",
            "Goals by status",
            ["Status", "Goals"],
            [[label, count] for label, count in statuses],
            chart=bar_chart(
                label="Goals by status",
                categories=[label for label, _ in statuses],
                series=[("Goals", [count for _, count in statuses])],
            ),
        )
    )

    tables.append(
        Table(
            "tier-funnel",
            "Tier funnel",
            ["Tier", "Goals that reached it", "Goals that passed it"],
            [[f"Tier {r['tier']} {r['name']}", r["reached"], r["passed"]] for r in funnel],
            chart=bar_chart(
                label="Tier funnel: goals that reached and passed each tier",
                categories=[f"Tier {r['tier']} {r['name']}" for r in funnel],
                series=[
                    ("Reached", [r["reached"] for r in funnel]),
                    ("Passed", [r["passed"] for r in funnel]),
                ],
            ),
        )
    )

    alignment = selectors.alignment_for_school(school=school, school_year=school_year)
    tables.append(
        Table(
            "alignment",
            "Goals per system goal",
            ["System goal", "Goals"],
            [[goal.title, goal.goal_count] for goal in alignment],
            chart=bar_chart(
                label="Goals per system goal",
                categories=[goal.title for goal in alignment],
                series=[("Goals", [goal.goal_count for goal in alignment])],
            )
            if alignment
            else None,
            empty="No system goals apply at this school this year.",
        )
    )
    tables.append(
        Table(
            "unaddressed",
            "System goals no one works on",
            ["System goal"],
            [[goal.title] for goal in alignment if not goal.goal_count],
            empty="Every system goal has at least one goal.",
        )
    )

    median = selectors.median_turnaround(school=school, school_year=school_year)
    tables.append(
        Table(
            "reviews",
            "Review backlog and turnaround",
            ["Measure", "Value"],
            [
                ["Submissions waiting for review", backlog],
                ["Median turnaround (days)", days_text(median)],
            ],
        )
    )

    tables.append(
        Table(
            "coaching",
            "Coaching coverage",
            ["Measure", "Value"],
            [
                ["Approved goals", coverage.approved_goals],
                [
                    f"With a conversation in the last {selectors.COVERAGE_DAYS} days",
                    coverage.with_conversation,
                ],
                ["Share covered", percent_text(coverage.percent)],
            ],
        )
    )

    stalled = list(selectors.stalled_goals(school=school, school_year=school_year, now=now))
    tables.append(
        Table(
            "stalled",
            "Stalled goals",
            ["Goal", "Teacher", "Last activity", "Days since"],
            [
                [
                    goal.title,
                    goal.teacher.full_name,
                    timezone.localdate(goal.last_activity).isoformat(),
                    (now - goal.last_activity).days,
                ]
                for goal in stalled
            ],
            links=[goal.get_absolute_url() for goal in stalled],
            empty=f"No approved goal has gone {selectors.STALLED_DAYS} days without activity.",
        )
    )

    earnings = selectors.earnings_by_tier(school=school, school_year=school_year)
    total_count = sum(r["count"] for r in earnings)
    total_amount = sum((r["amount"] for r in earnings), selectors.ZERO)
    total_credit = sum((r["credit"] for r in earnings), selectors.ZERO)
    tables.append(
        Table(
            "earnings",
            "Stipends and credit earned",
            ["Tier", "Payouts", "Stipends", "Credit"],
            [
                [
                    f"Tier {r['tier']} {r['name']}",
                    r["count"],
                    f"{r['amount']:.2f}",
                    f"{r['credit']:.2f}",
                ]
                for r in earnings
            ]
            + [["Total", total_count, f"{total_amount:.2f}", f"{total_credit:.2f}"]],
        )
    )

    months = selectors.tiers_passed_by_month(school=school, school_year=school_year)
    month_labels = [timezone.localtime(r["month"]).strftime("%Y-%m") for r in months]
    tables.append(
        Table(
            "tiers-by-month",
            "Tiers passed per month",
            ["Month", "Tiers passed"],
            [[label, r["passed"]] for label, r in zip(month_labels, months, strict=True)],
            chart=bar_chart(
                label="Tiers passed per month",
                categories=month_labels,
                series=[("Tiers passed", [r["passed"] for r in months])],
            )
            if months
            else None,
            empty="No tier has passed this year yet.",
        )
    )
    return {table.key: table for table in tables}
