"""What coaches, approvers, coordinators and principals hear: check-ins, approvals, digests.

Each selection runs a fixed number of set-based queries for a whole batch of people. What
approvers and coordinators hear about is read district-wide, so it is read once per sweep
(`DistrictSweep.once`), by the first batch that holds one of them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse

from coaching.models import CoachAssignment, Conversation, Reminder
from evidence.models import Submission
from goals.models import Goal
from pplearn.lookups import among
from pplearn.models import Membership, Role

from .clock import iso_week, school_days_between
from .due import (
    DistrictSweep,
    Due,
    count_by,
    in_scope,
    plural,
    scopes_of,
    short,
    stalled_approved_goals,
)

K = Reminder.Kind
# Check-ins coming due this soon are mentioned along with the overdue ones.
DUE_SOON_DAYS = 3


def checkins(sweep: DistrictSweep, ids: list[int]) -> list[Due]:
    """The coach's check-ins overdue or coming due, as the caseload counts them.

    A teacher with an approved goal expects a check-in every interval, counted from the
    later of the last conversation and the goal's approval.
    """
    year = sweep.year
    last_talk = Conversation.objects.filter(
        coach=OuterRef("coach"), teacher=OuterRef("teacher"), school_year=year
    ).order_by("-held_on")
    approved = Goal.objects.filter(
        teacher=OuterRef("teacher"), school_year=year, status=Goal.Status.APPROVED
    )
    rows = (
        CoachAssignment.objects.filter(
            among("coach_id", ids), school_year=year, teacher__is_active=True
        )
        .filter(Exists(approved))
        .order_by()
        .annotate(
            last_on=Subquery(last_talk.values("held_on")[:1]),
            approved_at=Subquery(approved.order_by("-updated_at").values("decided_at")[:1]),
        )
        .values_list("coach_id", "last_on", "approved_at")
    )
    interval = datetime.timedelta(days=sweep.rules.checkin_interval_days)
    soon = sweep.today + datetime.timedelta(days=DUE_SOON_DAYS)
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for coach_id, last_on, approved_at in rows:
        approved_on = sweep.local_date(approved_at) if approved_at else None
        since = [day for day in (last_on, approved_on) if day is not None]
        due_on = max(since) + interval if since else sweep.today
        if due_on < sweep.today:
            counts[coach_id][0] += 1
        elif due_on <= soon:
            counts[coach_id][1] += 1
    dues = []
    url = reverse("coaching:caseload")
    for coach_id, (overdue, coming) in sorted(counts.items()):
        parts = [f"{overdue} overdue"] if overdue else []
        if coming:
            parts.append(f"{coming} due in the next {DUE_SOON_DAYS} days")
        message = f"Coaching check-ins: {' and '.join(parts)}. A short conversation counts."
        dues.append(Due(coach_id, K.CHECKIN, "caseload", sweep.grid_period(), message, url))
    return dues


def approvals(sweep: DistrictSweep, ids: list[int]) -> list[Due]:
    days = sweep.rules.approval_days
    approvers = scopes_of(sweep, ids, [Role.PRINCIPAL, Role.COORDINATOR])
    if not approvers:
        return []
    waiting = sweep.once("approvals", lambda: _waiting_for_approval(sweep))
    dues = []
    url = reverse("goals:approval_list")
    for user_id, schools in sorted(approvers.items()):
        count = sum(1 for teacher_id in in_scope(waiting, schools) if teacher_id != user_id)
        if not count:
            continue
        message = (
            f"{plural(count, 'goal')} {'has' if count == 1 else 'have'} waited more than "
            f"{days} days for your approval. Shaping them with the teachers is the next step."
        )
        dues.append(Due(user_id, K.APPROVAL, "approvals", sweep.grid_period(), message, url))
    return dues


def _waiting_for_approval(sweep: DistrictSweep) -> dict[int, list[int]]:
    """The district's goals proposed longer ago than the threshold: teachers by school."""
    goals = Goal.objects.filter(
        school__district=sweep.district,
        status=Goal.Status.PROPOSED,
        proposed_at__lte=sweep.since(sweep.rules.approval_days),
    )
    waiting = defaultdict(list)
    for school_id, teacher_id in goals.order_by().values_list("school_id", "teacher_id"):
        waiting[school_id].append(teacher_id)
    return waiting


