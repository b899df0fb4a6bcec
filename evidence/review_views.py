"""The review queue and the scoring page."""

from __future__ import annotations

import contextlib

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST

from pplearn.access_log import evidence_view_record
from pplearn.html import options_html

from . import review_selectors as selectors
from .models import Submission
from .review_permissions import can_score, get_submission_for_review_or_404, queue_schools
from .review_services import (
    Conflict,
    Score,
    review_record,
    review_token,
    submission_claim,
    submission_open,
    submission_release,
)
from .rules import requirement_for

AGE_CHOICES = [
    ("", "Any age"),
    ("3", "Waiting 3+ days"),
    ("7", "Waiting 7+ days"),
    ("14", "Waiting 14+ days"),
]
CLAIM_CHOICES = [
    ("", "All"),
    ("unclaimed", "Not in review"),
    ("mine", "In review by me"),
    ("others", "In review by others"),
]


class QueueFilterForm(forms.Form):
    # Checked against the page's schools in clean_school, and written by school_options: a
    # choice field would normalize (and copy) a district's 200 choices on every page.
    school = forms.IntegerField(required=False)
    tier = forms.TypedChoiceField(
        choices=[("", "All tiers")] + [(t, f"Tier {t}") for t in (1, 2, 3, 4)],
        coerce=int,
        required=False,
        empty_value=None,
    )
    teacher = forms.CharField(required=False, max_length=100, label="Teacher")
    age = forms.TypedChoiceField(
        choices=AGE_CHOICES, coerce=int, required=False, empty_value=None, label="Waiting"
    )
    claim = forms.ChoiceField(choices=CLAIM_CHOICES, required=False, label="Status")

    def __init__(self, *args, schools: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        # The schools read once by the page: the choices, the check and the queue's scope.
        self.schools = schools
        for name in ("tier", "age", "claim"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["teacher"].widget.attrs.update({"class": "form-control", "type": "search"})

    def clean_school(self) -> int | None:
        school = self.cleaned_data["school"]
        if school is not None and school not in {pk for pk, _ in self.schools}:
            raise ValidationError("Select a valid choice.", code="invalid_choice")
        return school

    def school_options(self) -> str:
        chosen = self.cleaned_data.get("school") if self.is_bound and self.is_valid() else None
        return options_html(self.schools, chosen)

    def filters(self) -> selectors.QueueFilters:
        if not self.is_valid():
            return selectors.QueueFilters()
        data = self.cleaned_data
        return selectors.QueueFilters(
            school_id=data.get("school"),
            tier=data.get("tier"),
            teacher=(data.get("teacher") or "").strip(),
            older_than_days=data.get("age"),
            claim=data.get("claim") or "",
        )


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """Every submitted item of the reviewer's schools, oldest first; htmx refreshes the list."""
    user = request.user
    schools, school_ids = selectors.queue_scope(user=user)
    if not schools:
        raise Http404
    filter_form = QueueFilterForm(request.GET or None, schools=schools)
    filters = filter_form.filters()
    items = selectors.queue_for_reviewer(user=user, filters=filters, school_ids=school_ids)
    # The list's fragment shows no counts: it needs the user's claims only to total a filter.
    tallies = selectors.queue_tallies(
        user=user,
        school_ids=school_ids,
        chosen=filters.school_id,
        with_mine=not request.htmx or filters.claim != "",
    )
    page = CountedPaginator(items, 25, count=tallies.matching(filters)).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filters": filter_form,
        "page": page,
        "query": query.urlencode(),
        "can_score_any": user.has_role("coordinator") or user.has_role("coach"),
    }
    if request.htmx:
        return render(request, "evidence/review/_queue_rows.html", context)
    context |= {
        "counts": tallies.counts(),
        "median": selectors.median_turnaround(user=user, school_ids=school_ids),
    }
    return render(request, "evidence/review/queue.html", context)


class CountedPaginator(Paginator):
    """A paginator told its count when the queue's tallies already know it."""

    def __init__(self, *args, count: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        if self.known_count is not None:
            return self.known_count
        return super().count


class ScoringForm(forms.Form):
    """One on-track / not-yet choice and comment per criterion, and overall feedback."""

    token = forms.CharField(widget=forms.HiddenInput)
    feedback = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Overall feedback to the teacher",
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = [c for c in criteria if not c.is_prerequisite]
        for c in self.criteria:
            self.fields[f"c{c.pk}"] = forms.ChoiceField(
                choices=[("on_track", "On track"), ("not_yet", "Not yet on track")],
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                label=c.title,
                error_messages={"required": f"Score “{c.title}”."},
            )
            self.fields[f"c{c.pk}_comment"] = forms.CharField(
                required=False,
                label=f"Comment on {c.title}",
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self):
        for c in self.criteria:
            yield c, self[f"c{c.pk}"], self[f"c{c.pk}_comment"]

    def scores(self) -> dict[int, Score]:
        return {
            c.pk: Score(
                on_track=self.cleaned_data[f"c{c.pk}"] == "on_track",
                comment=self.cleaned_data[f"c{c.pk}_comment"],
            )
            for c in self.criteria
        }


@login_required
def review_score(request: HttpRequest, pk: int) -> HttpResponse:
    """The scoring page: the whole submission, the goal, earlier feedback, the rubric.

    The submission is read once with all it shows and handed to the permission checks,
    the services and the template (issue 8: 23 queries before, the same data read up to
    four times).
    """
    user = request.user
    page = get_submission_for_review_or_404(user, pk, queryset=selectors.scoring_queryset())
    scorer = can_score(user, page)
    if not scorer and not queue_schools(user).filter(pk=page.goal.school_id).exists():
        raise Http404
    # A decided submission opens as the teacher's page; a form posted to it is a conflict.
    if page.status != Submission.Status.SUBMITTED and request.method != "POST":
        return redirect(page)
    if request.method == "GET":
        evidence_view_record(viewer=user, submission=page)
    if scorer and request.method == "GET":
        changed = False
        if page.opened_at is None:
            submission_open(submission=page, reviewer=user)
            changed = True
        held = page.claim_or_none
        if held is None or held.reviewer_id != user.pk:
            # Someone else may hold it; the page then says who and offers to take it over.
            with contextlib.suppress(Conflict):
                submission_claim(submission=page, reviewer=user)
                changed = True
        if changed:
            # Opening and claiming change the claim and the time the form's token carries.
            page = selectors.submission_for_scoring(page.pk)
    rubric = page.rubric or _current_rubric(page)
    criteria = list(rubric.criteria.all())
    form = ScoringForm(
        request.POST or None, criteria=criteria, initial={"token": review_token(page)}
    )
    conflict = None
    if request.method == "POST":
        if not scorer:
            raise Http404
        if form.is_valid():
            try:
                review = review_record(
                    submission=page,
                    reviewer=user,
                    scores=form.scores(),
                    feedback=form.cleaned_data["feedback"],
                    token=form.cleaned_data["token"],
                )
            except Conflict as exc:
                conflict = str(exc)
            except ValidationError as exc:
                form.add_error(None, exc)
            except PermissionDenied:
                raise Http404 from None
            else:
                return _after_decision(request, review, page)
    claim = page.claim_or_none
    context = {
        "submission": page,
        "goal": page.goal,
        "rubric": rubric,
        "criteria": criteria,
        "form": form,
        "scorer": scorer,
        "claim": claim,
        "holds_claim": claim is not None and claim.reviewer_id == user.pk,
        "conflict": conflict,
        "requirement": requirement_for(page),
        "versions": selectors.earlier_versions(page),
    }
    status = 409 if conflict else 200
    return render(request, "evidence/review/score.html", context, status=status)


def _current_rubric(submission):
    from .models import Rubric

    return Rubric.objects.get(
        district=submission.goal.school.district, tier=submission.tier, is_current=True
    )


def _after_decision(request: HttpRequest, review, submission) -> HttpResponse:
    outcome = "passed" if review.outcome == "passed" else "returned to the teacher"
    messages.success(
        request, f"Tier {submission.tier} of {submission.goal.teacher.full_name}: {outcome}."
    )
    if request.POST.get("then") == "queue":
        return redirect("evidence:review_queue")
    following = selectors.next_in_queue(user=request.user, after=submission)
    if following is None:
        messages.info(request, "That was the last item waiting for you. The queue is clear.")
        return redirect("evidence:review_queue")
    return redirect("evidence:review_score", pk=following.pk)


@login_required
@require_POST
def review_claim(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_for_review_or_404(request.user, pk)
    try:
        submission_claim(
            submission=submission,
            reviewer=request.user,
            take_over=request.POST.get("take_over") == "1",
        )
    except PermissionDenied:
        raise Http404 from None
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect("evidence:review_queue")
    return redirect("evidence:review_score", pk=submission.pk)


@login_required
@require_POST
def review_release(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_for_review_or_404(request.user, pk)
    if submission_release(submission=submission, reviewer=request.user):
        messages.info(request, "Released: it is back in the queue for anyone.")
    else:
        messages.info(request, "You were not reviewing it, so there was nothing to release.")
    return redirect(reverse("evidence:review_queue"))
