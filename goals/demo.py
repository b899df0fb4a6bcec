"""Demo vision, system goals, coach assignments and goals at every stage of the workflow."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from coaching.models import CoachAssignment
from pplearn.models import District, Role, School, SchoolYear, User
from pplearn.notifications import email_suppressed

from . import services
from .models import Goal, GoalEvent, SystemGoal, Team, Vision

VISION = (
    "Every Maple Valley student leaves each year more curious, more capable and more "
    "confident than they arrived, because every adult keeps learning too."
)

# (title, description, kind, school name or None for district-wide, active)
SYSTEM_GOALS = [
    (
        "Literacy across the content areas",
        "Students read, write and talk about complex texts in every subject, every day.",
        SystemGoal.Kind.SYSTEM_GOAL,
        None,
        True,
    ),
    (
        "Student discourse and engagement",
        "Students do most of the thinking and talking: structured discussion, questioning, "
        "and collaborative problem solving.",
        SystemGoal.Kind.SYSTEM_GOAL,
        None,
        True,
    ),
    (
        "Assessment that guides instruction",
        "Teachers use formative assessment daily and adjust teaching from what they learn.",
        SystemGoal.Kind.SYSTEM_GOAL,
        None,
        True,
    ),
    (
        "Restorative practices",
        "Community circles and restorative conversations in every advisory.",
        SystemGoal.Kind.INITIATIVE,
        "Lincoln Middle School",
        True,
    ),
    (
        "Project-based learning pilot",
        "Each department designs and runs one authentic project a semester.",
        SystemGoal.Kind.INITIATIVE,
        "Maple Valley High School",
        True,
    ),
    (
        "Device rollout",
        "The 2024 one-to-one device rollout; complete and archived.",
        SystemGoal.Kind.SYSTEM_GOAL,
        None,
        False,
    ),
]

# (title, need, inquiry, outcome, plan, measure, system goal index)
GOAL_IDEAS = [
    (
        "Academic talk in math",
        Goal.Need.PEDAGOGY,
        "How can talk moves increase the share of students who explain their reasoning?",
        "Students explain and critique solution strategies using precise vocabulary.",
        "Introduce four talk moves over six weeks in two math blocks a week.",
        "Tally of student explanations per lesson; a short reasoning rubric on exit tickets.",
        1,
    ),
    (
        "Reading conferences that move readers",
        Goal.Need.STUDENTS,
        "Do weekly one-on-one reading conferences raise independent reading stamina?",
        "Students read independently for 25 minutes and set their own reading goals.",
        "Confer with five students a day using a simple conferring log.",
        "Reading stamina logs and running records at the start and after eight weeks.",
        0,
    ),
    (
        "Feedback that students use",
        Goal.Need.PEDAGOGY,
        "What kind of written feedback do students actually act on?",
        "Students revise their work in response to feedback before it is graded.",
        "Replace grades on first drafts with two glows and a grow; build in revision time.",
        "Share of students who revise; quality of revisions scored against the rubric.",
        2,
    ),
    (
        "Writing in science notebooks",
        Goal.Need.CONTENT,
        "Does claim-evidence-reasoning writing deepen understanding of lab results?",
        "Students write evidence-based conclusions for every lab.",
        "Model CER with sentence frames, then fade the frames over the unit.",
        "CER rubric scores on four lab write-ups across the unit.",
        0,
    ),
    (
        "Exit tickets that drive tomorrow's lesson",
        Goal.Need.STUDENTS,
        "How can daily exit tickets help me regroup students the next day?",
        "Students who miss a concept get targeted help within a day.",
        "Two-question exit tickets sorted into three groups for the next day's warm-up.",
        "Unit assessment results compared with last year's class on the same unit.",
        2,
    ),
    (
        "Community circles in advisory",
        Goal.Need.STUDENTS,
        "Do weekly circles strengthen students' sense of belonging?",
        "Students report feeling known by at least one adult and their peers.",
        "Run a weekly circle with rotating student facilitators.",
        "Belonging survey in September and February; referral counts.",
        3,
    ),
    (
        "Authentic projects in history",
        Goal.Need.CONTENT,
        "Can a local-history project improve students' use of primary sources?",
        "Students analyse and cite primary sources in a public exhibit.",
        "A six-week project with the county museum ending in a student exhibit.",
        "Source-analysis rubric scores and visitor feedback cards.",
        4,
    ),
    (
        "Questioning for deeper thinking",
        Goal.Need.PEDAGOGY,
        "Will planning higher-order questions in advance change the level of discussion?",
        "Students answer and ask questions that require analysis and evaluation.",
        "Script three higher-order questions per lesson and use wait time.",
        "Coded audio of two lessons a month: share of higher-order questions and answers.",
        1,
    ),
]

# How many goals of each status a school's teachers have this year (the rest have none).
STAGES = [
    Goal.Status.APPROVED,
    Goal.Status.APPROVED,
    Goal.Status.APPROVED,
    Goal.Status.APPROVED,
    Goal.Status.APPROVED,
    Goal.Status.PROPOSED,
    Goal.Status.PROPOSED,
    Goal.Status.PROPOSED,
    Goal.Status.CHANGES_REQUESTED,
    Goal.Status.CHANGES_REQUESTED,
    Goal.Status.DRAFT,
    Goal.Status.DRAFT,
    Goal.Status.DRAFT,
    Goal.Status.COMPLETE,
    Goal.Status.WITHDRAWN,
]


def _system_goals(district: District, year: SchoolYear, actor: User) -> list[SystemGoal]:
    goals = []
    for title, description, kind, school_name, active in SYSTEM_GOALS:
        goal, created = SystemGoal.objects.get_or_create(
            district=district,
            title=title,
            defaults={
                "description": description,
                "kind": kind,
                "school_year": year,
                "created_by": actor,
                "status": SystemGoal.Status.ACTIVE if active else SystemGoal.Status.ARCHIVED,
            },
        )
        if created and school_name:
            goal.schools.set(School.objects.filter(district=district, name=school_name))
        goals.append(goal)
    return goals


def _coach_assignments(district: District, year: SchoolYear, admin: User) -> None:
    coaches = list(
        User.objects.filter(memberships__role=Role.COACH, district=district)
        .distinct()
        .order_by("pk")
    )
    schools = list(School.objects.filter(district=district).order_by("pk"))
    for coach, school in zip(coaches, schools, strict=False):
        teachers = User.objects.filter(
            memberships__role=Role.TEACHER, memberships__school=school
        ).exclude(pk=coach.pk)
        for teacher in teachers:
            CoachAssignment.objects.get_or_create(
                coach=coach,
                teacher=teacher,
                school_year=year,
                defaults={"school": school, "created_by": admin},
            )


TEAMS = {
    School.GradeBand.ELEMENTARY: [
        ("Grade 3 team", Team.Kind.GRADE_LEVEL),
        ("Literacy PLC", Team.Kind.PLC),
    ],
    School.GradeBand.MIDDLE: [("Grade 7 team", Team.Kind.GRADE_LEVEL), ("Math PLC", Team.Kind.PLC)],
    School.GradeBand.HIGH: [
        ("Science department PLC", Team.Kind.PLC),
        ("Ninth-grade team", Team.Kind.GRADE_LEVEL),
    ],
}


def _teams(district: District, year: SchoolYear, system_goals: list[SystemGoal]) -> None:
    """Two teams a school, seven teachers each, with a few meetings' notes (idempotent)."""
    from . import team_services

    if Team.objects.filter(school__district=district).exists():
        return
    for school in School.objects.filter(district=district).order_by("pk"):
        principal = User.objects.filter(
            memberships__role=Role.PRINCIPAL, memberships__school=school
        ).first()
        teachers = list(
            User.objects.filter(
                memberships__role=Role.TEACHER, memberships__school=school
            ).order_by("pk")
        )
        for index, (name, kind) in enumerate(TEAMS.get(school.grade_band, [])):
            members = teachers[index * 7 : index * 7 + 7]
            if not members or principal is None:
                continue
            team = team_services.team_create(
                actor=principal,
                school=school,
                name=name,
                kind=kind,
                school_year=year,
                members=members,
                facilitator=members[0],
                goal_statement="Raise the share of students who explain their reasoning in "
                "writing and discussion.",
                system_goals=[system_goals[1]],
            )
            for weeks_ago in (6, 3, 1):
                team_services.team_meeting_add(
                    actor=members[0],
                    team=team,
                    met_on=timezone.localdate() - datetime.timedelta(weeks=weeks_ago),
                    learn="Explain a solution strategy in writing, using unit vocabulary.",
                    evidence="Common exit ticket on Thursday; score with the 4-point rubric.",
                    intervene="Small-group reteach on Monday with worked examples.",
                    extend="Challenge problems with a second solution path.",
                    other_notes="Bring three student samples each to the next meeting.",
                )


