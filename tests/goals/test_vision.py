"""The collective vision: the Vision page, vision statements, system goals and standards."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals import vision_services
from goals.models import (
    Goal,
    StandardComponent,
    StandardDomain,
    StandardsFramework,
    SystemGoal,
    Vision,
)
from pplearn.models import AuditEvent, Role, School, SchoolYear
from tests.factories import SchoolFactory, SchoolYearFactory, add_role, make_person
from tests.goals.factories import SystemGoalFactory

pytestmark = pytest.mark.django_db

INITIATIVE = SystemGoal.Kind.INITIATIVE
DANIELSON = "Framework for Teaching (Danielson)"
LEARNING_FORWARD = "Standards for Professional Learning (Learning Forward, 2011)"


@pytest.fixture
def things(world):
    """System goals of every reach, and a framework with a domain and a component."""
    framework = StandardsFramework.objects.get(district=world.district, name=DANIELSON)
    domain = framework.domains.get(code="1")
    return SimpleNamespace(
        year=world.district.current_school_year(),
        district_goal=SystemGoalFactory(district=world.district, title="Academic discourse"),
        initiative_a=SystemGoalFactory(
            district=world.district, title="Cedar reads", kind=INITIATIVE, schools=[world.school_a]
        ),
        initiative_b=SystemGoalFactory(
            district=world.district,
            title="Lincoln writes",
            kind=INITIATIVE,
            schools=[world.school_b],
        ),
        framework=framework,
        domain=domain,
        component=domain.components.get(code="1a"),
        school_a=world.school_a,
        school_b=world.school_b,
    )


def login(client, user):
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def verbs() -> list[str]:
    return list(AuditEvent.objects.order_by("at", "pk").values_list("verb", flat=True))


def tag_goal(world, component: StandardComponent) -> Goal:
    """A teacher goal tagged with the component."""
    goal = Goal.objects.create(
        teacher=world.teacher,
        school=world.school_a,
        school_year=world.district.current_school_year(),
        title="Talk moves",
    )
    goal.standard_components.add(component)
    return goal


def goal_data(goal_year: SchoolYear, **overrides) -> dict:
    data = {
        "title": "Every student reads daily",
        "description": "Twenty minutes of reading, every day.",
        "kind": SystemGoal.Kind.SYSTEM_GOAL,
        "school_year": goal_year.pk,
    }
    data.update(overrides)
    return data


# Who may reach what. Each entry: URL name, the object it takes, and whether it takes GET.
MANAGE_URLS = [
    ("vision_edit", None, True),
    ("school_vision_edit", "school_a", True),
    ("system_goal_list", None, True),
    ("system_goal_create", None, True),
    ("system_goal_edit", "district_goal", True),
    ("system_goal_archive", "district_goal", False),
    ("system_goal_restore", "district_goal", False),
    ("framework_list", None, True),
    ("framework_edit", "framework", True),
    ("domain_create", "framework", True),
    ("domain_edit", "domain", True),
    ("domain_delete", "domain", False),
    ("component_create", "domain", True),
    ("component_edit", "component", True),
    ("component_delete", "component", False),
]


def url_of(things, name: str, obj: str | None) -> str:
    return reverse(f"goals:{name}", args=[getattr(things, obj).pk] if obj else [])


def assert_nothing_changed(things) -> None:
    assert not AuditEvent.objects.exists()
    assert not Vision.objects.exists()
    assert SystemGoal.objects.filter(status=SystemGoal.Status.ACTIVE).count() == 3
    assert StandardComponent.objects.filter(pk=things.component.pk).exists()
    assert StandardDomain.objects.filter(pk=things.domain.pk).exists()


def refusals(client, things, urls) -> dict[str, list[int]]:
    """Request each URL (GET where it takes one, then POST) and return the status codes."""
    codes = {}
    for name, obj, takes_get in urls:
        url = url_of(things, name, obj)
        posted = {"statement": "Ours now", "title": "Ours now", "name": "Ours now"}
        gets = [client.get(url).status_code] if takes_get else []
        codes[name if obj is None else f"{name} {obj}"] = [
            *gets,
            client.post(url, posted).status_code,
        ]
    return codes


def expected(urls, code: int) -> dict[str, list[int]]:
    return {
        name if obj is None else f"{name} {obj}": [code] * (2 if takes_get else 1)
        for name, obj, takes_get in urls
    }


@pytest.mark.parametrize("role", ["teacher", "coach", "coordinator"])
def test_teachers_coaches_and_coordinators_cannot_manage_anything(client, world, things, role):
    login(client, getattr(world, role))

    assert refusals(client, things, MANAGE_URLS) == expected(MANAGE_URLS, 404)
    assert_nothing_changed(things)


def test_another_districts_administrator_gets_404_for_our_objects(client, world, things):
    urls = [url for url in MANAGE_URLS if url[1]]
    login(client, world.outsider)

    assert refusals(client, things, urls) == expected(urls, 404)
    assert_nothing_changed(things)


PRINCIPAL_REFUSED = [
    ("vision_edit", None, True),
    ("school_vision_edit", "school_b", True),
    ("system_goal_edit", "district_goal", True),
    ("system_goal_archive", "district_goal", False),
    ("system_goal_edit", "initiative_b", True),
    ("system_goal_archive", "initiative_b", False),
    ("system_goal_restore", "initiative_b", False),
    ("framework_list", None, True),
    ("framework_edit", "framework", True),
    ("domain_create", "framework", True),
    ("domain_edit", "domain", True),
    ("component_delete", "component", False),
]


def test_principal_cannot_change_the_district_or_another_school(client, world, things):
    login(client, world.principal)

    assert refusals(client, things, PRINCIPAL_REFUSED) == expected(PRINCIPAL_REFUSED, 404)
    assert_nothing_changed(things)


def test_anonymous_visitors_are_sent_to_sign_in(client, things):
    for name, obj, _ in [("vision", None, True), *MANAGE_URLS]:
        url = url_of(things, name, obj)

        response = client.get(url)

        assert (response.status_code, response.get("Location")) == (
            302,
            f"{reverse('login')}?next={url}",
        ), name


# The Vision page


def test_teacher_reads_the_vision_and_the_system_goals_of_their_school(client, world, things):
    Vision.objects.create(district=world.district, statement="Every learner thrives.")
    Vision.objects.create(
        district=world.district, school=world.school_a, statement="Cedar Creek reads."
    )
    Vision.objects.create(
        district=world.district, school=world.school_b, statement="Lincoln builds."
    )
    SystemGoalFactory(district=world.other_district, title="Far away goal")
    login(client, world.teacher)

    response = client.get(reverse("goals:vision"))

    assert response.status_code == 200
    assert response.context["district_vision"].statement == "Every learner thrives."
    assert [(s.name, can_edit) for s, can_edit in response.context["schools"]] == [
        ("Cedar Creek Elementary", False)
    ]
    # The district's system goals come before the school's initiatives.
    titles = [g.title for g in response.context["system_goals"]]
    assert titles == ["Academic discourse", "Cedar reads"]
    content = response.content.decode()
    assert "Every learner thrives." in content
    assert "Cedar Creek reads." in content
    assert "Lincoln builds." not in content
    assert "Far away goal" not in content
    assert things.district_goal.description in content
    assert reverse("goals:vision_edit") not in content
    assert reverse("goals:school_vision_edit", args=[world.school_a.pk]) not in content


def test_archived_system_goals_are_hidden_from_the_teachers_vision_page(client, world, things):
    vision_services.system_goal_archive(actor=world.district_admin, goal=things.district_goal)
    login(client, world.teacher)

    response = client.get(reverse("goals:vision"))

    assert [g.title for g in response.context["system_goals"]] == ["Cedar reads"]
    assert b"Academic discourse" not in response.content


@pytest.mark.parametrize("role", ["teacher", "coach", "principal", "coordinator", "district_admin"])
def test_everyone_with_a_role_in_the_district_reads_the_vision(client, world, things, role):
    Vision.objects.create(district=world.district, statement="Every learner thrives.")
    login(client, getattr(world, role))

    response = client.get(reverse("goals:vision"))

    assert response.status_code == 200
    assert b"Every learner thrives." in response.content
    assert b"Academic discourse" in response.content


def test_the_vision_page_of_another_district_shows_its_own_vision_only(client, world, things):
    Vision.objects.create(district=world.district, statement="Every learner thrives.")
    Vision.objects.create(district=world.other_district, statement="Far and wide.")
    login(client, world.outsider)

    response = client.get(reverse("goals:vision"))

    assert response.context["district_vision"].statement == "Far and wide."
    assert [s for s, _ in response.context["schools"]] == [world.other_school]
    assert list(response.context["system_goals"]) == []
    assert b"Every learner thrives." not in response.content


def test_a_role_in_another_district_does_not_bring_its_schools_onto_the_page(client, world, things):
    add_role(world.teacher, Role.TEACHER, world.other_school)
    login(client, world.teacher)

    response = client.get(reverse("goals:vision"))

    assert [s for s, _ in response.context["schools"]] == [world.school_a]
    assert b"Far Away High" not in response.content


def test_someone_without_a_role_cannot_read_a_vision(client, world, things):
    roleless = make_person(Role.TEACHER, school=world.school_a)
    roleless.memberships.all().delete()
    login(client, roleless)

    assert client.get(reverse("goals:vision")).status_code == 404


def test_admin_sees_every_school_and_the_edit_links(client, world, things):
    login(client, world.district_admin)

    response = client.get(reverse("goals:vision"))

    assert [(s.name, can_edit) for s, can_edit in response.context["schools"]] == [
        ("Cedar Creek Elementary", True),
        ("Lincoln Middle", True),
    ]
    assert sorted(g.title for g in response.context["system_goals"]) == [
        "Academic discourse",
        "Cedar reads",
        "Lincoln writes",
    ]
    assert reverse("goals:vision_edit").encode() in response.content


def test_principal_sees_the_edit_link_of_their_own_school_only(client, world, things):
    login(client, world.principal)

    response = client.get(reverse("goals:vision"))

    assert [(s.name, can_edit) for s, can_edit in response.context["schools"]] == [
        ("Cedar Creek Elementary", True)
    ]
    content = response.content.decode()
    assert reverse("goals:school_vision_edit", args=[world.school_a.pk]) in content
    assert reverse("goals:vision_edit") not in content


# Vision statements


def test_admin_writes_then_rewrites_the_district_vision(client, world):
    login(client, world.district_admin)
    url = reverse("goals:vision_edit")

    response = client.post(url, {"statement": "  Every learner thrives.  "}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("goals:vision")
    assert "Saved the district vision." in messages_of(response)
    vision = Vision.objects.get(district=world.district, school=None)
    assert vision.statement == "Every learner thrives."
    assert vision.updated_by == world.district_admin

    client.post(url, {"statement": "Every learner belongs."})
    client.post(url, {"statement": "Every learner belongs."})

    vision.refresh_from_db()
    assert vision.statement == "Every learner belongs."
    assert Vision.objects.count() == 1
    events = AuditEvent.objects.filter(verb="vision.update").order_by("at", "pk")
    assert [(e.data["from"], e.data["to"]) for e in events] == [
        ("", "Every learner thrives."),
        ("Every learner thrives.", "Every learner belongs."),
    ]
    assert {(e.actor, e.district) for e in events} == {(world.district_admin, world.district)}
    assert client.get(url).context["form"].initial["statement"] == "Every learner belongs."


def test_the_district_vision_cannot_be_emptied(client, world):
    Vision.objects.create(district=world.district, statement="Every learner thrives.")
    login(client, world.district_admin)

    response = client.post(reverse("goals:vision_edit"), {"statement": "   "})

    assert response.status_code == 200
    assert response.context["form"].errors["statement"] == ["This field is required."]
    assert Vision.objects.get().statement == "Every learner thrives."
    assert not AuditEvent.objects.exists()


def test_principal_writes_and_then_clears_their_schools_vision(client, world):
    login(client, world.principal)
    url = reverse("goals:school_vision_edit", args=[world.school_a.pk])

    response = client.post(url, {"statement": "Cedar Creek reads."}, follow=True)

    assert "Saved the vision of Cedar Creek Elementary." in messages_of(response)
    vision = Vision.objects.get(school=world.school_a)
    assert (vision.district, vision.statement) == (world.district, "Cedar Creek reads.")

    response = client.post(url, {"statement": ""}, follow=True)

    assert "Cedar Creek Elementary now shows only the district vision." in messages_of(response)
    assert not Vision.objects.exists()
    assert verbs() == ["vision.update", "vision.update"]
    cleared = AuditEvent.objects.order_by("at", "pk").last()
    assert cleared.data == {"school": world.school_a.pk, "from": "Cedar Creek reads.", "to": ""}
    assert cleared.target_id == str(vision.pk)


def test_admin_may_write_any_schools_vision(client, world):
    login(client, world.district_admin)

    client.post(
        reverse("goals:school_vision_edit", args=[world.school_b.pk]),
        {"statement": "Lincoln writes."},
    )

    assert Vision.objects.get(school=world.school_b).statement == "Lincoln writes."


def test_vision_service_refuses_a_principal_of_another_school(world):
    with pytest.raises(PermissionDenied):
        vision_services.vision_update(
            actor=world.principal,
            district=world.district,
            school=world.school_b,
            statement="Not mine",
        )
    with pytest.raises(PermissionDenied):
        vision_services.vision_update(
            actor=world.principal, district=world.district, statement="Not mine"
        )
    assert not Vision.objects.exists()


# System goals: the list


def test_admin_lists_every_system_goal_of_the_district(client, world, things):
    vision_services.system_goal_archive(actor=world.district_admin, goal=things.initiative_b)
    SystemGoalFactory(district=world.other_district, title="Far away goal")
    login(client, world.district_admin)

    response = client.get(reverse("goals:system_goal_list"))

    assert response.status_code == 200
    rows = [(g.title, g.status, can_manage) for g, can_manage in response.context["rows"]]
    assert rows == [
        ("Academic discourse", "active", True),
        ("Cedar reads", "active", True),
        ("Lincoln writes", "archived", True),
    ]
    assert b"Far away goal" not in response.content


def test_system_goals_filter_by_school_year_and_status(client, world, things):
    earlier = SchoolYearFactory(
        district=world.district,
        name="2025-26",
        start_date=things.year.start_date.replace(year=2025),
        end_date=things.year.end_date.replace(year=2026),
        is_current=False,
    )
    SystemGoalFactory(district=world.district, school_year=earlier, title="Last year's goal")
    SystemGoalFactory(
        district=world.district,
        school_year=earlier,
        title="Last year's archived goal",
        status=SystemGoal.Status.ARCHIVED,
    )
    login(client, world.district_admin)
    url = reverse("goals:system_goal_list")

    def titles(**query):
        return [g.title for g, _ in client.get(url, query).context["rows"]]

    assert titles(school_year=earlier.pk) == ["Last year's goal", "Last year's archived goal"]
    assert titles(school_year=earlier.pk, status="archived") == ["Last year's archived goal"]
    assert titles(status="active") == [
        "Academic discourse",
        "Cedar reads",
        "Lincoln writes",
        "Last year's goal",
    ]
    assert len(titles()) == 5


def test_system_goal_filters_answer_htmx_with_the_rows_only(client, world, things):
    login(client, world.district_admin)

    response = client.get(
        reverse("goals:system_goal_list"), {"status": "active"}, headers={"HX-Request": "true"}
    )

    assert [t.name for t in response.templates][0] == "goals/vision/_system_goal_rows.html"
    assert b"<html" not in response.content
    assert b"Academic discourse" in response.content


def test_principal_sees_the_goals_of_their_school_and_manages_its_initiatives(
    client, world, things
):
    login(client, world.principal)

    response = client.get(reverse("goals:system_goal_list"))

    rows = [(g.title, can_manage) for g, can_manage in response.context["rows"]]
    assert rows == [("Academic discourse", False), ("Cedar reads", True)]
    content = response.content.decode()
    assert reverse("goals:system_goal_edit", args=[things.initiative_a.pk]) in content
    assert reverse("goals:system_goal_edit", args=[things.district_goal.pk]) not in content
    assert "Lincoln writes" not in content


def _add_system_goals(world, count: int) -> None:
    year = world.district.current_school_year()
    for i in range(count):
        goal = SystemGoalFactory(
            district=world.district,
            school_year=year,
            kind=INITIATIVE if i % 2 else SystemGoal.Kind.SYSTEM_GOAL,
            schools=[world.school_a] if i % 3 else [world.school_a, world.school_b],
        )
        teacher_goal = Goal.objects.create(
            teacher=world.teacher, school=world.school_a, school_year=year, title=f"Goal {i}"
        )
        teacher_goal.system_goals.add(goal)


def _query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ["district_admin", "principal"])
def test_system_goal_list_query_count_does_not_grow_with_goals(
    client, world, django_assert_max_num_queries, role
):
    login(client, getattr(world, role))
    url = reverse("goals:system_goal_list")
    _add_system_goals(world, 2)
    baseline = _query_count(client, url)
    _add_system_goals(world, 20)

    with django_assert_max_num_queries(baseline):
        response = client.get(url)

    assert len(response.context["rows"]) == 22


# System goals: adding


def test_admin_adds_a_district_wide_system_goal(client, world, things):
    login(client, world.district_admin)

    response = client.post(reverse("goals:system_goal_create"), goal_data(things.year), follow=True)

    assert response.redirect_chain[-1][0] == reverse("goals:system_goal_list")
    assert "Added “Every student reads daily”." in messages_of(response)
    goal = SystemGoal.objects.get(title="Every student reads daily")
    assert goal.district == world.district
    assert goal.kind == SystemGoal.Kind.SYSTEM_GOAL
    assert goal.status == SystemGoal.Status.ACTIVE
    assert goal.created_by == world.district_admin
    assert list(goal.schools.all()) == []
    event = AuditEvent.objects.get(verb="system_goal.create")
    assert (event.actor, event.district, event.target_id) == (
        world.district_admin,
        world.district,
        str(goal.pk),
    )
    assert event.data["schools"] == []


def test_admin_adds_an_initiative_for_chosen_schools(client, world, things):
    login(client, world.district_admin)

    client.post(
        reverse("goals:system_goal_create"),
        goal_data(things.year, kind=INITIATIVE, schools=[world.school_a.pk, world.school_b.pk]),
    )

    goal = SystemGoal.objects.get(title="Every student reads daily")
    assert goal.kind == INITIATIVE
    assert set(goal.schools.all()) == {world.school_a, world.school_b}
    event = AuditEvent.objects.get(verb="system_goal.create")
    assert event.data["schools"] == sorted([world.school_a.pk, world.school_b.pk])


def test_admin_cannot_choose_a_school_or_year_of_another_district(client, world, things):
    far_year = SchoolYearFactory(district=world.other_district)
    login(client, world.district_admin)
    url = reverse("goals:system_goal_create")

    bad_school = client.post(url, goal_data(things.year, schools=[world.other_school.pk]))
    bad_year = client.post(url, goal_data(far_year))

    assert "schools" in bad_school.context["form"].errors
    assert "school_year" in bad_year.context["form"].errors
    assert not SystemGoal.objects.filter(title="Every student reads daily").exists()
    assert not AuditEvent.objects.exists()


def test_principal_adds_an_initiative_of_their_own_school(client, world, things):
    login(client, world.principal)
    url = reverse("goals:system_goal_create")
    form = client.get(url).context["form"]
    assert "kind" not in form.fields
    assert list(form.fields["school"].queryset) == [world.school_a]

    # A principal cannot add a district system goal, even by posting the kind.
    client.post(
        url, goal_data(things.year, kind=SystemGoal.Kind.SYSTEM_GOAL, school=world.school_a.pk)
    )

    goal = SystemGoal.objects.get(title="Every student reads daily")
    assert goal.kind == INITIATIVE
    assert list(goal.schools.all()) == [world.school_a]
    assert goal.created_by == world.principal
    assert verbs() == ["system_goal.create"]


def test_principal_cannot_add_an_initiative_of_another_school(client, world, things):
    login(client, world.principal)

    response = client.post(
        reverse("goals:system_goal_create"), goal_data(things.year, school=world.school_b.pk)
    )

    assert response.status_code == 200
    assert "school" in response.context["form"].errors
    assert not SystemGoal.objects.filter(title="Every student reads daily").exists()
    assert not AuditEvent.objects.exists()


def test_principal_of_two_schools_chooses_one(client, world, things):
    add_role(world.principal, Role.PRINCIPAL, world.school_b)
    login(client, world.principal)

    client.post(
        reverse("goals:system_goal_create"), goal_data(things.year, school=world.school_b.pk)
    )

    goal = SystemGoal.objects.get(title="Every student reads daily")
    assert list(goal.schools.all()) == [world.school_b]


@pytest.mark.parametrize(
    ("kind", "school_names"),
    [
        (SystemGoal.Kind.SYSTEM_GOAL, ["school_a"]),
        (INITIATIVE, ["school_b"]),
        (INITIATIVE, ["school_a", "school_b"]),
        (INITIATIVE, []),
    ],
)
def test_system_goal_service_limits_principals_to_one_initiative_of_their_school(
    world, things, kind, school_names
):
    with pytest.raises(PermissionDenied):
        vision_services.system_goal_create(
            actor=world.principal,
            district=world.district,
            school_year=things.year,
            title="Sneaky",
            kind=kind,
            schools=[getattr(world, name) for name in school_names],
        )
    assert not SystemGoal.objects.filter(title="Sneaky").exists()


def test_adding_a_system_goal_needs_a_school_year(client, world):
    SchoolYear.objects.filter(district=world.district).delete()
    login(client, world.district_admin)

    response = client.get(reverse("goals:system_goal_create"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("goals:system_goal_list")
    assert (
        "Your district has no school year yet. Add one before adding system goals."
        in messages_of(response)
    )


# System goals: editing, archiving, restoring


def test_admin_edits_a_system_goal_and_the_change_is_audited(client, world, things):
    login(client, world.district_admin)
    url = reverse("goals:system_goal_edit", args=[things.district_goal.pk])
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        goal_data(things.year, title="Academic talk", schools=[world.school_b.pk]),
        follow=True,
    )

    assert "Saved “Academic talk”." in messages_of(response)
    goal = things.district_goal
    goal.refresh_from_db()
    assert goal.title == "Academic talk"
    assert goal.description == "Twenty minutes of reading, every day."
    assert list(goal.schools.all()) == [world.school_b]
    event = AuditEvent.objects.get(verb="system_goal.update")
    assert event.data["from"] == {
        "title": "Academic discourse",
        "description": "Students explain their reasoning in every subject.",
        "schools": [],
    }
    assert event.data["to"] == {
        "title": "Academic talk",
        "description": "Twenty minutes of reading, every day.",
        "schools": [world.school_b.pk],
    }


def test_saving_a_system_goal_unchanged_writes_no_audit_event(client, world, things):
    goal = things.initiative_a
    login(client, world.district_admin)

    client.post(
        reverse("goals:system_goal_edit", args=[goal.pk]),
        goal_data(
            things.year,
            title=goal.title,
            description=goal.description,
            kind=goal.kind,
            schools=[world.school_a.pk],
        ),
    )

    assert not AuditEvent.objects.exists()


def test_principal_edits_their_schools_initiative(client, world, things):
    login(client, world.principal)
    url = reverse("goals:system_goal_edit", args=[things.initiative_a.pk])
    assert client.get(url).context["form"]["school"].value() == world.school_a.pk

    client.post(url, goal_data(things.year, title="Cedar reads aloud", school=world.school_a.pk))

    things.initiative_a.refresh_from_db()
    assert things.initiative_a.title == "Cedar reads aloud"
    assert things.initiative_a.kind == INITIATIVE
    assert list(things.initiative_a.schools.all()) == [world.school_a]
    assert verbs() == ["system_goal.update"]


def test_principal_cannot_move_their_initiative_to_another_school(client, world, things):
    login(client, world.principal)

    response = client.post(
        reverse("goals:system_goal_edit", args=[things.initiative_a.pk]),
        goal_data(things.year, title="Moved", school=world.school_b.pk),
    )

    assert "school" in response.context["form"].errors
    things.initiative_a.refresh_from_db()
    assert things.initiative_a.title == "Cedar reads"
    assert list(things.initiative_a.schools.all()) == [world.school_a]
    assert not AuditEvent.objects.exists()


def test_principal_cannot_edit_an_initiative_shared_with_another_school(client, world, things):
    shared = SystemGoalFactory(
        district=world.district, kind=INITIATIVE, schools=[world.school_a, world.school_b]
    )
    login(client, world.principal)

    response = client.get(reverse("goals:system_goal_edit", args=[shared.pk]))

    assert response.status_code == 404


def test_admin_archives_and_restores_a_system_goal(client, world, things):
    login(client, world.district_admin)
    goal = things.district_goal

    response = client.post(reverse("goals:system_goal_archive", args=[goal.pk]), follow=True)

    assert "Archived “Academic discourse”. Teachers no longer see it." in messages_of(response)
    goal.refresh_from_db()
    assert goal.status == SystemGoal.Status.ARCHIVED

    response = client.post(reverse("goals:system_goal_restore", args=[goal.pk]), follow=True)

    assert "Restored “Academic discourse”. Teachers see it again." in messages_of(response)
    goal.refresh_from_db()
    assert goal.status == SystemGoal.Status.ACTIVE
    assert verbs() == ["system_goal.archive", "system_goal.restore"]
    assert AuditEvent.objects.filter(target_id=str(goal.pk)).count() == 2


def test_archiving_twice_changes_nothing_the_second_time(client, world, things):
    login(client, world.district_admin)
    url = reverse("goals:system_goal_archive", args=[things.district_goal.pk])
    client.post(url)

    response = client.post(url, follow=True)

    assert "“Academic discourse” is already archived." in messages_of(response)
    assert verbs() == ["system_goal.archive"]


def test_archive_and_restore_need_post(client, world, things):
    login(client, world.district_admin)

    for name in ("system_goal_archive", "system_goal_restore"):
        response = client.get(reverse(f"goals:{name}", args=[things.district_goal.pk]))
        assert response.status_code == 405
    things.district_goal.refresh_from_db()
    assert things.district_goal.status == SystemGoal.Status.ACTIVE


def test_the_edit_page_asks_before_archiving_and_restoring(client, world, things):
    login(client, world.district_admin)
    url = reverse("goals:system_goal_edit", args=[things.district_goal.pk])
    archive = reverse("goals:system_goal_archive", args=[things.district_goal.pk])
    restore = reverse("goals:system_goal_restore", args=[things.district_goal.pk])

    content = client.get(url).content.decode()
    assert f'action="{archive}" data-confirm="Archive' in content

    client.post(archive)
    content = client.get(url).content.decode()
    assert f'action="{restore}" data-confirm="Restore' in content


def test_principal_archives_their_schools_initiative(client, world, things):
    login(client, world.principal)

    client.post(reverse("goals:system_goal_archive", args=[things.initiative_a.pk]))

    things.initiative_a.refresh_from_db()
    assert things.initiative_a.status == SystemGoal.Status.ARCHIVED
    event = AuditEvent.objects.get()
    assert (event.verb, event.actor) == ("system_goal.archive", world.principal)


# Standards frameworks


def test_admin_lists_the_two_default_frameworks(client, world):
    login(client, world.district_admin)

    response = client.get(reverse("goals:framework_list"))

    frameworks = {
        f.name: (f.domain_count, f.component_count) for f in response.context["frameworks"]
    }
    assert frameworks == {DANIELSON: (4, 22), LEARNING_FORWARD: (7, 7)}
    assert all(f.district == world.district for f in response.context["frameworks"])


def test_admin_renames_and_switches_off_a_framework(client, world, things):
    login(client, world.district_admin)
    url = reverse("goals:framework_edit", args=[things.framework.pk])

    response = client.post(
        url,
        {"name": "Danielson 2013", "description": "Our edition."},
        follow=True,
    )

    assert "Saved Danielson 2013." in messages_of(response)
    framework = StandardsFramework.objects.get(pk=things.framework.pk)
    assert (framework.name, framework.description, framework.is_active) == (
        "Danielson 2013",
        "Our edition.",
        False,
    )
    event = AuditEvent.objects.get(verb="framework.update")
    assert event.data["from"]["is_active"] is True
    assert event.data["to"] == {
        "name": "Danielson 2013",
        "description": "Our edition.",
        "is_active": False,
    }


def test_framework_name_must_be_new_in_the_district(client, world, things):
    login(client, world.district_admin)

    response = client.post(
        reverse("goals:framework_edit", args=[things.framework.pk]),
        {"name": LEARNING_FORWARD.upper(), "is_active": "on"},
    )

    assert response.context["form"].errors["name"] == [
        "Your district already has a framework with this name."
    ]
    assert not AuditEvent.objects.exists()


def test_framework_page_lists_domains_components_and_their_use(client, world, things):
    tag_goal(world, things.component)
    login(client, world.district_admin)

    response = client.get(reverse("goals:framework_edit", args=[things.framework.pk]))

    domains = list(response.context["framework"].domains.all())
    assert [d.code for d in domains] == ["1", "2", "3", "4"]
    assert [(c.code, c.goal_count) for c in domains[0].components.all()][:2] == [
        ("1a", 1),
        ("1b", 0),
    ]
    content = response.content.decode()
    assert reverse("goals:component_delete", args=[things.component.pk]) not in content
    other = domains[0].components.get(code="1b")
    assert reverse("goals:component_delete", args=[other.pk]) in content


def test_admin_adds_edits_and_deletes_a_domain(client, world, things):
    login(client, world.district_admin)

    client.post(
        reverse("goals:domain_create", args=[things.framework.pk]),
        {"code": "5", "name": "Leadership", "position": ""},
    )

    domain = things.framework.domains.get(code="5")
    assert domain.position == 4

    client.post(
        reverse("goals:domain_edit", args=[domain.pk]),
        {"code": "5", "name": "Teacher Leadership", "position": "9"},
    )
    domain.refresh_from_db()
    assert (domain.name, domain.position) == ("Teacher Leadership", 9)

    response = client.post(reverse("goals:domain_delete", args=[domain.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse(
        "goals:framework_edit", args=[things.framework.pk]
    )
    assert not StandardDomain.objects.filter(pk=domain.pk).exists()
    assert verbs() == ["standard.create", "standard.update", "standard.delete"]
    update = AuditEvent.objects.get(verb="standard.update")
    assert update.data == {
        "from": {"name": "Leadership", "position": 4},
        "to": {"name": "Teacher Leadership", "position": 9},
    }
    assert update.target_type == "goals.standarddomain"


def test_admin_adds_edits_and_deletes_a_component(client, world, things):
    login(client, world.district_admin)

    client.post(
        reverse("goals:component_create", args=[things.domain.pk]),
        {"code": "1g", "name": "Planning with colleagues", "description": "", "position": ""},
    )

    component = things.domain.components.get(code="1g")
    assert component.position == 6

    client.post(
        reverse("goals:component_edit", args=[component.pk]),
        {"code": "1g", "name": "Co-planning", "description": "With a team.", "position": "6"},
    )
    component.refresh_from_db()
    assert (component.name, component.description) == ("Co-planning", "With a team.")

    client.post(reverse("goals:component_delete", args=[component.pk]))

    assert not StandardComponent.objects.filter(pk=component.pk).exists()
    assert verbs() == ["standard.create", "standard.update", "standard.delete"]
    assert set(AuditEvent.objects.values_list("target_type", flat=True)) == {
        "goals.standardcomponent"
    }
    assert set(AuditEvent.objects.values_list("district", flat=True)) == {world.district.pk}


def test_a_component_in_use_cannot_be_deleted_and_rename_is_offered(client, world, things):
    goal = tag_goal(world, things.component)
    login(client, world.district_admin)

    response = client.post(
        reverse("goals:component_delete", args=[things.component.pk]), follow=True
    )

    edit_url = reverse("goals:component_edit", args=[things.component.pk])
    assert response.redirect_chain[-1][0] == edit_url
    assert (
        "“1a Demonstrating Knowledge of Content and Pedagogy” cannot be deleted: 1 teacher goal "
        "is tagged with it. Rename it instead." in messages_of(response)
    )
    assert b"so it cannot be deleted. Rename it above instead" in response.content
    assert list(goal.standard_components.all()) == [things.component]
    assert not AuditEvent.objects.exists()

    # The rename keeps the goal's tag.
    client.post(edit_url, {"code": "1a", "name": "Content and pedagogy", "position": "0"})

    assert [c.name for c in goal.standard_components.all()] == ["Content and pedagogy"]


def test_a_domain_with_a_component_in_use_cannot_be_deleted(client, world, things):
    tag_goal(world, things.component)
    login(client, world.district_admin)

    response = client.post(reverse("goals:domain_delete", args=[things.domain.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("goals:domain_edit", args=[things.domain.pk])
    assert any("Rename it instead." in m for m in messages_of(response))
    assert StandardComponent.objects.filter(domain=things.domain).count() == 6
    assert not AuditEvent.objects.exists()


def test_standard_services_refuse_anyone_but_the_districts_administrator(world, things):
    for actor in (world.principal, world.coordinator, world.outsider):
        with pytest.raises(PermissionDenied):
            vision_services.standard_component_delete(actor=actor, component=things.component)
        with pytest.raises(PermissionDenied):
            vision_services.framework_update(
                actor=actor,
                framework=things.framework,
                name="Taken",
                description="",
                is_active=False,
            )
    assert StandardComponent.objects.filter(pk=things.component.pk).exists()
    assert StandardsFramework.objects.get(pk=things.framework.pk).name == DANIELSON


def test_a_new_school_is_offered_to_new_system_goals(client, world, things):
    SchoolFactory(district=world.district, name="Aspen High", grade_band=School.GradeBand.HIGH)
    closed = SchoolFactory(district=world.district, name="Closed School", is_active=False)
    login(client, world.district_admin)

    form = client.get(reverse("goals:system_goal_create")).context["form"]

    offered = [s.name for s in form.fields["schools"].queryset]
    assert offered == ["Aspen High", "Cedar Creek Elementary", "Lincoln Middle"]
    assert closed.name not in offered
