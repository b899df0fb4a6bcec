"""The shared library of finished Tier 4 practices: find, open, save, try, publish."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from evidence.artifact_views import artifact_file_response
from goals.models import Goal
from pplearn.audit import audit_record
from pplearn.html import options_html

from . import selectors, services
from .forms import PublishForm, TriedItForm, filters_from
from .models import LibraryEntry
from .permissions import (
    get_artifact_for_library_or_404,
    get_entry_for_author_or_404,
    get_entry_for_viewer_or_404,
    schools_for_recognition,
)

PER_PAGE = 12


@login_required
@require_GET
def entry_list(request: HttpRequest) -> HttpResponse:
    """Search and filter the practices colleagues of the district have shared."""
    filters = filters_from(request.GET)
    entries = selectors.entries_for_library(user=request.user, filters=filters)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    kept = {
        key: value
        for key, value in (
            ("q", filters.q),
            ("system_goal", filters.system_goal or ""),
            ("standard", filters.standard or ""),
            ("grade_band", filters.grade_band),
            ("subject", filters.subject),
            ("school", filters.school or ""),
        )
        if value
    }
    context = {
        "page": page,
        "filters": filters,
        "query": urlencode(kept),
        # A search shows the best of its most recent matches only: say so when it is full.
        "search_capped": connection.vendor == "postgresql"
        and selectors.searches_words(filters.q)
        and page.paginator.count >= selectors.SEARCH_CANDIDATES,
    }
    if request.htmx:
        return render(request, "library/_entry_results.html", context)
    choices = selectors.filter_choices(request.user)
    context |= {
        "choices": choices,
        "school_options": options_html(choices["schools"], filters.school),
    }
    return render(request, "library/entry_list.html", context)


def _detail(request: HttpRequest, entry: LibraryEntry, *, tried_form=None, status=200):
    user = request.user
    entry = selectors.entry_for_page(entry, user=user)
    is_author = entry.author_id == user.pk
    tried = None if is_author else selectors.tried_it_of(entry, user)
    if tried_form is None and not is_author:
        tried_form = TriedItForm(initial={"comment": tried.comment if tried else ""})
    context = {
        "entry": entry,
        "is_author": is_author,
        "tried": tried,
        "tried_form": tried_form,
        "comments": list(selectors.tried_comments(entry)) if is_author else None,
    }
    return render(request, "library/entry_detail.html", context, status=status)


@login_required
@require_GET
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_entry_for_viewer_or_404(request.user, pk)
    return _detail(request, entry)


@login_required
def entry_publish(request: HttpRequest, goal_pk: int) -> HttpResponse:
    """The author chooses what to share of a goal whose Tier 4 has passed."""
    # Only the goal's teacher may share it: anyone else gets the same 404 as for a goal they
    # cannot see. The form shows the goal's title and school: nothing else of it is joined.
    goal = get_object_or_404(
        Goal.objects.select_related("school"), pk=goal_pk, teacher=request.user
    )
    problem = services.publish_problem(goal, request.user)
    if problem:
        messages.error(request, problem)
        return redirect(goal)
    entry = LibraryEntry.objects.filter(goal=goal).first()
    form = PublishForm(request.POST or None, goal=goal, entry=entry)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.entry_publish(goal=goal, actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Your practice is in the library for your colleagues.")
            return redirect(entry)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "library/entry_form.html",
        {"form": form, "goal": goal, "entry": entry},
        status=status,
    )


@login_required
@require_GET
def entry_mine(request: HttpRequest) -> HttpResponse:
    """The author's entries with who saved and tried them."""
    entries = list(selectors.entries_of_author(user=request.user))
    return render(request, "library/entry_mine.html", {"entries": entries})


@login_required
@require_POST
def entry_unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_entry_for_author_or_404(request.user, pk)
    try:
        services.entry_unpublish(entry=entry, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{entry}” is out of the library; only you can see it.")
    return redirect("library:mine")


@login_required
@require_POST
def entry_republish(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_entry_for_author_or_404(request.user, pk)
    try:
        services.entry_republish(entry=entry, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, f"“{entry}” is back in the library.")
    return redirect("library:mine")


@login_required
@require_POST
def bookmark_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Save or unsave; an htmx request gets the button back, others the page."""
    entry = get_entry_for_viewer_or_404(request.user, pk)
    try:
        saved = services.bookmark_toggle(entry=entry, actor=request.user)
    except PermissionDenied:
        raise Http404 from None
    if request.htmx:
        return render(
            request, "library/_bookmark_button.html", {"entry": entry, "is_bookmarked": saved}
        )
    messages.success(request, "Saved to your list." if saved else "Removed from your list.")
    return redirect(_safe_next(request, entry.get_absolute_url()))


def _safe_next(request: HttpRequest, default: str) -> str:
    wanted = request.POST.get("next", "")
    # Only a path of this site: never an absolute or protocol-relative address.
    if wanted.startswith("/library/") and not wanted.startswith("//"):
        return wanted
    return default


@login_required
@require_POST
def tried_it(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_entry_for_viewer_or_404(request.user, pk)
    form = TriedItForm(request.POST)
    if not form.is_valid():
        return _detail(request, entry, tried_form=form, status=422)
    try:
        services.tried_it_record(
            entry=entry, actor=request.user, comment=form.cleaned_data["comment"]
        )
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, "Thank you: the author sees that you tried it.")
    return redirect(reverse("library:detail", args=[entry.pk]) + "#tried")


@login_required
@require_GET
def entry_saved(request: HttpRequest) -> HttpResponse:
    """The entries the user saved."""
    page = Paginator(selectors.entries_bookmarked(user=request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "library/entry_saved.html", {"page": page, "query": ""})


@login_required
@require_GET
def artifact_download(request: HttpRequest, pk: int, artifact_pk: int) -> HttpResponse:
    """Serve a file of a published entry to a colleague of the district; audited."""
    artifact = get_artifact_for_library_or_404(request.user, pk, artifact_pk)
    if artifact.is_held_by_scan:
        # Not yet found clean by the virus scan (evidence.scanning): never served.
        raise Http404("This file is not available")
    entry = artifact.library_entry
    if request.user.pk != entry.author_id:
        audit_record(
            actor=request.user,
            verb="library.artifact_download",
            target=artifact,
            district=entry.district,
            data={"entry": entry.pk},
        )
    return artifact_file_response(request, artifact, fallback_name="practice")


@login_required
@require_GET
def school_recognition(request: HttpRequest) -> HttpResponse:
    """The principal sees which of their teachers' practices colleagues save and try."""
    schools = schools_for_recognition(request.user)
    if not schools:
        raise Http404("Only principals see their school's recognition.")
    wanted = request.GET.get("school")
    school = next((s for s in schools if str(s.pk) == wanted), schools[0])
    entries = list(selectors.entries_of_school(school=school))
    return render(
        request,
        "library/school_recognition.html",
        {"school": school, "schools": schools, "entries": entries},
    )
