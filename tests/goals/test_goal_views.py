"""The goal pages as people use them: the form, the goal page's actions, the lists."""

from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals import services
from goals.forms import GoalForm
from goals.models import Goal, GoalComment, GoalEvent, StandardComponent, SystemGoal
from pplearn.models import Role
from tests.factories import add_role, make_person
from tests.goals.goal_factories import (
    ACTION_FROM,
    ACTION_TARGET,
    ALLOWED_ROLES,
    ROLE_NAMES,
    S,
    SystemGoalFactory,
    district_system_goal,
    earlier_year,
    later_year,
    make_cast,
    make_goal,
    teacher_who_also_leads,
)

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


class _CheckedInputs(HTMLParser):
    def __init__(self, name: str):
        super().__init__()
        self.name, self.values = name, set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") == self.name and "checked" in attrs:
            self.values.add(attrs.get("value"))


def checked_values(html: str, name: str) -> set[str]:
    """The values of the checked boxes or radio buttons called `name` in the page."""
    parser = _CheckedInputs(name)
    parser.feed(html)
    return parser.values


def detail_url(goal: Goal) -> str:
    return reverse("goals:goal_detail", args=[goal.pk])


def transition(client, goal: Goal, action: str, comment: str = "", **extra):
    return client.post(
        reverse("goals:goal_transition", args=[goal.pk]),
        {"action": action, "comment": comment, **extra},
    )


def goal_form_data(school, system_goals, **overrides) -> dict:
    """The goal form as a browser posts it; a None override leaves the field out."""
    data = {
        "school": school.pk,
        "title": "Academic talk in math",
        "need": Goal.Need.PEDAGOGY,
        "inquiry_question": "How can talk moves raise participation?",
        "system_goals": [sg.pk for sg in system_goals],
        "desired_outcome": "Students justify their answers.",
        "implementation_plan": "Two talk moves a week in math.",
        "impact_measure": "A weekly participation checklist.",
        "target_tier": 2,
        "delivery": Goal.Delivery.IN_PERSON,
        "grouping": Goal.Grouping.INDIVIDUAL,
        "save": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def cast(world):
    return make_cast(world)


@pytest.fixture
def system_goal(world):
    return district_system_goal(world.district)


@pytest.fixture
def teacher_client(client, world):
    client.force_login(world.teacher)
    return client


# Transitions through the goal page


@pytest.mark.parametrize(
    ("action", "role"), [(a, r) for a in ALLOWED_ROLES for r in sorted(ALLOWED_ROLES[a])]
)
def test_the_right_role_moves_the_goal_from_its_page(client, cast, action, role):
    goal = make_goal(cast["teacher"], status=ACTION_FROM[action])
    client.force_login(cast[role])

    response = transition(client, goal, action, comment="Add an exit ticket.")

    assert response.status_code == 302
    assert response.url == detail_url(goal)
    goal.refresh_from_db()
    assert goal.status == ACTION_TARGET[action]
    assert GoalEvent.objects.get(goal=goal).actor == cast[role]


@pytest.mark.parametrize(
    ("action", "role"),
    [(a, r) for a in ALLOWED_ROLES for r in ROLE_NAMES if r not in ALLOWED_ROLES[a]],
)
def test_every_other_role_gets_not_found(client, cast, action, role):
    goal = make_goal(
        cast["teacher"], status=ACTION_FROM[action], collaborators=[cast["collaborator"]]
    )
    client.force_login(cast[role])

    response = transition(client, goal, action, comment="Add an exit ticket.")

    assert response.status_code == 404
    goal.refresh_from_db()
    assert goal.status == ACTION_FROM[action]
    assert not GoalEvent.objects.filter(goal=goal).exists()


@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.COORDINATOR])
def test_a_teacher_who_also_leads_is_not_offered_their_own_goal_to_approve(client, world, role):
    person = teacher_who_also_leads(world, role)
    own = make_goal(person, status=S.PROPOSED, title="My own goal")
    colleagues = make_goal(world.teacher, status=S.PROPOSED, title="A colleague goal")
    client.force_login(person)

    own_page = client.get(detail_url(own))
    colleagues_page = client.get(detail_url(colleagues))
    response = transition(client, own, "approve")

    assert own_page.context["can_decide"] is False
    assert b'value="approve"' not in own_page.content
    assert colleagues_page.context["can_decide"] is True
    assert b'value="approve"' in colleagues_page.content
    assert response.status_code == 404
    own.refresh_from_db()
    assert own.status == S.PROPOSED


