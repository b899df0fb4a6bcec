"""Every change to tier evidence: gated, checked, audited. Only here is status assigned."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from dashboards.rollups import rollup_refresh
from goals.models import Goal
from pplearn.audit import audit_record
from pplearn.models import User

from .models import TIERS, Artifact, LearningResource, Rubric, Submission
from .rules import submission_problems

# Fields the teacher writes on the form, per tier (the reflection fields belong to all).
COMMON_FIELDS = ("reflection_format", "reflection")
TIER_FIELDS = {
    1: COMMON_FIELDS,
    2: (*COMMON_FIELDS, "desired_outcome", "curriculum_connection"),
    3: (*COMMON_FIELDS, "data_type", "learning_goal_measured", "results", "data_table"),
    4: (*COMMON_FIELDS, "practice_overview", "resource_links", "sharing_how"),
}
# Goals on which evidence may be gathered: approved, or complete (a teacher may go beyond
# the target tier).
EVIDENCE_GOAL_STATUSES = (Goal.Status.APPROVED, Goal.Status.COMPLETE)


def _audit(submission: Submission, actor: User | None, verb: str, **data: Any) -> None:
    audit_record(
        actor=actor,
        verb=f"submission.{verb}",
        target=submission,
        district=submission.goal.school.district,
        data=data,
    )
    rollup_refresh(
        school_id=submission.goal.school_id, school_year_id=submission.goal.school_year_id
    )


def _require_author(submission: Submission, actor: User) -> None:
    if actor.pk != submission.goal.teacher_id:
        raise PermissionDenied("Only the teacher can change their evidence.")


def _require_draft(submission: Submission) -> None:
    if not submission.is_editable:
        raise ValidationError(
            f"This Tier {submission.tier} evidence is "
            f"{submission.get_status_display().lower()} and can no longer be changed.",
            code="not_editable",
        )


def passed_tiers(goal: Goal) -> set[int]:
    return set(
        Submission.objects.filter(goal=goal, status=Submission.Status.PASSED).values_list(
            "tier", flat=True
        )
    )


def tier_open_problem(goal: Goal, tier: int, passed: set[int] | None = None) -> str | None:
    """Why the tier is not open on this goal, or None when it is."""
    if tier not in TIERS:
        return "There are four tiers."
    if goal.status not in EVIDENCE_GOAL_STATUSES:
        return "Evidence opens once your goal is approved."
    passed = passed_tiers(goal) if passed is None else passed
    missing = [t for t in range(1, tier) if t not in passed]
    if missing:
        names = ", ".join(f"Tier {t}" for t in missing)
        return f"Tier {tier} opens when {names} {'has' if len(missing) == 1 else 'have'} passed."
    return None


def submission_start(*, goal: Goal, tier: int, actor: User) -> Submission:
    """Open the live submission of a tier, creating the first draft when there is none."""
    if actor.pk != goal.teacher_id:
        raise PermissionDenied("Only the teacher can gather evidence for their goal.")
    with transaction.atomic():
        Goal.objects.select_for_update().filter(pk=goal.pk).first()
        live = (
            Submission.objects.filter(goal=goal, tier=tier)
            .exclude(status=Submission.Status.SUPERSEDED)
            .first()
        )
        if live is not None:
            return live
        problem = tier_open_problem(goal, tier)
        if problem:
            raise ValidationError(problem, code="tier_closed")
        submission = Submission.objects.create(goal=goal, tier=tier, version=1)
        if tier == 2 and goal.desired_outcome:
            submission.desired_outcome = goal.desired_outcome
            submission.save(update_fields=["desired_outcome"])
        _audit(submission, actor, "start", tier=tier)
    return submission


def submission_save_draft(
    *, submission: Submission, actor: User, data: dict[str, Any], autosave: bool = False
) -> Submission:
    """Save what the teacher typed; autosave marks the time shown as 'saved at'."""
    _require_author(submission, actor)
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        _require_draft(locked)
        allowed = TIER_FIELDS[submission.tier]
        # Compare with the stored row: a bound ModelForm has already copied the typed values
        # onto `submission`, so comparing with it would find nothing changed.
        changed = [name for name in allowed if name in data and getattr(locked, name) != data[name]]
        for name in changed:
            setattr(locked, name, data[name])
        locked.autosaved_at = timezone.now()
        locked.save(update_fields=[*changed, "autosaved_at", "updated_at"])
        for name in (*changed, "autosaved_at", "updated_at"):
            setattr(submission, name, getattr(locked, name))
        if changed and not autosave:
            _audit(submission, actor, "save", fields=changed)
    return submission


def resource_save(
    *,
    submission: Submission,
    actor: User,
    resource: LearningResource | None = None,
    **fields: Any,
) -> LearningResource:
    """Add a Tier 1 learning resource, or change one."""
    _require_author(submission, actor)
    _require_draft(submission)
    if submission.tier != 1:
        raise ValidationError("Learning resources belong to Tier 1.")
    with transaction.atomic():
        if resource is None:
            position = submission.resources.count()
            resource = LearningResource.objects.create(
                submission=submission, position=position, **fields
            )
            _audit(submission, actor, "resource_add", title=resource.title)
        else:
            if resource.submission_id != submission.pk:
                raise PermissionDenied("That resource belongs to other evidence.")
            for name, value in fields.items():
                setattr(resource, name, value)
            resource.save()
            _audit(submission, actor, "resource_edit", title=resource.title)
    return resource


def resource_remove(*, resource: LearningResource, actor: User) -> None:
    submission = resource.submission
    _require_author(submission, actor)
    _require_draft(submission)
    with transaction.atomic():
        resource.delete()
        _audit(submission, actor, "resource_remove", title=resource.title)


def submission_upload_total(submission: Submission) -> int:
    return submission.artifacts.aggregate(total=Sum("size"))["total"] or 0


def artifact_add(
    *,
    submission: Submission,
    actor: User,
    purpose: str,
    upload: UploadedFile | None = None,
    url: str = "",
    title: str = "",
    shows_students: bool = False,
) -> Artifact:
    """Attach a checked file or a link to a draft."""
    from django.conf import settings

    from .scanning import artifact_scan_schedule, scan_status_initial
    from .uploads import upload_check

    _require_author(submission, actor)
    _require_draft(submission)
    if (upload is None) == (not url):
        raise ValidationError("Attach either a file or a link.")
    fields: dict[str, Any] = {}
    if upload is not None:
        checked = upload_check(upload, purpose=purpose)
        limit = getattr(settings, "EVIDENCE_MAX_SUBMISSION_BYTES", 500 * 1024 * 1024)
        if submission_upload_total(submission) + checked.size > limit:
            raise ValidationError(
                f"Files of one submission may add up to {limit // (1024 * 1024)} MB; this one "
                "would go over. Remove a file or share a link instead."
            )
        fields = {
            "file": checked.file,
            "kind": checked.kind,
            "content_type": checked.content_type,
            "size": checked.size,
            "duration_seconds": checked.duration_seconds,
            "original_name": checked.original_name,
        }
    else:
        if purpose == Artifact.Purpose.REFLECTION_VIDEO:
            raise ValidationError(
                "Upload the video reflection as a file, so its length can be checked."
            )
        fields = {"url": url, "kind": Artifact.Kind.LINK}
    with transaction.atomic():
        if purpose == Artifact.Purpose.REFLECTION_VIDEO:
            # One video reflection per submission: a new upload replaces the old one.
            submission.artifacts.filter(purpose=purpose).delete()
        content = fields.pop("file", None)
        artifact = Artifact(
            submission=submission,
            purpose=purpose,
            title=title.strip(),
            shows_students=shows_students,
            uploaded_by=actor,
            **fields,
        )
        if content is not None:
            # upload_to gives a random name; the original name is only ever displayed.
            artifact.file.save("upload", content, save=False)
            artifact.scan_status = scan_status_initial()
        artifact.save()
        artifact_scan_schedule(artifact)
        _audit(
            submission,
            actor,
            "artifact_add",
            artifact=artifact.pk,
            purpose=purpose,
            kind=artifact.kind,
            size=artifact.size,
        )
    return artifact


def artifact_remove(*, artifact: Artifact, actor: User) -> None:
    submission = artifact.submission
    _require_author(submission, actor)
    _require_draft(submission)
    with transaction.atomic():
        artifact.delete()
        _audit(submission, actor, "artifact_remove", artifact=artifact.pk)


def artifact_set_shows_students(*, artifact: Artifact, actor: User, shows_students: bool) -> None:
    """Mark whether an artifact shows students; allowed at any time, to protect them."""
    _require_author(artifact.submission, actor)
    with transaction.atomic():
        artifact.shows_students = shows_students
        artifact.save(update_fields=["shows_students"])
        _audit(
            artifact.submission,
            actor,
            "artifact_privacy",
            artifact=artifact.pk,
            shows_students=shows_students,
        )


def submission_submit(*, submission: Submission, actor: User) -> Submission:
    """Send the evidence to the review queue, after every rule of the tier is met."""
    _require_author(submission, actor)
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        _require_draft(locked)
        problem = tier_open_problem(submission.goal, submission.tier)
        if problem:
            raise ValidationError(problem, code="tier_closed")
        problems = submission_problems(submission)
        if problems:
            raise ValidationError([p.message for p in problems], code="requirements")
        submission.status = Submission.Status.SUBMITTED
        submission.submitted_at = timezone.now()
        submission.opened_at = None
        submission.rubric = Rubric.objects.filter(
            district=submission.goal.school.district, tier=submission.tier, is_current=True
        ).first()
        submission.save(
            update_fields=["status", "submitted_at", "opened_at", "rubric", "updated_at"]
        )
        _audit(submission, actor, "submit", **{"from": "draft", "to": "submitted"})
    return submission


def submission_recall(*, submission: Submission, actor: User) -> Submission:
    """Take a submission back to draft, as long as no reviewer has opened it."""
    _require_author(submission, actor)
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if not locked.can_be_recalled:
            raise ValidationError(
                "A reviewer has already opened this submission, so it can no longer be recalled."
                if locked.opened_at
                else "Only a submitted item can be recalled.",
                code="not_recallable",
            )
        submission.status = Submission.Status.DRAFT
        submission.submitted_at = None
        submission.rubric = None
        submission.save(update_fields=["status", "submitted_at", "rubric", "updated_at"])
        _audit(submission, actor, "recall", **{"from": "submitted", "to": "draft"})
    return submission


def submission_revise(*, submission: Submission, actor: User) -> Submission:
    """Start a new version from returned evidence; the old one and its feedback stay."""
    _require_author(submission, actor)
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.status != Submission.Status.RETURNED:
            raise ValidationError("Only returned evidence is revised as a new version.")
        locked.status = Submission.Status.SUPERSEDED
        locked.save(update_fields=["status", "updated_at"])
        fields = {name: getattr(locked, name) for name in TIER_FIELDS[locked.tier]}
        copy = Submission.objects.create(
            goal=locked.goal,
            tier=locked.tier,
            version=locked.version + 1,
            previous=locked,
            **fields,
        )
        LearningResource.objects.bulk_create(
            LearningResource(
                submission=copy,
                title=r.title,
                kind=r.kind,
                citation=r.citation,
                research_based=r.research_based,
                position=r.position,
            )
            for r in locked.resources.all()
        )
        # The stored files are shared, never rewritten: both versions keep their evidence.
        Artifact.objects.bulk_create(
            Artifact(
                submission=copy,
                purpose=a.purpose,
                kind=a.kind,
                title=a.title,
                file=a.file.name,
                original_name=a.original_name,
                content_type=a.content_type,
                size=a.size,
                duration_seconds=a.duration_seconds,
                url=a.url,
                shows_students=a.shows_students,
                uploaded_by=a.uploaded_by,
                scan_status=a.scan_status,  # the scan of the shared file updates both rows
            )
            for a in locked.artifacts.all()
        )
        _audit(copy, actor, "revise", previous=locked.pk, version=copy.version)
    return copy
