"""Every change to coaching: checked, audited, notified.

The notes, the next steps and the teacher's reflection are private to the coach and the
teacher. The audit log and notifications are read by others (principals read the audit
log), so they say only that something happened, never what was written.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dashboards.rollups import rollup_refresh_teacher
from goals.models import Goal
from pplearn.audit import audit_record
from pplearn.models import Role, School, SchoolYear, User
from pplearn.notifications import notify

from .models import CoachAssignment, Conversation, NextStep
from .permissions import (
    can_edit_conversation,
    can_manage_assignments_at,
    can_reflect_on,
    is_participant,
)

NEXT_STEP_MAX_LENGTH = NextStep._meta.get_field("text").max_length
NEXT_STEPS_MAX = 20
REFLECTION_MAX_LENGTH = 5000
NOTES_MAX_LENGTH = 20000


def _assignment_check(*, coach: User, teacher: User, school: School, school_year: SchoolYear):
    if school_year.district_id != school.district_id:
        raise ValidationError("That school year belongs to another district.", code="school_year")
    if coach.pk == teacher.pk:
        raise ValidationError("A teacher cannot be their own coach.", code="self")
    if not (coach.is_active and coach.has_role(Role.COACH, school)):
        raise ValidationError(f"{coach} is not a coach at {school}.", code="coach")
    if not (teacher.is_active and teacher.has_role(Role.TEACHER, school)):
        raise ValidationError(f"{teacher} is not a teacher at {school}.", code="teacher")
    # Coaching is non-evaluative: whoever approves goals or scores evidence at the school
    # must not also be the coach who reads the teacher's private notes.
    if can_manage_assignments_at(coach, school):
        raise ValidationError(
            f"{coach} approves goals or scores evidence at {school}: a coach must not "
            "evaluate the teachers they coach.",
            code="evaluator",
        )


def assignment_create(
    *, actor: User, coach: User, teacher: User, school: School, school_year: SchoolYear
) -> CoachAssignment:
    """Make coach the coach of teacher at school for school_year."""
    if not can_manage_assignments_at(actor, school):
        raise PermissionDenied("Only a principal or coordinator of this school assigns coaches.")
    _assignment_check(coach=coach, teacher=teacher, school=school, school_year=school_year)
    with transaction.atomic():
        existing = CoachAssignment.objects.filter(
            coach=coach, teacher=teacher, school_year=school_year
        ).first()
        if existing is not None:
            raise ValidationError(
                f"{coach} already coaches {teacher} in {school_year}.", code="duplicate"
            )
        assignment = CoachAssignment.objects.create(
            coach=coach, teacher=teacher, school=school, school_year=school_year, created_by=actor
        )
        audit_record(
            actor=actor,
            verb="coaching.assignment_create",
            target=assignment,
            district=school.district,
            data={
                "coach": coach.pk,
                "teacher": teacher.pk,
                "school": school.pk,
                "school_year": school_year.pk,
            },
        )
    return assignment


def assignment_remove(
    *, actor: User, coach: User, teacher: User, school: School, school_year: SchoolYear
) -> None:
    """End the assignment; the conversations already held stay with coach and teacher."""
    if not can_manage_assignments_at(actor, school):
        raise PermissionDenied("Only a principal or coordinator of this school assigns coaches.")
    with transaction.atomic():
        assignment = (
            CoachAssignment.objects.select_for_update()
            .filter(coach=coach, teacher=teacher, school=school, school_year=school_year)
            .first()
        )
        if assignment is None:
            raise ValidationError(
                f"{coach} does not coach {teacher} at {school} in {school_year}.",
                code="missing",
            )
        audit_record(
            actor=actor,
            verb="coaching.assignment_remove",
            target=assignment,
            district=school.district,
            data={
                "coach": coach.pk,
                "teacher": teacher.pk,
                "school": school.pk,
                "school_year": school_year.pk,
            },
        )
        assignment.delete()


def _clean_steps(next_steps: Iterable[str]) -> list[str]:
    steps = [" ".join(text.split()) for text in next_steps]
    steps = [text for text in steps if text]
    if len(steps) > NEXT_STEPS_MAX:
        raise ValidationError(
            f"Agree on at most {NEXT_STEPS_MAX} next steps at a time.", code="next_steps"
        )
    if any(len(text) > NEXT_STEP_MAX_LENGTH for text in steps):
        raise ValidationError(
            f"Keep each next step under {NEXT_STEP_MAX_LENGTH} characters.", code="next_steps"
        )
    return steps


def _fields_check(*, kind: str, notes: str, held_on: datetime.date) -> None:
    if kind not in Conversation.Kind.values:
        raise ValidationError("Choose what kind of conversation it was.", code="kind")
    if len(notes) > NOTES_MAX_LENGTH:
        raise ValidationError(
            f"Keep the notes under {NOTES_MAX_LENGTH:,} characters.", code="notes"
        )
    if held_on > timezone.localdate():
        raise ValidationError("A conversation cannot be logged ahead of time.", code="held_on")


def _goal_check(goal: Goal | None, *, teacher: User, school_year: SchoolYear) -> None:
    if goal is None:
        return
    if goal.teacher_id != teacher.pk or goal.school_year_id != school_year.pk:
        raise ValidationError(f"Choose one of {teacher}'s goals of {school_year}.", code="goal")


def _conversation_url(conversation: Conversation) -> str:
    return reverse("coaching:conversation_detail", args=[conversation.pk])


def conversation_log(
    *,
    coach: User,
    teacher: User,
    held_on: datetime.date,
    kind: str,
    notes: str,
    next_steps: list[str],
    goal: Goal | None = None,
) -> Conversation:
    """Record a conversation the coach held with a teacher they coach that school year."""
    if not coach.is_active:
        raise PermissionDenied("Only an assigned coach logs a conversation.")
    assignments = CoachAssignment.objects.filter(coach=coach, teacher=teacher).select_related(
        "school_year", "school__district"
    )
    assignment = assignments.filter(
        school_year__start_date__lte=held_on, school_year__end_date__gte=held_on
    ).first()
    if assignment is None:
        if assignments.exists():
            raise ValidationError(
                f"On that date you did not coach {teacher}: choose a date in a school year "
                "you coach them.",
                code="held_on",
            )
        raise PermissionDenied("Only an assigned coach logs a conversation.")
    school_year = assignment.school_year
    notes = notes.strip()
    _fields_check(kind=kind, notes=notes, held_on=held_on)
    _goal_check(goal, teacher=teacher, school_year=school_year)
    steps = _clean_steps(next_steps)
    with transaction.atomic():
        conversation = Conversation.objects.create(
            coach=coach,
            teacher=teacher,
            goal=goal,
            school_year=school_year,
            held_on=held_on,
            kind=kind,
            notes=notes,
        )
        NextStep.objects.bulk_create(
            NextStep(conversation=conversation, text=text, position=index)
            for index, text in enumerate(steps)
        )
        rollup_refresh_teacher(teacher_id=teacher.pk, school_year_id=school_year.pk)
        audit_record(
            actor=coach,
            verb="coaching.conversation_log",
            target=conversation,
            district=assignment.school.district,
            data={
                "coach": coach.pk,
                "teacher": teacher.pk,
                "held_on": held_on.isoformat(),
                "kind": kind,
                "goal": goal.pk if goal else None,
                "next_steps": len(steps),
            },
        )
        notify(
            recipients=[teacher],
            actor=coach,
            verb="coaching.conversation_log",
            message=f"{coach} logged your {conversation.get_kind_display().lower()} of "
            f"{held_on:%b} {held_on.day}, with {len(steps)} next "
            f"step{'' if len(steps) == 1 else 's'}.",
            url=_conversation_url(conversation),
        )
    return conversation


def conversation_update(
    *,
    conversation: Conversation,
    actor: User,
    held_on: datetime.date,
    kind: str,
    notes: str,
    next_steps: list[str],
    goal: Goal | None = None,
) -> Conversation:
    """Save the coach's changes; next steps kept by their text keep their ticks."""
    if not can_edit_conversation(actor, conversation):
        raise PermissionDenied("Only the coach who logged the conversation edits it.")
    school_year = conversation.school_year
    notes = notes.strip()
    _fields_check(kind=kind, notes=notes, held_on=held_on)
    if not school_year.start_date <= held_on <= school_year.end_date:
        raise ValidationError(
            f"Choose a date in {school_year} ({school_year.start_date:%b} "
            f"{school_year.start_date.day}, {school_year.start_date.year} to "
            f"{school_year.end_date:%b} {school_year.end_date.day}, {school_year.end_date.year}).",
            code="held_on",
        )
    _goal_check(goal, teacher=conversation.teacher, school_year=school_year)
    wanted = _clean_steps(next_steps)
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        changed = [
            name
            for name, value in (
                ("held_on", held_on),
                ("kind", kind),
                ("notes", notes),
                ("goal_id", goal.pk if goal else None),
            )
            if getattr(locked, name) != value
        ]
        conversation.held_on, conversation.kind, conversation.notes = held_on, kind, notes
        conversation.goal = goal
        conversation.save(update_fields=["held_on", "kind", "notes", "goal", "updated_at"])
        added, removed = _steps_replace(conversation, wanted)
        rollup_refresh_teacher(
            teacher_id=conversation.teacher_id, school_year_id=conversation.school_year_id
        )
        audit_record(
            actor=actor,
            verb="coaching.conversation_update",
            target=conversation,
            district=school_year.district,
            data={
                "fields": sorted(name.removesuffix("_id") for name in changed),
                "next_steps_added": added,
                "next_steps_removed": removed,
            },
        )
    return conversation


