"""Demo coaching: conversations with about two thirds of each coach's teachers."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from pplearn.models import District, SchoolYear
from pplearn.notifications import email_suppressed

from . import services
from .models import CoachAssignment, Conversation

# (kind, notes, next steps): said in the coach's own words after each conversation.
TALKS = [
    (
        Conversation.Kind.GOAL_SETTING,
        "We talked through what matters most for this group of students this year and "
        "narrowed the inquiry to one question that can be answered with classroom data.",
        ["Draft the inquiry question in one sentence", "Pick the system goal it serves"],
    ),
    (
        Conversation.Kind.PLANNING,
        "Planned the first two lessons: when to introduce the new routine, how to model it, "
        "and which students to watch closely.",
        [
            "Write the lesson plan for Tuesday",
            "Prepare the anchor chart",
            "Choose three focus students",
        ],
    ),
    (
        Conversation.Kind.OBSERVATION,
        "Visited the second block. Students used the routine without prompting twice; the "
        "partner talk stayed on task for about four minutes before drifting.",
        ["Try a visible timer for partner talk", "Collect two student work samples"],
    ),
    (
        Conversation.Kind.FEEDBACK,
        "Looked at the reviewer's comments together. The artifacts are strong; the reflection "
        "needs a clearer link to the curriculum unit.",
        ["Add the unit standard to the reflection", "Resubmit Tier 2"],
    ),
    (
        Conversation.Kind.CHECK_IN,
        "A quick check in the hallway: the exit tickets are coming in and the data table is "
        "half done.",
        ["Finish the data table by Friday"],
    ),
]
# Days ago of each teacher's conversations: the last one recent for some, long past for others.
SCHEDULES = [(40, 9), (35, 20), (50, 26, 3), (30,), (45, 17)]


def _dates(year: SchoolYear, days_ago: tuple[int, ...], today: datetime.date) -> list:
    dates = [today - datetime.timedelta(days=d) for d in days_ago]
    return [d for d in dates if year.start_date <= d <= min(today, year.end_date)]


def demo_coaching_load(district: District) -> None:
    """Conversations with next steps, some ticked off, for each coach's teachers (idempotent)."""
    year = SchoolYear.objects.filter(district=district, is_current=True).first()
    if year is None or Conversation.objects.filter(school_year__district=district).exists():
        return
    rng = random.Random(2026)
    today = timezone.localdate()
    assignments = CoachAssignment.objects.filter(school_year=year).select_related(
        "coach", "teacher"
    )
    by_coach: dict[int, list[CoachAssignment]] = {}
    for assignment in assignments.order_by("coach_id", "teacher_id"):
        by_coach.setdefault(assignment.coach_id, []).append(assignment)
    # The demo's history is not news: nobody should receive emails about it.
    with email_suppressed():
        for coached in by_coach.values():
            for index, assignment in enumerate(coached):
                if index % 3 == 2:
                    continue
                schedule = SCHEDULES[index % len(SCHEDULES)]
                _talks(assignment, _dates(year, schedule, today), rng)


def _talks(assignment: CoachAssignment, dates: list, rng: random.Random) -> None:
    goal = (
        assignment.teacher.goals.filter(school_year=assignment.school_year)
        .exclude(status="withdrawn")
        .order_by("-updated_at")
        .first()
    )
    for number, held_on in enumerate(dates):
        kind, notes, steps = TALKS[(number + assignment.teacher_id) % len(TALKS)]
        conversation = services.conversation_log(
            coach=assignment.coach,
            teacher=assignment.teacher,
            held_on=held_on,
            kind=kind,
            notes=notes,
            next_steps=steps,
            goal=goal,
        )
        is_last = number == len(dates) - 1
        for step in conversation.next_steps.all():
            # Earlier steps are mostly done; the latest conversation's are mostly open.
            if rng.random() < (0.3 if is_last else 0.8):
                actor = assignment.teacher if rng.random() < 0.7 else assignment.coach
                services.next_step_toggle(step=step, actor=actor, done=True)
        if not is_last and rng.random() < 0.5:
            services.conversation_reflect(
                conversation=conversation,
                teacher=assignment.teacher,
                text="Seeing it from the students' side helped. I will keep the routine short "
                "and check in with the quiet partners first.",
            )
