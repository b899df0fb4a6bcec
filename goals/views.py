"""Goal pages: the teacher's goals, the guided form, the goal page, approvals."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from evidence.selectors import tier_overview
from pplearn.models import Role

from . import selectors, services
from .forms import CarryForwardForm, CommentForm, GoalForm, TargetTierForm, TransitionForm
from .models import Goal
from .permissions import (
    can_approve_goal,
    can_comment_on_goal,
    can_edit_goal,
    get_goal_for_viewer_or_404,
)


def _require_teacher(user) -> None:
    if not user.has_role(Role.TEACHER):
        raise Http404("Only teachers have goals.")


@login_required
def goal_list(request: HttpRequest) -> HttpResponse:
    """The teacher's goals of every school year."""
    _require_teacher(request.user)
    goals = selectors.goals_with_tiers(selectors.goals_for_teacher(teacher=request.user))
    return render(request, "goals/goal_list.html", {"goals": goals})


@login_required
def goal_create(request: HttpRequest) -> HttpResponse:
    _require_teacher(request.user)
    district = request.user.district
    school_year = district.current_school_year() if district else None
    if school_year is None:
        messages.error(
            request,
            "Your district has no current school year yet. Ask your "
            "district administrator to set one up.",
        )
        return redirect("home")
    form = GoalForm(request.POST or None, teacher=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            goal = services.goal_create(
                teacher=request.user,
                school=form.cleaned_data["school"],
                school_year=school_year,
                **form.service_kwargs(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _after_save(request, goal)
    return render(
        request, "goals/goal_form.html", {"form": form, "goal": None, "school_year": school_year}
    )


@login_required
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    goal = get_goal_for_viewer_or_404(request.user, pk)
    if not can_edit_goal(request.user, goal):
        if goal.teacher_id == request.user.pk:
            messages.info(request, "This goal can no longer be edited.")
            return redirect(goal)
        raise Http404
    form = GoalForm(request.POST or None, instance=goal, teacher=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_update(goal=goal, actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _after_save(request, goal)
    return render(
        request,
        "goals/goal_form.html",
        {"form": form, "goal": goal, "school_year": goal.school_year},
    )


def _after_save(request: HttpRequest, goal: Goal) -> HttpResponse:
    if "propose" in request.POST:
        try:
            services.goal_propose(goal=goal, actor=request.user)
        except ValidationError as exc:
            messages.warning(request, "Saved as a draft. " + " ".join(exc.messages))
            return redirect("goals:goal_edit", pk=goal.pk)
        messages.success(request, "Proposed. Your principal or coordinator will review it.")
        return redirect(goal)
    messages.success(request, "Draft saved.")
    return redirect(goal)


@login_required
def goal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    goal = get_goal_for_viewer_or_404(request.user, pk, selectors.goal_for_page_queryset())
    user = request.user
    is_teacher = goal.teacher_id == user.pk
    context = {
        "goal": goal,
        "is_teacher": is_teacher,
        "can_edit": can_edit_goal(user, goal),
        "can_decide": goal.status == Goal.Status.PROPOSED and can_approve_goal(user, goal),
        "can_comment": can_comment_on_goal(user, goal),
        "missing": services.goal_missing_for_proposal(goal) if goal.is_editable else [],
        "history": selectors.goal_history(goal=goal),
        "comments": selectors.goal_comments(goal=goal),
        "comment_form": CommentForm(),
        "tiers": tier_overview(goal),
    }
    if is_teacher and goal.is_open:
        context["tier_form"] = TargetTierForm(initial={"target_tier": goal.target_tier})
        carry = CarryForwardForm(goal=goal)
        if carry.fields["school_year"].queryset.exists() and not hasattr(goal, "carried_to"):
            context["carry_form"] = carry
    return render(request, "goals/goal_detail.html", context)


TRANSITIONS = {
    "propose": (services.goal_propose, "Proposed. Your principal or coordinator will review it."),
    "approve": (services.goal_approve, "Approved. The teacher can start Tier 1."),
    "request_changes": (
        services.goal_request_changes,
        "Sent back to the teacher with your comment.",
    ),
    "withdraw": (services.goal_withdraw, "The goal is withdrawn. It stays in your record."),
    "complete": (services.goal_complete, "The goal is closed as complete."),
}


@login_required
@require_POST
def goal_transition(request: HttpRequest, pk: int) -> HttpResponse:
    goal = get_goal_for_viewer_or_404(request.user, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Unknown action.")
        return redirect(goal)
    action = form.cleaned_data["action"]
    service, done = TRANSITIONS[action]
    kwargs = {"goal": goal, "actor": request.user}
    if action != "propose":
        kwargs["comment"] = form.cleaned_data["comment"]
    try:
        service(**kwargs)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        # Stay on the goal page, where the comment box is, so the approver can fix it.
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
        if action in ("approve", "request_changes") and "next" in request.POST:
            return redirect("goals:approval_list")
    return redirect(goal)


@login_required
@require_POST
def goal_target_tier(request: HttpRequest, pk: int) -> HttpResponse:
    goal = get_goal_for_viewer_or_404(request.user, pk)
    form = TargetTierForm(request.POST)
    if form.is_valid():
        try:
            services.goal_change_target_tier(
                goal=goal, actor=request.user, target_tier=form.cleaned_data["target_tier"]
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Your target is now Tier {goal.target_tier}.")
    else:
        messages.error(request, "Choose a tier from 1 to 4.")
    return redirect(goal)


@login_required
@require_POST
def goal_carry_forward(request: HttpRequest, pk: int) -> HttpResponse:
    goal = get_goal_for_viewer_or_404(request.user, pk)
    form = CarryForwardForm(request.POST, goal=goal)
    if not form.is_valid():
        messages.error(request, "Choose a later school year.")
        return redirect(goal)
    try:
        copy = services.goal_carry_forward(
            goal=goal, actor=request.user, school_year=form.cleaned_data["school_year"]
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(goal)
    messages.success(
        request,
        f"Carried into {copy.school_year}. Check its system goals, then propose it again.",
    )
    return redirect("goals:goal_edit", pk=copy.pk)


@login_required
@require_POST
def goal_comment(request: HttpRequest, pk: int) -> HttpResponse:
    goal = get_goal_for_viewer_or_404(request.user, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.goal_comment_add(
                goal=goal, author=request.user, body=form.cleaned_data["body"]
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Comment added.")
    else:
        messages.error(request, "Write a comment first (at most 5,000 characters).")
    return redirect(goal.get_absolute_url() + "#comments")


@login_required
def approval_list(request: HttpRequest) -> HttpResponse:
    """Proposed goals waiting for this principal or coordinator."""
    user = request.user
    if not (user.has_role(Role.PRINCIPAL) or user.has_role(Role.COORDINATOR)):
        raise Http404
    goals = selectors.goals_awaiting_approval(user=user)
    page = Paginator(goals, 25).get_page(request.GET.get("page"))
    return render(request, "goals/approval_list.html", {"page": page})
