"""Tier evidence pages: open a tier, write a draft (autosaved), check and submit, recall."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from goals.permissions import get_goal_for_viewer_or_404
from pplearn.access_log import evidence_view_record

from . import selectors, services
from .forms import ArtifactForm, ResourceForm, SubmissionForm
from .models import TIER_NAMES, Artifact, Submission
from .permissions import get_submission_for_author_or_404, get_submission_for_viewer_or_404
from .rules import requirement_for, requirement_for_tier, submission_problems


def _tier_context(goal, tier: int) -> dict:
    district = goal.school.district
    return {
        "requirement": requirement_for_tier(district=district, tier=tier),
        "rubric": selectors.rubric_for_tier(district=district, tier=tier),
        "tier_name": TIER_NAMES[tier],
    }


@login_required
def tier_start(request: HttpRequest, goal_pk: int, tier: int) -> HttpResponse:
    """Show what a tier asks for and open it; go to the live version if there is one."""
    goal = get_goal_for_viewer_or_404(request.user, goal_pk)
    if goal.teacher_id != request.user.pk or tier not in (1, 2, 3, 4):
        raise Http404
    states = {s.tier: s for s in selectors.tier_overview(goal)}
    live = states[tier].submission
    if live is not None:
        return redirect(_submission_url(live))
    if request.method == "POST":
        try:
            submission = services.submission_start(goal=goal, tier=tier, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(goal)
        return redirect("evidence:submission_edit", pk=submission.pk)
    problem = services.tier_open_problem(goal, tier)
    context = {"goal": goal, "tier": tier, "problem": problem, **_tier_context(goal, tier)}
    return render(request, "evidence/tier_start.html", context)


def _submission_url(submission: Submission) -> str:
    if submission.is_editable:
        from django.urls import reverse

        return reverse("evidence:submission_edit", args=[submission.pk])
    return submission.get_absolute_url()


@login_required
def submission_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft: the tier's fields, resources, files and links. Works without JavaScript."""
    submission = get_submission_for_author_or_404(request.user, pk)
    if not submission.is_editable:
        return redirect(submission)
    requirement = requirement_for(submission)
    form = SubmissionForm(request.POST or None, instance=submission, requirement=requirement)
    if request.method == "POST" and form.is_valid():
        services.submission_save_draft(
            submission=submission, actor=request.user, data=form.changed_data_for_service()
        )
        if "check" in request.POST:
            return redirect("evidence:submission_submit", pk=submission.pk)
        messages.success(request, "Draft saved.")
        return redirect("evidence:submission_edit", pk=submission.pk)
    return render_submission_edit(request, submission, form=form)


def render_submission_edit(
    request: HttpRequest,
    submission: Submission,
    *,
    form: SubmissionForm | None = None,
    resource_form: ResourceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The draft page; a refused resource comes back with what the teacher typed."""
    page = selectors.submission_for_page(submission)
    if form is None:
        form = SubmissionForm(instance=page, requirement=requirement_for(page))
    context = {
        "submission": page,
        "goal": page.goal,
        "form": form,
        "resource_form": resource_form or ResourceForm(),
        "artifact_forms": _artifact_forms(page),
        **_tier_context(page.goal, page.tier),
    }
    return render(request, "evidence/submission_edit.html", context, status=status)


def _artifact_forms(submission: Submission) -> dict[str, ArtifactForm]:
    purposes = {
        1: [],
        2: [Artifact.Purpose.ARTIFACT],
        3: [Artifact.Purpose.DATA],
        4: [Artifact.Purpose.PLAN],
    }[submission.tier]
    forms = {p.value: ArtifactForm(initial={"purpose": p.value}, prefix=p.value) for p in purposes}
    video = Artifact.Purpose.REFLECTION_VIDEO
    forms[video.value] = ArtifactForm(initial={"purpose": video.value}, prefix=video.value)
    return forms


@csrf_exempt
@require_POST
def submission_autosave(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the draft in the background (htmx); 401 tells the page the session expired."""
    if not request.user.is_authenticated:
        # Answered before the CSRF check: a browser whose session expired (or whose cookies
        # were cleared) has lost its CSRF cookie too, and would otherwise get a bare 403.
        # Nothing is read or written for a signed-out request.
        return HttpResponse(
            "You were signed out. Sign in again: what you typed is kept on this device.",
            status=401,
        )
    return _autosave(request, pk)


@csrf_protect
def _autosave(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_for_author_or_404(request.user, pk)
    if not submission.is_editable:
        return HttpResponse("This evidence is no longer a draft.", status=409)
    form = SubmissionForm(
        request.POST, instance=submission, requirement=requirement_for(submission)
    )
    if not form.is_valid():
        return HttpResponse(
            "Not saved: "
            + "; ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()),
            status=422,
        )
    services.submission_save_draft(
        submission=submission,
        actor=request.user,
        data=form.changed_data_for_service(),
        autosave=True,
    )
    html = render_to_string(
        "evidence/_autosave_status.html", {"submission": submission}, request=request
    )
    return HttpResponse(html)


@login_required
def submission_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Check the draft against the tier's rules, then submit it when the teacher confirms."""
    submission = get_submission_for_author_or_404(request.user, pk)
    if not submission.is_editable:
        return redirect(submission)
    page = selectors.submission_for_page(submission)
    if request.method == "POST":
        try:
            services.submission_submit(submission=submission, actor=request.user)
        except ValidationError as exc:
            messages.error(request, "Not submitted yet: " + " ".join(exc.messages))
            return redirect("evidence:submission_submit", pk=submission.pk)
        messages.success(
            request,
            f"Tier {submission.tier} submitted for review. You can recall it until a "
            "reviewer opens it.",
        )
        return redirect(submission)
    context = {
        "submission": page,
        "goal": page.goal,
        "problems": submission_problems(page),
        **_tier_context(page.goal, page.tier),
    }
    return render(request, "evidence/submission_submit.html", context)


@login_required
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_for_viewer_or_404(request.user, pk)
    is_author = submission.goal.teacher_id == request.user.pk
    if is_author and submission.is_editable:
        return redirect("evidence:submission_edit", pk=submission.pk)
    page = selectors.submission_for_page(submission)
    evidence_view_record(viewer=request.user, submission=submission)
    context = {
        "submission": page,
        "goal": page.goal,
        "is_author": is_author,
        "versions": selectors.submission_versions(page),
        **_tier_context(page.goal, page.tier),
    }
    if page.rubric is not None:
        # Submitted evidence is scored against the guide in force when it was submitted.
        context["rubric"] = page.rubric
    return render(request, "evidence/submission_detail.html", context)


@login_required
@require_POST
def submission_recall(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_for_author_or_404(request.user, pk)
    try:
        services.submission_recall(submission=submission, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(submission)
    messages.success(request, "Recalled. It is a draft again; submit it when you are ready.")
    return redirect("evidence:submission_edit", pk=submission.pk)


@login_required
@require_POST
def submission_revise(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_for_author_or_404(request.user, pk)
    try:
        copy = services.submission_revise(submission=submission, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect(submission)
    messages.success(
        request, f"Version {copy.version} started from your returned evidence. Revise and submit."
    )
    return redirect("evidence:submission_edit", pk=copy.pk)
