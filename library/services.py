"""Every change to the library: checked, atomic, audited. Only here is status assigned."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from evidence.models import Artifact, LearningResource, Submission
from goals.models import Goal, StandardComponent, SystemGoal
from pplearn.audit import audit_record
from pplearn.models import User

from .models import Bookmark, LibraryEntry, TriedIt


def _audit(entry: LibraryEntry, actor: User, verb: str, **data: Any) -> None:
    audit_record(
        actor=actor, verb=f"library.{verb}", target=entry, district=entry.district, data=data
    )


def passed_tier4(goal: Goal) -> Submission | None:
    """The goal's passed Tier 4, or None (a passed version is never superseded).

    Once found, kept on the goal object: the publish page asks twice (may they, and what to
    offer), and a passed version never changes. "Not yet" is never kept: it may change.
    """
    found = goal.__dict__.get("_passed_tier4")
    if found is None:
        found = (
            Submission.objects.filter(goal=goal, tier=4, status=Submission.Status.PASSED)
            .order_by("-version")
            .first()
        )
        if found is not None:
            goal.__dict__["_passed_tier4"] = found
    return found


def passed_artifacts(goal: Goal):
    """Every artifact of the goal's passed tiers, those showing students included."""
    return Artifact.objects.filter(
        submission__goal=goal, submission__status=Submission.Status.PASSED
    ).select_related("submission")


def shareable_artifacts(goal: Goal):
    """Artifacts of the goal's passed tiers that may be shared: never one showing students."""
    return passed_artifacts(goal).filter(shows_students=False)


def shareable_resources(goal: Goal):
    """Learning resources of the goal's passed tiers."""
    return LearningResource.objects.filter(
        submission__goal=goal, submission__status=Submission.Status.PASSED
    ).select_related("submission")


def publish_problem(goal: Goal, actor: User) -> str | None:
    """Why the actor may not publish this goal, or None when they may."""
    if actor.pk != goal.teacher_id:
        return "Only the goal's teacher can share it in the library."
    if passed_tier4(goal) is None:
        return "A goal can be shared in the library once its Tier 4 has passed."
    return None


def _chosen(queryset, ids: Iterable[int] | None, what: str) -> list:
    ids = {int(i) for i in (ids or [])}
    chosen = list(queryset.filter(pk__in=ids))
    if len(chosen) != len(ids):
        raise ValidationError(f"Some chosen {what} cannot be shared from this goal.", code=what)
    return chosen


@transaction.atomic
def entry_publish(
    *,
    goal: Goal,
    actor: User,
    title: str,
    summary: str,
    practice: str,
    grade_band: str,
    subject: str,
    system_goal_ids: Iterable[int] | None = None,
    standard_component_ids: Iterable[int] | None = None,
    resource_ids: Iterable[int] | None = None,
    artifact_ids: Iterable[int] | None = None,
    resource_links: str | None = None,
) -> LibraryEntry:
    """Publish (or update and publish again) the library entry of a goal with a passed Tier 4.

    Artifacts showing students are left out whatever was chosen; only resources and artifacts
    of the goal's passed submissions can be chosen at all.
    """
    problem = publish_problem(goal, actor)
    if problem:
        raise PermissionDenied(problem)
    Goal.objects.select_for_update().filter(pk=goal.pk).first()
    tier4 = passed_tier4(goal)
    # Students are protected silently: a posted id of an artifact showing them is dropped.
    artifact_ids = set(artifact_ids or [])
    protected = set(
        Artifact.objects.filter(
            pk__in=artifact_ids, submission__goal=goal, shows_students=True
        ).values_list("pk", flat=True)
    )
    artifacts = _chosen(shareable_artifacts(goal), artifact_ids - protected, "artifacts")
    resources = _chosen(shareable_resources(goal), resource_ids, "resources")
    system_goals = _chosen(
        SystemGoal.objects.filter(district_id=goal.school.district_id),
        system_goal_ids,
        "system goals",
    )
    components = _chosen(
        StandardComponent.objects.filter(domain__framework__district_id=goal.school.district_id),
        standard_component_ids,
        "standards",
    )
    now = timezone.now()
    entry = LibraryEntry.objects.select_for_update().filter(goal=goal).first()
    created = entry is None
    if created:
        entry = LibraryEntry(goal=goal, author=actor)
    entry.submission = tier4
    entry.school_id = goal.school_id
    entry.district_id = goal.school.district_id
    entry.title = title.strip()
    entry.summary = summary.strip()
    entry.practice = practice.strip()
    entry.reflection = tier4.reflection
    entry.resource_links = (
        tier4.resource_links if resource_links is None else resource_links
    ).strip()
    entry.grade_band = grade_band
    entry.subject = subject
    was_published = not created and entry.is_published
    entry.status = LibraryEntry.Status.PUBLISHED
    if not was_published:
        entry.published_at = now
        entry.unpublished_at = None
    entry.full_clean(exclude=["goal", "submission", "author", "school", "district", "search"])
    entry.save()
    entry.system_goals.set(system_goals)
    entry.standard_components.set(components)
    entry.resources.set(resources)
    entry.artifacts.set(artifacts)
    LibraryEntry.objects.filter(pk=entry.pk).refresh_search()
    _audit(
        entry,
        actor,
        "publish" if created else ("update" if was_published else "republish"),
        goal=goal.pk,
        artifacts=sorted(a.pk for a in artifacts),
        resources=sorted(r.pk for r in resources),
        left_out_showing_students=sorted(protected),
    )
    return entry


