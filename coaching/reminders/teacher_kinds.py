"""What teachers are nudged about: drafts, idle goals, returned evidence, no goal yet.

Each selection is one set-based query for a whole batch of people.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from coaching.models import Reminder
from evidence.models import Submission
from goals.models import Goal
from pplearn.lookups import among
from pplearn.models import Membership, Role

from .due import DistrictSweep, Due, short, stalled_approved_goals, url_with_pk

K = Reminder.Kind


def draft_goals(sweep: DistrictSweep, ids: list[int]) -> list[Due]:
    days = sweep.rules.draft_goal_days
    goals = Goal.objects.filter(
        among("teacher_id", ids),
        school_year=sweep.year,
        status__in=Goal.EDITABLE,
        updated_at__lte=sweep.since(days),
    )
    # Each goal has its own key, so no order is needed (and no join for Goal's ordering).
    goals = goals.order_by().values_list("pk", "teacher_id", "title", "status", "updated_at")
    dues = []
    goal_url = url_with_pk("goals:goal_detail")
    for pk, teacher_id, title, status, updated_at in goals:
        if status == Goal.Status.DRAFT:
            message = (
                f"Your draft goal “{short(title)}” is waiting for you. When it feels ready, "
                "propose it: your principal or coordinator will shape it with you."
            )
        else:
            message = (
                f"Your goal “{short(title)}” is waiting for the changes your approver asked "
                "for. Propose it again when you are ready."
            )
        period = sweep.nudge_period(sweep.local_date(updated_at), days)
        dues.append(Due(teacher_id, K.DRAFT_GOAL, f"goal:{pk}", period, message, goal_url(pk)))
    return dues


def no_evidence(sweep: DistrictSweep, ids: list[int]) -> list[Due]:
    days = sweep.rules.no_evidence_days
    goals = (
        stalled_approved_goals(sweep.year, sweep.since(days))
        .filter(among("teacher_id", ids))
        .order_by()
        .values_list("pk", "teacher_id", "title", "last_activity")
    )
    dues = []
    goal_url = url_with_pk("goals:goal_detail")
    for pk, teacher_id, title, last_activity in goals:
        since = sweep.local_date(last_activity)
        message = (
            f"{(sweep.today - since).days} days since the last evidence on “{short(title)}”. "
            "A photo, a work sample or a short note is enough to keep it moving."
        )
        period = sweep.nudge_period(since, days)
        dues.append(Due(teacher_id, K.NO_EVIDENCE, f"goal:{pk}", period, message, goal_url(pk)))
    return dues


def returned(sweep: DistrictSweep, ids: list[int]) -> list[Due]:
    """Returned evidence not resubmitted: the returned version, or its revision in draft."""
    days = sweep.rules.returned_days
    cutoff = sweep.since(days)
    rows = (
        Submission.objects.filter(
            among("goal__teacher_id", ids),
            goal__school_year=sweep.year,
            goal__status=Goal.Status.APPROVED,
        )
        .filter(
            Q(status=Submission.Status.RETURNED, decided_at__lte=cutoff)
            | Q(
                status=Submission.Status.DRAFT,
                previous__status=Submission.Status.SUPERSEDED,
                previous__decided_at__lte=cutoff,
            )
        )
        .values_list(
            "pk",
            "goal_id",
            "goal__teacher_id",
            "goal__title",
            "tier",
            "decided_at",
            "previous__decided_at",
        )
    )
    dues = []
    submission_url = url_with_pk("evidence:submission_detail")
    for pk, goal_id, teacher_id, title, tier, decided_at, returned_at in rows:
        message = (
            f"Your Tier {tier} evidence for “{short(title)}” is ready for a revision "
            "whenever you are: the reviewer's feedback says what to add."
        )
        period = sweep.nudge_period(sweep.local_date(decided_at or returned_at), days)
        subject = f"goal:{goal_id}:tier:{tier}"
        dues.append(Due(teacher_id, K.RETURNED, subject, period, message, submission_url(pk)))
    return dues


def no_goal(sweep: DistrictSweep, ids: list[int]) -> list[Due]:
    year, days = sweep.year, sweep.rules.no_goal_days
    if not year.start_date + datetime.timedelta(days=days) <= sweep.today <= year.end_date:
        return []
    # Naming the batch's teachers in the subquery too lets PostgreSQL read their goals only,
    # not the whole year's (73 ms a batch at 25,000 teachers, 8 ms with it).
    has_goal = Goal.objects.filter(
        among("teacher_id", ids), school_year=year, teacher=OuterRef("user_id")
    ).exclude(status=Goal.Status.WITHDRAWN)
    teachers = (
        Membership.objects.filter(
            among("user_id", ids),
            district=sweep.district,
            role=Role.TEACHER,
            school__is_active=True,
        )
        .exclude(Exists(has_goal))
        .order_by()
        .values_list("user_id", flat=True)
    )
    message = (
        f"You have no goal yet for {year.name}. Start with a question about your students "
        "or your teaching: your coach and principal will help shape it."
    )
    period = sweep.nudge_period(year.start_date, days)
    url = reverse("goals:goal_create")
    return [
        Due(teacher_id, K.NO_GOAL, f"year:{year.pk}", period, message, url)
        for teacher_id in sorted(set(teachers))
    ]
