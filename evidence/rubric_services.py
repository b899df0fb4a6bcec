"""Changing scoring guides, tier rules and the review policy: checked, audited, atomic.

A scoring guide is never edited in place: reviews and submissions point at the version they
were scored or submitted under, so a change is written as a new version.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from pplearn.audit import audit_record
from pplearn.models import District, User

from .models import ReviewPolicy, Rubric, RubricCriterion, TierRequirement
from .rubric_permissions import can_edit_review_settings

# Ten years: longer is "keep", which an empty field says.
MAX_RETENTION_DAYS = 3650
CRITERION_FIELDS = ("title", "not_yet", "on_track", "is_prerequisite")
TIER_RULE_FIELDS = (
    "min_words",
    "max_words",
    "min_video_seconds",
    "max_video_seconds",
    "min_resources",
    "min_research_based",
    "stipend",
    "credit",
)
POLICY_FIELDS = (
    "compensation",
    "cap_count",
    "cap_period_years",
    "coaches_may_score",
    "turnaround_target_days",
)
MAX_CRITERIA = 30
# What the amount columns can hold (8 and 5 digits, 2 of them decimals).
MAX_STIPEND = Decimal("1000000")
MAX_CREDIT = Decimal("1000")


def _require_editor(actor: User, district: District) -> None:
    if not can_edit_review_settings(actor, district):
        raise PermissionDenied(
            "Only a district-wide coordinator or a district administrator may change this."
        )


def _clean_text(value: Any) -> str:
    # Browsers send textarea line breaks as CRLF: store them the way the defaults are stored.
    return str(value or "").replace("\r\n", "\n").strip()


def _normalized_criteria(criteria: list[dict]) -> list[dict]:
    return [
        {
            "title": _clean_text(row.get("title")),
            "not_yet": _clean_text(row.get("not_yet")),
            "on_track": _clean_text(row.get("on_track")),
            "is_prerequisite": bool(row.get("is_prerequisite", False)),
        }
        for row in criteria
    ]


def _criteria_problems(tier: int, rows: list[dict]) -> list[str]:
    problems = []
    prerequisites = [i for i, row in enumerate(rows) if row["is_prerequisite"]]
    if tier == 1 and prerequisites:
        problems.append("Tier 1 has no prerequisite: no earlier tier must be complete.")
    if tier > 1 and not prerequisites:
        problems.append(
            f"The prerequisite row of Tier {tier} cannot be removed: pplearn checks that the "
            "earlier tiers are complete."
        )
    if tier > 1 and prerequisites and prerequisites != [0]:
        problems.append("The prerequisite row stays first, and there is only one.")
    if not [row for row in rows if not row["is_prerequisite"]]:
        problems.append("A scoring guide needs at least one criterion a reviewer scores.")
    if len(rows) > MAX_CRITERIA:
        problems.append(f"A scoring guide has at most {MAX_CRITERIA} criteria.")
    seen: set[str] = set()
    for position, row in enumerate(rows, start=1):
        label = f"“{row['title']}”" if row["title"] else f"Criterion {position}"
        if not row["title"]:
            problems.append(f"Criterion {position} needs a title.")
        elif len(row["title"]) > 200:
            problems.append(f"The title of criterion {position} is longer than 200 characters.")
        if not row["not_yet"] or not row["on_track"]:
            problems.append(f"{label} needs both a “Not yet on track” and an “On track” text.")
        key = row["title"].casefold()
        if key and key in seen:
            problems.append(f"Two criteria are called {label}: give each its own title.")
        seen.add(key)
    return problems


def _criteria_change(before: list[dict], after: list[dict]) -> dict:
    old = {row["title"]: row for row in before}
    new = {row["title"]: row for row in after}
    changed = [
        {
            "title": title,
            "from": {"not_yet": old[title]["not_yet"], "on_track": old[title]["on_track"]},
            "to": {"not_yet": row["not_yet"], "on_track": row["on_track"]},
        }
        for title, row in new.items()
        if title in old and row != old[title]
    ]
    kept_old = [row["title"] for row in before if row["title"] in new]
    kept_new = [row["title"] for row in after if row["title"] in old]
    return {
        "added": [title for title in new if title not in old],
        "removed": [title for title in old if title not in new],
        "changed": changed,
        "reordered": kept_old != kept_new,
        "from": before,
        "to": after,
    }


def rubric_revise(*, rubric: Rubric, actor: User, criteria: list[dict]) -> Rubric:
    """Save the scoring guide as a new version; with nothing changed, keep the current one.

    `criteria` lists every row in order, each a dict with title, not_yet, on_track and
    is_prerequisite. Earlier versions and their rows are left exactly as they were.
    """
    _require_editor(actor, rubric.district)
    rows = _normalized_criteria(criteria)
    with transaction.atomic():
        current = (
            Rubric.objects.select_for_update()
            .filter(district_id=rubric.district_id, tier=rubric.tier, is_current=True)
            .first()
        )
        if current is None or current.pk != rubric.pk:
            raise ValidationError(
                "Someone saved a newer version of this scoring guide while you were editing. "
                "Nothing was saved: open the current version and make your change again.",
                code="stale",
            )
        problems = _criteria_problems(rubric.tier, rows)
        if problems:
            raise ValidationError(problems, code="invalid")
        before = [
            {field: getattr(c, field) for field in CRITERION_FIELDS} for c in current.criteria.all()
        ]
        if before == rows:
            return current
        latest = Rubric.objects.filter(district_id=rubric.district_id, tier=rubric.tier).aggregate(
            latest=Max("version")
        )["latest"]
        # One current version per tier is a constraint: retire the old one first.
        Rubric.objects.filter(pk=current.pk).update(is_current=False)
        revised = Rubric.objects.create(
            district_id=rubric.district_id,
            tier=rubric.tier,
            version=(latest or 0) + 1,
            is_current=True,
            created_by=actor,
        )
        RubricCriterion.objects.bulk_create(
            RubricCriterion(rubric=revised, position=position, **row)
            for position, row in enumerate(rows)
        )
        audit_record(
            actor=actor,
            verb="rubric.revise",
            target=revised,
            district=rubric.district,
            data={
                "tier": revised.tier,
                "version": revised.version,
                "from_version": current.version,
                **_criteria_change(before, rows),
            },
        )
    rubric.is_current = False
    return revised


def _json(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _changed_fields(instance, fields: dict[str, Any]) -> tuple[dict, dict]:
    before, after = {}, {}
    for name, value in fields.items():
        if getattr(instance, name) != value:
            before[name] = _json(getattr(instance, name))
            after[name] = _json(value)
    return before, after


def _tier_rule_problems(tier: int, values: dict[str, Any]) -> list[str]:
    problems = []
    if values["min_words"] < 1:
        problems.append("The minimum number of words must be at least 1.")
    if values["max_words"] < values["min_words"]:
        problems.append("The maximum number of words must not be below the minimum.")
    if values["min_video_seconds"] < 1:
        problems.append("The minimum video length must be at least 1 second.")
    if values["max_video_seconds"] < values["min_video_seconds"]:
        problems.append("The maximum video length must not be below the minimum.")
    if values["min_resources"] < 0 or values["min_research_based"] < 0:
        problems.append("Resource counts cannot be negative.")
    if tier == 1 and values["min_resources"] < 1:
        problems.append("Tier 1 asks for at least one learning resource.")
    if values["min_research_based"] > values["min_resources"]:
        problems.append("More research-based resources than resources in all cannot be asked for.")
    if values["stipend"] < 0 or values["credit"] < 0:
        problems.append("The stipend and the credit cannot be negative.")
    if values["stipend"] >= MAX_STIPEND or values["credit"] >= MAX_CREDIT:
        problems.append(
            f"The stipend must be below ${MAX_STIPEND:,} and the credit below {MAX_CREDIT}."
        )
    return problems


def tier_requirement_update(
    *,
    requirement: TierRequirement,
    actor: User,
    min_words: int,
    max_words: int,
    min_video_seconds: int,
    max_video_seconds: int,
    stipend: Decimal,
    credit: Decimal,
    min_resources: int | None = None,
    min_research_based: int | None = None,
) -> TierRequirement:
    """Change a tier's lengths, counts and compensation; resource counts apply to Tier 1."""
    _require_editor(actor, requirement.district)
    with transaction.atomic():
        locked = TierRequirement.objects.select_for_update().get(pk=requirement.pk)
        values = {
            "min_words": min_words,
            "max_words": max_words,
            "min_video_seconds": min_video_seconds,
            "max_video_seconds": max_video_seconds,
            "min_resources": locked.min_resources if min_resources is None else min_resources,
            "min_research_based": (
                locked.min_research_based if min_research_based is None else min_research_based
            ),
            "stipend": Decimal(stipend),
            "credit": Decimal(credit),
        }
        problems = _tier_rule_problems(locked.tier, values)
        if problems:
            raise ValidationError(problems, code="invalid")
        before, after = _changed_fields(locked, values)
        if not after:
            return locked
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(after))
        audit_record(
            actor=actor,
            verb="tier_rule.update",
            target=locked,
            district=locked.district,
            data={"tier": locked.tier, "from": before, "to": after},
        )
    return locked