def _approver(school: School) -> User:
    return services.approvers_of(school)[0]


def _make_goal(
    teacher: User,
    school: School,
    year: SchoolYear,
    idea: tuple,
    stage: str,
    system_goals: list[SystemGoal],
    rng: random.Random,
) -> Goal:
    title, need, inquiry, outcome, plan, measure, sg_index = idea
    chosen = system_goals[sg_index]
    if not SystemGoal.objects.active().for_school(school).filter(pk=chosen.pk).exists():
        chosen = system_goals[rng.choice([0, 1, 2])]
    goal = services.goal_create(
        teacher=teacher,
        school=school,
        school_year=year,
        system_goals=[chosen],
        title=title,
        need=need,
        inquiry_question=inquiry,
        desired_outcome=outcome,
        implementation_plan=plan,
        impact_measure=measure,
        target_tier=rng.choice([2, 3, 4]),
    )
    if stage == Goal.Status.DRAFT:
        return goal
    approver = _approver(school)
    services.goal_propose(goal=goal, actor=teacher)
    if stage == Goal.Status.PROPOSED:
        return goal
    if stage == Goal.Status.CHANGES_REQUESTED:
        services.goal_request_changes(
            goal=goal,
            actor=approver,
            comment="A strong start. Make the impact measure specific: which assessment, "
            "and when will you give it?",
        )
        return goal
    services.goal_approve(goal=goal, actor=approver, comment="Looks great. Go for it!")
    if stage == Goal.Status.COMPLETE:
        services.goal_complete(goal=goal, actor=teacher)
    elif stage == Goal.Status.WITHDRAWN:
        services.goal_withdraw(goal=goal, actor=teacher, comment="Changing grade level mid-year.")
    return goal


