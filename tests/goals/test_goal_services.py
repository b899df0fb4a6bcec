"""The goal workflow services: who may move a goal where, and what each step leaves behind."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from goals import services
from goals.models import Goal, GoalComment, GoalEvent, SystemGoal
from goals.permissions import can_approve_goal
from pplearn.models import AuditEvent, Role
from tests.factories import make_person
from tests.goals.goal_factories import (
    ACTION_FROM,
    ACTION_TARGET,
    ACTOR_OF,
    ALLOWED_ROLES,
    LEGAL_MOVES,
    ROLE_NAMES,
    S,
    SystemGoalFactory,
    current_year,
    district_system_goal,
    earlier_year,
    later_year,
    make_cast,
    make_goal,
    teacher_who_also_leads,
)

pytestmark = pytest.mark.django_db

SERVICES = {
    "propose": services.goal_propose,
    "approve": services.goal_approve,
    "request_changes": services.goal_request_changes,
    "withdraw": services.goal_withdraw,
    "complete": services.goal_complete,
}


def run(action: str, goal: Goal, actor, comment: str = "Name the data you will collect."):
    kwargs = {"goal": goal, "actor": actor}
    if action != "propose":
        kwargs["comment"] = comment
    return SERVICES[action](**kwargs)


def audit_rows(goal: Goal, verb: str | None = None):
    rows = AuditEvent.objects.filter(target_type="goals.goal", target_id=str(goal.pk))
    return rows.filter(verb=verb) if verb else rows


@pytest.fixture
def cast(world):
    return make_cast(world)


@pytest.fixture
def goal_in(cast):
    """A goal of the cast's teacher, with the cast's collaborator, in a given status."""

    def make(status: str, **fields) -> Goal:
        return make_goal(
            cast["teacher"], status=status, collaborators=[cast["collaborator"]], **fields
        )

    return make


# Who may take each step


@pytest.mark.parametrize(
    ("action", "role"), [(a, r) for a in ALLOWED_ROLES for r in sorted(ALLOWED_ROLES[a])]
)
def test_the_right_role_takes_each_step(cast, goal_in, action, role):
    goal = goal_in(ACTION_FROM[action])

    run(action, goal, cast[role])

    goal.refresh_from_db()
    assert goal.status == ACTION_TARGET[action]


@pytest.mark.parametrize(
    ("action", "role"),
    [(a, r) for a in ALLOWED_ROLES for r in ROLE_NAMES if r not in ALLOWED_ROLES[a]],
)
def test_every_other_role_is_refused(cast, goal_in, action, role):
    goal = goal_in(ACTION_FROM[action])

    with pytest.raises(PermissionDenied):
        run(action, goal, cast[role])

    goal.refresh_from_db()
    assert goal.status == ACTION_FROM[action]
    assert not GoalEvent.objects.filter(goal=goal).exists()
    assert not audit_rows(goal).exists()


@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.COORDINATOR])
def test_a_teacher_never_approves_their_own_goal_whatever_else_they_are(world, role):
    person = teacher_who_also_leads(world, role)
    own = make_goal(person, status=S.PROPOSED)
    colleagues = make_goal(world.teacher, status=S.PROPOSED)

    assert not can_approve_goal(person, own)
    with pytest.raises(PermissionDenied):
        services.goal_approve(goal=own, actor=person)
    with pytest.raises(PermissionDenied):
        services.goal_request_changes(goal=own, actor=person, comment="Fine by me")
    assert list(Goal.objects.awaiting_approval_by(person)) == [colleagues]
    # The other role is real: the same person decides on a colleague's goal.
    services.goal_approve(goal=colleagues, actor=person)
    own.refresh_from_db()
    colleagues.refresh_from_db()
    assert own.status == S.PROPOSED
    assert colleagues.status == S.APPROVED


def test_a_deactivated_principal_cannot_approve(world):
    goal = make_goal(world.teacher, status=S.PROPOSED)
    world.principal.is_active = False
    world.principal.save()

    with pytest.raises(PermissionDenied):
        services.goal_approve(goal=goal, actor=world.principal)


# From which status


@pytest.mark.parametrize(("action", "status"), sorted(LEGAL_MOVES))
def test_each_step_from_a_status_the_workflow_allows(cast, goal_in, action, status):
    goal = goal_in(status)

    run(action, goal, cast[ACTOR_OF[action]])

    goal.refresh_from_db()
    assert goal.status == ACTION_TARGET[action]
    assert GoalEvent.objects.filter(goal=goal, from_status=status).count() == 1


@pytest.mark.parametrize(
    ("action", "status"),
    [(a, s) for a in ACTION_TARGET for s in S if (a, s) not in LEGAL_MOVES],
)
def test_no_step_from_a_status_the_workflow_forbids(cast, goal_in, action, status):
    goal = goal_in(status)

    with pytest.raises(ValidationError) as refused:
        run(action, goal, cast[ACTOR_OF[action]])

    assert refused.value.code == "invalid_transition"
    goal.refresh_from_db()
    assert goal.status == status
    assert not GoalEvent.objects.filter(goal=goal).exists()


def test_the_system_closes_an_approved_goal(world):
    goal = make_goal(world.teacher, status=S.APPROVED, approved_by=world.principal)

    services.goal_complete(goal=goal, actor=None, comment="Tier 2 passed")

    goal.refresh_from_db()
    assert goal.status == S.COMPLETE
    event = GoalEvent.objects.get(goal=goal)
    assert (event.actor, event.comment) == (None, "Tier 2 passed")
    assert audit_rows(goal, "goal.complete").get().actor is None


# What each step records


@pytest.mark.parametrize("action", list(ACTION_TARGET))
def test_each_step_records_a_goal_event_and_an_audit_event(cast, goal_in, world, action):
    goal = goal_in(ACTION_FROM[action])
    actor = cast[ACTOR_OF[action]]

    run(action, goal, actor, comment="  Name the data you will collect.  ")

    event = GoalEvent.objects.get(goal=goal)
    expected_comment = "" if action == "propose" else "Name the data you will collect."
    assert event.actor == actor
    assert event.from_status == ACTION_FROM[action]
    assert event.to_status == ACTION_TARGET[action]
    assert event.comment == expected_comment
    audit = audit_rows(goal).get()
    assert audit.verb == f"goal.{ACTION_TARGET[action]}"
    assert audit.actor == actor
    assert audit.district == world.district
    assert audit.data == {
        "from": ACTION_FROM[action],
        "to": ACTION_TARGET[action],
        "comment": expected_comment,
    }


def test_approving_names_the_approver_and_the_time(world):
    goal = make_goal(world.teacher, status=S.PROPOSED, decided_at=None)

    services.goal_approve(goal=goal, actor=world.coordinator, comment="Go for it")

    goal.refresh_from_db()
    assert goal.approved_by == world.coordinator
    assert goal.decided_at is not None


def test_proposing_stamps_the_time(world):
    goal = make_goal(world.teacher, proposed_at=None)

    services.goal_propose(goal=goal, actor=world.teacher)

    goal.refresh_from_db()
    assert goal.proposed_at is not None


def test_creating_a_goal_records_its_start(world):
    sg = district_system_goal(world.district)

    goal = services.goal_create(
        teacher=world.teacher,
        school=world.school_a,
        school_year=current_year(world.district),
        system_goals=[sg],
        title="Academic talk in math",
    )

    assert goal.status == S.DRAFT
    assert list(goal.system_goals.all()) == [sg]
    event = GoalEvent.objects.get(goal=goal)
    assert (event.actor, event.from_status, event.to_status) == (world.teacher, "", S.DRAFT)
    assert audit_rows(goal, "goal.draft").get().actor == world.teacher


@pytest.mark.parametrize("who", ["principal", "outsider"])
def test_only_a_teacher_of_the_school_creates_a_goal_there(world, who):
    with pytest.raises(PermissionDenied):
        services.goal_create(
            teacher=getattr(world, who),
            school=world.school_a,
            school_year=current_year(world.district),
            title="Not mine to set",
        )
    assert not Goal.objects.exists()


@pytest.mark.parametrize("problem", ["archived", "other_district", "other_school"])
def test_a_goal_links_only_to_active_system_goals_of_its_school(world, problem):
    chosen = {
        "archived": lambda: SystemGoalFactory(
            district=world.district, status=SystemGoal.Status.ARCHIVED, title="Old goal"
        ),
        "other_district": lambda: SystemGoalFactory(
            district=world.other_district, title="Old goal"
        ),
        "other_school": lambda: SystemGoalFactory(
            district=world.district, schools=[world.school_b], title="Old goal"
        ),
    }[problem]()

    with pytest.raises(ValidationError, match="Old goal") as refused:
        services.goal_create(
            teacher=world.teacher,
            school=world.school_a,
            school_year=current_year(world.district),
            system_goals=[chosen],
            title="Academic talk",
        )
    assert refused.value.code == "system_goal_not_applicable"
    assert not Goal.objects.exists()


# Proposing and requesting changes


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"inquiry_question": ""}, "an inquiry question"),
        ({"need": ""}, "the need it answers"),
        ({"desired_outcome": ""}, "the desired student outcome"),
        ({"implementation_plan": ""}, "an implementation plan"),
        ({"impact_measure": ""}, "how you will measure impact"),
        ({"system_goals": []}, "at least one system goal"),
        ({"grouping": Goal.Grouping.GROUP}, "the colleagues you work with"),
    ],
)
def test_proposing_an_incomplete_goal_names_what_is_missing(world, fields, named):
    goal = make_goal(world.teacher, **fields)

    with pytest.raises(ValidationError) as refused:
        services.goal_propose(goal=goal, actor=world.teacher)

    assert refused.value.code == "incomplete"
    assert named in refused.value.messages[0]
    assert refused.value.messages[0].startswith("Before proposing, add ")
    goal.refresh_from_db()
    assert goal.status == S.DRAFT
    assert not GoalEvent.objects.filter(goal=goal).exists()


def test_proposing_lists_everything_missing_at_once(world):
    goal = make_goal(world.teacher, need="", impact_measure="", system_goals=[])

    with pytest.raises(ValidationError) as refused:
        services.goal_propose(goal=goal, actor=world.teacher)

    assert refused.value.messages == [
        "Before proposing, add the need it answers, how you will measure impact, "
        "at least one system goal."
    ]


def test_a_group_goal_with_colleagues_can_be_proposed(world):
    colleague = make_person(Role.TEACHER, school=world.school_a)
    goal = make_goal(world.teacher, grouping=Goal.Grouping.GROUP, collaborators=[colleague])

    services.goal_propose(goal=goal, actor=world.teacher)

    goal.refresh_from_db()
    assert goal.status == S.PROPOSED


def test_a_goal_whose_system_goal_was_archived_must_be_revised_before_proposing(world):
    sg = SystemGoalFactory(district=world.district, title="Retired initiative")
    goal = make_goal(world.teacher, status=S.CHANGES_REQUESTED, system_goals=[sg])
    sg.status = SystemGoal.Status.ARCHIVED
    sg.save()

    with pytest.raises(ValidationError, match="Retired initiative"):
        services.goal_propose(goal=goal, actor=world.teacher)

    goal.refresh_from_db()
    assert goal.status == S.CHANGES_REQUESTED


@pytest.mark.parametrize("comment", ["", "   \n "])
def test_requesting_changes_needs_a_comment(world, comment):
    goal = make_goal(world.teacher, status=S.PROPOSED)

    with pytest.raises(ValidationError) as refused:
        services.goal_request_changes(goal=goal, actor=world.principal, comment=comment)

    assert refused.value.code == "comment"
    goal.refresh_from_db()
    assert goal.status == S.PROPOSED
    assert not GoalEvent.objects.filter(goal=goal).exists()


# Editing


def test_the_teacher_edits_a_returned_goal(world):
    goal = make_goal(world.teacher, status=S.CHANGES_REQUESTED)

    services.goal_update(goal=goal, actor=world.teacher, impact_measure="Exit tickets")

    goal.refresh_from_db()
    assert goal.impact_measure == "Exit tickets"
    assert audit_rows(goal, "goal.edit").get().data == {"fields": ["impact_measure"]}


@pytest.mark.parametrize("status", [S.PROPOSED, S.APPROVED, S.COMPLETE, S.WITHDRAWN])
def test_a_goal_out_of_the_teachers_hands_is_not_edited(world, status):
    goal = make_goal(world.teacher, status=status, title="Before")

    with pytest.raises(ValidationError):
        services.goal_update(goal=goal, actor=world.teacher, title="After")

    goal.refresh_from_db()
    assert goal.title == "Before"


@pytest.mark.parametrize("who", ["principal", "coach", "coordinator"])
def test_only_the_teacher_edits_their_goal(world, who):
    goal = make_goal(world.teacher, title="Before")

    with pytest.raises(PermissionDenied):
        services.goal_update(goal=goal, actor=getattr(world, who), title="After")

    goal.refresh_from_db()
    assert goal.title == "Before"


# Target tier


@pytest.mark.parametrize("status", [S.DRAFT, S.PROPOSED, S.CHANGES_REQUESTED, S.APPROVED])
def test_the_teacher_changes_the_target_tier_of_an_open_goal(world, status):
    goal = make_goal(world.teacher, status=status, target_tier=2)

    services.goal_change_target_tier(goal=goal, actor=world.teacher, target_tier=4)

    goal.refresh_from_db()
    assert goal.target_tier == 4
    audit = audit_rows(goal, "goal.target_tier").get()
    assert (audit.actor, audit.data) == (world.teacher, {"from": 2, "to": 4})


@pytest.mark.parametrize("status", [S.COMPLETE, S.WITHDRAWN])
def test_a_closed_goal_keeps_its_target_tier(world, status):
    goal = make_goal(world.teacher, status=status, target_tier=2)

    with pytest.raises(ValidationError):
        services.goal_change_target_tier(goal=goal, actor=world.teacher, target_tier=3)

    goal.refresh_from_db()
    assert goal.target_tier == 2


@pytest.mark.parametrize("tier", [0, 5])
def test_the_target_tier_is_one_to_four(world, tier):
    goal = make_goal(world.teacher, target_tier=2)

    with pytest.raises(ValidationError):
        services.goal_change_target_tier(goal=goal, actor=world.teacher, target_tier=tier)

    goal.refresh_from_db()
    assert goal.target_tier == 2


@pytest.mark.parametrize("who", ["principal", "coach", "coordinator"])
def test_only_the_teacher_changes_the_target_tier(world, who):
    goal = make_goal(world.teacher, status=S.APPROVED, target_tier=2)

    with pytest.raises(PermissionDenied):
        services.goal_change_target_tier(goal=goal, actor=getattr(world, who), target_tier=4)

    goal.refresh_from_db()
    assert goal.target_tier == 2


# Carrying a goal into a later school year


@pytest.fixture
def next_year(world):
    return later_year(world.district)


def test_carrying_forward_starts_a_linked_draft_in_the_later_year(world, next_year):
    kept = SystemGoalFactory(district=world.district, title="Kept")
    retired = SystemGoalFactory(district=world.district, title="Retired")
    colleague = make_person(Role.TEACHER, school=world.school_a)
    goal = make_goal(
        world.teacher,
        status=S.APPROVED,
        approved_by=world.principal,
        title="Academic talk",
        target_tier=3,
        grouping=Goal.Grouping.GROUP,
        system_goals=[kept, retired],
        collaborators=[colleague],
    )
    retired.status = SystemGoal.Status.ARCHIVED
    retired.save()

    copy = services.goal_carry_forward(goal=goal, actor=world.teacher, school_year=next_year)

    copy.refresh_from_db()
    assert copy.pk != goal.pk
    assert copy.carried_from == goal
    assert copy.school_year == next_year
    assert copy.status == S.DRAFT
    assert copy.approved_by is None
    assert (copy.title, copy.target_tier, copy.inquiry_question) == (
        "Academic talk",
        3,
        goal.inquiry_question,
    )
    assert list(copy.system_goals.all()) == [kept]
    assert list(copy.collaborators.all()) == [colleague]
    goal.refresh_from_db()
    assert goal.status == S.APPROVED
    assert GoalEvent.objects.get(goal=copy).to_status == S.DRAFT
    audit = audit_rows(goal, "goal.carry_forward").get()
    assert audit.data == {"to_goal": copy.pk, "school_year": "2027-28"}


@pytest.mark.parametrize("status", [S.COMPLETE, S.WITHDRAWN])
def test_a_finished_goal_is_not_carried_forward(world, next_year, status):
    goal = make_goal(world.teacher, status=status)

    with pytest.raises(ValidationError, match="unfinished"):
        services.goal_carry_forward(goal=goal, actor=world.teacher, school_year=next_year)

    assert Goal.objects.count() == 1


def test_a_goal_is_carried_forward_once(world, next_year):
    goal = make_goal(world.teacher, status=S.APPROVED)
    services.goal_carry_forward(goal=goal, actor=world.teacher, school_year=next_year)
    goal = Goal.objects.get(pk=goal.pk)

    with pytest.raises(ValidationError, match="already carried"):
        services.goal_carry_forward(goal=goal, actor=world.teacher, school_year=next_year)

    assert Goal.objects.count() == 2


@pytest.mark.parametrize("year", ["same", "earlier", "other_district"])
def test_a_goal_is_carried_only_into_a_later_year_of_its_district(world, year):
    goal = make_goal(world.teacher, status=S.APPROVED)
    target = {
        "same": lambda: goal.school_year,
        "earlier": lambda: earlier_year(world.district),
        "other_district": lambda: later_year(world.other_district),
    }[year]()

    with pytest.raises(ValidationError, match="later school year"):
        services.goal_carry_forward(goal=goal, actor=world.teacher, school_year=target)

    assert Goal.objects.count() == 1


@pytest.mark.parametrize("who", ["principal", "coach"])
def test_only_the_teacher_carries_their_goal_forward(world, next_year, who):
    goal = make_goal(world.teacher, status=S.APPROVED)

    with pytest.raises(PermissionDenied):
        services.goal_carry_forward(goal=goal, actor=getattr(world, who), school_year=next_year)

    assert Goal.objects.count() == 1


# Comments


COMMENTERS = ["teacher", "collaborator", "coach", "principal", "coordinator", "coordinator_a"]


@pytest.mark.parametrize("role", COMMENTERS)
def test_the_people_of_a_goal_comment_on_it(cast, goal_in, role):
    goal = goal_in(S.PROPOSED)

    comment = services.goal_comment_add(
        goal=goal, author=cast[role], body="  Try think-pair-share. "
    )

    assert GoalComment.objects.get() == comment
    assert (comment.author, comment.body) == (cast[role], "Try think-pair-share.")
    assert audit_rows(goal, "goal.comment").get().actor == cast[role]


@pytest.mark.parametrize("role", [r for r in ROLE_NAMES if r not in COMMENTERS])
def test_others_do_not_comment(cast, goal_in, role):
    goal = goal_in(S.PROPOSED)

    with pytest.raises(PermissionDenied):
        services.goal_comment_add(goal=goal, author=cast[role], body="Try think-pair-share.")

    assert not GoalComment.objects.exists()


@pytest.mark.parametrize("body", ["", "  \n\t "])
def test_an_empty_comment_is_refused(world, body):
    goal = make_goal(world.teacher)

    with pytest.raises(ValidationError):
        services.goal_comment_add(goal=goal, author=world.teacher, body=body)

    assert not GoalComment.objects.exists()
