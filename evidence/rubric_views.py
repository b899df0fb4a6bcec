"""Review settings: the scoring guides with their versions, tier rules and the review policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from pplearn.params import whole_number

from . import rubric_services as services
from .defaults import evidence_ensure_defaults
from .models import TIER_NAMES, TIERS, ReviewPolicy, Rubric, RubricCriterion, TierRequirement
from .review_permissions import policy_for
from .rubric_forms import CriterionFormSet, PrerequisiteForm, ReviewPolicyForm, TierRequirementForm
from .rubric_permissions import (
    can_edit_review_settings,
    get_editor_district_or_404,
    get_reader_district_or_404,
    get_rubric_for_reader_or_404,
)

FORMSET_PREFIX = "criteria"


@dataclass
class TierGuide:
    tier: int
    name: str
    current: Rubric | None = None
    criteria: list[RubricCriterion] = field(default_factory=list)
    earlier: list[Rubric] = field(default_factory=list)


def tier_guides_for_district(district) -> list[TierGuide]:
    """Each tier's current guide with its rows, and its earlier versions: two queries."""
    guides = {tier: TierGuide(tier, TIER_NAMES[tier]) for tier in TIERS}
    for rubric in Rubric.objects.filter(district=district).select_related("created_by"):
        guide = guides[rubric.tier]
        if rubric.is_current:
            guide.current = rubric
        else:
            guide.earlier.append(rubric)
    current_ids = {g.current.pk: g for g in guides.values() if g.current is not None}
    for criterion in RubricCriterion.objects.filter(rubric_id__in=current_ids):
        current_ids[criterion.rubric_id].criteria.append(criterion)
    return list(guides.values())


def compensation_summary(policy: ReviewPolicy, requirements: list[TierRequirement]) -> str:
    """What passing all four tiers earns under the policy, in one sentence."""
    stipend = sum((r.stipend for r in requirements), Decimal("0"))
    credit = sum((r.credit for r in requirements), Decimal("0"))
    count = {4: "All four tiers"}.get(len(requirements), f"All {len(requirements)} tiers")
    if policy.compensation == ReviewPolicy.Compensation.BOTH:
        return f"{count} pay ${stipend:,.2f} and {credit} credit."
    if policy.compensation == ReviewPolicy.Compensation.STIPEND:
        return f"{count} pay ${stipend:,.2f}; no district credit is given."
    if policy.compensation == ReviewPolicy.Compensation.CREDIT:
        return f"{count} give {credit} credit; no stipend is paid."
    return "Passing a tier earns no stipend and no credit: recognition only."


def cap_summary(policy: ReviewPolicy) -> str:
    if policy.cap_count is None:
        return "No cap: every passed tier earns its compensation."
    years = "year" if policy.cap_period_years == 1 else f"{policy.cap_period_years} years"
    return (
        f"Capped: at most {policy.cap_count} passed submissions of one tier earn it per "
        f"person in {years}."
    )


@login_required
def rubric_list(request: HttpRequest) -> HttpResponse:
    """Every tier's current scoring guide, and links to its earlier versions."""
    district = get_reader_district_or_404(request.user)
    context = {
        "district": district,
        "guides": tier_guides_for_district(district),
        "can_edit": can_edit_review_settings(request.user, district),
    }
    return render(request, "evidence/settings/rubric_list.html", context)


@login_required
def rubric_version(request: HttpRequest, pk: int) -> HttpResponse:
    """One version of a scoring guide, read only, with the tier's other versions."""
    rubric = get_rubric_for_reader_or_404(request.user, pk)
    versions = Rubric.objects.filter(district_id=rubric.district_id, tier=rubric.tier)
    context = {
        "rubric": rubric,
        "tier_name": TIER_NAMES[rubric.tier],
        "versions": versions.select_related("created_by"),
        "submission_count": rubric.submissions.count(),
        "can_edit": can_edit_review_settings(request.user, rubric.district),
    }
    return render(request, "evidence/settings/rubric_detail.html", context)


def _with_one_more_row(data):
    data = data.copy()
    key = f"{FORMSET_PREFIX}-TOTAL_FORMS"
    count = data.get(key, "")
    if (number := whole_number(count)) is not None:
        data[key] = str(number + 1)
    return data


def _based_on(request: HttpRequest, current: Rubric) -> Rubric:
    """The version the editor's page showed; the service refuses it if it is no longer current."""
    version = request.POST.get("based_on", "")
    number = whole_number(version)
    if number is None or number == current.version:
        return current
    based = Rubric.objects.filter(
        district_id=current.district_id, tier=current.tier, version=number
    ).first()
    return based or current


