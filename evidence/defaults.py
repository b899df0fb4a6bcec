"""Every district starts with these tier rules and scoring guides, then edits its own."""

from __future__ import annotations

from django.db import transaction

from .models import TIER_DEFAULTS, Rubric, RubricCriterion, TierRequirement

PREREQUISITE = (
    "Prerequisite",
    "The earlier tiers of this goal are not all complete.",
    "Every earlier tier of this goal has passed.",
)

# (title, not yet on track, on track): Tier 3 and 4 follow the published guides; Tier 1
# and 2 are written in the same form from those tiers' requirements.
RUBRIC_DEFAULTS = {
    1: [
        (
            "Learning resources",
            "Fewer than two resources, or a resource without a citation or link.",
            "At least two resources, each with a citation or link.",
        ),
        (
            "Research base",
            "No resource is research-based.",
            "At least one resource is research-based: a published book or article, a webinar "
            "or a course.",
        ),
        (
            "Reflection meets the required length",
            "The reflection is outside the required word range or video length.",
            "The reflection is within the required word range or video length.",
        ),
        (
            "Summary of the new learning",
            "The summary of the resources is vague or general.",
            "The summary states the key ideas of the resources accurately and specifically.",
        ),
        (
            "Meaning made of the learning",
            "The reflection does not connect the learning to the inquiry or the classroom.",
            "The reflection connects the new learning to the inquiry question and to the "
            "teacher's own students.",
        ),
    ],
    2: [
        PREREQUISITE,
        (
            "Artifacts submitted",
            "No artifact, or artifacts that do not show the practice in use.",
            "Artifacts show the practice in use with students.",
        ),
        (
            "Reflection meets the required length",
            "The reflection is outside the required word range or video length.",
            "The reflection is within the required word range or video length.",
        ),
        (
            "Desired outcome stated",
            "The desired outcome is missing or unclear.",
            "The desired outcome for students is clear and specific.",
        ),
        (
            "What the artifacts show",
            "The reflection does not explain what the artifacts show.",
            "The reflection explains specifically what the artifacts show.",
        ),
        (
            "Connection to curriculum or best practice",
            "No connection to the curriculum or to professional best practice.",
            "A clear connection to the curriculum or to professional best practice.",
        ),
    ],
    3: [
        PREREQUISITE,
        (
            "Data submitted",
            "No data, or data unrelated to the goal.",
            "Data of any kind related to the goal is submitted.",
        ),
        (
            "Reflection meets the minimum length",
            "The reflection is shorter than required.",
            "The reflection meets the required length.",
        ),
        (
            "Explanation of the data",
            "The explanation of the data is vague or missing.",
            "The explanation of the data is clear and specific.",
        ),
        (
            "Learning goal identified",
            "The student learning goal measured is not named.",
            "The student learning goal measured is named.",
        ),
        (
            "Reflection on the results",
            "The reflection does not consider what the results mean.",
            "The reflection considers the results, positive or negative, and what they mean.",
        ),
    ],
    4: [
        PREREQUISITE,
        (
            "Plan others can implement",
            "The plan or overview is too thin for a colleague to use.",
            "The plan or overview is detailed enough for a colleague to implement.",
        ),
        (
            "Reflection meets the minimum length",
            "The reflection is shorter than required.",
            "The reflection meets the required length.",
        ),
        (
            "Lessons learned",
            "Lessons learned are missing or general.",
            "Lessons learned are meaningful and specific.",
        ),
        (
            "Revisions for next time",
            "Revisions are missing or general.",
            "Revisions are meaningful and specific.",
        ),
        (
            "Links to needed resources",
            "Resources a colleague would need are missing.",
            "Links to every resource a colleague needs are included.",
        ),
    ],
}


@transaction.atomic
def evidence_ensure_defaults(district) -> None:
    """Create the district's tier rules and first scoring guides if missing (idempotent).

    A few bulk inserts: every new district (and every test) runs this.
    """
    have_rules = set(
        TierRequirement.objects.filter(district=district).values_list("tier", flat=True)
    )
    TierRequirement.objects.bulk_create(
        TierRequirement(district=district, tier=tier, **values)
        for tier, values in TIER_DEFAULTS.items()
        if tier not in have_rules
    )
    have_rubrics = set(Rubric.objects.filter(district=district).values_list("tier", flat=True))
    missing = [tier for tier in RUBRIC_DEFAULTS if tier not in have_rubrics]
    if not missing:
        return
    rubrics = Rubric.objects.bulk_create(
        Rubric(district=district, tier=tier, version=1, is_current=True) for tier in missing
    )
    RubricCriterion.objects.bulk_create(
        RubricCriterion(
            rubric=rubric,
            position=position,
            title=title,
            not_yet=not_yet,
            on_track=on_track,
            is_prerequisite=(title == PREREQUISITE[0]),
        )
        for rubric in rubrics
        for position, (title, not_yet, on_track) in enumerate(RUBRIC_DEFAULTS[rubric.tier])
    )
