"""The coaching pages as people use them: every URL for every role, the firewall around the
notes, the caseload, assignments, conversations, ticks and reflections."""

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coaching.models import CoachAssignment, Conversation, NextStep
from evidence.models import Submission
from goals.models import Goal
from pplearn.models import Role, User
from tests.coaching.coaching_factories import (
    SECRET_NOTES,
    SECRET_REFLECTION,
    SECRET_STEP,
    TODAY,
    approved_goal_on,
    assign,
    days_ago,
    log,
    teacher_at,
)
from tests.evidence.evidence_factories import in_status
from tests.factories import add_role, make_person
from tests.goals.goal_factories import current_year

pytestmark = pytest.mark.django_db

SECRETS = (SECRET_NOTES, SECRET_STEP, SECRET_REFLECTION)
ROLES = [
    "coach",
    "other_coach",
    "teacher",
    "other_teacher",
    "principal",
    "coordinator",
    "district_admin",
    "outsider",
    "anonymous",
]


@dataclass
class Scene:
    people: dict[str, User | None]
    goal: Goal
    assignment: CoachAssignment
    conversation: Conversation
    step: NextStep


@pytest.fixture
def scene(world) -> Scene:
    """The coach coaches the teacher, whose approved goal they talked about 20 days ago."""
    from coaching import services

    assignment = assign(world.coach, world.teacher, world.school_a)
    goal = approved_goal_on(world.teacher, days_ago(30), title="Academic talk in math")
    conversation = log(world.coach, world.teacher, days_ago(20), goal=goal)
    services.conversation_reflect(
        conversation=conversation, teacher=world.teacher, text=SECRET_REFLECTION
    )
    people = {
        "coach": world.coach,
        "other_coach": make_person(Role.COACH, school=world.school_a, full_name="Otto Coach"),
        "teacher": world.teacher,
        "other_teacher": teacher_at(world.school_a, "Col League"),
        "principal": world.principal,
        "coordinator": world.coordinator,
        "district_admin": world.district_admin,
        "outsider": world.outsider,
        "anonymous": None,
    }
    return Scene(
        people=people,
        goal=goal,
        assignment=assignment,
        conversation=conversation,
        step=conversation.next_steps.get(text=SECRET_STEP),
    )


def as_(client, scene: Scene, role: str):
    person = scene.people[role]
    if person is not None:
        client.force_login(person)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def conversation_data(**overrides) -> dict:
    data = {
        "held_on": TODAY.isoformat(),
        "kind": Conversation.Kind.PLANNING,
        "goal": "",
        "notes": "We planned the next two lessons.",
        "next_steps": "Write the lesson plan\nPrepare the anchor chart\n",
    }
    data.update(overrides)
    return data


@dataclass
class Case:
    method: str
    url: object  # scene -> str
    allowed: set[str]
    data: object = None  # scene -> dict
    effect: object = None  # scene -> bool: did the change happen?


