"""Helpers for the coaching tests: assignments, conversations and goals at set dates."""

from __future__ import annotations

import datetime

from django.utils import timezone

from coaching import services
from coaching.models import CoachAssignment, Conversation
from goals.models import Goal
from pplearn.models import Role, School, User
from tests.factories import make_person
from tests.goals.goal_factories import current_year, make_goal

# Written in every conversation of the firewall tests: it must never show to anyone else.
SECRET_NOTES = "Confidential: Ms Rivera is anxious about the spring evaluation."
SECRET_STEP = "Private step: rehearse the parent conference"
SECRET_REFLECTION = "Private reflection: I felt unsure during the observation."

# The tests' "now": a Friday afternoon in the fixtures' school year 2026-27.
NOW = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 20)


def days_ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def assign(coach: User, teacher: User, school: School, school_year=None) -> CoachAssignment:
    return CoachAssignment.objects.create(
        coach=coach,
        teacher=teacher,
        school=school,
        school_year=school_year or current_year(school.district),
    )


def teacher_at(school: School, name: str) -> User:
    return make_person(Role.TEACHER, school=school, full_name=name)


def approved_goal_on(teacher: User, approved_on: datetime.date, **fields) -> Goal:
    """An approved goal, approved at noon UTC of the given day."""
    decided = datetime.datetime.combine(approved_on, datetime.time(12), tzinfo=datetime.UTC)
    return make_goal(teacher, status=Goal.Status.APPROVED, decided_at=decided, **fields)


def log(coach: User, teacher: User, held_on: datetime.date | None = None, **fields) -> Conversation:
    """A conversation logged through the service, as the coach would."""
    fields.setdefault("kind", Conversation.Kind.CHECK_IN)
    fields.setdefault("notes", SECRET_NOTES)
    fields.setdefault("next_steps", [SECRET_STEP, "Share the exit tickets"])
    return services.conversation_log(
        coach=coach, teacher=teacher, held_on=held_on or timezone.localdate(), **fields
    )
