"""Notifications of the goal workflow: who is told, the email outbox, and the pages."""

import pytest
from django.core import mail
from django.urls import reverse

from goals import services
from pplearn.models import Notification, Role
from pplearn.notifications import notification_email, notify
from pplearn.tasks import notification_email_task
from tests.factories import add_role
from tests.goals.goal_factories import S, make_cast, make_goal

pytestmark = pytest.mark.django_db

APPROVERS = {"principal", "coordinator", "coordinator_a"}


@pytest.fixture
def celery_eager():
    """Run tasks in the test's own process, raising their errors, for this test only."""
    from pplearn.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def cast(world):
    return make_cast(world)


def goal_of(cast, status: str, approved_by: str | None = None):
    return make_goal(
        cast["teacher"],
        status=status,
        collaborators=[cast["collaborator"]],
        approved_by=cast[approved_by] if approved_by else None,
        title="Academic talk",
    )


# Each case: the goal's status and approver, the step, who takes it, who is told, and how.
CASES = {
    "propose": (
        S.DRAFT,
        None,
        lambda goal, actor: services.goal_propose(goal=goal, actor=actor),
        "teacher",
        APPROVERS,
        "goal.proposed",
        "proposed a goal for approval: Academic talk",
    ),
    "propose_again": (
        S.CHANGES_REQUESTED,
        None,
        lambda goal, actor: services.goal_propose(goal=goal, actor=actor),
        "teacher",
        APPROVERS,
        "goal.proposed",
        "proposed again a goal for approval: Academic talk",
    ),
    "approve": (
        S.PROPOSED,
        None,
        lambda goal, actor: services.goal_approve(goal=goal, actor=actor),
        "principal",
        {"teacher"},
        "goal.approved",
        "approved your goal: Academic talk",
    ),
    "request_changes": (
        S.PROPOSED,
        None,
        lambda goal, actor: services.goal_request_changes(goal=goal, actor=actor, comment="Why?"),
        "coordinator",
        {"teacher"},
        "goal.changes_requested",
        "asked for changes to your goal: Academic talk",
    ),
    "withdraw_approved": (
        S.APPROVED,
        "principal",
        lambda goal, actor: services.goal_withdraw(goal=goal, actor=actor),
        "teacher",
        {"principal"},
        "goal.withdrawn",
        "withdrew the goal: Academic talk",
    ),
    "withdraw_proposed": (
        S.PROPOSED,
        None,
        lambda goal, actor: services.goal_withdraw(goal=goal, actor=actor),
        "teacher",
        APPROVERS,
        "goal.withdrawn",
        "withdrew the goal: Academic talk",
    ),
    "complete": (
        S.APPROVED,
        "coordinator",
        lambda goal, actor: services.goal_complete(goal=goal, actor=actor),
        "teacher",
        {"coordinator"},
        "goal.complete",
        "The goal Academic talk is complete.",
    ),
    "teacher_comments_on_proposed": (
        S.PROPOSED,
        None,
        lambda goal, actor: services.goal_comment_add(goal=goal, author=actor, body="Hi"),
        "teacher",
        {"collaborator", "coach"} | APPROVERS,
        "goal.comment",
        "commented on Academic talk",
    ),
    "teacher_answers_a_request_for_changes": (
        S.CHANGES_REQUESTED,
        None,
        lambda goal, actor: services.goal_comment_add(goal=goal, author=actor, body="Hi"),
        "teacher",
        {"collaborator", "coach"} | APPROVERS,
        "goal.comment",
        "commented on Academic talk",
    ),
    "approver_comments_on_approved": (
        S.APPROVED,
        "principal",
        lambda goal, actor: services.goal_comment_add(goal=goal, author=actor, body="Hi"),
        "principal",
        {"teacher", "collaborator", "coach"},
        "goal.comment",
        "commented on Academic talk",
    ),
    "coach_comments_on_draft": (
        S.DRAFT,
        None,
        lambda goal, actor: services.goal_comment_add(goal=goal, author=actor, body="Hi"),
        "coach",
        {"teacher", "collaborator"},
        "goal.comment",
        "commented on Academic talk",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_step_tells_the_other_side_in_the_app_and_by_email(
    cast, celery_eager, django_capture_on_commit_callbacks, case
):
    status, approved_by, step, actor, told, verb, message = CASES[case]
    goal = goal_of(cast, status, approved_by)
    expected = {cast[name] for name in told}

    with django_capture_on_commit_callbacks(execute=True):
        step(goal, cast[actor])

    notifications = Notification.objects.filter(verb=verb)
    assert {n.recipient for n in notifications} == expected
    for n in notifications:
        assert n.actor == cast[actor]
        assert message in n.message
        assert n.url.startswith(goal.get_absolute_url())
        assert n.email_status == Notification.EmailStatus.SENT
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in expected)
    assert all(message in m.subject for m in mail.outbox)


def test_a_deactivated_approver_is_not_told(cast, celery_eager, django_capture_on_commit_callbacks):
    goal = goal_of(cast, S.DRAFT)
    cast["coordinator_a"].is_active = False
    cast["coordinator_a"].save()

    with django_capture_on_commit_callbacks(execute=True):
        services.goal_propose(goal=goal, actor=cast["teacher"])

    assert {n.recipient for n in Notification.objects.all()} == {
        cast["principal"],
        cast["coordinator"],
    }
    assert len(mail.outbox) == 2


def test_a_teacher_who_leads_their_school_is_not_told_of_their_own_proposal(cast):
    add_role(cast["teacher"], Role.PRINCIPAL, cast["teacher"].schools_for_role(Role.TEACHER)[0])
    goal = goal_of(cast, S.DRAFT)

    services.goal_propose(goal=goal, actor=cast["teacher"])

    recipients = {n.recipient for n in Notification.objects.all()}
    assert recipients == {cast[name] for name in APPROVERS}


def test_emails_wait_for_the_commit(cast, celery_eager, django_capture_on_commit_callbacks):
    goal = goal_of(cast, S.PROPOSED)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.goal_approve(goal=goal, actor=cast["principal"])

    notification = Notification.objects.get()
    assert notification.email_status == Notification.EmailStatus.PENDING
    assert mail.outbox == []
    assert len(callbacks) == 1

    callbacks[0]()

    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.SENT
    assert len(mail.outbox) == 1


def test_the_email_links_to_the_goal(
    cast, settings, celery_eager, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://ppl.example.org/"
    goal = goal_of(cast, S.PROPOSED)

    with django_capture_on_commit_callbacks(execute=True):
        services.goal_approve(goal=goal, actor=cast["principal"])

    (email,) = mail.outbox
    assert email.to == [cast["teacher"].email]
    assert email.subject.startswith("pplearn: ")
    assert f"https://ppl.example.org{goal.get_absolute_url()}" in email.body


def test_an_email_is_sent_once_however_often_the_task_runs(world, celery_eager):
    (notification,) = notify(
        recipients=[world.teacher], actor=world.principal, verb="goal.approved", message="Yes"
    )

    notification_email_task.delay(notification.pk)
    notification_email_task.delay(notification.pk)

    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts) == (
        Notification.EmailStatus.SENT,
        1,
    )


def test_nobody_deactivated_meanwhile_is_emailed(world):
    (notification,) = notify(
        recipients=[world.teacher], actor=world.principal, verb="goal.approved", message="Yes"
    )
    world.teacher.is_active = False
    world.teacher.save()

    assert notification_email(notification_id=notification.pk) == "skipped"
    assert mail.outbox == []


def test_the_actor_is_never_told_of_their_own_step(world):
    assert notify(recipients=[world.teacher], actor=world.teacher, verb="x", message="y") == []
    assert not Notification.objects.exists()


# The pages


def notify_teacher(world, message: str, *, recipient=None, url: str = "") -> Notification:
    (notification,) = notify(
        recipients=[recipient or world.teacher],
        actor=world.principal,
        verb="goal.approved",
        message=message,
        url=url,
    )
    return notification


@pytest.fixture
def teacher_client(client, world):
    client.force_login(world.teacher)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_nav_shows_the_unread_count(teacher_client, world):
    assert b" unread</span>" not in teacher_client.get(reverse("home")).content
    notify_teacher(world, "First")
    notify_teacher(world, "Second")
    notify_teacher(world, "For someone else", recipient=world.coach)

    response = teacher_client.get(reverse("home"))

    assert response.context["unread_notifications"] == 2
    assert b'text-bg-warning">2<span class="visually-hidden"> unread</span>' in response.content


def test_the_notifications_page_lists_only_ones_own(teacher_client, world):
    notify_teacher(world, "Your goal was approved")
    notify_teacher(world, "Not yours", recipient=world.coach)

    response = teacher_client.get(reverse("notification_list"))

    assert response.status_code == 200
    assert [n.message for n in response.context["page"].object_list] == ["Your goal was approved"]
    assert b"Not yours" not in response.content


def test_opening_a_notification_marks_it_read_and_goes_to_the_goal(teacher_client, world):
    goal = make_goal(world.teacher, status=S.APPROVED)
    notification = notify_teacher(world, "Approved", url=goal.get_absolute_url())
    other = notify_teacher(world, "Still unread")

    response = teacher_client.post(reverse("notification_open", args=[notification.pk]))

    assert response.status_code == 302
    assert response.url == goal.get_absolute_url()
    notification.refresh_from_db()
    other.refresh_from_db()
    assert notification.read_at is not None
    assert other.read_at is None


def test_another_persons_notification_is_not_found(teacher_client, world):
    theirs = notify_teacher(world, "For the coach", recipient=world.coach, url="/goals/")

    response = teacher_client.post(reverse("notification_open", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_notification_never_leads_off_site(teacher_client, world):
    notification = notify_teacher(world, "Odd", url="https://evil.example/steal")

    response = teacher_client.post(reverse("notification_open", args=[notification.pk]))

    assert response.url == reverse("notification_list")


def test_opening_takes_a_post_only(teacher_client, world):
    notification = notify_teacher(world, "Approved", url="/goals/")

    response = teacher_client.get(reverse("notification_open", args=[notification.pk]))

    assert response.status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_marks_only_ones_own(teacher_client, world):
    mine = [notify_teacher(world, "One"), notify_teacher(world, "Two")]
    theirs = notify_teacher(world, "For the coach", recipient=world.coach)

    response = teacher_client.post(reverse("notifications_read_all"), follow=True)

    assert messages_of(response) == ["Marked 2 notifications read."]
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert response.context["unread_notifications"] == 0
    assert b" unread</span>" not in response.content


def test_the_approver_is_told_through_the_pages(client, world, cast):
    goal = goal_of(cast, S.DRAFT)
    client.force_login(world.teacher)
    client.post(reverse("goals:goal_transition", args=[goal.pk]), {"action": "propose"})
    client.force_login(world.principal)

    page = client.get(reverse("notification_list"))
    (notification,) = page.context["page"].object_list
    opened = client.post(reverse("notification_open", args=[notification.pk]), follow=True)

    assert opened.redirect_chain[-1][0] == goal.get_absolute_url()
    assert opened.context["can_decide"] is True
    assert opened.context["unread_notifications"] == 0
