"""What a reminder is about, and the district's rules and calendar at the moment of a sweep."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from coaching.models import ReminderSettings
from evidence.models import Submission
from goals.models import Goal
from pplearn.lookups import among
from pplearn.models import District, Membership, SchoolYear

from .clock import window_start

# Nudges about several things at once repeat on a fixed grid of windows. It starts on a
# Monday, so seven-day windows are calendar weeks.
GRID_EPOCH = datetime.date(2024, 1, 1)


@dataclass(frozen=True)
class Due:
    recipient_id: int
    kind: str
    subject_key: str
    period: str
    message: str
    url: str

    @property
    def key(self) -> tuple[int, str, str, str]:
        return (self.recipient_id, self.kind, self.subject_key, self.period)


@dataclass
class DistrictSweep:
    """One district's rules and calendar at the moment of the sweep."""

    district: District
    rules: ReminderSettings
    year: SchoolYear | None
    turnaround_days: int
    now: datetime.datetime
    zone: ZoneInfo
    # District-wide selections, computed on first use and shared by every batch.
    computed: dict[str, object] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self.today = self.now.astimezone(self.zone).date()

    def once(self, name: str, compute: Callable[[], object]):
        """A district-wide value computed by the first batch that needs it."""
        if name not in self.computed:
            self.computed[name] = compute()
        return self.computed[name]

    def local_date(self, moment: datetime.datetime) -> datetime.date:
        return moment.astimezone(self.zone).date()

    def since(self, days: int) -> datetime.datetime:
        return self.now - datetime.timedelta(days=days)

    def nudge_period(self, condition_since: datetime.date, days: int) -> str:
        """Repeat windows counted from the day the condition passed its threshold.

        When the condition ends and comes back, the new windows all start after the old
        ones, so their keys never meet.
        """
        anchor = condition_since + datetime.timedelta(days=days)
        return window_start(anchor, self.today, self.rules.repeat_days).isoformat()

    def grid_period(self) -> str:
        return window_start(GRID_EPOCH, self.today, self.rules.repeat_days).isoformat()


def short(text: str, length: int = 80) -> str:
    return text if len(text) <= length else f"{text[: length - 1]}…"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# A pk no URL holds otherwise, reversed once and replaced by each row's pk.
_MARKER = 987654321


def url_with_pk(name: str) -> Callable[[int], str]:
    """The URL of each row for a route taking one pk, reversed once instead of per row."""
    prefix, suffix = reverse(name, args=[_MARKER]).split(str(_MARKER))
    return lambda pk: f"{prefix}{pk}{suffix}"


def clip(message: str) -> str:
    return message if len(message) <= 300 else f"{message[:299]}…"


def last_evidence_activity() -> Coalesce:
    latest = Submission.objects.filter(goal=OuterRef("pk")).order_by("-updated_at")
    return Coalesce(Subquery(latest.values("updated_at")[:1]), "decided_at", "updated_at")


def stalled_approved_goals(year: SchoolYear, cutoff: datetime.datetime) -> QuerySet[Goal]:
    """Approved goals with no evidence activity since cutoff and nothing waiting on others.

    Left out: evidence waiting for review, a returned tier (it has its own nudge), and goals
    whose target tier has passed.
    """
    waiting = Submission.objects.filter(goal=OuterRef("pk")).filter(
        Q(status__in=[Submission.Status.SUBMITTED, Submission.Status.RETURNED])
        | Q(status=Submission.Status.DRAFT, previous__isnull=False)
    )
    reached = Submission.objects.filter(
        goal=OuterRef("pk"), status=Submission.Status.PASSED, tier__gte=OuterRef("target_tier")
    )
    return (
        Goal.objects.filter(school_year=year, status=Goal.Status.APPROVED)
        .annotate(last_activity=last_evidence_activity())
        .filter(last_activity__lte=cutoff)
        .exclude(Exists(waiting))
        .exclude(Exists(reached))
    )


def scopes_of(sweep: DistrictSweep, ids: list[int], roles: list[str]) -> dict[int, set]:
    """Each person's schools in these roles; None stands for the whole district."""
    scopes: dict[int, set] = defaultdict(set)
    memberships = Membership.objects.filter(
        among("user_id", ids), district=sweep.district, role__in=roles
    ).order_by()
    for user_id, school_id in memberships.values_list("user_id", "school_id"):
        scopes[user_id].add(school_id)
    return scopes


def in_scope(by_school: dict, schools: set) -> list:
    """The rows of the schools in scope (None: the whole district), from rows by school."""
    if None in schools:
        return [row for rows in by_school.values() for row in rows]
    return [row for school_id in schools for row in by_school.get(school_id, ())]


def count_by(values) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for value in values:
        counts[value] += 1
    return counts