CASES = {
    "caseload": Case("get", lambda s: reverse("coaching:caseload"), {"coach", "other_coach"}),
    "my_coaching": Case(
        "get", lambda s: reverse("coaching:my_coaching"), {"teacher", "other_teacher"}
    ),
    "assignment_list": Case(
        "get", lambda s: reverse("coaching:assignment_list"), {"principal", "coordinator"}
    ),
    "assignment_create": Case(
        "post",
        lambda s: reverse("coaching:assignment_create"),
        {"principal", "coordinator"},
        data=lambda s: {
            "school": s.assignment.school_id,
            "teacher": s.people["other_teacher"].pk,
            "coach": s.people["coach"].pk,
        },
        effect=lambda s: CoachAssignment.objects.filter(teacher=s.people["other_teacher"]).exists(),
    ),
    "assignment_remove": Case(
        "post",
        lambda s: reverse("coaching:assignment_remove", args=[s.assignment.pk]),
        {"principal", "coordinator"},
        effect=lambda s: not CoachAssignment.objects.filter(pk=s.assignment.pk).exists(),
    ),
    "conversation_create_form": Case(
        "get",
        lambda s: reverse("coaching:conversation_create", args=[s.people["teacher"].pk]),
        {"coach"},
    ),
    "conversation_create": Case(
        "post",
        lambda s: reverse("coaching:conversation_create", args=[s.people["teacher"].pk]),
        {"coach"},
        data=lambda s: conversation_data(),
        effect=lambda s: Conversation.objects.count() == 2,
    ),
    "conversation_detail": Case(
        "get",
        lambda s: reverse("coaching:conversation_detail", args=[s.conversation.pk]),
        {"coach", "teacher"},
    ),
    "conversation_edit_form": Case(
        "get",
        lambda s: reverse("coaching:conversation_edit", args=[s.conversation.pk]),
        {"coach"},
    ),
    "conversation_edit": Case(
        "post",
        lambda s: reverse("coaching:conversation_edit", args=[s.conversation.pk]),
        {"coach"},
        data=lambda s: conversation_data(notes="Rewritten", held_on=days_ago(20).isoformat()),
        effect=lambda s: Conversation.objects.get(pk=s.conversation.pk).notes == "Rewritten",
    ),
    "next_step_toggle": Case(
        "post",
        lambda s: reverse("coaching:next_step_toggle", args=[s.step.pk]),
        {"coach", "teacher"},
        data=lambda s: {"done": "1"},
        effect=lambda s: NextStep.objects.get(pk=s.step.pk).is_done,
    ),
    "conversation_reflect": Case(
        "post",
        lambda s: reverse("coaching:conversation_reflect", args=[s.conversation.pk]),
        {"teacher"},
        data=lambda s: {"text": "My new thoughts"},
        effect=lambda s: (
            Conversation.objects.get(pk=s.conversation.pk).teacher_reflection == "My new thoughts"
        ),
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(CASES))
def test_every_page_answers_each_role_as_it_should(client, scene, name, role):
    case = CASES[name]
    as_(client, scene, role)
    url = case.url(scene)

    if case.method == "get":
        response = client.get(url)
    else:
        response = client.post(url, case.data(scene) if case.data else {})

    if role == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    elif role in case.allowed:
        assert response.status_code == (200 if case.method == "get" else 302), response.content[
            :500
        ]
    else:
        assert response.status_code == 404
    if case.effect is not None:
        assert case.effect(scene) == (role in case.allowed)


def test_the_urls_are_where_the_issue_says(scene):
    teacher = scene.people["teacher"]
    assert reverse("coaching:caseload") == "/coaching/caseload/"
    assert reverse("coaching:assignment_list") == "/coaching/assignments/"
    assert reverse("coaching:my_coaching") == "/coaching/mine/"
    assert (
        reverse("coaching:conversation_create", args=[teacher.pk])
        == f"/coaching/teachers/{teacher.pk}/conversations/new/"
    )


@pytest.mark.parametrize("name", ["next_step_toggle", "conversation_reflect"])
def test_actions_answer_post_only(client, scene, name):
    as_(client, scene, "teacher")

    response = client.get(CASES[name].url(scene))

    assert response.status_code == 405


# The firewall: notes, next steps and reflections stay between coach and teacher.


def pages_seen_by(client, scene: Scene) -> dict[str, object]:
    submission = scene.goal.submissions.get(tier=1)
    urls = {
        "evidence": reverse("evidence:submission_detail", args=[submission.pk]),
        "review": reverse("evidence:review_score", args=[submission.pk]),
        "review_queue": reverse("evidence:review_queue"),
        "home": reverse("home"),
        "goal": scene.goal.get_absolute_url(),
        "conversation": reverse("coaching:conversation_detail", args=[scene.conversation.pk]),
        "assignments": reverse("coaching:assignment_list"),
        "approvals": reverse("goals:approval_list"),
        "notifications": reverse("notification_list"),
        "caseload": reverse("coaching:caseload"),
        "mine": reverse("coaching:my_coaching"),
    }
    return {name: client.get(url, follow=True) for name, url in urls.items()}


@pytest.mark.parametrize(
    "role", ["principal", "coordinator", "district_admin", "other_coach", "other_teacher"]
)
def test_no_one_but_coach_and_teacher_ever_reads_the_private_words(client, scene, role):
    in_status(scene.goal, 1, Submission.Status.SUBMITTED)
    as_(client, scene, role)

    pages = pages_seen_by(client, scene)

    for name, response in pages.items():
        content = response.content.decode()
        for secret in SECRETS:
            assert secret not in content, f"{role} reads private text on the {name} page"
    assert pages["conversation"].status_code == 404
    if role in ("principal", "coordinator", "district_admin"):
        # The leaders do see the goal the conversation was about: just not the conversation.
        assert pages["goal"].status_code == 200
        assert "Academic talk in math" in pages["goal"].content.decode()
        assert pages["evidence"].status_code == 200
    if role == "coordinator":
        assert pages["review"].status_code == 200
        assert pages["review_queue"].status_code == 200


@pytest.mark.parametrize("role", ["coach", "teacher"])
def test_the_coach_and_the_teacher_read_everything(client, scene, role):
    as_(client, scene, role)

    content = client.get(
        reverse("coaching:conversation_detail", args=[scene.conversation.pk])
    ).content.decode()

    for secret in SECRETS:
        assert secret in content


def test_a_superuser_does_not_read_conversations_either(client, scene):
    admin = User.objects.create_superuser("root@example.org", "pw", full_name="Root")
    client.force_login(admin)

    response = client.get(reverse("coaching:conversation_detail", args=[scene.conversation.pk]))

    assert response.status_code == 404


def test_the_coach_loses_no_access_to_what_they_wrote_when_unassigned(client, scene):
    scene.assignment.delete()
    as_(client, scene, "coach")

    response = client.get(reverse("coaching:conversation_detail", args=[scene.conversation.pk]))

    assert response.status_code == 200


def test_the_principal_sees_the_overdue_check_in_and_nothing_said(client, scene):
    as_(client, scene, "principal")

    response = client.get(reverse("home"))

    content = response.content.decode()
    assert "Check-ins overdue" in content
    (row,) = response.context["overdue_checkins"]
    assert (row.teacher, row.coach, row.days_overdue) == (
        scene.people["teacher"],
        scene.people["coach"],
        6,
    )
    assert "6 days" in content
    assert scene.people["coach"].full_name in content
    for secret in SECRETS:
        assert secret not in content


def test_the_principal_card_says_when_nothing_is_overdue(client, scene):
    log(scene.people["coach"], scene.people["teacher"], TODAY)
    as_(client, scene, "principal")

    response = client.get(reverse("home"))

    assert response.context["overdue_checkins"] == []
    assert "No check-ins are overdue." in response.content.decode()


def test_the_principal_of_another_school_sees_none_of_them(client, scene, world):
    principal_b = make_person(Role.PRINCIPAL, school=world.school_b)
    client.force_login(principal_b)

    response = client.get(reverse("home"))

    assert response.context["overdue_checkins"] == []


# The coach's home is the caseload.


def test_the_coachs_home_is_the_caseload(client, scene):
    as_(client, scene, "coach")

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url == reverse("coaching:caseload")


def test_a_teacher_who_also_coaches_gets_the_caseload_only_while_working_as_coach(
    client, scene, world
):
    add_role(world.coach, Role.TEACHER, world.school_a)
    as_(client, scene, "coach")

    assert client.get(reverse("home")).url == reverse("coaching:caseload")
    client.post(reverse("role_switch"), {"role": Role.TEACHER})
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert response.templates[0].name == "pplearn/home_teacher.html"


def test_the_caseload_lists_teachers_overdue_first_with_goal_and_last_conversation(
    client, scene, world
):
    fine = teacher_at(world.school_a, "Aaron Fine")
    assign(world.coach, fine, world.school_a)
    approved_goal_on(fine, days_ago(3))
    as_(client, scene, "coach")

    response = client.get(reverse("coaching:caseload"))

    rows = response.context["rows"]
    assert [r.teacher for r in rows] == [scene.people["teacher"], fine]
    content = response.content.decode()
    assert "Academic talk in math" in content
    assert days_ago(20).strftime("%b %-d, %Y") in content
    assert "Overdue" in content
    assert "1 overdue" in content
    assert reverse("coaching:conversation_detail", args=[scene.conversation.pk]) in content
    assert reverse("coaching:conversation_create", args=[fine.pk]) in content
    assert world.school_b.name in content  # the schools the coach works at


def test_a_coach_without_teachers_sees_whom_to_ask(client, scene):
    as_(client, scene, "other_coach")

    response = client.get(reverse("coaching:caseload"))

    assert response.context["rows"] == []
    assert "No teachers assigned to you yet" in response.content.decode()


def test_the_caseload_page_query_count_does_not_grow_with_the_teachers(client, scene, world):
    def add(count: int) -> None:
        for _ in range(count):
            teacher = make_person(Role.TEACHER, school=world.school_a)
            assign(world.coach, teacher, world.school_a)
            approved_goal_on(teacher, days_ago(25))
            log(world.coach, teacher, days_ago(16))

    as_(client, scene, "coach")
    client.get(reverse("coaching:caseload"))  # the first request also saves the session
    add(2)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(reverse("coaching:caseload")).context["rows"]) == 3
    add(12)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(reverse("coaching:caseload")).context["rows"]) == 15

    assert len(many) == len(few)