def _backdate(goal: Goal, days: int) -> None:
    """Spread the demo over the autumn, so waiting times look real."""
    moment = timezone.now() - datetime.timedelta(days=days)
    Goal.objects.filter(pk=goal.pk).update(
        created_at=moment,
        proposed_at=moment + datetime.timedelta(days=2) if goal.proposed_at else None,
        decided_at=moment + datetime.timedelta(days=5) if goal.decided_at else None,
    )
    # Created, proposed, decided, then closed: the same days as the goal's own dates.
    offsets = [0, 2, 5, 9]
    for step, event in enumerate(goal.events.order_by("pk")):
        offset = offsets[min(step, len(offsets) - 1)]
        GoalEvent.objects.filter(pk=event.pk).update(
            at=moment + datetime.timedelta(days=min(offset, days))
        )


def demo_goals_load(district: District) -> None:
    """Add the vision, system goals, coach assignments and goals (idempotent)."""
    rng = random.Random(2026)
    year = SchoolYear.objects.get(district=district, is_current=True)
    last_year = SchoolYear.objects.filter(district=district, is_current=False).first()
    admin = User.objects.filter(district=district, memberships__role=Role.DISTRICT_ADMIN).first()
    Vision.objects.get_or_create(
        district=district, school=None, defaults={"statement": VISION, "updated_by": admin}
    )
    system_goals = _system_goals(district, year, admin)
    _coach_assignments(district, year, admin)
    _teams(district, year, system_goals)
    if Goal.objects.filter(school__district=district).exists():
        return
    # The demo's history is not news: nobody should receive a hundred emails about it.
    with email_suppressed():
        _demo_goals(district, year, last_year, system_goals, rng)


def _demo_goals(district, year, last_year, system_goals, rng) -> None:
    for school in School.objects.filter(district=district).order_by("pk"):
        teachers = list(
            User.objects.filter(
                memberships__role=Role.TEACHER, memberships__school=school
            ).order_by("pk")
        )
        for index, teacher in enumerate(teachers):
            if index >= len(STAGES):
                break
            idea = GOAL_IDEAS[(index + school.pk) % len(GOAL_IDEAS)]
            goal = _make_goal(teacher, school, year, idea, STAGES[index], system_goals, rng)
            _backdate(goal, rng.randint(3, 80))
            if last_year and index % 3 != 2:
                old_idea = GOAL_IDEAS[(index + 3) % len(GOAL_IDEAS)]
                old = _make_goal(
                    teacher,
                    school,
                    last_year,
                    old_idea,
                    Goal.Status.COMPLETE,
                    system_goals,
                    rng,
                )
                _backdate(old, rng.randint(200, 300))