@login_required
def rubric_edit(request: HttpRequest, tier: int) -> HttpResponse:
    """Edit a tier's scoring guide; saving writes a new version. Works without JavaScript."""
    district = get_editor_district_or_404(request.user)
    if tier not in TIERS:
        raise Http404("No such tier")
    current = (
        Rubric.objects.filter(district=district, tier=tier, is_current=True)
        .prefetch_related("criteria")
        .first()
    )
    if current is None:
        raise Http404("No scoring guide for this tier")
    criteria = list(current.criteria.all())
    prerequisite = next((c for c in criteria if c.is_prerequisite), None)
    initial = [
        {"title": c.title, "not_yet": c.not_yet, "on_track": c.on_track}
        for c in criteria
        if not c.is_prerequisite
    ]
    prerequisite_initial = (
        {"not_yet": prerequisite.not_yet, "on_track": prerequisite.on_track} if prerequisite else {}
    )
    errors: list[str] = []
    based_on = current.version
    if request.method == "POST":
        adding = "add_row" in request.POST
        data = _with_one_more_row(request.POST) if adding else request.POST
        formset = CriterionFormSet(data, initial=initial, prefix=FORMSET_PREFIX)
        prerequisite_form = PrerequisiteForm(
            data, initial=prerequisite_initial, prefix="prerequisite"
        )
        based = _based_on(request, current)
        based_on = based.version
        valid = formset.is_valid() and (prerequisite is None or prerequisite_form.is_valid())
        if not adding and valid:
            rows = formset.criteria()
            if prerequisite is not None:
                rows.insert(
                    0,
                    {
                        "title": prerequisite.title,
                        "not_yet": prerequisite_form.cleaned_data["not_yet"],
                        "on_track": prerequisite_form.cleaned_data["on_track"],
                        "is_prerequisite": True,
                    },
                )
            try:
                saved = services.rubric_revise(rubric=based, actor=request.user, criteria=rows)
            except ValidationError as exc:
                errors = exc.messages
            else:
                if saved.pk == current.pk:
                    messages.info(
                        request,
                        f"Nothing changed: the Tier {tier} scoring guide stays at version "
                        f"{current.version}.",
                    )
                else:
                    messages.success(
                        request,
                        f"Saved the Tier {tier} scoring guide as version {saved.version}. "
                        "Evidence submitted earlier is still scored against the version it "
                        "was submitted under.",
                    )
                return redirect("evidence:rubric_list")
    else:
        formset = CriterionFormSet(initial=initial, prefix=FORMSET_PREFIX)
        prerequisite_form = PrerequisiteForm(initial=prerequisite_initial, prefix="prerequisite")
    context = {
        "district": district,
        "rubric": current,
        "tier": tier,
        "tier_name": TIER_NAMES[tier],
        "based_on": based_on,
        "prerequisite": prerequisite,
        "prerequisite_form": prerequisite_form if prerequisite else None,
        "formset": formset,
        "errors": errors,
    }
    return render(request, "evidence/settings/rubric_form.html", context)


def _requirements_for(district) -> list[TierRequirement]:
    def load():
        return list(TierRequirement.objects.filter(district=district).select_related("district"))

    requirements = load()
    if len(requirements) < len(TIERS):
        evidence_ensure_defaults(district)
        requirements = load()
    return requirements


@dataclass
class TierTotal:
    requirement: TierRequirement
    cumulative_stipend: Decimal
    cumulative_credit: Decimal


def _cumulative(requirements: list[TierRequirement]) -> list[TierTotal]:
    stipend, credit, rows = Decimal("0"), Decimal("0"), []
    for requirement in requirements:
        stipend += requirement.stipend
        credit += requirement.credit
        rows.append(TierTotal(requirement, stipend, credit))
    return rows


@login_required
def review_settings(request: HttpRequest) -> HttpResponse:
    """Tier rules (lengths, counts, stipend, credit) and the district's review policy."""
    district = get_editor_district_or_404(request.user)
    requirements = _requirements_for(district)
    policy = policy_for(district)
    data = request.POST if request.method == "POST" else None
    policy_form = ReviewPolicyForm(data, policy=policy)
    tier_forms = [TierRequirementForm(data, requirement=r) for r in requirements]
    errors: list[str] = []
    forms = [policy_form, *tier_forms]
    # Validate every form, not only up to the first invalid one, to show all the errors.
    valid = [form.is_valid() for form in forms] if request.method == "POST" else []
    invalid = not all(valid)
    if request.method == "POST" and not invalid:
        changed = [
            f"the Tier {form.requirement.tier} rules" for form in tier_forms if form.has_changed()
        ]
        if policy_form.has_changed():
            changed.append("the review policy")
        try:
            with transaction.atomic():
                for form in tier_forms:
                    services.tier_requirement_update(
                        requirement=form.requirement, actor=request.user, **form.cleaned_data
                    )
                services.review_policy_update(
                    policy=policy, actor=request.user, **policy_form.cleaned_data
                )
        except ValidationError as exc:
            errors = exc.messages
        else:
            if changed:
                messages.success(request, f"Saved {_joined(changed)}.")
            else:
                messages.info(request, "Nothing changed.")
            return redirect("evidence:review_settings")
    context = {
        "district": district,
        "policy_form": policy_form,
        "tier_forms": tier_forms,
        "totals": _cumulative(requirements),
        "policy": policy,
        "invalid": invalid,
        "compensation_summary": compensation_summary(policy, requirements),
        "cap_summary": cap_summary(policy),
        "errors": errors,
    }
    return render(request, "evidence/settings/review_settings.html", context)


def _joined(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return f"{', '.join(parts[:-1])} and {parts[-1]}"