# Logging and editing conversations


def test_the_coach_logs_a_conversation_with_two_next_steps(client, scene):
    as_(client, scene, "coach")
    teacher = scene.people["teacher"]

    response = client.post(
        reverse("coaching:conversation_create", args=[teacher.pk]),
        conversation_data(goal=scene.goal.pk),
        follow=True,
    )

    conversation = Conversation.objects.latest("pk")
    assert response.redirect_chain[-1][0] == reverse(
        "coaching:conversation_detail", args=[conversation.pk]
    )
    assert conversation.coach == scene.people["coach"]
    assert conversation.goal == scene.goal
    assert [s.text for s in conversation.next_steps.all()] == [
        "Write the lesson plan",
        "Prepare the anchor chart",
    ]
    assert messages_of(response) == [
        f"Conversation logged. {teacher.get_short_name()} can see it now, tick the next steps "
        "and add a reflection."
    ]
    assert "Mark done: Write the lesson plan" in response.content.decode()


def test_the_form_proposes_today_and_the_approved_goal(client, scene):
    as_(client, scene, "coach")

    response = client.get(
        reverse("coaching:conversation_create", args=[scene.people["teacher"].pk])
    )

    form = response.context["form"]
    assert form["held_on"].value() == TODAY
    assert form["goal"].value() == scene.goal.pk
    assert f'max="{TODAY.isoformat()}"' in response.content.decode()
    assert list(response.context["earlier"]) == [scene.conversation]


