"""Who may see and change goals. Goals out of reach answer 404, never 403."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404

from pplearn.models import Role, School

from .models import Goal


def get_goal_for_viewer_or_404(user, pk: int, queryset: QuerySet[Goal] | None = None) -> Goal:
    """The goal, with what its pages show, when the user may see it; 404 otherwise.

    Visibility is one EXISTS on the goal's row: no DISTINCT over the joined rows, so
    PostgreSQL plans it in about half the time (issue 8).
    """
    if queryset is None:
        queryset = Goal.objects.select_related(
            "teacher", "school", "school__district", "school_year", "approved_by"
        )
    visible = Goal.objects.visible_to(user).order_by().filter(pk=OuterRef("pk"))
    return get_object_or_404(queryset.filter(Exists(visible)), pk=pk)


def can_edit_goal(user, goal: Goal) -> bool:
    """Only the goal's teacher edits it, and only while it is a draft or returned."""
    if user.pk != goal.teacher_id:
        return False
    return goal.is_editable


def can_approve_goal(user, goal: Goal) -> bool:
    """A principal of the goal's school or a coordinator serving it; never its own teacher."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.pk == goal.teacher_id:
        return False
    return can_approve_at(user, goal.school)


def can_approve_at(user, school: School) -> bool:
    if user.has_role(Role.PRINCIPAL, school):
        return True
    return user.has_role(Role.COORDINATOR, school)


def is_assigned_coach(user, goal: Goal) -> bool:
    from coaching.models import CoachAssignment

    return CoachAssignment.objects.filter(
        coach=user, teacher_id=goal.teacher_id, school_year_id=goal.school_year_id
    ).exists()


def can_comment_on_goal(user, goal: Goal) -> bool:
    """The teacher, collaborators, the assigned coach and the approvers talk on a goal."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.pk == goal.teacher_id:
        return True
    if goal.collaborators.filter(pk=user.pk).exists():
        return True
    if can_approve_goal(user, goal):
        return True
    return is_assigned_coach(user, goal)
