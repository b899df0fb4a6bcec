"""Teams and PLCs: who sees and manages them, the team page, and meeting notes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from goals import team_services
from goals.models import Goal, SystemGoal, Team, TeamMeeting
from goals.team_views import MEETINGS_PER_PAGE
from pplearn.models import AuditEvent, Membership, Role, User
from tests.conftest import World
from tests.factories import SchoolYearFactory, make_person
from tests.goals.team_factories import (
    TeamFactory,
    TeamGoalFactory,
    TeamMeetingFactory,
    TeamSystemGoalFactory,
)

pytestmark = pytest.mark.django_db

# Who may see a team (and write its notes), who may manage it, and who is a stranger to it.
VIEWERS = ["member", "coach", "principal", "coordinator", "district_admin"]
MANAGERS = ["coach", "principal", "coordinator", "district_admin"]
STRANGERS = ["non_member", "principal_other_school", "other_district_admin"]
NOT_MANAGERS = ["member", *STRANGERS]


@dataclass
class Cast:
    world: World
    member: User
    teammate: User
    non_member: User
    principal_b: User
    team: Team
    system_goal: SystemGoal

    def person(self, name: str) -> User:
        w = self.world
        return {
            "member": self.member,
            "teammate": self.teammate,
            "non_member": self.non_member,
            "coach": w.coach,
            "principal": w.principal,
            "principal_other_school": self.principal_b,
            "coordinator": w.coordinator,
            "district_admin": w.district_admin,
            "other_district_admin": w.outsider,
        }[name]


@pytest.fixture
def cast(world) -> Cast:
    """A PLC at Cedar Creek with two teachers, next to a teacher who is not on it."""
    teammate = make_person(
        Role.TEACHER, school=world.school_a, full_name="Tess Teammate", email="tess@example.org"
    )
    non_member = make_person(
        Role.TEACHER, school=world.school_a, full_name="Nora Outside", email="nora@example.org"
    )
    principal_b = make_person(
        Role.PRINCIPAL, school=world.school_b, email="principal-b@example.org"
    )
    system_goal = TeamSystemGoalFactory(district=world.district, title="Academic discourse")
    team = TeamFactory(
        school=world.school_a,
        name="Grade 3 PLC",
        goal_statement="Every student explains a fraction on a number line.",
        members=[world.teacher, teammate],
        system_goals=[system_goal],
    )
    return Cast(
        world=world,
        member=world.teacher,
        teammate=teammate,
        non_member=non_member,
        principal_b=principal_b,
        team=team,
        system_goal=system_goal,
    )


def login(client, cast: Cast, name: str) -> User | None:
    if name == "anonymous":
        return None
    user = cast.person(name)
    client.force_login(user)
    return user


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def audit_rows(verb: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(verb=verb))


def team_data(cast: Cast, **overrides) -> dict:
    """The team form as a browser posts it."""
    data = {
        "name": "Grade 4 team",
        "kind": Team.Kind.GRADE_LEVEL,
        "school_year": cast.world.district.current_school_year().pk,
        "members": [cast.member.pk, cast.non_member.pk],
        "facilitator": cast.non_member.pk,
        "goal_statement": "Students justify answers with evidence.",
        "system_goals": [cast.system_goal.pk],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def create_url(cast: Cast) -> str:
    return reverse("goals:team_create") + f"?school={cast.world.school_a.pk}"


def note_data(**overrides) -> dict:
    data = {
        "met_on": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        "learn": "Compare fractions with unlike denominators.",
        "evidence": "Exit ticket on Friday.",
        "intervene": "",
        "extend": "",
        "other_notes": "",
    }
    data.update(overrides)
    return data


# The team page: who sees it


@pytest.mark.parametrize("name", VIEWERS)
def test_team_page_opens_for_members_and_school_leaders(client, cast, name):
    login(client, cast, name)

    response = client.get(cast.team.get_absolute_url())

    assert response.status_code == 200
    assert response.context["team"] == cast.team
    assert b"Grade 3 PLC" in response.content
    assert b"Academic discourse" in response.content
    assert b"Every student explains a fraction on a number line." in response.content


@pytest.mark.parametrize("name", STRANGERS)
def test_team_page_answers_404_to_everyone_else(client, cast, name):
    login(client, cast, name)

    response = client.get(cast.team.get_absolute_url())

    assert response.status_code == 404


def test_team_page_sends_anonymous_visitors_to_sign_in(client, cast):
    response = client.get(cast.team.get_absolute_url())

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_facilitator_sees_the_team_without_any_other_role_there(client, cast, world):
    facilitator = make_person(Role.COACH, school=world.school_a, email="fac@example.org")
    Team.objects.filter(pk=cast.team.pk).update(facilitator=facilitator)
    Membership.objects.filter(user=facilitator).delete()
    client.force_login(facilitator)

    response = client.get(cast.team.get_absolute_url())
    added = client.post(reverse("goals:team_meeting_add", args=[cast.team.pk]), note_data())

    assert response.status_code == 200
    assert b"Add meeting notes" in response.content
    assert added.status_code == 302
    assert TeamMeeting.objects.get().created_by == facilitator


def test_edit_button_shows_for_managers_only(client, cast):
    edit_url = reverse("goals:team_edit", args=[cast.team.pk]).encode()
    login(client, cast, "member")
    assert edit_url not in client.get(cast.team.get_absolute_url()).content
    login(client, cast, "principal")
    assert edit_url in client.get(cast.team.get_absolute_url()).content


# The team page: members and their goals


def test_team_page_shows_each_members_goals_the_viewer_may_see(client, cast, world):
    year = cast.team.school_year
    draft = TeamGoalFactory(
        teacher=cast.member, school=world.school_a, title="Secret draft", status="draft"
    )
    shared = TeamGoalFactory(
        teacher=cast.teammate, school=world.school_a, title="Talk moves", status="approved"
    )
    last_year = SchoolYearFactory(
        district=world.district,
        name="2025-26",
        start_date=datetime.date(2025, 8, 1),
        end_date=datetime.date(2026, 6, 30),
        is_current=False,
    )
    TeamGoalFactory(
        teacher=cast.teammate,
        school=world.school_a,
        school_year=last_year,
        title="Old goal",
        status="approved",
    )
    assert draft.school_year == year

    login(client, cast, "member")
    page = client.get(cast.team.get_absolute_url())
    goals_of = {m.full_name: [g.title for g in m.year_goals] for m in page.context["members"]}
    assert goals_of == {cast.member.full_name: ["Secret draft"], "Tess Teammate": ["Talk moves"]}
    assert shared.get_absolute_url().encode() in page.content
    assert b'<span class="badge status-approved">Approved</span>' in page.content
    assert b"Old goal" not in page.content

    client.force_login(cast.teammate)
    page = client.get(cast.team.get_absolute_url())
    assert b"Secret draft" not in page.content
    assert b"Talk moves" in page.content

    login(client, cast, "principal")
    page = client.get(cast.team.get_absolute_url())
    assert b"Secret draft" in page.content

    # A coach who is not assigned to these teachers sees the team, not their goals.
    login(client, cast, "coach")
    page = client.get(cast.team.get_absolute_url())
    assert b"Talk moves" not in page.content


@pytest.mark.parametrize(("size", "hinted"), [(2, True), (7, False), (11, True)])
def test_team_page_hints_gently_when_the_group_is_small_or_large(client, cast, world, size, hinted):
    teachers = [make_person(Role.TEACHER, school=world.school_a) for _ in range(size)]
    team = TeamFactory(school=world.school_a, members=teachers)
    login(client, cast, "principal")

    response = client.get(team.get_absolute_url())

    assert response.status_code == 200
    assert (b"Groups of about 6 to 10 work well" in response.content) is hinted


def _team_of(world, size: int, system_goals) -> Team:
    teachers = [make_person(Role.TEACHER, school=world.school_a) for _ in range(size)]
    for teacher in teachers:
        TeamGoalFactory(teacher=teacher, school=world.school_a, status=Goal.Status.APPROVED)
        TeamGoalFactory(teacher=teacher, school=world.school_a, status=Goal.Status.DRAFT)
    team = TeamFactory(
        school=world.school_a,
        members=teachers,
        facilitator=teachers[0],
        system_goals=system_goals,
    )
    for teacher in teachers:
        TeamMeetingFactory(team=team, created_by=teacher)
    return team


def _queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["principal", "coach"])
def test_team_page_query_count_does_not_grow_with_members_goals_or_notes(client, cast, world, name):
    system_goals = [
        cast.system_goal,
        TeamSystemGoalFactory(district=world.district, schools=[world.school_a]),
    ]
    small = _team_of(world, 3, system_goals)
    large = _team_of(world, 12, system_goals)
    login(client, cast, name)
    client.get(small.get_absolute_url())  # warm up per-process caches

    small_count = _queries_for(client, small.get_absolute_url())
    large_count = _queries_for(client, large.get_absolute_url())

    assert small_count == large_count
    assert len(client.get(large.get_absolute_url()).context["members"]) == 12


# The team page: meeting notes


def test_meeting_notes_are_paginated_newest_first(client, cast):
    today = timezone.localdate()
    notes = [
        TeamMeetingFactory(
            team=cast.team, met_on=today - datetime.timedelta(days=days), learn=f"Week {days}"
        )
        for days in range(1, MEETINGS_PER_PAGE + 3)
    ]
    login(client, cast, "member")

    first = client.get(cast.team.get_absolute_url())
    second = client.get(cast.team.get_absolute_url() + "?page=2")

    assert [n.pk for n, _ in first.context["notes"]] == [n.pk for n in notes[:MEETINGS_PER_PAGE]]
    assert [n.pk for n, _ in second.context["notes"]] == [n.pk for n in notes[MEETINGS_PER_PAGE:]]
    assert b"Page 1 of 2" in first.content
    assert b"Week 1<" in first.content
    assert b"Week 12<" in second.content
    assert b"Week 12<" not in first.content


def test_team_page_offers_to_edit_only_the_notes_the_viewer_may_edit(client, cast):
    own = TeamMeetingFactory(team=cast.team, created_by=cast.member)
    theirs = TeamMeetingFactory(team=cast.team, created_by=cast.teammate)
    login(client, cast, "member")

    response = client.get(cast.team.get_absolute_url())

    editable = {note.pk: can_edit for note, can_edit in response.context["notes"]}
    assert editable == {own.pk: True, theirs.pk: False}
    assert reverse("goals:team_meeting_edit", args=[cast.team.pk, own.pk]).encode() in (
        response.content
    )
    assert reverse("goals:team_meeting_edit", args=[cast.team.pk, theirs.pk]).encode() not in (
        response.content
    )
    assert b"Add meeting notes" in response.content


# The team list


@pytest.mark.parametrize(
    ("name", "sees"),
    [
        ("member", True),
        ("coach", True),
        ("principal", True),
        ("coordinator", True),
        ("district_admin", True),
        ("non_member", False),
        ("principal_other_school", False),
        ("other_district_admin", False),
    ],
)
def test_team_list_shows_the_teams_the_user_may_see(client, cast, name, sees):
    login(client, cast, name)

    response = client.get(reverse("goals:team_list"))

    assert response.status_code == 200
    listing = response.context["listing"]
    listed = [t.pk for t in listing.mine + listing.others]
    assert (cast.team.pk in listed) is sees
    assert (b"Grade 3 PLC" in response.content) is sees


def test_team_list_puts_the_users_teams_first_then_groups_by_school(client, cast, world):
    at_b = TeamFactory(school=world.school_b, name="Math PLC", facilitator=world.coach)
    other_at_a = TeamFactory(school=world.school_a, name="Another team")
    TeamFactory(school=world.other_school, name="Far team")
    client.force_login(world.coach)

    response = client.get(reverse("goals:team_list"))

    listing = response.context["listing"]
    assert [t.name for t in listing.mine] == [at_b.name]
    assert [(t.school.name, t.name, t.member_count) for t in listing.others] == [
        ("Cedar Creek Elementary", other_at_a.name, 0),
        ("Cedar Creek Elementary", "Grade 3 PLC", 2),
    ]
    content = response.content.decode()
    assert content.index("Your teams") < content.index("Math PLC") < content.index("Another team")
    assert "Other teams at Cedar Creek Elementary" in content
    assert "2 members" in content
    assert "Far team" not in content


def test_team_list_has_an_empty_state(client, cast):
    login(client, cast, "non_member")

    response = client.get(reverse("goals:team_list"))

    assert b"No teams yet" in response.content
    assert reverse("goals:team_create").encode() not in response.content


def test_team_list_offers_managers_to_form_a_team(client, cast):
    login(client, cast, "principal")

    response = client.get(reverse("goals:team_list"))

    assert response.context["can_create"] is True
    assert reverse("goals:team_create").encode() in response.content


def test_team_list_sends_anonymous_visitors_to_sign_in(client, cast):
    response = client.get(reverse("goals:team_list"))

    assert response.status_code == 302


# Forming a team


@pytest.mark.parametrize("name", MANAGERS)
def test_managers_form_a_team(client, cast, world, name):
    actor = login(client, cast, name)

    response = client.post(create_url(cast), team_data(cast), follow=True)

    team = Team.objects.get(name="Grade 4 team")
    assert response.redirect_chain[-1][0] == team.get_absolute_url()
    assert "Formed Grade 4 team at Cedar Creek Elementary." in messages_of(response)
    assert team.school == world.school_a
    assert team.kind == Team.Kind.GRADE_LEVEL
    assert team.school_year == world.district.current_school_year()
    assert set(team.members.all()) == {cast.member, cast.non_member}
    assert team.facilitator == cast.non_member
    assert list(team.system_goals.all()) == [cast.system_goal]
    [event] = audit_rows("team.create")
    assert event.actor == actor
    assert event.district == world.district
    assert event.target_id == str(team.pk)
    assert sorted(event.data["members"]) == sorted([cast.member.pk, cast.non_member.pk])


@pytest.mark.parametrize("name", NOT_MANAGERS)
def test_others_cannot_form_a_team_at_the_school(client, cast, name):
    login(client, cast, name)

    page = client.get(create_url(cast))
    post = client.post(create_url(cast), team_data(cast))

    assert page.status_code == 404
    assert post.status_code == 404
    assert not Team.objects.filter(name="Grade 4 team").exists()
    assert audit_rows("team.create") == []


def test_forming_a_team_sends_anonymous_visitors_to_sign_in(client, cast):
    response = client.post(create_url(cast), team_data(cast))

    assert response.status_code == 302
    assert not Team.objects.filter(name="Grade 4 team").exists()


def test_a_manager_of_several_schools_chooses_the_school_first(client, cast, world):
    login(client, cast, "coordinator")

    response = client.get(reverse("goals:team_create"))

    assert response.templates[0].name == "goals/teams/team_school_choice.html"
    offered = {s.name for s in response.context["form"].fields["school"].queryset}
    assert offered == {"Cedar Creek Elementary", "Lincoln Middle"}


def test_a_principal_of_one_school_goes_straight_to_the_form(client, cast, world):
    login(client, cast, "principal")

    response = client.get(reverse("goals:team_create"))

    assert response.templates[0].name == "goals/teams/team_form.html"
    form = response.context["form"]
    assert form.school == world.school_a
    assert form.fields["school_year"].initial == world.district.current_school_year().pk
    members = {u.full_name for u in form.fields["members"].queryset}
    assert members == {cast.member.full_name, "Tess Teammate", "Nora Outside"}
    facilitators = set(form.fields["facilitator"].queryset)
    assert world.coach in facilitators
    assert world.principal not in facilitators
    assert f"{world.coach.full_name} (coach)".encode() in response.content
    assert f"{cast.member.full_name} (coach)".encode() not in response.content


def test_the_team_form_offers_only_applicable_active_system_goals(client, cast, world):
    archived = TeamSystemGoalFactory(
        district=world.district, title="Old initiative", status=SystemGoal.Status.ARCHIVED
    )
    elsewhere = TeamSystemGoalFactory(district=world.district, schools=[world.school_b])
    login(client, cast, "principal")

    response = client.get(reverse("goals:team_create"))

    offered = set(response.context["form"].fields["system_goals"].queryset)
    assert offered == {cast.system_goal}
    assert archived not in offered
    assert elsewhere not in offered


@pytest.mark.parametrize(
    ("who", "field"),
    [("coach", "members"), ("teacher_b", "members"), ("principal", "facilitator")],
)
def test_the_team_form_refuses_people_who_cannot_join(client, cast, world, who, field):
    person = {
        "coach": world.coach,
        "principal": world.principal,
        "teacher_b": make_person(Role.TEACHER, school=world.school_b),
    }[who]
    login(client, cast, "principal")
    data = team_data(cast)
    data[field] = [cast.member.pk, person.pk] if field == "members" else person.pk

    response = client.post(create_url(cast), data)

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Team.objects.filter(name="Grade 4 team").exists()


def test_the_team_form_refuses_an_archived_system_goal(client, cast, world):
    archived = TeamSystemGoalFactory(district=world.district, status=SystemGoal.Status.ARCHIVED)
    login(client, cast, "principal")

    response = client.post(create_url(cast), team_data(cast, system_goals=[archived.pk]))

    assert response.status_code == 200
    assert "archived" in str(response.context["form"].errors["system_goals"])
    assert not Team.objects.filter(name="Grade 4 team").exists()


def test_the_team_form_shows_the_services_refusal_next_to_the_field(client, cast):
    login(client, cast, "principal")

    response = client.post(create_url(cast), team_data(cast, name="grade 3 plc"))

    assert response.status_code == 200
    assert "already has a team called" in str(response.context["form"].errors["name"])
    assert Team.objects.filter(name__iexact="grade 3 plc").count() == 1


# Forming a team: the service


def test_team_create_defaults_to_the_current_school_year(cast, world):
    team = team_services.team_create(
        actor=world.principal, school=world.school_a, name="Kindergarten team"
    )

    assert team.school_year == world.district.current_school_year()
    assert team.kind == Team.Kind.PLC
    assert AuditEvent.objects.filter(verb="team.create", target_id=str(team.pk)).exists()


@pytest.mark.parametrize("who", ["coach", "principal", "teacher_b", "inactive_teacher"])
def test_team_create_refuses_members_who_are_not_active_teachers_of_the_school(cast, world, who):
    if who == "teacher_b":
        person = make_person(Role.TEACHER, school=world.school_b)
    elif who == "inactive_teacher":
        person = make_person(Role.TEACHER, school=world.school_a, is_active=False)
    else:
        person = getattr(world, who)

    with pytest.raises(ValidationError) as refused:
        team_services.team_create(
            actor=world.principal,
            school=world.school_a,
            name="New team",
            members=[cast.member, person],
        )

    assert refused.value.code == "member_not_teacher"
    assert not Team.objects.filter(name="New team").exists()
    assert audit_rows("team.create") == []


@pytest.mark.parametrize("which", ["archived", "other_school", "other_district"])
def test_team_create_refuses_system_goals_that_do_not_apply(cast, world, which):
    system_goal = {
        "archived": lambda: TeamSystemGoalFactory(
            district=world.district, status=SystemGoal.Status.ARCHIVED
        ),
        "other_school": lambda: TeamSystemGoalFactory(
            district=world.district, schools=[world.school_b]
        ),
        "other_district": lambda: TeamSystemGoalFactory(district=world.other_district),
    }[which]()

    with pytest.raises(ValidationError) as refused:
        team_services.team_create(
            actor=world.principal,
            school=world.school_a,
            name="New team",
            system_goals=[system_goal],
        )

    assert refused.value.code == "system_goal_not_applicable"
    assert not Team.objects.filter(name="New team").exists()


def test_team_create_accepts_a_system_goal_naming_the_school(cast, world):
    system_goal = TeamSystemGoalFactory(district=world.district, schools=[world.school_a])

    team = team_services.team_create(
        actor=world.principal, school=world.school_a, name="New team", system_goals=[system_goal]
    )

    assert list(team.system_goals.all()) == [system_goal]


@pytest.mark.parametrize("actor", ["teacher", "principal_b"])
def test_team_create_refuses_actors_who_cannot_manage_the_school(cast, world, actor):
    person = cast.principal_b if actor == "principal_b" else world.teacher

    with pytest.raises(PermissionDenied):
        team_services.team_create(actor=person, school=world.school_a, name="New team")

    assert not Team.objects.filter(name="New team").exists()


def test_team_create_refuses_a_school_of_another_district(cast, world):
    with pytest.raises(ValidationError) as refused:
        team_services.team_create(
            actor=world.district_admin, school=world.other_school, name="Far team"
        )

    assert refused.value.code == "other_district"
    assert not Team.objects.filter(name="Far team").exists()


def test_team_create_refuses_a_deactivated_school(cast, world):
    world.school_b.is_active = False
    world.school_b.save()

    with pytest.raises(ValidationError) as refused:
        team_services.team_create(actor=world.district_admin, school=world.school_b, name="X")

    assert refused.value.code == "inactive_school"


def test_team_create_refuses_another_districts_school_year(cast, world):
    far_year = SchoolYearFactory(district=world.other_district)

    with pytest.raises(ValidationError) as refused:
        team_services.team_create(
            actor=world.principal, school=world.school_a, name="X", school_year=far_year
        )

    assert refused.value.code == "school_year"


def test_team_facilitator_may_be_a_coach_of_the_school_but_not_an_outside_teacher(cast, world):
    team = team_services.team_create(
        actor=world.principal,
        school=world.school_a,
        name="Coached team",
        members=[cast.member],
        facilitator=world.coach,
    )
    assert team.facilitator == world.coach

    with pytest.raises(ValidationError) as refused:
        team_services.team_create(
            actor=world.principal,
            school=world.school_a,
            name="Other team",
            members=[cast.member],
            facilitator=cast.non_member,
        )
    assert refused.value.code == "facilitator"


# Editing a team


@pytest.mark.parametrize("name", MANAGERS)
def test_managers_edit_a_team(client, cast, world, name):
    actor = login(client, cast, name)
    url = reverse("goals:team_edit", args=[cast.team.pk])
    data = team_data(
        cast,
        name="Grade 3 team",
        members=[cast.member.pk, cast.non_member.pk],
        facilitator=cast.member.pk,
        system_goals=[],
    )

    page = client.get(url)
    response = client.post(url, data, follow=True)

    assert page.status_code == 200
    assert response.redirect_chain[-1][0] == cast.team.get_absolute_url()
    assert "Saved Grade 3 team." in messages_of(response)
    cast.team.refresh_from_db()
    assert cast.team.name == "Grade 3 team"
    assert cast.team.kind == Team.Kind.GRADE_LEVEL
    assert cast.team.facilitator == cast.member
    assert set(cast.team.members.all()) == {cast.member, cast.non_member}
    assert not cast.team.system_goals.exists()
    [event] = audit_rows("team.update")
    assert event.actor == actor
    assert event.target_id == str(cast.team.pk)
    assert event.data["changed"] == [
        "facilitator",
        "goal_statement",
        "kind",
        "members",
        "name",
        "system_goals",
    ]
    assert event.data["from"]["name"] == "Grade 3 PLC"


@pytest.mark.parametrize("name", NOT_MANAGERS)
def test_others_cannot_edit_a_team(client, cast, name):
    login(client, cast, name)
    url = reverse("goals:team_edit", args=[cast.team.pk])

    page = client.get(url)
    post = client.post(url, team_data(cast, name="Taken over"))

    assert page.status_code == 404
    assert post.status_code == 404
    cast.team.refresh_from_db()
    assert cast.team.name == "Grade 3 PLC"
    assert audit_rows("team.update") == []


def test_editing_a_team_sends_anonymous_visitors_to_sign_in(client, cast):
    response = client.post(reverse("goals:team_edit", args=[cast.team.pk]), team_data(cast))

    assert response.status_code == 302
    cast.team.refresh_from_db()
    assert cast.team.name == "Grade 3 PLC"


def test_the_edit_form_starts_from_the_team_as_stored(client, cast):
    login(client, cast, "principal")

    response = client.get(reverse("goals:team_edit", args=[cast.team.pk]))

    initial = response.context["form"].initial
    assert initial["name"] == "Grade 3 PLC"
    assert sorted(initial["members"]) == sorted([cast.member.pk, cast.teammate.pk])
    assert initial["system_goals"] == [cast.system_goal.pk]


def test_the_edit_form_warns_about_what_saving_will_remove(client, cast, world):
    Team.objects.filter(pk=cast.team.pk).update(facilitator=world.coach)
    Membership.objects.filter(user__in=[cast.teammate, world.coach]).delete()
    SystemGoal.objects.filter(pk=cast.system_goal.pk).update(status=SystemGoal.Status.ARCHIVED)
    login(client, cast, "principal")

    response = client.get(reverse("goals:team_edit", args=[cast.team.pk]))

    assert response.context["form"].dropped == [
        "Tess Teammate no longer teaches here",
        f"{world.coach.full_name} can no longer facilitate: choose someone else",
        "the system goal Academic discourse is no longer active here",
    ]
    assert b"Tess Teammate no longer teaches here" in response.content


def test_the_edit_form_warns_about_nothing_when_all_is_current(client, cast):
    login(client, cast, "principal")

    response = client.get(reverse("goals:team_edit", args=[cast.team.pk]))

    assert response.context["form"].dropped == []
    assert b"Saving will update this team" not in response.content


def test_team_update_records_nothing_when_nothing_changed(cast, world):
    team = cast.team
    team_services.team_update(
        actor=world.principal,
        team=team,
        name=team.name,
        kind=team.kind,
        school_year=team.school_year,
        members=list(team.members.all()),
        facilitator=None,
        goal_statement=team.goal_statement,
        system_goals=[cast.system_goal],
    )

    assert audit_rows("team.update") == []


def test_team_update_refuses_another_schools_teacher_and_keeps_the_team(cast, world):
    teacher_b = make_person(Role.TEACHER, school=world.school_b)

    with pytest.raises(ValidationError) as refused:
        team_services.team_update(
            actor=world.principal,
            team=cast.team,
            name="Renamed",
            kind=Team.Kind.PLC,
            school_year=cast.team.school_year,
            members=[cast.member, teacher_b],
            facilitator=None,
            goal_statement="",
            system_goals=[],
        )

    assert refused.value.code == "member_not_teacher"
    cast.team.refresh_from_db()
    assert cast.team.name == "Grade 3 PLC"
    assert set(cast.team.members.all()) == {cast.member, cast.teammate}


def test_team_update_refuses_a_member_of_the_team(cast):
    with pytest.raises(PermissionDenied):
        team_services.team_update(
            actor=cast.member,
            team=cast.team,
            name="Ours now",
            kind=Team.Kind.PLC,
            school_year=cast.team.school_year,
            members=[cast.member],
            facilitator=cast.member,
            goal_statement="",
            system_goals=[],
        )

    cast.team.refresh_from_db()
    assert cast.team.name == "Grade 3 PLC"


# Adding meeting notes


@pytest.mark.parametrize("name", VIEWERS)
def test_members_and_leaders_add_meeting_notes(client, cast, name):
    actor = login(client, cast, name)
    url = reverse("goals:team_meeting_add", args=[cast.team.pk])

    page = client.get(url)
    response = client.post(url, note_data(), follow=True)

    assert page.status_code == 200
    assert response.redirect_chain[-1][0] == cast.team.get_absolute_url() + "#notes"
    assert "Meeting notes added." in messages_of(response)
    note = TeamMeeting.objects.get(team=cast.team)
    assert note.created_by == actor
    assert note.met_on == timezone.localdate() - datetime.timedelta(days=2)
    assert note.learn == "Compare fractions with unlike denominators."
    assert note.evidence == "Exit ticket on Friday."
    assert b"Exit ticket on Friday." in response.content
    [event] = audit_rows("team.meeting_add")
    assert event.actor == actor
    assert event.target_id == str(note.pk)
    assert event.data["team"] == cast.team.pk


@pytest.mark.parametrize("name", [*STRANGERS, "anonymous"])
def test_others_cannot_add_meeting_notes(client, cast, name):
    login(client, cast, name)
    url = reverse("goals:team_meeting_add", args=[cast.team.pk])

    page = client.get(url)
    post = client.post(url, note_data())

    expected = 302 if name == "anonymous" else 404
    assert page.status_code == expected
    assert post.status_code == expected
    assert not TeamMeeting.objects.exists()
    assert audit_rows("team.meeting_add") == []


def test_empty_meeting_notes_are_refused(client, cast):
    login(client, cast, "member")

    response = client.post(
        reverse("goals:team_meeting_add", args=[cast.team.pk]),
        note_data(learn="  ", evidence=""),
    )

    assert response.status_code == 200
    assert "at least one of the questions" in str(response.context["form"].non_field_errors())
    assert not TeamMeeting.objects.exists()


def test_meeting_notes_cannot_be_dated_in_the_future(client, cast):
    login(client, cast, "member")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = client.post(
        reverse("goals:team_meeting_add", args=[cast.team.pk]),
        note_data(met_on=tomorrow.isoformat()),
    )

    assert response.status_code == 200
    assert "future" in str(response.context["form"].errors["met_on"])
    assert not TeamMeeting.objects.exists()


def test_team_meeting_add_refuses_a_stranger(cast):
    with pytest.raises(PermissionDenied):
        team_services.team_meeting_add(
            actor=cast.non_member, team=cast.team, met_on=timezone.localdate(), learn="x"
        )

    assert not TeamMeeting.objects.exists()


# Editing meeting notes


def _edit_url(note: TeamMeeting) -> str:
    return reverse("goals:team_meeting_edit", args=[note.team_id, note.pk])


@pytest.mark.parametrize("name", ["member", *MANAGERS])
def test_the_author_and_managers_edit_meeting_notes(client, cast, name):
    note = TeamMeetingFactory(team=cast.team, created_by=cast.member, learn="Draft notes")
    actor = login(client, cast, name)

    page = client.get(_edit_url(note))
    response = client.post(_edit_url(note), note_data(learn="Corrected notes"), follow=True)

    assert page.status_code == 200
    assert page.context["form"].initial["learn"] == "Draft notes"
    assert response.redirect_chain[-1][0] == cast.team.get_absolute_url() + "#notes"
    assert "Meeting notes saved." in messages_of(response)
    note.refresh_from_db()
    assert note.learn == "Corrected notes"
    assert note.created_by == cast.member
    [event] = audit_rows("team.meeting_update")
    assert event.actor == actor
    assert event.target_id == str(note.pk)
    assert "learn" in event.data["changed"]


@pytest.mark.parametrize("name", ["teammate", *STRANGERS, "anonymous"])
def test_others_cannot_edit_meeting_notes(client, cast, name):
    note = TeamMeetingFactory(team=cast.team, created_by=cast.member, learn="Draft notes")
    login(client, cast, name)

    page = client.get(_edit_url(note))
    post = client.post(_edit_url(note), note_data(learn="Overwritten"))

    expected = 302 if name == "anonymous" else 404
    assert page.status_code == expected
    assert post.status_code == expected
    note.refresh_from_db()
    assert note.learn == "Draft notes"
    assert audit_rows("team.meeting_update") == []


def test_meeting_notes_are_reached_only_through_their_own_team(client, cast, world):
    other_team = TeamFactory(school=world.school_a, members=[cast.teammate])
    note = TeamMeetingFactory(team=other_team, created_by=cast.teammate)
    client.force_login(cast.teammate)

    response = client.get(reverse("goals:team_meeting_edit", args=[cast.team.pk, note.pk]))

    assert response.status_code == 404


def test_an_author_who_left_the_team_can_no_longer_edit_their_notes(client, cast):
    note = TeamMeetingFactory(team=cast.team, created_by=cast.member)
    cast.team.members.remove(cast.member)

    with pytest.raises(PermissionDenied):
        team_services.team_meeting_update(
            actor=cast.member, meeting=note, met_on=note.met_on, learn="Changed"
        )
    note.refresh_from_db()
    assert note.learn != "Changed"