def test_a_conversation_dated_tomorrow_is_refused_next_to_the_date(client, scene):
    as_(client, scene, "coach")
    tomorrow = TODAY.replace(day=TODAY.day + 1)

    response = client.post(
        reverse("coaching:conversation_create", args=[scene.people["teacher"].pk]),
        conversation_data(held_on=tomorrow.isoformat()),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["held_on"] == [
        "A conversation cannot be logged ahead of time."
    ]
    assert Conversation.objects.count() == 1


def test_a_date_outside_the_years_the_coach_coached_shows_on_the_date(client, scene):
    as_(client, scene, "coach")

    response = client.post(
        reverse("coaching:conversation_create", args=[scene.people["teacher"].pk]),
        conversation_data(held_on="2026-05-04"),
    )

    assert response.status_code == 200
    assert "held_on" in response.context["form"].errors
    assert Conversation.objects.count() == 1


def test_the_coach_cannot_log_for_a_teacher_of_another_coach(client, scene):
    as_(client, scene, "other_coach")

    response = client.get(
        reverse("coaching:conversation_create", args=[scene.people["teacher"].pk])
    )

    assert response.status_code == 404


def test_the_edit_form_shows_the_steps_one_per_line(client, scene):
    as_(client, scene, "coach")

    response = client.get(reverse("coaching:conversation_edit", args=[scene.conversation.pk]))

    assert response.context["form"]["next_steps"].value() == (
        f"{SECRET_STEP}\nShare the exit tickets"
    )


def test_the_teacher_gets_no_edit_button(client, scene):
    detail = reverse("coaching:conversation_detail", args=[scene.conversation.pk])
    edit = reverse("coaching:conversation_edit", args=[scene.conversation.pk])

    as_(client, scene, "teacher")
    teacher_page = client.get(detail).content.decode()
    as_(client, scene, "coach")
    coach_page = client.get(detail).content.decode()

    assert edit not in teacher_page
    assert edit in coach_page


# Ticks and reflections


def test_the_teacher_ticks_a_step_and_the_coach_sees_it(client, scene):
    as_(client, scene, "teacher")

    response = client.post(
        reverse("coaching:next_step_toggle", args=[scene.step.pk]), {"done": "1"}, follow=True
    )

    assert messages_of(response) == [f"Ticked off: {SECRET_STEP}"]
    as_(client, scene, "coach")
    page = client.get(reverse("coaching:conversation_detail", args=[scene.conversation.pk]))
    content = page.content.decode()
    assert f"Mark not done: {SECRET_STEP}" in content
    assert f"ticked by {scene.people['teacher'].full_name}" in content


def test_an_htmx_tick_returns_the_step_alone(client, scene):
    as_(client, scene, "coach")

    response = client.post(
        reverse("coaching:next_step_toggle", args=[scene.step.pk]),
        {"done": "1"},
        headers={"HX-Request": "true"},
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<li class="list-group-item')
    assert f"Mark not done: {SECRET_STEP}" in content
    assert "<html" not in content


def test_a_tick_goes_back_to_a_local_page_only(client, scene):
    as_(client, scene, "teacher")
    url = reverse("coaching:next_step_toggle", args=[scene.step.pk])

    local = client.post(url, {"done": "1", "next": reverse("coaching:my_coaching")})
    external = client.post(url, {"done": "0", "next": "https://evil.example/"})

    assert local.url == reverse("coaching:my_coaching")
    assert external.url == reverse("coaching:conversation_detail", args=[scene.conversation.pk])


def test_the_teachers_page_lists_conversations_and_open_steps(client, scene):
    as_(client, scene, "teacher")

    response = client.get(reverse("coaching:my_coaching"))

    content = response.content.decode()
    assert list(response.context["page"].object_list) == [scene.conversation]
    assert [s.text for s in response.context["open_steps"]] == [
        SECRET_STEP,
        "Share the exit tickets",
    ]
    assert f"Mark done: {SECRET_STEP}" in content
    assert scene.people["coach"].full_name in content


def test_a_ticked_step_leaves_the_open_list(client, scene):
    as_(client, scene, "teacher")
    client.post(reverse("coaching:next_step_toggle", args=[scene.step.pk]), {"done": "1"})

    response = client.get(reverse("coaching:my_coaching"))

    assert [s.text for s in response.context["open_steps"]] == ["Share the exit tickets"]


def test_the_teacher_reflects_and_returns_to_the_reflection(client, scene):
    as_(client, scene, "teacher")

    response = client.post(
        reverse("coaching:conversation_reflect", args=[scene.conversation.pk]),
        {"text": "I will try the timer."},
    )

    assert response.url.endswith("#reflection")
    scene.conversation.refresh_from_db()
    assert scene.conversation.teacher_reflection == "I will try the timer."


def test_an_empty_reflection_shows_the_error_on_the_page(client, scene):
    as_(client, scene, "teacher")

    response = client.post(
        reverse("coaching:conversation_reflect", args=[scene.conversation.pk]), {"text": " "}
    )

    assert response.status_code == 200
    assert response.context["reflection_form"].errors["text"]
    scene.conversation.refresh_from_db()
    assert scene.conversation.teacher_reflection == SECRET_REFLECTION


# Assignments


def test_teachers_without_a_coach_are_listed_first(client, scene, world):
    # By name alone the uncoached teacher would come last.
    User.objects.filter(pk=world.teacher.pk).update(full_name="Ann Coached")
    User.objects.filter(pk=scene.people["other_teacher"].pk).update(full_name="Zoe Uncoached")
    as_(client, scene, "principal")

    response = client.get(reverse("coaching:assignment_list"))

    listing = response.context["listing"]
    assert [(e.teacher.full_name, [a.coach for a in e.assignments]) for e in listing] == [
        ("Zoe Uncoached", []),
        ("Ann Coached", [scene.people["coach"]]),
    ]
    assert "No coach yet" in response.content.decode()


def test_the_coordinator_filters_by_school(client, scene, world):
    teacher_b = teacher_at(world.school_b, "Bea Lincoln")
    as_(client, scene, "coordinator")

    response = client.get(reverse("coaching:assignment_list"), {"school": world.school_b.pk})

    assert response.context["school"] == world.school_b
    assert [e.teacher for e in response.context["listing"]] == [teacher_b]


def test_a_principal_cannot_look_at_another_school(client, scene, world):
    teacher_at(world.school_b, "Bea Lincoln")
    as_(client, scene, "principal")

    response = client.get(reverse("coaching:assignment_list"), {"school": world.school_b.pk})

    assert response.context["school"] == world.school_a
    assert "Bea Lincoln" not in response.content.decode()


def test_assigning_says_so_and_returns_to_the_school(client, scene, world):
    as_(client, scene, "principal")
    other = scene.people["other_teacher"]

    response = client.post(
        reverse("coaching:assignment_create"),
        {"school": world.school_a.pk, "teacher": other.pk, "coach": world.coach.pk},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == (
        f"{reverse('coaching:assignment_list')}?school={world.school_a.pk}"
    )
    year = current_year(world.district)
    assert messages_of(response) == [f"{world.coach} now coaches {other} in {year}."]


def test_a_refused_assignment_shows_why_next_to_the_field(client, scene, world):
    as_(client, scene, "principal")

    response = client.post(
        reverse("coaching:assignment_create"),
        {
            "school": world.school_a.pk,
            "teacher": scene.people["teacher"].pk,
            "coach": world.coach.pk,
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["teacher"] == [
        f"{world.coach} already coaches {scene.people['teacher']} in "
        f"{current_year(world.district)}."
    ]


def test_a_principal_cannot_assign_at_another_school(client, scene, world):
    teacher_b = teacher_at(world.school_b, "Bea Lincoln")
    as_(client, scene, "principal")

    response = client.post(
        reverse("coaching:assignment_create"),
        {"school": world.school_b.pk, "teacher": teacher_b.pk, "coach": world.coach.pk},
    )

    assert response.status_code == 404
    assert not CoachAssignment.objects.filter(teacher=teacher_b).exists()


def test_removing_asks_first_and_says_what_happens_to_the_conversations(client, scene):
    as_(client, scene, "principal")
    page = client.get(reverse("coaching:assignment_list")).content.decode()
    assert 'data-confirm="Stop ' in page

    response = client.post(
        reverse("coaching:assignment_remove", args=[scene.assignment.pk]), follow=True
    )

    assert messages_of(response) == [
        f"{scene.people['coach']} no longer coaches {scene.people['teacher']}. Their "
        "conversations stay with the two of them."
    ]
    assert Conversation.objects.filter(pk=scene.conversation.pk).exists()
