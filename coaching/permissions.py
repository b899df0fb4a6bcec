"""Who may see and change coaching. The firewall: a conversation exists only for its coach
and its teacher; to everyone else, leaders and administrators included, it answers 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from goals.models import approvable_schools
from pplearn.models import Role, School, SchoolYear

from .models import CoachAssignment, Conversation, NextStep


def _is_signed_in(user) -> bool:
    return user.is_authenticated and user.is_active


def can_manage_assignments_at(user, school: School) -> bool:
    """The school's principals and the coordinators who serve it."""
    if not _is_signed_in(user):
        return False
    if user.has_role(Role.PRINCIPAL, school):
        return True
    return user.has_role(Role.COORDINATOR, school)


def assignment_schools(user) -> QuerySet[School]:
    """Active schools whose coach assignments the user manages."""
    return approvable_schools(user).filter(is_active=True).order_by("name")


def is_participant(user, conversation: Conversation) -> bool:
    """The conversation's coach or its teacher, and no one else."""
    if not _is_signed_in(user):
        return False
    if user.pk == conversation.coach_id:
        return True
    return user.pk == conversation.teacher_id


def can_edit_conversation(user, conversation: Conversation) -> bool:
    """Only the coach who logged it."""
    if not _is_signed_in(user):
        return False
    return user.pk == conversation.coach_id


def can_reflect_on(user, conversation: Conversation) -> bool:
    """Only the teacher writes their reflection."""
    if not _is_signed_in(user):
        return False
    return user.pk == conversation.teacher_id


def _conversations() -> QuerySet[Conversation]:
    return Conversation.objects.select_related(
        "coach", "teacher", "goal", "school_year", "school_year__district"
    )


def get_conversation_for_participant_or_404(user, pk: int) -> Conversation:
    conversation = get_object_or_404(_conversations(), pk=pk)
    if not is_participant(user, conversation):
        raise Http404("No such conversation")
    return conversation


def get_conversation_for_coach_or_404(user, pk: int) -> Conversation:
    conversation = get_conversation_for_participant_or_404(user, pk)
    if not can_edit_conversation(user, conversation):
        raise Http404("No such conversation")
    return conversation


def get_step_for_participant_or_404(user, pk: int) -> NextStep:
    step = get_object_or_404(NextStep, pk=pk)
    # Through the participant check, so that the step carries the loaded conversation.
    step.conversation = get_conversation_for_participant_or_404(user, step.conversation_id)
    return step


def get_coached_teacher_or_404(user, teacher_pk: int, school_year: SchoolYear) -> CoachAssignment:
    """The user's assignment to coach this teacher this year, or 404."""
    if not _is_signed_in(user):
        raise Http404("No such teacher")
    return get_object_or_404(
        CoachAssignment.objects.select_related("teacher", "school", "school_year"),
        coach=user,
        teacher_id=teacher_pk,
        school_year=school_year,
    )


def get_assignment_for_manager_or_404(user, pk: int) -> CoachAssignment:
    assignment = get_object_or_404(
        CoachAssignment.objects.select_related("coach", "teacher", "school", "school_year"),
        pk=pk,
    )
    if not can_manage_assignments_at(user, assignment.school):
        raise Http404("No such assignment")
    return assignment
