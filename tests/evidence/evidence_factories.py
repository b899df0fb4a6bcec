"""Helpers for the tier evidence tests: goals whose tiers are open, drafts that meet a tier's
rules, passed tiers, and the files a teacher uploads.

Districts get their tier rules and version 1 of each scoring guide from a post_save signal.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from evidence import services
from evidence.models import LearningResource, Review, Rubric, Submission, TierRequirement
from evidence.review_services import Score, review_record, review_token
from goals.models import Goal
from pplearn.models import District, User
from tests.goals.goal_factories import make_goal

FIXTURES = Path(__file__).parent / "fixtures"
S = Submission.Status

# Words a text reflection needs under the default rules (DOMAIN.md).
DEFAULT_WORDS = {1: (500, 600), 2: (250, 350), 3: (250, 350), 4: (250, 350)}


def words(count: int) -> str:
    """A reflection of exactly `count` words, with line breaks and double spaces between."""
    return "  ".join(f"word{i}\n" if i % 10 == 9 else f"word{i}" for i in range(count))


def approved_goal(world, *, teacher: User | None = None, target_tier: int = 4, **fields) -> Goal:
    """An approved goal of the world's teacher (school A), aiming at Tier 4 unless told."""
    fields.setdefault("status", Goal.Status.APPROVED)
    return make_goal(teacher or world.teacher, target_tier=target_tier, **fields)


def current_rubric(district: District, tier: int) -> Rubric:
    return Rubric.objects.get(district=district, tier=tier, is_current=True)


def passed_tier(goal: Goal, tier: int) -> Submission:
    """Tier `tier` of the goal, passed: written through the ORM, without a review.

    A shortcut to reach later tiers quickly; tests of passing itself use `pass_by_review`.
    """
    now = timezone.now()
    return Submission.objects.create(
        goal=goal,
        tier=tier,
        status=S.PASSED,
        reflection=words(DEFAULT_WORDS[tier][0]),
        submitted_at=now,
        decided_at=now,
        rubric=current_rubric(goal.school.district, tier),
    )


def passed_tiers(goal: Goal, *tiers: int) -> list[Submission]:
    return [passed_tier(goal, tier) for tier in tiers]


def in_status(goal: Goal, tier: int, status: str, **fields) -> Submission:
    """A submission put straight into `status` through the ORM (bypassing gating and rules)."""
    if status != S.DRAFT:
        fields.setdefault("submitted_at", timezone.now())
        fields.setdefault("rubric", current_rubric(goal.school.district, tier))
    return Submission.objects.create(goal=goal, tier=tier, status=status, **fields)


def add_resource(
    submission: Submission, *, research_based: bool = True, title: str | None = None
) -> LearningResource:
    count = submission.resources.count()
    return services.resource_save(
        submission=submission,
        actor=submission.goal.teacher,
        title=title or f"Resource {count + 1}",
        kind=LearningResource.Kind.BOOK if research_based else LearningResource.Kind.VISIT,
        citation=f"Author {count + 1}, Talk Moves (2020)",
        research_based=research_based,
    )


def save(submission: Submission, **data) -> Submission:
    """Save draft fields as the teacher, through the service."""
    return services.submission_save_draft(
        submission=submission, actor=submission.goal.teacher, data=data
    )


def complete_draft(goal: Goal, tier: int) -> Submission:
    """A draft of the tier that meets every default rule, with a written reflection.

    Opened through the service, so the tier must be open.
    """
    teacher = goal.teacher
    submission = services.submission_start(goal=goal, tier=tier, actor=teacher)
    data = {"reflection": words(DEFAULT_WORDS[tier][0])}
    if tier == 1:
        add_resource(submission, research_based=True)
        add_resource(submission, research_based=False)
    elif tier == 2:
        services.artifact_add(
            submission=submission,
            actor=teacher,
            purpose="artifact",
            url="https://example.org/anchor-chart",
            title="Anchor chart",
        )
        data |= {"desired_outcome": "Students justify.", "curriculum_connection": "Math talk."}
    elif tier == 3:
        data |= {
            "data_table": "Group | Before | After\nAll | 40% | 65%",
            "data_type": "checklist",
            "learning_goal_measured": "Students justify answers.",
            "results": "positive",
        }
    else:
        data |= {
            "practice_overview": "Week 1: model the talk moves.",
            "resource_links": "https://example.org/talk-moves",
            "sharing_how": "At our PLC meeting.",
        }
    return save(submission, **data)


