"""Payouts for the payroll tests, built directly on a passed submission of a goal."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from evidence.models import Payout, PayrollBatch, Submission
from goals.models import Goal
from pplearn.models import Role, School, User
from tests.factories import SchoolYearFactory, make_person

_numbers = itertools.count(1)


def make_teacher(school: School, **fields) -> User:
    """A teacher of the school with an employee ID unless one is given."""
    fields.setdefault("employee_id", f"E{next(_numbers):05d}")
    return make_person(Role.TEACHER, school=school, **fields)


def make_goal(teacher: User, school: School, title: str | None = None) -> Goal:
    district = school.district
    year = district.current_school_year() or SchoolYearFactory(district=district)
    return Goal.objects.create(
        teacher=teacher,
        school=school,
        school_year=year,
        title=title or f"Goal {next(_numbers)}",
        status=Goal.Status.APPROVED,
    )


def make_payout(
    teacher: User,
    *,
    school: School | None = None,
    goal: Goal | None = None,
    goal_title: str | None = None,
    tier: int = 1,
    amount: str | Decimal = "75.00",
    credit: str | Decimal = "0.25",
    passed_at: datetime.datetime | None = None,
    batch: PayrollBatch | None = None,
) -> Payout:
    """What passing one tier of a (new) goal of the teacher earned."""
    if goal is None:
        school = school or teacher.schools_for_role(Role.TEACHER)[0]
        goal = make_goal(teacher, school, goal_title)
    passed_at = passed_at or timezone.now()
    submission = Submission.objects.create(
        goal=goal, tier=tier, version=1, status=Submission.Status.PASSED, decided_at=passed_at
    )
    return Payout.objects.create(
        teacher=teacher,
        submission=submission,
        district=goal.school.district,
        tier=tier,
        amount=Decimal(amount),
        credit=Decimal(credit),
        passed_at=passed_at,
        batch=batch,
    )


def make_payouts(teachers: list[User], count: int, **fields) -> list[Payout]:
    """Several payouts spread over the teachers and the four tiers."""
    return [
        make_payout(teachers[i % len(teachers)], tier=i % 4 + 1, **fields) for i in range(count)
    ]
