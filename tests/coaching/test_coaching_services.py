"""Coaching services: who may assign, log, tick and reflect; the audit and notifications
never carry what was said."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from coaching import services
from coaching.models import CoachAssignment, Conversation
from pplearn.models import AuditEvent, Notification, Role
from tests.coaching.coaching_factories import (
    SECRET_NOTES,
    SECRET_REFLECTION,
    SECRET_STEP,
    TODAY,
    assign,
    days_ago,
    log,
    teacher_at,
)
from tests.factories import SchoolYearFactory, add_role, make_person
from tests.goals.goal_factories import current_year, earlier_year, make_goal

pytestmark = pytest.mark.django_db


def audit_rows(verb: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(verb=verb).order_by("pk"))


def assert_private_text_absent(*texts: str) -> None:
    """No audit row and no notification holds any of the private texts."""
    for event in AuditEvent.objects.all():
        stored = json.dumps(event.data) + event.target_repr
        for text in texts:
            assert text not in stored, f"{event.verb} keeps private text"
    for notification in Notification.objects.all():
        for text in texts:
            assert text not in notification.message


# Assignments


def create_assignment(world, actor, **overrides):
    kwargs = {
        "actor": actor,
        "coach": world.coach,
        "teacher": world.teacher,
        "school": world.school_a,
        "school_year": current_year(world.district),
    }
    kwargs.update(overrides)
    return services.assignment_create(**kwargs)


@pytest.mark.parametrize("actor", ["principal", "coordinator", "school_coordinator"])
def test_a_principal_or_coordinator_of_the_school_assigns_a_coach(world, actor):
    people = {
        "principal": world.principal,
        "coordinator": world.coordinator,
        "school_coordinator": make_person(Role.COORDINATOR, school=world.school_a),
    }

    assignment = create_assignment(world, people[actor])

    assert assignment.coach == world.coach
    assert assignment.teacher == world.teacher
    assert assignment.school == world.school_a
    assert assignment.created_by == people[actor]
    (event,) = audit_rows("coaching.assignment_create")
    assert event.actor == people[actor]
    assert event.district == world.district
    assert event.data == {
        "coach": world.coach.pk,
        "teacher": world.teacher.pk,
        "school": world.school_a.pk,
        "school_year": assignment.school_year.pk,
    }


@pytest.mark.parametrize(
    "actor",
    [
        "teacher",
        "coach",
        "district_admin",
        "outsider",
        "principal_b",
        "coordinator_b",
        "outsider_coordinator",
    ],
)
def test_no_one_else_assigns_coaches(world, actor):
    people = {
        "teacher": world.teacher,
        "coach": world.coach,
        "district_admin": world.district_admin,
        "outsider": world.outsider,
        "principal_b": make_person(Role.PRINCIPAL, school=world.school_b),
        "coordinator_b": make_person(Role.COORDINATOR, school=world.school_b),
        "outsider_coordinator": make_person(Role.COORDINATOR, district=world.other_district),
    }

    with pytest.raises(PermissionDenied):
        create_assignment(world, people[actor])

    assert not CoachAssignment.objects.exists()
    assert not audit_rows("coaching.assignment_create")


def test_a_teacher_is_never_their_own_coach(world):
    add_role(world.coach, Role.TEACHER, world.school_a)

    with pytest.raises(ValidationError) as refused:
        create_assignment(world, world.principal, teacher=world.coach)

    assert refused.value.code == "self"
    assert not CoachAssignment.objects.exists()


def test_the_coach_must_coach_at_that_school(world):
    coach_b = make_person(Role.COACH, school=world.school_b)

    with pytest.raises(ValidationError) as refused:
        create_assignment(world, world.principal, coach=coach_b)

    assert refused.value.code == "coach"


def test_the_teacher_must_teach_at_that_school(world):
    teacher_b = teacher_at(world.school_b, "Bea Lincoln")

    with pytest.raises(ValidationError) as refused:
        create_assignment(world, world.principal, teacher=teacher_b)

    assert refused.value.code == "teacher"


def test_a_deactivated_coach_cannot_be_assigned(world):
    world.coach.is_active = False
    world.coach.save()

    with pytest.raises(ValidationError) as refused:
        create_assignment(world, world.principal)

    assert refused.value.code == "coach"


def test_someone_who_evaluates_at_the_school_cannot_coach_there(world):
    add_role(world.principal, Role.COACH, world.school_a)

    with pytest.raises(ValidationError) as refused:
        create_assignment(world, world.coordinator, coach=world.principal)

    assert refused.value.code == "evaluator"


def test_a_school_year_of_another_district_is_refused(world):
    foreign_year = SchoolYearFactory(district=world.other_district)

    with pytest.raises(ValidationError) as refused:
        create_assignment(world, world.principal, school_year=foreign_year)

    assert refused.value.code == "school_year"


def test_the_same_coach_is_assigned_once_a_year(world):
    create_assignment(world, world.principal)

    with pytest.raises(ValidationError) as refused:
        create_assignment(world, world.coordinator)

    assert refused.value.code == "duplicate"
    assert CoachAssignment.objects.count() == 1


def test_a_teacher_may_have_a_second_coach(world):
    second = make_person(Role.COACH, school=world.school_a)
    create_assignment(world, world.principal)

    create_assignment(world, world.principal, coach=second)

    assert set(
        CoachAssignment.objects.filter(teacher=world.teacher).values_list("coach", flat=True)
    ) == {world.coach.pk, second.pk}


def test_removing_an_assignment_keeps_the_conversations(world):
    assignment = create_assignment(world, world.principal)
    conversation = log(world.coach, world.teacher)

    services.assignment_remove(
        actor=world.coordinator,
        coach=world.coach,
        teacher=world.teacher,
        school=world.school_a,
        school_year=assignment.school_year,
    )

    assert not CoachAssignment.objects.exists()
    assert Conversation.objects.filter(pk=conversation.pk).exists()
    (event,) = audit_rows("coaching.assignment_remove")
    assert event.actor == world.coordinator
    assert event.target_id == str(assignment.pk)


def test_removing_is_for_the_school_leaders_only(world):
    assignment = create_assignment(world, world.principal)

    with pytest.raises(PermissionDenied):
        services.assignment_remove(
            actor=world.coach,
            coach=world.coach,
            teacher=world.teacher,
            school=world.school_a,
            school_year=assignment.school_year,
        )

    assert CoachAssignment.objects.exists()


def test_removing_an_assignment_that_does_not_exist_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        services.assignment_remove(
            actor=world.principal,
            coach=world.coach,
            teacher=world.teacher,
            school=world.school_a,
            school_year=current_year(world.district),
        )

    assert refused.value.code == "missing"
    assert not audit_rows("coaching.assignment_remove")


# Conversations


@pytest.fixture
def assigned(world):
    return assign(world.coach, world.teacher, world.school_a)


def test_the_assigned_coach_logs_a_conversation(
    world, assigned, django_capture_on_commit_callbacks
):
    goal = make_goal(world.teacher, status="approved")

    with django_capture_on_commit_callbacks() as callbacks:
        conversation = log(
            world.coach,
            world.teacher,
            days_ago(2),
            kind=Conversation.Kind.OBSERVATION,
            next_steps=["  Try a visible   timer ", "", SECRET_STEP],
            goal=goal,
        )

    assert conversation.school_year == assigned.school_year
    assert conversation.held_on == days_ago(2)
    assert conversation.kind == Conversation.Kind.OBSERVATION
    assert conversation.notes == SECRET_NOTES
    assert conversation.goal == goal
    assert [(s.text, s.position, s.is_done) for s in conversation.next_steps.all()] == [
        ("Try a visible timer", 0, False),
        (SECRET_STEP, 1, False),
    ]
    (event,) = audit_rows("coaching.conversation_log")
    assert event.data == {
        "coach": world.coach.pk,
        "teacher": world.teacher.pk,
        "held_on": days_ago(2).isoformat(),
        "kind": "observation",
        "goal": goal.pk,
        "next_steps": 2,
    }
    (note,) = Notification.objects.all()
    assert note.recipient == world.teacher
    assert note.actor == world.coach
    assert note.url == f"/coaching/conversations/{conversation.pk}/"
    assert note.message == f"{world.coach} logged your observation of Nov 18, with 2 next steps."
    assert len(callbacks) == 1  # the email goes out after commit
    assert_private_text_absent(SECRET_NOTES, SECRET_STEP)


@pytest.mark.parametrize("who", ["other_coach", "teacher", "principal", "coordinator"])
def test_only_an_assigned_coach_logs_a_conversation(world, assigned, who):
    people = {
        "other_coach": make_person(Role.COACH, school=world.school_a),
        "teacher": world.teacher,
        "principal": world.principal,
        "coordinator": world.coordinator,
    }

    with pytest.raises(PermissionDenied):
        log(people[who], world.teacher)

    assert not Conversation.objects.exists()
    assert not Notification.objects.exists()


def test_a_coach_assigned_only_in_another_year_cannot_log_this_year(world):
    assign(world.coach, world.teacher, world.school_a, earlier_year(world.district))

    with pytest.raises(ValidationError) as refused:
        log(world.coach, world.teacher, TODAY)

    assert refused.value.code == "held_on"
    assert not Conversation.objects.exists()


def test_a_conversation_of_last_year_belongs_to_last_year(world, assigned):
    last_year = earlier_year(world.district)
    assign(world.coach, world.teacher, world.school_a, last_year)

    conversation = log(world.coach, world.teacher, datetime.date(2026, 5, 4))

    assert conversation.school_year == last_year


def test_a_conversation_cannot_be_logged_ahead_of_time(world, assigned):
    with pytest.raises(ValidationError) as refused:
        log(world.coach, world.teacher, TODAY + datetime.timedelta(days=1))

    assert refused.value.code == "held_on"
    assert not Conversation.objects.exists()


def test_today_is_not_ahead_of_time(world, assigned):
    assert log(world.coach, world.teacher, TODAY).held_on == TODAY


def test_the_goal_must_be_the_teachers_own(world, assigned):
    someone_else = make_goal(teacher_at(world.school_a, "Col League"))

    with pytest.raises(ValidationError) as refused:
        log(world.coach, world.teacher, goal=someone_else)

    assert refused.value.code == "goal"


def test_the_kind_must_be_one_of_the_five(world, assigned):
    with pytest.raises(ValidationError) as refused:
        log(world.coach, world.teacher, kind="evaluation")

    assert refused.value.code == "kind"


@pytest.mark.parametrize(
    "steps",
    [["x" * 301], [f"Step {n}" for n in range(services.NEXT_STEPS_MAX + 1)]],
    ids=["too-long", "too-many"],
)
def test_next_steps_are_short_and_few(world, assigned, steps):
    with pytest.raises(ValidationError) as refused:
        log(world.coach, world.teacher, next_steps=steps)

    assert refused.value.code == "next_steps"


# Editing


def test_the_coach_edits_and_ticked_steps_that_stay_keep_their_tick(world, assigned):
    conversation = log(world.coach, world.teacher, days_ago(3), next_steps=["Keep", "Drop"])
    kept = conversation.next_steps.get(text="Keep")
    services.next_step_toggle(step=kept, actor=world.teacher)

    services.conversation_update(
        conversation=conversation,
        actor=world.coach,
        held_on=days_ago(4),
        kind=Conversation.Kind.PLANNING,
        notes="New private words",
        next_steps=["Added", "Keep"],
    )

    conversation.refresh_from_db()
    assert (conversation.held_on, conversation.kind) == (days_ago(4), "planning")
    assert conversation.notes == "New private words"
    steps = list(conversation.next_steps.all())
    assert [(s.text, s.is_done) for s in steps] == [("Added", False), ("Keep", True)]
    assert steps[1].pk == kept.pk
    (event,) = audit_rows("coaching.conversation_update")
    assert event.data == {
        "fields": ["held_on", "kind", "notes"],
        "next_steps_added": 1,
        "next_steps_removed": 1,
    }
    assert_private_text_absent("New private words", "Added", SECRET_NOTES)


@pytest.mark.parametrize("who", ["teacher", "principal", "other_coach"])
def test_only_the_coach_who_logged_it_edits_it(world, assigned, who):
    conversation = log(world.coach, world.teacher)
    people = {
        "teacher": world.teacher,
        "principal": world.principal,
        "other_coach": make_person(Role.COACH, school=world.school_a),
    }

    with pytest.raises(PermissionDenied):
        services.conversation_update(
            conversation=conversation,
            actor=people[who],
            held_on=TODAY,
            kind=Conversation.Kind.CHECK_IN,
            notes="Overwritten",
            next_steps=[],
        )

    conversation.refresh_from_db()
    assert conversation.notes == SECRET_NOTES
    assert conversation.next_steps.count() == 2


@pytest.mark.parametrize(
    "held_on",
    [datetime.date(2026, 7, 31), TODAY + datetime.timedelta(days=1)],
    ids=["before-the-school-year", "tomorrow"],
)
def test_an_edit_keeps_the_date_within_the_year_and_not_ahead(world, assigned, held_on):
    conversation = log(world.coach, world.teacher, days_ago(1))

    with pytest.raises(ValidationError) as refused:
        services.conversation_update(
            conversation=conversation,
            actor=world.coach,
            held_on=held_on,
            kind=conversation.kind,
            notes=conversation.notes,
            next_steps=[],
        )

    assert refused.value.code == "held_on"
    conversation.refresh_from_db()
    assert conversation.held_on == days_ago(1)


# Next steps


@pytest.mark.parametrize("who", ["teacher", "coach"])
def test_the_coach_and_the_teacher_both_tick_next_steps(world, assigned, who):
    actor = getattr(world, who)
    step = log(world.coach, world.teacher).next_steps.get(text=SECRET_STEP)

    services.next_step_toggle(step=step, actor=actor)
    step.refresh_from_db()
    assert step.is_done
    assert step.done_by == actor
    assert step.done_at is not None

    services.next_step_toggle(step=step, actor=actor)
    step.refresh_from_db()
    assert not step.is_done
    assert step.done_by is None
    verbs = [e.verb for e in AuditEvent.objects.filter(verb__startswith="coaching.next_step")]
    assert sorted(verbs) == ["coaching.next_step_done", "coaching.next_step_reopen"]
    # The audit names the conversation, never the step's private text.
    assert_private_text_absent(SECRET_STEP)


def test_ticking_twice_with_the_wanted_state_ticks_once(world, assigned):
    step = log(world.coach, world.teacher).next_steps.first()

    services.next_step_toggle(step=step, actor=world.teacher, done=True)
    services.next_step_toggle(step=step, actor=world.coach, done=True)

    step.refresh_from_db()
    assert step.is_done
    assert step.done_by == world.teacher
    assert AuditEvent.objects.filter(verb="coaching.next_step_done").count() == 1


@pytest.mark.parametrize("who", ["principal", "coordinator", "district_admin", "other_coach"])
def test_no_one_else_ticks_next_steps(world, assigned, who):
    step = log(world.coach, world.teacher).next_steps.first()
    people = {
        "principal": world.principal,
        "coordinator": world.coordinator,
        "district_admin": world.district_admin,
        "other_coach": make_person(Role.COACH, school=world.school_a),
    }

    with pytest.raises(PermissionDenied):
        services.next_step_toggle(step=step, actor=people[who])

    step.refresh_from_db()
    assert not step.is_done


# Reflections


def test_the_teacher_reflects_and_the_coach_is_told_without_the_text(world, assigned):
    conversation = log(world.coach, world.teacher, days_ago(2))
    Notification.objects.all().delete()

    services.conversation_reflect(
        conversation=conversation, teacher=world.teacher, text=f"  {SECRET_REFLECTION}  "
    )
    services.conversation_reflect(
        conversation=conversation, teacher=world.teacher, text="A second thought."
    )

    conversation.refresh_from_db()
    assert conversation.teacher_reflection == "A second thought."
    first, second = Notification.objects.order_by("pk")
    assert first.recipient == world.coach
    assert first.message == f"{world.teacher} added a reflection on your quick check-in of Nov 18."
    assert second.message.startswith(f"{world.teacher} updated a reflection")
    assert first.url == f"/coaching/conversations/{conversation.pk}/"
    events = audit_rows("coaching.conversation_reflect")
    assert [e.data for e in events] == [{"first": True}, {"first": False}]
    assert_private_text_absent(SECRET_REFLECTION, "A second thought.", SECRET_NOTES)


def test_only_the_teacher_reflects(world, assigned):
    conversation = log(world.coach, world.teacher)

    with pytest.raises(PermissionDenied):
        services.conversation_reflect(
            conversation=conversation, teacher=world.coach, text="Written by the coach"
        )

    conversation.refresh_from_db()
    assert conversation.teacher_reflection == ""


def test_an_empty_reflection_is_refused(world, assigned):
    conversation = log(world.coach, world.teacher)

    with pytest.raises(ValidationError):
        services.conversation_reflect(conversation=conversation, teacher=world.teacher, text="  ")

    assert not AuditEvent.objects.filter(verb="coaching.conversation_reflect").exists()
