"""Retention: files showing students leave storage once the district's period after the goal
closed ends; the row stays as a tombstone with an audit row; nothing else is touched."""

from __future__ import annotations

import datetime
import logging

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from evidence.models import Artifact, ReviewPolicy, Submission
from evidence.retention import RETENTION_VERB, student_work_retention_sweep
from evidence.tasks import student_work_retention_task
from goals import services as goal_services
from goals.models import Goal
from library.models import LibraryEntry
from pplearn.models import AuditEvent, Role
from tests.evidence.evidence_factories import approved_goal, in_status, passed_tier
from tests.factories import make_person
from tests.goals.goal_factories import make_goal

pytestmark = pytest.mark.django_db

CLOSED_AT = datetime.datetime(2026, 6, 5, 15, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def set_retention(district, days: int | None) -> None:
    ReviewPolicy.objects.update_or_create(
        district=district, defaults={"student_work_retention_days": days}
    )


def stored(submission: Submission, *, shows_students: bool, data: bytes = b"PNG-bytes") -> Artifact:
    artifact = Artifact(
        submission=submission,
        purpose=Artifact.Purpose.ARTIFACT,
        kind=Artifact.Kind.IMAGE,
        title="Group work" if shows_students else "Anchor chart",
        original_name="class.png",
        content_type="image/png",
        size=len(data),
        shows_students=shows_students,
        uploaded_by=submission.goal.teacher,
    )
    artifact.file.save("class.png", ContentFile(data), save=False)
    artifact.save()
    return artifact


def link(submission: Submission) -> Artifact:
    return Artifact.objects.create(
        submission=submission,
        purpose=Artifact.Purpose.ARTIFACT,
        kind=Artifact.Kind.LINK,
        url="https://example.org/lesson",
        shows_students=True,
    )


def closed_goal(world, *, how: str = "complete", teacher=None) -> Goal:
    """An approved goal with a passed Tier 2, closed by its teacher at CLOSED_AT."""
    goal = approved_goal(world, teacher=teacher, target_tier=2)
    with time_machine.travel(CLOSED_AT, tick=False):
        if how == "complete":
            goal_services.goal_complete(goal=goal, actor=goal.teacher)
        else:
            goal_services.goal_withdraw(goal=goal, actor=goal.teacher)
    return goal


def sweep_at(moment: datetime.datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return student_work_retention_sweep()


def removals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(verb=RETENTION_VERB).order_by("pk"))


def test_a_file_showing_students_leaves_storage_when_the_period_ends(world):
    set_retention(world.district, 30)
    goal = closed_goal(world)
    submission = passed_tier(goal, 2)
    photo = stored(submission, shows_students=True)
    chart = stored(submission, shows_students=False)
    name = photo.file.name

    assert sweep_at(CLOSED_AT + 30 * DAY - datetime.timedelta(minutes=1)) == 0
    assert default_storage.exists(name)
    assert removals() == []

    assert sweep_at(CLOSED_AT + 30 * DAY) == 1

    photo.refresh_from_db()
    assert not default_storage.exists(name)
    assert (photo.file.name, photo.removed_at) == ("", CLOSED_AT + 30 * DAY)
    assert (photo.title, photo.shows_students, photo.size) == ("Group work", True, 9)
    chart.refresh_from_db()
    assert chart.removed_at is None
    assert default_storage.exists(chart.file.name)
    [event] = removals()
    assert (event.target_id, event.actor, event.district) == (str(photo.pk), None, world.district)
    assert event.data["file"] == name
    assert event.data["retention_days"] == 30
    assert event.data["goal"] == goal.pk


def test_a_second_run_removes_nothing_more_and_writes_no_second_audit_row(world):
    set_retention(world.district, 30)
    submission = passed_tier(closed_goal(world), 2)
    stored(submission, shows_students=True)
    stored(submission, shows_students=True, data=b"another")

    assert sweep_at(CLOSED_AT + 40 * DAY) == 2
    assert sweep_at(CLOSED_AT + 41 * DAY) == 0
    assert len(removals()) == 2
    assert Artifact.objects.filter(removed_at__isnull=False).count() == 2


def test_withdrawn_goals_count_from_their_withdrawal_not_their_last_edit(world):
    set_retention(world.district, 30)
    goal = closed_goal(world, how="withdrawn")
    photo = stored(in_status(goal, 1, Submission.Status.RETURNED), shows_students=True)
    # A later change to the goal row (a comment, a fix by an administrator) moves updated_at.
    Goal.objects.filter(pk=goal.pk).update(updated_at=CLOSED_AT + 25 * DAY)

    assert sweep_at(CLOSED_AT + 31 * DAY) == 1
    photo.refresh_from_db()
    assert photo.removed_at is not None


@pytest.mark.parametrize("status", [Goal.Status.DRAFT, Goal.Status.PROPOSED, Goal.Status.APPROVED])
def test_files_of_open_goals_are_never_touched_however_old(world, status):
    set_retention(world.district, 1)
    with time_machine.travel(CLOSED_AT - 400 * DAY, tick=False):
        goal = make_goal(world.teacher, status=status)
        photo = stored(in_status(goal, 1, Submission.Status.DRAFT), shows_students=True)

    assert sweep_at(CLOSED_AT + 400 * DAY) == 0
    photo.refresh_from_db()
    assert photo.removed_at is None
    assert default_storage.exists(photo.file.name)


def test_an_empty_period_keeps_files_for_good(world):
    set_retention(world.district, None)
    photo = stored(passed_tier(closed_goal(world), 2), shows_students=True)

    assert sweep_at(CLOSED_AT + 3650 * DAY) == 0
    assert default_storage.exists(photo.file.name)


def test_a_district_that_never_saved_a_policy_keeps_files_a_year(world):
    assert not ReviewPolicy.objects.filter(district=world.district).exists()
    photo = stored(passed_tier(closed_goal(world), 2), shows_students=True)

    assert sweep_at(CLOSED_AT + 364 * DAY) == 0
    assert sweep_at(CLOSED_AT + 365 * DAY) == 1
    assert not default_storage.exists(photo.file.name)


def test_each_district_keeps_files_for_its_own_period(world):
    set_retention(world.district, 365)
    set_retention(world.other_district, 10)
    ours = stored(passed_tier(closed_goal(world), 2), shows_students=True)
    far_teacher = make_person(Role.TEACHER, school=world.other_school)
    theirs = stored(passed_tier(closed_goal(world, teacher=far_teacher), 2), shows_students=True)

    assert sweep_at(CLOSED_AT + 11 * DAY) == 1
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.removed_at is None
    assert theirs.removed_at is not None
    [event] = removals()
    assert event.district == world.other_district


def test_links_are_not_files_and_stay(world):
    set_retention(world.district, 30)
    lesson = link(passed_tier(closed_goal(world), 2))

    assert sweep_at(CLOSED_AT + 31 * DAY) == 0
    lesson.refresh_from_db()
    assert (lesson.url, lesson.removed_at) == ("https://example.org/lesson", None)


def test_artifacts_of_a_published_library_entry_are_never_touched(world):
    set_retention(world.district, 30)
    goal = closed_goal(world)
    tier_4 = passed_tier(goal, 2)
    photo = stored(tier_4, shows_students=True)
    entry = LibraryEntry.objects.create(
        goal=goal,
        submission=tier_4,
        author=world.teacher,
        school=goal.school,
        district=world.district,
        title="Talk moves",
        summary="Short",
        practice="Steps",
        grade_band=goal.school.grade_band,
        subject=LibraryEntry.Subject.MATH,
        published_at=timezone.now(),
    )
    entry.artifacts.add(photo)

    assert sweep_at(CLOSED_AT + 31 * DAY) == 0
    assert default_storage.exists(photo.file.name)

    LibraryEntry.objects.filter(pk=entry.pk).update(status=LibraryEntry.Status.UNPUBLISHED)
    assert sweep_at(CLOSED_AT + 32 * DAY) == 1


def test_a_file_shared_with_a_kept_copy_stays_and_is_logged(world, caplog):
    set_retention(world.district, 30)
    submission = passed_tier(closed_goal(world), 2)
    photo = stored(submission, shows_students=True)
    # A revision's copy points at the same stored file, and was unmarked by its author.
    copy = Artifact.objects.get(pk=photo.pk)
    copy.pk = None
    copy.shows_students = False
    copy.save()

    with caplog.at_level(logging.WARNING, logger="evidence.retention"):
        assert sweep_at(CLOSED_AT + 31 * DAY) == 0
    assert default_storage.exists(photo.file.name)
    assert f"artifact {photo.pk} kept" in caplog.text


def test_copies_that_are_all_due_go_together(world):
    set_retention(world.district, 30)
    submission = passed_tier(closed_goal(world), 2)
    photo = stored(submission, shows_students=True)
    copy = Artifact.objects.get(pk=photo.pk)
    copy.pk = None
    copy.save()

    assert sweep_at(CLOSED_AT + 31 * DAY) == 2
    assert not default_storage.exists(photo.file.name)
    assert len(removals()) == 2


def test_the_daily_task_runs_the_sweep_and_logs_it(world, caplog):
    set_retention(world.district, 30)
    photo = stored(passed_tier(closed_goal(world), 2), shows_students=True)

    with (
        time_machine.travel(CLOSED_AT + 31 * DAY, tick=False),
        caplog.at_level(logging.INFO, logger="evidence.retention"),
    ):
        assert student_work_retention_task.apply().get() == 1
    assert not default_storage.exists(photo.file.name)
    assert f"removed the file of artifact {photo.pk}" in caplog.text
    assert "removed 1 file(s)" in caplog.text


def test_the_sweep_reads_a_fixed_number_of_queries_when_nothing_is_due(
    world, django_assert_max_num_queries
):
    set_retention(world.district, 30)
    for _ in range(5):
        stored(passed_tier(closed_goal(world), 2), shows_students=True)

    # Per district: its policy and the due artifacts; no query per artifact.
    with django_assert_max_num_queries(1 + 2 * 2):
        assert sweep_at(CLOSED_AT + 10 * DAY) == 0


# The tombstone where people look, and the setting


def test_the_submission_shows_the_tombstone_and_the_file_answers_404(client, world):
    set_retention(world.district, 30)
    submission = passed_tier(closed_goal(world), 2)
    photo = stored(submission, shows_students=True)
    sweep_at(CLOSED_AT + 31 * DAY)
    client.force_login(world.teacher)

    page = client.get(submission.get_absolute_url())
    download = client.get(reverse("evidence:artifact_download", args=[photo.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Group work" in html
    assert "under the district's retention policy" in html
    assert reverse("evidence:artifact_download", args=[photo.pk]) not in html
    assert download.status_code == 404


def post_settings(client, world, retention: str):
    from tests.evidence.test_rubrics import settings_data

    data = settings_data(world, policy__student_work_retention_days=retention)
    return client.post(reverse("evidence:review_settings"), data, follow=True)


def test_the_coordinator_sets_the_period_on_the_review_settings_page(client, world):
    client.force_login(world.coordinator)

    form_page = client.get(reverse("evidence:review_settings"))
    response = post_settings(client, world, "90")

    assert 'name="policy-student_work_retention_days" value="365"' in form_page.content.decode()
    assert ReviewPolicy.objects.get(district=world.district).student_work_retention_days == 90
    [event] = AuditEvent.objects.filter(verb="review_policy.update")
    assert event.data == {
        "from": {"student_work_retention_days": 365},
        "to": {"student_work_retention_days": 90},
    }
    assert "Files showing students are deleted 90 days after their goal closes." in (
        response.content.decode()
    )


def test_an_empty_period_keeps_files_and_the_page_says_so(client, world):
    client.force_login(world.coordinator)

    response = post_settings(client, world, "")

    assert ReviewPolicy.objects.get(district=world.district).student_work_retention_days is None
    assert "Files showing students are kept." in response.content.decode()


@pytest.mark.parametrize("value", ["0", "-5", "3651", "a year"])
def test_a_period_out_of_range_saves_nothing(client, world, value):
    client.force_login(world.coordinator)

    response = post_settings(client, world, value)

    assert response.status_code == 200
    assert "Nothing was saved" in response.content.decode()
    assert not ReviewPolicy.objects.filter(district=world.district).exists()


def test_a_teacher_cannot_reach_the_setting(client, world):
    client.force_login(world.teacher)

    response = post_settings(client, world, "1")

    assert response.status_code == 404
    assert not ReviewPolicy.objects.filter(district=world.district).exists()