def review_policy_update(
    *,
    policy: ReviewPolicy,
    actor: User,
    compensation: str,
    cap_count: int | None,
    cap_period_years: int,
    coaches_may_score: bool,
    turnaround_target_days: int,
    student_work_retention_days: int | None | type[Ellipsis] = ...,
) -> ReviewPolicy:
    """Change how the district compensates, caps and scores evidence, and keeps student work.

    Leaving out student_work_retention_days keeps the current period; None keeps files.
    """
    _require_editor(actor, policy.district)
    values = {
        "compensation": compensation,
        "cap_count": cap_count,
        "cap_period_years": cap_period_years,
        "coaches_may_score": coaches_may_score,
        "turnaround_target_days": turnaround_target_days,
    }
    if student_work_retention_days is not ...:
        values["student_work_retention_days"] = student_work_retention_days
    problems = []
    if compensation not in ReviewPolicy.Compensation.values:
        problems.append("Choose how passing a tier is compensated.")
    if cap_count is not None and cap_count < 1:
        problems.append("A cap counts at least 1 submission; leave it empty for no cap.")
    if not 1 <= cap_period_years <= 10:
        problems.append("The cap period is 1 to 10 years.")
    if turnaround_target_days < 1:
        problems.append("The turnaround target is at least 1 school day.")
    if values.get("student_work_retention_days") is not None and not (
        1 <= values["student_work_retention_days"] <= MAX_RETENTION_DAYS
    ):
        problems.append(
            f"Keep files showing students 1 to {MAX_RETENTION_DAYS} days, or leave it empty."
        )
    if problems:
        raise ValidationError(problems, code="invalid")
    with transaction.atomic():
        # The district may never have saved a policy: the first change creates its row.
        ReviewPolicy.objects.get_or_create(district=policy.district)
        locked = ReviewPolicy.objects.select_for_update().get(district=policy.district)
        before, after = _changed_fields(locked, values)
        if not after:
            return locked
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(after))
        audit_record(
            actor=actor,
            verb="review_policy.update",
            target=locked,
            district=locked.district,
            data={"from": before, "to": after},
        )
    return locked
