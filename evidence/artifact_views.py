"""Resources, files and links of a draft, and the permission-checked download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from pplearn.access_log import evidence_view_record

from . import services
from .forms import ArtifactForm, ResourceForm
from .models import LearningResource
from .permissions import get_artifact_for_viewer_or_404, get_submission_for_author_or_404

# Shown in the page (images, video, audio, PDF); everything else downloads.
INLINE_KINDS = {"image", "video", "audio", "pdf"}


def _back(submission, anchor: str) -> HttpResponse:
    return redirect(reverse("evidence:submission_edit", args=[submission.pk]) + anchor)


@login_required
@require_POST
def resource_add(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_for_author_or_404(request.user, pk)
    form = ResourceForm(request.POST)
    if not form.is_valid():
        from .views import render_submission_edit

        # Show the page again with the errors beside the fields and what was typed kept.
        messages.error(request, "The resource was not added: see the form below.")
        return render_submission_edit(request, submission, resource_form=form, status=422)
    try:
        services.resource_save(submission=submission, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Added “{form.cleaned_data['title']}”.")
    return _back(submission, "#resources")


@login_required
@require_POST
def resource_remove(request: HttpRequest, pk: int) -> HttpResponse:
    resource = get_object_or_404(LearningResource, pk=pk)
    submission = get_submission_for_author_or_404(request.user, resource.submission_id)
    try:
        services.resource_remove(resource=resource, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Removed “{resource.title}”.")
    return _back(submission, "#resources")


@login_required
@require_POST
def artifact_add(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_for_author_or_404(request.user, pk)
    prefix = request.POST.get("prefix", "")
    form = ArtifactForm(request.POST, request.FILES, prefix=prefix or None)
    anchor = f"#{prefix or 'files'}"
    if not form.is_valid():
        messages.error(
            request,
            "Nothing was attached: "
            + " ".join(" ".join(errors) for errors in form.errors.values()),
        )
        return _back(submission, anchor)
    data = form.cleaned_data
    try:
        artifact = services.artifact_add(
            submission=submission,
            actor=request.user,
            purpose=data["purpose"],
            upload=data.get("upload"),
            url=data.get("url") or "",
            title=data.get("title") or "",
            shows_students=data.get("shows_students", False),
        )
    except ValidationError as exc:
        messages.error(request, "Nothing was attached: " + " ".join(exc.messages))
    else:
        pending = artifact.scan_status == artifact.ScanStatus.PENDING
        messages.success(
            request,
            f"Attached “{artifact}”."
            + (
                " It opens once the virus check is done, usually within a minute."
                if pending
                else ""
            ),
        )
    return _back(submission, anchor)


@login_required
@require_POST
def artifact_remove(request: HttpRequest, pk: int) -> HttpResponse:
    artifact = get_artifact_for_viewer_or_404(request.user, pk)
    submission = get_submission_for_author_or_404(request.user, artifact.submission_id)
    try:
        services.artifact_remove(artifact=artifact, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Removed “{artifact}”.")
    return _back(submission, "#files")


@login_required
@require_GET
def artifact_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Serve a stored file to someone allowed to see it; never from a public URL."""
    artifact = get_artifact_for_viewer_or_404(request.user, pk)
    if artifact.is_link:
        raise Http404
    if artifact.is_held_by_scan:
        return _scan_hold(request, artifact)
    # Anyone but the author opening a file is recorded; principals read it in the access log.
    evidence_view_record(viewer=request.user, submission=artifact.submission, artifact=artifact)
    return artifact_file_response(request, artifact, fallback_name="evidence")


def artifact_file_response(request: HttpRequest, artifact, *, fallback_name: str) -> HttpResponse:
    """Stream a stored file privately, so that nothing it contains can run in the site."""
    from .uploads import content_disposition

    inline = artifact.kind in INLINE_KINDS and request.GET.get("download") is None
    try:
        handle = artifact.file.open("rb")
    except FileNotFoundError:
        raise Http404("The stored file is missing") from None
    response = FileResponse(handle, content_type=artifact.content_type)
    response["Content-Disposition"] = content_disposition(
        artifact.original_name or fallback_name, inline=inline
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=0, no-store"
    if artifact.kind != "pdf":
        # Nothing a stored file contains may run. django-csp leaves a set header alone.
        response["Content-Security-Policy"] = (
            "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
        )
    else:
        # Chromium's PDF viewer is refused by the site policy (object-src 'none'), so a PDF
        # goes without one, as csp.decorators.csp_exempt would mark the whole view.
        response._csp_exempt = True
    return response


def _scan_hold(request: HttpRequest, artifact) -> HttpResponse:
    """Say why a file cannot be opened yet (409: its state, not the person, is the reason)."""
    submission = artifact.submission
    is_author = request.user.pk == submission.goal.teacher_id
    back_url = (
        reverse("evidence:submission_edit", args=[submission.pk]) + "#files"
        if is_author and submission.is_editable
        else submission.get_absolute_url()
    )
    response = render(
        request,
        "evidence/artifact_scan_hold.html",
        {"artifact": artifact, "is_author": is_author, "back_url": back_url},
        status=409,
    )
    # A pending file becomes available soon: never let a cache keep this page.
    response["Cache-Control"] = "private, max-age=0, no-store"
    if artifact.scan_status == artifact.ScanStatus.PENDING:
        response["Retry-After"] = "30"
    return response


@login_required
@require_POST
def artifact_privacy(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark or unmark an artifact as showing students (the author, at any time)."""
    artifact = get_artifact_for_viewer_or_404(request.user, pk)
    submission = get_submission_for_author_or_404(request.user, artifact.submission_id)
    shows = request.POST.get("shows_students") == "1"
    services.artifact_set_shows_students(
        artifact=artifact, actor=request.user, shows_students=shows
    )
    messages.success(
        request,
        f"“{artifact}” is marked as showing students: only you, your coach and reviewers see it."
        if shows
        else f"“{artifact}” is no longer marked as showing students.",
    )
    if submission.is_editable:
        return _back(submission, "#files")
    return redirect(submission)