def submit(draft: Submission) -> Submission:
    return services.submission_submit(submission=draft, actor=draft.goal.teacher)


def submitted(goal: Goal, tier: int) -> Submission:
    """A complete draft of the tier, submitted through the service."""
    return submit(complete_draft(goal, tier))


def decide(submission: Submission, reviewer: User, *, passed: bool = True) -> Review:
    """Score every row the reviewer scores on track (or the first one not yet)."""
    submission.refresh_from_db()
    rubric = submission.rubric or current_rubric(submission.goal.school.district, submission.tier)
    rows = [c for c in rubric.criteria.all() if not c.is_prerequisite]
    scores = {c.pk: Score(True) for c in rows}
    if not passed:
        scores[rows[0].pk] = Score(False, "Add a second research-based resource.")
    return review_record(
        submission=submission,
        reviewer=reviewer,
        scores=scores,
        feedback="" if passed else "Nearly there.",
        token=review_token(submission),
    )


def returned(draft: Submission, reviewer: User) -> Submission:
    """The draft, submitted and returned by the reviewer with feedback."""
    submission = submit(draft)
    decide(submission, reviewer, passed=False)
    submission.refresh_from_db()
    return submission


def set_rule(district: District, tier: int, **fields) -> TierRequirement:
    """Change the district's rules of a tier, as a coordinator would in the settings."""
    TierRequirement.objects.filter(district=district, tier=tier).update(**fields)
    return TierRequirement.objects.get(district=district, tier=tier)


# Files ---------------------------------------------------------------------------------


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def fixture_upload(name: str, as_name: str | None = None) -> SimpleUploadedFile:
    return upload(as_name or name, fixture_bytes(name))


def png_bytes(size: tuple[int, int] = (24, 16)) -> bytes:
    image = Image.new("RGB", size, "teal")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def windows_program() -> bytes:
    """The start of a Windows executable: a DOS stub pointing at a PE header."""
    dos = bytearray(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff".ljust(0x80, b"\0"))
    dos[0x3C:0x40] = struct.pack("<I", 0x80)
    coff = struct.pack("<HHIIIHH", 0x14C, 1, 0, 0, 0, 0xE0, 0x0102)
    optional = struct.pack("<HBB", 0x10B, 14, 0).ljust(0xE0, b"\0")
    return bytes(dos) + b"PE\0\0" + coff + optional + b"\0" * 512


HTML_PAGE = b"<!DOCTYPE html>\n<html><head><title>x</title></head><body>" + b"<p>hi</p>" * 20


def pdf_bytes(size: int) -> bytes:
    """A file that starts like a PDF, padded to `size` bytes."""
    head = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    return head + b"0" * (size - len(head))


# Over HTTP -----------------------------------------------------------------------------


def attach(client, submission: Submission, purpose: str, *, upload=None, url="", **fields):
    """Post the draft page's file-or-link form of `purpose`, as the browser does; follow it."""
    data = {"prefix": purpose, f"{purpose}-purpose": purpose, f"{purpose}-url": url}
    data |= {f"{purpose}-{name}": value for name, value in fields.items()}
    if upload is not None:
        data[f"{purpose}-upload"] = upload
    return client.post(reverse("evidence:artifact_add", args=[submission.pk]), data, follow=True)


def messages_of(response) -> list[str]:
    """The flash messages shown on the (followed) page."""
    return [str(message) for message in response.context["messages"]]