def _steps_replace(conversation: Conversation, wanted: list[str]) -> tuple[int, int]:
    """Make the steps match `wanted`, in order; a step whose text stays keeps its tick."""
    existing: dict[str, list[NextStep]] = {}
    for step in conversation.next_steps.select_for_update().order_by("position", "pk"):
        existing.setdefault(step.text, []).append(step)
    keep, create = [], []
    for position, text in enumerate(wanted):
        same = existing.get(text)
        if same:
            step = same.pop(0)
            step.position = position
            keep.append(step)
        else:
            create.append(NextStep(conversation=conversation, text=text, position=position))
    gone = [step.pk for steps in existing.values() for step in steps]
    NextStep.objects.filter(pk__in=gone).delete()
    NextStep.objects.bulk_update(keep, ["position"])
    NextStep.objects.bulk_create(create)
    return len(create), len(gone)


def next_step_toggle(*, step: NextStep, actor: User, done: bool | None = None) -> NextStep:
    """Tick a next step off, or untick it; `done` sets the state, None flips it."""
    conversation = step.conversation
    if not is_participant(actor, conversation):
        raise PermissionDenied("Only the coach and the teacher tick their next steps.")
    with transaction.atomic():
        locked = NextStep.objects.select_for_update().get(pk=step.pk)
        target = not locked.is_done if done is None else done
        if target == locked.is_done:
            step.done_at, step.done_by_id = locked.done_at, locked.done_by_id
            return step
        step.done_at = timezone.now() if target else None
        step.done_by = actor if target else None
        step.save(update_fields=["done_at", "done_by"])
        # The conversation is the audit target: a step's text is private, and the audit row
        # would otherwise keep it as the target's name.
        audit_record(
            actor=actor,
            verb="coaching.next_step_done" if target else "coaching.next_step_reopen",
            target=conversation,
            district=conversation.school_year.district,
            data={"next_step": step.pk},
        )
    return step


def conversation_reflect(*, conversation: Conversation, teacher: User, text: str) -> Conversation:
    """Save the teacher's own reflection on the conversation and tell the coach."""
    if not can_reflect_on(teacher, conversation):
        raise PermissionDenied("Only the teacher writes their reflection.")
    text = text.strip()
    if not text:
        raise ValidationError("Write your reflection first.", code="required")
    if len(text) > REFLECTION_MAX_LENGTH:
        raise ValidationError(
            f"Keep your reflection under {REFLECTION_MAX_LENGTH:,} characters.", code="length"
        )
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        first = not locked.teacher_reflection
        conversation.teacher_reflection = text
        conversation.save(update_fields=["teacher_reflection", "updated_at"])
        audit_record(
            actor=teacher,
            verb="coaching.conversation_reflect",
            target=conversation,
            district=conversation.school_year.district,
            data={"first": first},
        )
        held_on = conversation.held_on
        notify(
            recipients=[conversation.coach],
            actor=teacher,
            verb="coaching.conversation_reflect",
            message=f"{teacher} {'added' if first else 'updated'} a reflection on your "
            f"{conversation.get_kind_display().lower()} of {held_on:%b} {held_on.day}.",
            url=_conversation_url(conversation),
        )
    return conversation
