"""Rollups of the district dashboard (issue 8): each school's figures for a school year, kept
up to date by the services that change them, so the dashboard reads one row per school instead
of aggregating the district's goals, evidence and reviews on every request."""

from __future__ import annotations

from django.db import models

from pplearn.models import School, SchoolYear

MONEY = {"max_digits": 12, "decimal_places": 2, "default": 0}


class SchoolYearFigures(models.Model):
    """One school's dashboard figures for one school year, as recounted at `counted_at`.

    Recounted from scratch (never incremented) by dashboards.rollups.rollup_refresh inside the
    transaction of every change, and every 15 minutes for the figures that move with the clock
    (coaching coverage, stalled goals).
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    # One column per figure, so the page sorts, pages and totals the schools in the database.
    teachers = models.PositiveIntegerField(default=0)
    with_approved_goal = models.PositiveIntegerField(default=0)
    participation = models.PositiveSmallIntegerField(null=True)  # percent, as shown
    status_draft = models.PositiveIntegerField(default=0)
    status_proposed = models.PositiveIntegerField(default=0)
    status_changes_requested = models.PositiveIntegerField(default=0)
    status_approved = models.PositiveIntegerField(default=0)
    status_complete = models.PositiveIntegerField(default=0)
    status_withdrawn = models.PositiveIntegerField(default=0)
    goals = models.PositiveIntegerField(default=0)
    reached_1 = models.PositiveIntegerField(default=0)
    reached_2 = models.PositiveIntegerField(default=0)
    reached_3 = models.PositiveIntegerField(default=0)
    reached_4 = models.PositiveIntegerField(default=0)
    passed_1 = models.PositiveIntegerField(default=0)
    passed_2 = models.PositiveIntegerField(default=0)
    passed_3 = models.PositiveIntegerField(default=0)
    passed_4 = models.PositiveIntegerField(default=0)
    backlog = models.PositiveIntegerField(default=0)
    median_turnaround = models.DurationField(null=True)
    approved_goals = models.PositiveIntegerField(default=0)
    coached = models.PositiveIntegerField(default=0)
    coverage = models.PositiveSmallIntegerField(null=True)  # percent, as shown
    stalled = models.PositiveIntegerField(default=0)
    payouts = models.PositiveIntegerField(default=0)
    stipends = models.DecimalField(**MONEY)
    credit = models.DecimalField(**MONEY)
    # {"system goal id": goals other than withdrawn}, for the alignment table.
    alignment = models.JSONField(default=dict)
    counted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school_year", "school"], name="dashboards_one_rollup_per_school_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_id} in {self.school_year_id} at {self.counted_at:%Y-%m-%d %H:%M}"


class TurnaroundTotal(models.Model):
    """The total of several schools (a district's active schools, or those a coordinator
    serves) for a year: `figures` holds the sums of their rollups and the alignment counts,
    summed again whenever one of their rows is; the median turnaround over their reviews (not
    a sum of the schools' medians) is counted when first shown and every 15 minutes."""

    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    # The schools counted: a digest of their sorted ids (a coordinator may serve a few).
    schools_key = models.CharField(max_length=64)
    school_ids = models.JSONField(default=list)
    median_turnaround = models.DurationField(null=True)
    counted_at = models.DateTimeField()
    # {"sums": {column: total}, "alignment": {system goal id: [goals, schools]},
    #  "counted": schools summed, "counted_at": the oldest of their counts}
    figures = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school_year", "schools_key"], name="dashboards_one_turnaround_per_scope"
            )
        ]

    def __str__(self) -> str:
        return f"{self.schools_key[:8]} in {self.school_year_id}"