def test_a_step_the_workflow_forbids_is_explained(client, world):
    goal = make_goal(world.teacher, status=S.DRAFT)
    client.force_login(world.principal)

    response = client.post(
        reverse("goals:goal_transition", args=[goal.pk]), {"action": "approve"}, follow=True
    )

    assert response.redirect_chain[-1][0] == detail_url(goal)
    assert messages_of(response) == ["A goal that is draft cannot become approved."]
    goal.refresh_from_db()
    assert goal.status == S.DRAFT


def test_an_unknown_action_changes_nothing(teacher_client, world):
    goal = make_goal(world.teacher, status=S.APPROVED)

    response = teacher_client.post(
        reverse("goals:goal_transition", args=[goal.pk]), {"action": "delete"}, follow=True
    )

    assert messages_of(response) == ["Unknown action."]
    goal.refresh_from_db()
    assert goal.status == S.APPROVED


def test_the_goal_page_takes_no_get_for_a_transition(teacher_client, world):
    goal = make_goal(world.teacher)

    response = teacher_client.get(reverse("goals:goal_transition", args=[goal.pk]))

    assert response.status_code == 405


@pytest.mark.parametrize("action", ["approve", "request_changes"])
def test_a_decision_from_the_approval_form_returns_to_the_list(client, world, action):
    goal = make_goal(world.teacher, status=S.PROPOSED)
    client.force_login(world.principal)

    response = transition(client, goal, action, comment="Add an exit ticket.", next="approvals")

    assert response.url == reverse("goals:approval_list")
    goal.refresh_from_db()
    assert goal.status == ACTION_TARGET[action]


