"""What each tier asks for: the checks a submission must pass before it can be submitted.

Every problem names the rule, so the teacher knows exactly what to change.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Artifact, Submission, TierRequirement


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def requirement_for_tier(*, district, tier: int) -> TierRequirement:
    """The district's rules for a tier, created with the defaults if missing."""
    from .defaults import evidence_ensure_defaults

    requirement = TierRequirement.objects.filter(district=district, tier=tier).first()
    if requirement is None:
        evidence_ensure_defaults(district)
        requirement = TierRequirement.objects.get(district=district, tier=tier)
    return requirement


def requirement_for(submission: Submission) -> TierRequirement:
    return requirement_for_tier(district=submission.goal.school.district, tier=submission.tier)


def _reflection_problems(
    submission: Submission, rule: TierRequirement, artifacts: list[Artifact]
) -> list[Problem]:
    if submission.reflection_format == Submission.ReflectionFormat.VIDEO:
        videos = [a for a in artifacts if a.purpose == Artifact.Purpose.REFLECTION_VIDEO]
        if not videos:
            return [Problem("reflection_video", "Upload your video reflection.")]
        seconds = videos[-1].duration_seconds or 0
        low, high = rule.min_video_seconds, rule.max_video_seconds
        if not low <= seconds <= high:
            return [
                Problem(
                    "reflection_video",
                    f"Your video reflection is {_clock(seconds)} long; Tier {rule.tier} asks "
                    f"for {_clock(low)} to {_clock(high)}.",
                )
            ]
        return []
    words = submission.word_count
    if not rule.min_words <= words <= rule.max_words:
        return [
            Problem(
                "reflection",
                f"Your reflection has {_plural(words, 'word')}; Tier {rule.tier} asks for "
                f"{rule.min_words} to {rule.max_words}.",
            )
        ]
    return []


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _clock(seconds: int) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"


def _tier1(submission, rule, artifacts, resources) -> list[Problem]:
    problems = []
    if len(resources) < rule.min_resources:
        problems.append(
            Problem(
                "resources",
                f"Add at least {_plural(rule.min_resources, 'learning resource')} "
                f"(you have {len(resources)}).",
            )
        )
    research = sum(1 for r in resources if r.research_based)
    if research < rule.min_research_based:
        problems.append(
            Problem(
                "resources",
                f"At least {_plural(rule.min_research_based, 'resource')} must be "
                "research-based: a published book or article, a webinar or a course.",
            )
        )
    return problems


def _tier2(submission, rule, artifacts, resources) -> list[Problem]:
    problems = []
    if not any(a.purpose == Artifact.Purpose.ARTIFACT for a in artifacts):
        problems.append(
            Problem("artifacts", "Add at least one artifact of practice: a file or a link.")
        )
    if not submission.desired_outcome.strip():
        problems.append(Problem("desired_outcome", "Describe the desired outcome for students."))
    if not submission.curriculum_connection.strip():
        problems.append(
            Problem(
                "curriculum_connection",
                "Explain the connection to the curriculum or to professional best practice.",
            )
        )
    return problems


def _tier3(submission, rule, artifacts, resources) -> list[Problem]:
    problems = []
    has_files = any(a.purpose == Artifact.Purpose.DATA for a in artifacts)
    if not has_files and not submission.data_table.strip():
        problems.append(Problem("data", "Add your data: a file, or a small table typed in."))
    if not submission.data_type:
        problems.append(Problem("data_type", "Say what type of data it is."))
    if not submission.learning_goal_measured.strip():
        problems.append(
            Problem("learning_goal_measured", "Name the student learning goal you measured.")
        )
    if not submission.results:
        problems.append(
            Problem("results", "Say whether the results were positive, negative or mixed.")
        )
    return problems


def _tier4(submission, rule, artifacts, resources) -> list[Problem]:
    problems = []
    has_plan_file = any(a.purpose == Artifact.Purpose.PLAN for a in artifacts)
    if not has_plan_file and not submission.practice_overview.strip():
        problems.append(
            Problem(
                "practice_overview",
                "Add the lesson plan or an overview of the practice (typed in or as a file).",
            )
        )
    if not submission.link_list():
        problems.append(
            Problem("resource_links", "Add links to every resource a colleague would need.")
        )
    if not submission.sharing_how.strip():
        problems.append(Problem("sharing_how", "Say how and with whom you shared the practice."))
    return problems


TIER_CHECKS = {1: _tier1, 2: _tier2, 3: _tier3, 4: _tier4}


def submission_problems(submission: Submission) -> list[Problem]:
    """Everything that keeps this submission from meeting its tier's requirements."""
    rule = requirement_for(submission)
    artifacts = list(submission.artifacts.all())
    resources = list(submission.resources.all())
    problems = TIER_CHECKS[submission.tier](submission, rule, artifacts, resources)
    return problems + _reflection_problems(submission, rule, artifacts)
