"""One small district with something on every page the fuzz tests post to."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from coaching import services as coaching_services
from evidence import services as evidence_services
from evidence.models import Submission
from goals.models import Goal, StandardComponent, StandardDomain, StandardsFramework, TeamMeeting
from library import services as library_services
from library.models import LibraryEntry
from pplearn.models import Notification, Role, School, User
from tests.evidence.evidence_factories import complete_draft, passed_tier, submitted, upload
from tests.factories import (
    DistrictFactory,
    SchoolFactory,
    SchoolYearFactory,
    add_role,
    make_person,
)
from tests.goals.goal_factories import assign_coach, district_system_goal, make_goal
from tests.goals.team_factories import TeamFactory


@dataclass(repr=False)
class Scene:
    teacher: User
    coach: User
    principal: User
    coordinator: User
    district_admin: User
    school: School
    school_year: object
    draft_goal: Goal
    proposed_goal: Goal
    approved_goal: Goal
    draft: Submission
    queued: Submission
    conversation: object
    team: object
    meeting: object
    framework: object
    domain: object
    component: object
    system_goal: object
    second_teacher: User
    publish_goal: Goal
    entry: LibraryEntry

    def __repr__(self) -> str:
        return "scene"


def build_scene() -> Scene:
    district = DistrictFactory(name="Fuzz Valley", slug="fuzz-valley")
    school_year = SchoolYearFactory(district=district)
    school = SchoolFactory(district=district, name="Cedar Creek Elementary")
    teacher = make_person(Role.TEACHER, school=school, email="teacher@fuzz.example")
    coach = make_person(Role.COACH, school=school, email="coach@fuzz.example")
    add_role(coach, Role.TEACHER, school)  # so "Working as" offers a switch
    principal = make_person(Role.PRINCIPAL, school=school, email="principal@fuzz.example")
    coordinator = make_person(Role.COORDINATOR, district=district, email="coord@fuzz.example")
    district_admin = make_person(Role.DISTRICT_ADMIN, district=district, email="admin@fuzz.example")
    second_teacher = make_person(Role.TEACHER, school=school, email="second@fuzz.example")
    assign_coach(coach, teacher, school)

    system_goal = district_system_goal(district)
    draft_goal = make_goal(teacher, school, title="Draft goal")
    proposed_goal = make_goal(teacher, school, status=Goal.Status.PROPOSED, title="Proposed goal")
    approved_goal = make_goal(
        teacher, school, status=Goal.Status.APPROVED, title="Approved goal", target_tier=4
    )
    passed_tier(approved_goal, 1)
    draft = complete_draft(approved_goal, 2)
    evidence_services.artifact_add(
        submission=draft,
        actor=teacher,
        purpose="plan",
        upload=upload("plan.txt", b"Week 1: talk moves.\n"),
    )
    other_goal = make_goal(
        second_teacher, school, status=Goal.Status.APPROVED, title="Other goal", target_tier=4
    )
    passed_tier(other_goal, 1)
    queued = submitted(other_goal, 2)

    conversation = coaching_services.conversation_log(
        coach=coach,
        teacher=teacher,
        held_on=timezone.localdate(),
        kind="check_in",
        notes="Talked about talk moves.",
        next_steps=["Try the sentence stems"],
    )
    team = TeamFactory(school=school, members=[teacher, second_teacher], facilitator=principal)
    meeting = TeamMeeting.objects.create(team=team, learn="Fractions", created_by=principal)
    framework = StandardsFramework.objects.create(district=district, name="Danielson")
    domain = StandardDomain.objects.create(framework=framework, code="1", name="Planning")
    component = StandardComponent.objects.create(domain=domain, code="1a", name="Knowledge")
    Notification.objects.create(
        recipient=teacher, verb="test", message="Your goal was approved.", url="/"
    )
    # The library: a colleague's published practice, and a passed Tier 4 of the teacher's own.
    shared_goal = make_goal(
        second_teacher, school, status=Goal.Status.APPROVED, title="Shared goal", target_tier=4
    )
    publish_goal = make_goal(
        teacher, school, status=Goal.Status.APPROVED, title="Goal to share", target_tier=4
    )
    for goal in (shared_goal, publish_goal):
        for tier in range(1, 5):
            passed_tier(goal, tier)
    entry = library_services.entry_publish(
        goal=shared_goal,
        actor=second_teacher,
        title="Talk moves in maths",
        summary="Sentence stems that get students explaining.",
        practice="Use the stems daily.",
        grade_band=school.grade_band,
        subject=LibraryEntry.Subject.ACROSS,
        system_goal_ids=[system_goal.pk],
    )
    return Scene(
        teacher=teacher,
        coach=coach,
        principal=principal,
        coordinator=coordinator,
        district_admin=district_admin,
        school=school,
        school_year=school_year,
        draft_goal=draft_goal,
        proposed_goal=proposed_goal,
        approved_goal=approved_goal,
        draft=draft,
        queued=queued,
        conversation=conversation,
        team=team,
        meeting=meeting,
        framework=framework,
        domain=domain,
        component=component,
        system_goal=system_goal,
        second_teacher=second_teacher,
        publish_goal=publish_goal,
        entry=entry,
    )