@pytest.mark.parametrize("comment", ["", "   "])
def test_asking_for_changes_without_a_comment_is_refused_on_the_goal_page(client, world, comment):
    goal = make_goal(world.teacher, status=S.PROPOSED)
    client.force_login(world.principal)

    response = client.post(
        reverse("goals:goal_transition", args=[goal.pk]),
        {"action": "request_changes", "comment": comment, "next": "approvals"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == detail_url(goal)
    assert messages_of(response) == ["Say what should change, so the teacher can revise."]
    goal.refresh_from_db()
    assert goal.status == S.PROPOSED


def test_proposing_an_incomplete_goal_says_what_is_missing(teacher_client, world):
    goal = make_goal(world.teacher, impact_measure="", system_goals=[])

    response = teacher_client.post(
        reverse("goals:goal_transition", args=[goal.pk]), {"action": "propose"}, follow=True
    )

    assert messages_of(response) == [
        "Before proposing, add how you will measure impact, at least one system goal."
    ]
    assert response.context["missing"] == [
        "how you will measure impact",
        "at least one system goal",
    ]
    goal.refresh_from_db()
    assert goal.status == S.DRAFT


def test_the_goal_page_shows_the_request_for_changes(teacher_client, world):
    goal = make_goal(world.teacher, status=S.PROPOSED)
    services.goal_request_changes(
        goal=goal, actor=world.principal, comment="Say which students you will start with."
    )

    response = teacher_client.get(detail_url(goal))

    assert b"asked for changes:</strong><br>Say which students you will start with." in (
        response.content
    )


# The goal form


def test_the_teacher_saves_a_draft(teacher_client, world, system_goal):
    response = teacher_client.post(
        reverse("goals:goal_create"), goal_form_data(world.school_a, [system_goal])
    )

    goal = Goal.objects.get()
    assert response.status_code == 302
    assert response.url == detail_url(goal)
    assert (goal.teacher, goal.school, goal.status) == (world.teacher, world.school_a, S.DRAFT)
    assert goal.school_year == world.district.current_school_year()
    assert goal.title == "Academic talk in math"
    assert list(goal.system_goals.all()) == [system_goal]
    assert GoalEvent.objects.get(goal=goal).to_status == S.DRAFT


def test_the_teacher_saves_and_proposes_in_one_go(teacher_client, world, system_goal):
    data = goal_form_data(world.school_a, [system_goal], save=None, propose="")

    response = teacher_client.post(reverse("goals:goal_create"), data, follow=True)

    goal = Goal.objects.get()
    assert goal.status == S.PROPOSED
    assert response.redirect_chain[-1][0] == detail_url(goal)
    assert messages_of(response) == ["Proposed. Your principal or coordinator will review it."]


def test_proposing_from_the_form_keeps_an_incomplete_draft_and_says_what_is_missing(
    teacher_client, world, system_goal
):
    data = goal_form_data(world.school_a, [system_goal], impact_measure="", propose="")

    response = teacher_client.post(reverse("goals:goal_create"), data, follow=True)

    goal = Goal.objects.get()
    assert goal.status == S.DRAFT
    assert response.redirect_chain[-1][0] == reverse("goals:goal_edit", args=[goal.pk])
    assert messages_of(response) == [
        "Saved as a draft. Before proposing, add how you will measure impact."
    ]


def test_the_form_offers_the_system_goals_of_the_teachers_school(world, system_goal):
    archived = SystemGoalFactory(district=world.district, status=SystemGoal.Status.ARCHIVED)
    other_school = SystemGoalFactory(district=world.district, schools=[world.school_b])
    own_school = SystemGoalFactory(district=world.district, schools=[world.school_a])
    other_district = SystemGoalFactory(district=world.other_district)

    offered = set(GoalForm(teacher=world.teacher).fields["system_goals"].queryset)

    assert offered == {system_goal, own_school}
    assert not offered & {archived, other_school, other_district}


SYSTEM_GOAL_PROBLEMS = {
    "none": (lambda world: [], "Link your goal to at least one system goal"),
    "archived": (
        lambda world: [
            SystemGoalFactory(district=world.district, status=SystemGoal.Status.ARCHIVED)
        ],
        "That system goal is archived or not available for your school.",
    ),
    "other_district": (
        lambda world: [SystemGoalFactory(district=world.other_district)],
        "That system goal is archived or not available for your school.",
    ),
    "other_school": (
        lambda world: [SystemGoalFactory(district=world.district, schools=[world.school_b])],
        "That system goal is archived or not available for your school.",
    ),
}


@pytest.mark.parametrize("problem", list(SYSTEM_GOAL_PROBLEMS))
def test_the_form_refuses_a_goal_without_a_valid_system_goal(world, problem):
    make_choice, error = SYSTEM_GOAL_PROBLEMS[problem]
    data = goal_form_data(world.school_a, make_choice(world))

    form = GoalForm(data, teacher=world.teacher)

    assert not form.is_valid()
    assert list(form.errors) == ["system_goals"]
    assert form.errors["system_goals"][0].startswith(error)


@pytest.mark.parametrize("problem", list(SYSTEM_GOAL_PROBLEMS))
def test_the_goal_page_form_shows_the_system_goal_error(teacher_client, world, problem):
    make_choice, error = SYSTEM_GOAL_PROBLEMS[problem]

    response = teacher_client.post(
        reverse("goals:goal_create"), goal_form_data(world.school_a, make_choice(world))
    )

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Goal.objects.exists()


def test_the_form_keeps_what_the_teacher_entered_on_error(teacher_client, world, system_goal):
    component = StandardComponent.objects.filter(domain__framework__district=world.district).first()
    data = goal_form_data(
        world.school_a,
        [system_goal],
        title="",
        inquiry_question="How do I get every student talking?",
        implementation_plan="Turn and talk twice a lesson.",
        standard_components=[component.pk],
        target_tier=3,
    )

    response = teacher_client.post(reverse("goals:goal_create"), data)

    assert response.status_code == 200
    assert response.context["form"].errors == {"title": ["This field is required."]}
    html = response.content.decode()
    assert "How do I get every student talking?" in html
    assert "Turn and talk twice a lesson." in html
    assert checked_values(html, "system_goals") == {str(system_goal.pk)}
    assert checked_values(html, "standard_components") == {str(component.pk)}
    assert checked_values(html, "target_tier") == {"3"}
    assert checked_values(html, "grouping") == {Goal.Grouping.INDIVIDUAL}
    assert not Goal.objects.exists()


def test_the_teacher_edits_a_returned_goal_and_proposes_it_again(
    teacher_client, world, system_goal
):
    goal = make_goal(world.teacher, status=S.CHANGES_REQUESTED, impact_measure="")
    data = goal_form_data(
        world.school_a, [system_goal], impact_measure="Exit tickets", save=None, propose=""
    )

    response = teacher_client.post(reverse("goals:goal_edit", args=[goal.pk]), data)

    assert response.url == detail_url(goal)
    goal.refresh_from_db()
    assert (goal.status, goal.impact_measure) == (S.PROPOSED, "Exit tickets")


@pytest.mark.parametrize("status", [S.PROPOSED, S.APPROVED])
def test_a_goal_out_of_the_teachers_hands_is_not_edited(teacher_client, world, status):
    goal = make_goal(world.teacher, status=status, title="Before")

    response = teacher_client.post(
        reverse("goals:goal_edit", args=[goal.pk]),
        goal_form_data(world.school_a, [district_system_goal(world.district)], title="After"),
        follow=True,
    )

    assert response.redirect_chain[-1][0] == detail_url(goal)
    assert messages_of(response) == ["This goal can no longer be edited."]
    goal.refresh_from_db()
    assert goal.title == "Before"


@pytest.mark.parametrize("who", ["principal", "coach", "coordinator"])
def test_nobody_else_opens_the_edit_page(client, cast, world, who):
    goal = make_goal(world.teacher, title="Before")
    client.force_login(cast[who])
    assert client.get(detail_url(goal)).status_code == 200

    response = client.post(
        reverse("goals:goal_edit", args=[goal.pk]),
        goal_form_data(world.school_a, [district_system_goal(world.district)], title="After"),
    )

    assert response.status_code == 404
    goal.refresh_from_db()
    assert goal.title == "Before"


@pytest.mark.parametrize("who", ["principal", "coach", "district_admin"])
def test_only_teachers_start_goals(client, world, who):
    client.force_login(getattr(world, who))

    response = client.get(reverse("goals:goal_create"))

    assert response.status_code == 404


# Target tier


def test_the_teacher_changes_the_target_tier(teacher_client, world):
    goal = make_goal(world.teacher, status=S.APPROVED, target_tier=2)

    response = teacher_client.post(
        reverse("goals:goal_target_tier", args=[goal.pk]), {"target_tier": 4}, follow=True
    )

    assert messages_of(response) == ["Your target is now Tier 4."]
    goal.refresh_from_db()
    assert goal.target_tier == 4


@pytest.mark.parametrize("tier", [0, 7, "two"])
def test_a_target_tier_out_of_range_is_refused(teacher_client, world, tier):
    goal = make_goal(world.teacher, status=S.APPROVED, target_tier=2)

    response = teacher_client.post(
        reverse("goals:goal_target_tier", args=[goal.pk]), {"target_tier": tier}, follow=True
    )

    assert messages_of(response) == ["Choose a tier from 1 to 4."]
    goal.refresh_from_db()
    assert goal.target_tier == 2


def test_a_closed_goal_keeps_its_target_tier(teacher_client, world):
    goal = make_goal(world.teacher, status=S.COMPLETE, target_tier=2)

    response = teacher_client.post(
        reverse("goals:goal_target_tier", args=[goal.pk]), {"target_tier": 4}, follow=True
    )

    assert messages_of(response) == ["This goal is closed."]
    goal.refresh_from_db()
    assert goal.target_tier == 2


@pytest.mark.parametrize("who", ["principal", "coordinator"])
def test_only_the_teacher_changes_the_target_tier(client, world, who):
    goal = make_goal(world.teacher, status=S.APPROVED, target_tier=2)
    client.force_login(getattr(world, who))

    response = client.post(reverse("goals:goal_target_tier", args=[goal.pk]), {"target_tier": 4})

    assert response.status_code == 404
    goal.refresh_from_db()
    assert goal.target_tier == 2


# Carry forward


def test_the_goal_page_offers_to_carry_an_open_goal_into_a_later_year(teacher_client, world):
    goal = make_goal(world.teacher, status=S.APPROVED)
    assert "carry_form" not in teacher_client.get(detail_url(goal)).context

    later_year(world.district)

    assert "carry_form" in teacher_client.get(detail_url(goal)).context


def test_the_teacher_carries_a_goal_forward(teacher_client, world):
    goal = make_goal(world.teacher, status=S.APPROVED, title="Academic talk")
    next_year = later_year(world.district)

    response = teacher_client.post(
        reverse("goals:goal_carry_forward", args=[goal.pk]),
        {"school_year": next_year.pk},
        follow=True,
    )

    copy = Goal.objects.get(carried_from=goal)
    assert (copy.school_year, copy.status, copy.title) == (next_year, S.DRAFT, "Academic talk")
    assert response.redirect_chain[-1][0] == reverse("goals:goal_edit", args=[copy.pk])
    assert messages_of(response) == [
        "Carried into 2027-28. Check its system goals, then propose it again."
    ]
    page = teacher_client.get(detail_url(copy))
    assert f'carried from <a href="{detail_url(goal)}">2026-27</a>' in page.content.decode()
    assert "carry_form" not in teacher_client.get(detail_url(goal)).context


@pytest.mark.parametrize("status", [S.COMPLETE, S.WITHDRAWN])
def test_a_finished_goal_is_not_carried_forward(teacher_client, world, status):
    goal = make_goal(world.teacher, status=status)
    next_year = later_year(world.district)

    response = teacher_client.post(
        reverse("goals:goal_carry_forward", args=[goal.pk]),
        {"school_year": next_year.pk},
        follow=True,
    )

    assert messages_of(response) == ["Only an unfinished goal can be carried into another year."]
    assert Goal.objects.count() == 1


def test_a_goal_is_not_carried_into_an_earlier_year(teacher_client, world):
    goal = make_goal(world.teacher, status=S.APPROVED)
    last_year = earlier_year(world.district)

    response = teacher_client.post(
        reverse("goals:goal_carry_forward", args=[goal.pk]),
        {"school_year": last_year.pk},
        follow=True,
    )

    assert messages_of(response) == ["Choose a later school year."]
    assert Goal.objects.count() == 1


def test_only_the_teacher_carries_their_goal_forward(client, world):
    goal = make_goal(world.teacher, status=S.APPROVED)
    next_year = later_year(world.district)
    client.force_login(world.principal)

    response = client.post(
        reverse("goals:goal_carry_forward", args=[goal.pk]), {"school_year": next_year.pk}
    )

    assert response.status_code == 404
    assert Goal.objects.count() == 1


# Comments


@pytest.mark.parametrize("role", ["teacher", "collaborator", "coach", "principal", "coordinator"])
def test_the_people_of_a_goal_comment_from_its_page(client, cast, role):
    goal = make_goal(cast["teacher"], status=S.PROPOSED, collaborators=[cast["collaborator"]])
    client.force_login(cast[role])

    response = client.post(
        reverse("goals:goal_comment", args=[goal.pk]), {"body": "Try think-pair-share."}
    )

    assert response.url == detail_url(goal) + "#comments"
    comment = GoalComment.objects.get(goal=goal)
    assert (comment.author, comment.body) == (cast[role], "Try think-pair-share.")
    page = client.get(detail_url(goal))
    assert b"Try think-pair-share." in page.content


@pytest.mark.parametrize("role", ["teammate", "district_admin", "colleague", "outsider"])
def test_others_cannot_comment(client, cast, role):
    goal = make_goal(cast["teacher"], status=S.PROPOSED)
    client.force_login(cast[role])

    response = client.post(
        reverse("goals:goal_comment", args=[goal.pk]), {"body": "Try think-pair-share."}
    )

    assert response.status_code == 404
    assert not GoalComment.objects.exists()


def test_the_comment_box_is_shown_only_to_those_who_may_comment(client, cast):
    goal = make_goal(cast["teacher"], status=S.PROPOSED)
    client.force_login(cast["district_admin"])

    response = client.get(detail_url(goal))

    assert response.context["can_comment"] is False
    assert reverse("goals:goal_comment", args=[goal.pk]).encode() not in response.content


@pytest.mark.parametrize("body", ["", "   "])
def test_an_empty_comment_is_refused(teacher_client, world, body):
    goal = make_goal(world.teacher)

    response = teacher_client.post(
        reverse("goals:goal_comment", args=[goal.pk]), {"body": body}, follow=True
    )

    assert messages_of(response) == ["Write a comment first (at most 5,000 characters)."]
    assert not GoalComment.objects.exists()


# Lists


def test_the_teacher_home_lists_their_goals_of_every_year(teacher_client, world, cast):
    last_year = earlier_year(world.district)
    make_goal(world.teacher, status=S.COMPLETE, title="Last year goal", school_year=last_year)
    make_goal(world.teacher, status=S.APPROVED, title="This year goal")
    make_goal(cast["colleague"], status=S.APPROVED, title="A colleague goal")

    for url in (reverse("home"), reverse("goals:goal_list")):
        html = teacher_client.get(url).content.decode()

        assert "This year goal" in html
        assert "Last year goal" in html
        assert "A colleague goal" not in html
        assert html.index("2026-27") < html.index("This year goal") < html.index("2025-26")
        assert html.index("2025-26") < html.index("Last year goal")


def test_a_teacher_without_goals_is_invited_to_start_one(teacher_client):
    response = teacher_client.get(reverse("home"))

    assert b"Start your first goal" in response.content


@pytest.fixture
def proposals(world, cast):
    """Goals in every state at both schools and in the other district."""
    add_role(world.principal, Role.TEACHER, world.school_a)
    far_teacher = make_person(Role.TEACHER, school=world.other_school)
    return {
        "a": make_goal(world.teacher, status=S.PROPOSED, title="Proposed at A"),
        "a_colleague": make_goal(cast["colleague"], status=S.PROPOSED, title="Colleague at A"),
        "a_principal": make_goal(
            world.principal, status=S.PROPOSED, title="Own goal of the principal"
        ),
        "a_draft": make_goal(cast["colleague"], title="Draft at A"),
        "a_approved": make_goal(world.teacher, status=S.APPROVED, title="Approved at A"),
        "b": make_goal(cast["teacher_b"], status=S.PROPOSED, title="Proposed at B"),
        "far": make_goal(far_teacher, status=S.PROPOSED, title="Proposed far away"),
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("principal", ["a", "a_colleague"]),
        ("coordinator", ["a", "a_colleague", "a_principal", "b"]),
        ("coordinator_a", ["a", "a_colleague", "a_principal"]),
        ("principal_b", ["b"]),
        ("outsider_coordinator", ["far"]),
    ],
)
def test_the_approvals_list_shows_only_goals_the_user_may_approve(
    client, cast, proposals, who, expected
):
    client.force_login(cast[who])

    response = client.get(reverse("goals:approval_list"))

    assert response.status_code == 200
    listed = list(response.context["page"].object_list)
    assert listed == [proposals[key] for key in expected]
    html = response.content.decode()
    for key, goal in proposals.items():
        assert (goal.title in html) == (key in expected)


@pytest.mark.parametrize("who", ["teacher", "coach", "district_admin"])
def test_the_approvals_list_is_for_approvers(client, cast, who):
    client.force_login(cast[who])

    response = client.get(reverse("goals:approval_list"))

    assert response.status_code == 404


# Query counts


def _goal_with(world, cast, *, extra: int) -> Goal:
    """An approved goal with 1 + extra system goals, standards, collaborators and comments."""
    system_goals = [SystemGoalFactory(district=world.district) for _ in range(1 + extra)]
    components = list(
        StandardComponent.objects.filter(domain__framework__district=world.district)[: 1 + extra]
    )
    collaborators = [make_person(Role.TEACHER, school=world.school_a) for _ in range(1 + extra)]
    goal = services.goal_create(
        teacher=world.teacher,
        school=world.school_a,
        school_year=world.district.current_school_year(),
        system_goals=system_goals,
        standard_components=components,
        collaborators=collaborators,
        title=f"Goal with {extra} more",
        inquiry_question="How?",
        need=Goal.Need.STUDENTS,
        desired_outcome="Better talk.",
        implementation_plan="Talk moves.",
        impact_measure="Checklist.",
        grouping=Goal.Grouping.GROUP,
    )
    for _ in range(extra):
        services.goal_propose(goal=goal, actor=world.teacher)
        services.goal_request_changes(goal=goal, actor=world.coordinator, comment="More detail.")
    services.goal_propose(goal=goal, actor=world.teacher)
    services.goal_approve(goal=goal, actor=world.principal)
    authors = [world.teacher, world.coach, world.principal, *collaborators]
    for i in range(1 + 2 * extra):
        services.goal_comment_add(goal=goal, author=authors[i % len(authors)], body=f"Note {i}")
    return goal


@pytest.mark.parametrize("viewer", ["teacher", "principal", "coach"])
def test_the_goal_page_query_count_does_not_grow_with_its_content(client, world, cast, viewer):
    small = _goal_with(world, cast, extra=0)
    large = _goal_with(world, cast, extra=5)
    assert large.events.count() > small.events.count()
    client.force_login(cast[viewer])
    client.get(detail_url(small))  # the first request after signing in also saves the session

    counts = []
    for goal in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(detail_url(goal))
        assert response.status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert response.content.count(b"Note ") == 11


def test_the_approvals_list_query_count_does_not_grow_with_the_goals(client, world, cast):
    client.force_login(world.principal)
    client.get(reverse("home"))  # the first request after signing in also saves the session
    make_goal(world.teacher, status=S.PROPOSED)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("goals:approval_list"))
    for _ in range(5):
        extra = SystemGoalFactory(district=world.district)
        make_goal(
            make_person(Role.TEACHER, school=world.school_a),
            status=S.PROPOSED,
            system_goals=[extra, district_system_goal(world.district)],
        )

    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("goals:approval_list"))

    assert len(response.context["page"].object_list) == 6
    assert len(many) == len(few)