def queue_digest(sweep: DistrictSweep, ids: list[int]) -> list[Due]:
    target = sweep.turnaround_days
    coordinators = scopes_of(sweep, ids, [Role.COORDINATOR])
    if not coordinators:
        return []
    late = sweep.once("queue", lambda: _late_in_queue(sweep))
    dues = []
    url = reverse("evidence:review_queue")
    for user_id, schools in sorted(coordinators.items()):
        mine = [waited for teacher_id, waited in in_scope(late, schools) if teacher_id != user_id]
        if not mine:
            continue
        message = (
            f"Review queue: {plural(len(mine), 'submission')} waited longer than {target} "
            f"school days (the longest {max(mine)})."
        )
        period = sweep.today.isoformat()
        dues.append(Due(user_id, K.QUEUE_DIGEST, "queue", period, message, url))
    return dues


def _late_in_queue(sweep: DistrictSweep) -> dict[int, list[tuple[int, int]]]:
    """The district's submissions waiting more school days than the turnaround target:
    (teacher, school days waited) by school."""
    target = sweep.turnaround_days
    items = (
        Submission.objects.filter(
            status=Submission.Status.SUBMITTED,
            goal__school__district=sweep.district,
            submitted_at__lte=sweep.since(target),
        )
        .order_by()
        .values_list("goal__school_id", "goal__teacher_id", "submitted_at")
    )
    waited_since: dict[datetime.date, int] = {}
    late = defaultdict(list)
    for school_id, teacher_id, submitted_at in items:
        day = sweep.local_date(submitted_at)
        if day not in waited_since:
            waited_since[day] = school_days_between(day, sweep.today)
        if waited_since[day] > target:
            late[school_id].append((teacher_id, waited_since[day]))
    return late


def per_school(rows: QuerySet, count: Count) -> dict[int, int]:
    """A count per school, zero for schools without rows."""
    counted = rows.order_by().values("school_id").annotate(n=count).values_list("school_id", "n")
    return defaultdict(int, counted)


def principal_digest(sweep: DistrictSweep, ids: list[int]) -> list[Due]:
    """Once a week, from the district's chosen weekday on: each school's week in numbers."""
    rules, year = sweep.rules, sweep.year
    if sweep.today.weekday() < rules.principal_digest_weekday:
        return []
    led = list(
        Membership.objects.filter(
            among("user_id", ids),
            district=sweep.district,
            role=Role.PRINCIPAL,
            school__is_active=True,
        )
        .order_by()
        .values_list("user_id", "school_id", "school__name")
    )
    if not led:
        return []
    schools = {school_id for _, school_id, _ in led}
    teachers = per_school(
        Membership.objects.filter(school_id__in=schools, role=Role.TEACHER, user__is_active=True),
        Count("user_id", distinct=True),
    )
    with_goal = per_school(
        Goal.objects.filter(school_id__in=schools, school_year=year).exclude(
            status=Goal.Status.WITHDRAWN
        ),
        Count("teacher_id", distinct=True),
    )
    passed = {
        row[0]: row[1:]
        for row in Submission.objects.filter(
            goal__school_id__in=schools, goal__school_year=year, status=Submission.Status.PASSED
        )
        .order_by()
        .values("goal__school_id")
        .annotate(week=Count("pk", filter=Q(decided_at__gt=sweep.since(7))), year=Count("pk"))
        .values_list("goal__school_id", "week", "year")
    }
    stalled_drafts = (
        Goal.objects.filter(
            school_id__in=schools,
            school_year=year,
            status__in=Goal.EDITABLE,
            updated_at__lte=sweep.since(rules.draft_goal_days),
        )
        .order_by()
        .values_list("school_id", flat=True)
    )
    stalled_approved = (
        stalled_approved_goals(year, sweep.since(rules.no_evidence_days))
        .filter(school_id__in=schools)
        .order_by()
        .values_list("school_id", flat=True)
    )
    stalled = count_by([*stalled_drafts, *stalled_approved])
    dues = []
    url = reverse("home")
    for user_id, school_id, name in sorted(led):
        week, total = passed.get(school_id, (0, 0))
        message = (
            f"{short(name, 60)} this week: {with_goal[school_id]} of "
            f"{plural(teachers[school_id], 'teacher')} have a goal; "
            f"{plural(week, 'tier')} passed ({total} this school year); "
            f"{plural(stalled[school_id], 'goal')} stalled."
        )
        period = iso_week(sweep.today)
        dues.append(Due(user_id, K.PRINCIPAL_DIGEST, f"school:{school_id}", period, message, url))
    return dues
