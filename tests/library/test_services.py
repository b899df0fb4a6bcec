"""Publishing, unpublishing, saving and trying library entries through the services."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from evidence.models import Submission
from library import services
from library.models import Bookmark, LibraryEntry, TriedIt
from pplearn.models import AuditEvent
from tests.evidence.evidence_factories import approved_goal, in_status, passed_tiers
from tests.goals.goal_factories import district_system_goal
from tests.library.library_factories import (
    artifact,
    colleague,
    publish,
    resource,
    stranger,
    tier4_goal,
    tier4_of,
)

pytestmark = pytest.mark.django_db
S = Submission.Status


def verbs(entry) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type="library.libraryentry", target_id=str(entry.pk))
        .order_by("pk")
        .values_list("verb", flat=True)
    )


def test_publish_snapshots_the_passed_tier4_and_audits(world):
    goal = tier4_goal(world, reflection="We revised the routine after the PLC shared it.")
    system_goal = district_system_goal(world.district)
    entry = publish(goal, system_goal_ids=[system_goal.pk])
    assert entry.status == LibraryEntry.Status.PUBLISHED
    assert entry.published_at is not None
    assert entry.submission == tier4_of(goal)
    assert entry.author == world.teacher
    assert entry.school == world.school_a
    assert entry.district == world.district
    assert entry.reflection == "We revised the routine after the PLC shared it."
    assert entry.resource_links == "https://example.org/number-talks"
    assert list(entry.system_goals.all()) == [system_goal]
    assert verbs(entry) == ["library.publish"]
    event = AuditEvent.objects.get(verb="library.publish")
    assert event.actor == world.teacher
    assert event.district == world.district


@pytest.mark.parametrize("tier4_status", [None, S.DRAFT, S.SUBMITTED, S.RETURNED])
def test_publish_refused_until_tier4_has_passed(world, tier4_status):
    goal = approved_goal(world)
    passed_tiers(goal, 1, 2, 3)
    if tier4_status:
        in_status(goal, 4, tier4_status)
    with pytest.raises(PermissionDenied, match="Tier 4 has passed"):
        publish(goal)
    assert not LibraryEntry.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="library.").exists()


def test_only_the_goals_teacher_publishes(world):
    goal = tier4_goal(world)
    for person in (world.principal, world.coach, world.coordinator, colleague(world)):
        with pytest.raises(PermissionDenied):
            services.entry_publish(
                goal=goal,
                actor=person,
                title="Taken",
                summary="Not theirs.",
                practice="Not theirs.",
                grade_band="elementary",
                subject="math",
            )
    assert not LibraryEntry.objects.exists()


def test_artifacts_showing_students_are_left_out_even_when_chosen(world):
    goal = tier4_goal(world)
    tier4 = tier4_of(goal)
    plan = artifact(tier4, title="Plan")
    faces = artifact(tier4, title="Class photo", shows_students=True)
    entry = publish(goal, artifact_ids=[plan.pk, faces.pk])
    assert list(entry.artifacts.all()) == [plan]
    event = AuditEvent.objects.get(verb="library.publish")
    assert event.data["left_out_showing_students"] == [faces.pk]
    assert event.data["artifacts"] == [plan.pk]


def test_only_files_and_resources_of_this_goals_passed_tiers_can_be_chosen(world):
    goal = tier4_goal(world)
    other_goal = tier4_goal(world, teacher=colleague(world, school=world.school_a))
    foreign = artifact(tier4_of(other_goal), title="Someone else's")
    with pytest.raises(ValidationError):
        publish(goal, artifact_ids=[foreign.pk])
    with pytest.raises(ValidationError):
        publish(goal, resource_ids=[resource(tier4_of(other_goal)).pk])
    # A returned earlier version of this goal's own tier is not passed work either.
    draft_goal = approved_goal(world, title="Second goal")
    passed_tiers(draft_goal, 1, 3, 4)
    returned = in_status(draft_goal, 2, S.SUPERSEDED, version=1)
    in_status(draft_goal, 2, S.PASSED, version=2)
    with pytest.raises(ValidationError):
        publish(draft_goal, artifact_ids=[artifact(returned).pk])
    assert not LibraryEntry.objects.exists()


def test_system_goals_of_another_district_cannot_be_named(world):
    goal = tier4_goal(world)
    elsewhere = district_system_goal(world.other_district)
    with pytest.raises(ValidationError):
        publish(goal, system_goal_ids=[elsewhere.pk])


def test_publishing_again_updates_the_one_entry_of_the_goal(world):
    goal = tier4_goal(world)
    first = publish(goal)
    second = publish(goal, title="Number talks, revised")
    assert first.pk == second.pk
    assert LibraryEntry.objects.get().title == "Number talks, revised"
    assert verbs(first) == ["library.publish", "library.update"]


def test_unpublish_and_republish_by_the_author_only(world):
    goal = tier4_goal(world)
    entry = publish(goal)
    with pytest.raises(PermissionDenied):
        services.entry_unpublish(entry=entry, actor=world.principal)
    entry = services.entry_unpublish(entry=entry, actor=world.teacher)
    assert entry.status == LibraryEntry.Status.UNPUBLISHED
    assert entry.unpublished_at is not None
    with pytest.raises(ValidationError):
        services.entry_unpublish(entry=entry, actor=world.teacher)
    with pytest.raises(PermissionDenied):
        services.entry_republish(entry=entry, actor=colleague(world))
    entry = services.entry_republish(entry=entry, actor=world.teacher)
    assert entry.is_published
    assert entry.unpublished_at is None
    assert verbs(entry) == ["library.publish", "library.unpublish", "library.republish"]


def test_an_artifact_marked_as_showing_students_later_leaves_on_republish(world):
    goal = tier4_goal(world)
    photo = artifact(tier4_of(goal), title="Anchor chart")
    entry = publish(goal, artifact_ids=[photo.pk])
    services.entry_unpublish(entry=entry, actor=world.teacher)
    type(photo).objects.filter(pk=photo.pk).update(shows_students=True)
    entry = services.entry_republish(entry=entry, actor=world.teacher)
    assert not entry.artifacts.exists()
    # And publishing the form again cannot put it back.
    entry = publish(goal, artifact_ids=[photo.pk])
    assert not entry.artifacts.exists()


def test_bookmark_toggles_and_audits(world):
    entry = publish(tier4_goal(world))
    reader = colleague(world)
    assert services.bookmark_toggle(entry=entry, actor=reader) is True
    assert Bookmark.objects.filter(user=reader, entry=entry).count() == 1
    assert services.bookmark_toggle(entry=entry, actor=reader) is False
    assert not Bookmark.objects.exists()
    assert verbs(entry)[-2:] == ["library.bookmark_add", "library.bookmark_remove"]


def test_tried_it_is_one_per_person_and_editable(world):
    entry = publish(tier4_goal(world))
    reader = colleague(world)
    first = services.tried_it_record(entry=entry, actor=reader, comment="  Worked well.  ")
    assert first.comment == "Worked well."
    again = services.tried_it_record(entry=entry, actor=reader, comment="Worked well twice.")
    assert again.pk == first.pk
    assert TriedIt.objects.get().comment == "Worked well twice."
    assert verbs(entry)[-2:] == ["library.tried_it", "library.tried_it_update"]
    with pytest.raises(ValidationError):
        services.tried_it_record(entry=entry, actor=reader, comment="x" * 501)
    assert TriedIt.objects.get().comment == "Worked well twice."


def test_no_saving_or_trying_out_of_reach(world):
    goal = tier4_goal(world)
    entry = publish(goal)
    for person in (stranger(world), world.teacher):
        with pytest.raises(PermissionDenied):
            services.bookmark_toggle(entry=entry, actor=person)
        with pytest.raises(PermissionDenied):
            services.tried_it_record(entry=entry, actor=person, comment="")
    services.entry_unpublish(entry=entry, actor=world.teacher)
    with pytest.raises(PermissionDenied):
        services.bookmark_toggle(entry=entry, actor=colleague(world))
    assert not Bookmark.objects.exists()
    assert not TriedIt.objects.exists()


def test_visible_to_is_the_district_and_published_only(world):
    entry = publish(tier4_goal(world))
    reader = colleague(world)
    assert list(LibraryEntry.objects.visible_to(reader)) == [entry]
    assert list(LibraryEntry.objects.visible_to(stranger(world))) == []
    assert list(LibraryEntry.objects.visible_to(world.outsider)) == []
    services.entry_unpublish(entry=entry, actor=world.teacher)
    assert list(LibraryEntry.objects.visible_to(reader)) == []
    assert list(LibraryEntry.objects.visible_to(world.teacher)) == []