def _require_author(entry: LibraryEntry, actor: User) -> None:
    if actor.pk != entry.author_id:
        raise PermissionDenied("Only the author can change their library entry.")


def _move(entry: LibraryEntry, status: str) -> LibraryEntry:
    locked = LibraryEntry.objects.select_for_update().get(pk=entry.pk)
    if not locked.can_move_to(status):
        raise ValidationError(
            f"This entry is already {locked.get_status_display().lower()}.", code="status"
        )
    return locked


@transaction.atomic
def entry_unpublish(*, entry: LibraryEntry, actor: User) -> LibraryEntry:
    """Take an entry out of the library: colleagues no longer find or open it."""
    _require_author(entry, actor)
    locked = _move(entry, LibraryEntry.Status.UNPUBLISHED)
    locked.status = LibraryEntry.Status.UNPUBLISHED
    locked.unpublished_at = timezone.now()
    locked.save(update_fields=["status", "unpublished_at", "updated_at"])
    _audit(locked, actor, "unpublish")
    return locked


@transaction.atomic
def entry_republish(*, entry: LibraryEntry, actor: User) -> LibraryEntry:
    """Put an unpublished entry back, as it was; artifacts now showing students stay out."""
    _require_author(entry, actor)
    if passed_tier4(entry.goal) is None:
        raise PermissionDenied("A goal can be shared in the library once its Tier 4 has passed.")
    locked = _move(entry, LibraryEntry.Status.PUBLISHED)
    locked.status = LibraryEntry.Status.PUBLISHED
    locked.published_at = timezone.now()
    locked.unpublished_at = None
    locked.save(update_fields=["status", "published_at", "unpublished_at", "updated_at"])
    # An artifact marked as showing students since it was chosen leaves the entry for good.
    dropped = list(locked.artifacts.filter(shows_students=True).values_list("pk", flat=True))
    if dropped:
        locked.artifacts.remove(*dropped)
    _audit(locked, actor, "republish", left_out_showing_students=dropped)
    return locked


def _require_colleague(entry: LibraryEntry, actor: User) -> None:
    if not LibraryEntry.objects.visible_to(actor).filter(pk=entry.pk).exists():
        raise PermissionDenied("This entry is not in your library.")
    if actor.pk == entry.author_id:
        raise PermissionDenied("This is your own entry.")


@transaction.atomic
def bookmark_toggle(*, entry: LibraryEntry, actor: User) -> bool:
    """Save the entry to the actor's list, or take it off; answer whether it is saved now."""
    _require_colleague(entry, actor)
    deleted, _ = Bookmark.objects.filter(user=actor, entry=entry).delete()
    if deleted:
        _audit(entry, actor, "bookmark_remove")
        return False
    Bookmark.objects.get_or_create(user=actor, entry=entry)
    _audit(entry, actor, "bookmark_add")
    return True


@transaction.atomic
def tried_it_record(*, entry: LibraryEntry, actor: User, comment: str = "") -> TriedIt:
    """Record that the actor tried the practice, or change their comment."""
    _require_colleague(entry, actor)
    comment = comment.strip()
    if len(comment) > TriedIt.COMMENT_MAX:
        raise ValidationError(
            f"Keep the comment to {TriedIt.COMMENT_MAX} characters.", code="too_long"
        )
    tried, created = TriedIt.objects.select_for_update().get_or_create(
        user=actor, entry=entry, defaults={"comment": comment}
    )
    if not created and tried.comment != comment:
        tried.comment = comment
        tried.save(update_fields=["comment", "updated_at"])
    _audit(entry, actor, "tried_it" if created else "tried_it_update", comment=comment)
    return tried
