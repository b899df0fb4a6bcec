"""Every change to a teacher goal: checked, audited, notified. Only here is status assigned."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dashboards.rollups import rollup_refresh
from pplearn.audit import audit_record
from pplearn.models import Membership, Role, School, SchoolYear, User
from pplearn.notifications import notify

from .models import Goal, GoalComment, GoalEvent, StandardComponent, SystemGoal
from .permissions import can_approve_goal, can_comment_on_goal

# Fields a teacher fills in; everything else is set by the workflow.
GOAL_FIELDS = (
    "title",
    "inquiry_question",
    "need",
    "desired_outcome",
    "implementation_plan",
    "impact_measure",
    "target_tier",
    "delivery",
    "grouping",
)
# What a goal needs before it can be proposed to an approver.
REQUIRED_TO_PROPOSE = {
    "inquiry_question": "an inquiry question",
    "need": "the need it answers",
    "desired_outcome": "the desired student outcome",
    "implementation_plan": "an implementation plan",
    "impact_measure": "how you will measure impact",
}


def system_goals_check(*, system_goals: Iterable[SystemGoal], school: School) -> list[SystemGoal]:
    """Refuse system goals that are archived, of another district or not for this school."""
    chosen = list(system_goals)
    applicable = set(
        SystemGoal.objects.active()
        .for_school(school)
        .filter(pk__in=[g.pk for g in chosen])
        .values_list("pk", flat=True)
    )
    wrong = [g for g in chosen if g.pk not in applicable]
    if wrong:
        names = ", ".join(g.title for g in wrong)
        raise ValidationError(
            f"These system goals cannot be chosen for {school.name}: {names}. "
            "Choose active system goals of your school or district.",
            code="system_goal_not_applicable",
        )
    return chosen


def _components_check(*, components: Iterable[StandardComponent], school: School):
    chosen = list(components)
    if any(c.domain.framework.district_id != school.district_id for c in chosen):
        raise ValidationError("Choose standards of your own district's frameworks.")
    return chosen


def _record(goal: Goal, *, actor: User | None, from_status: str, comment: str = "") -> None:
    GoalEvent.objects.create(
        goal=goal, actor=actor, from_status=from_status, to_status=goal.status, comment=comment
    )
    audit_record(
        actor=actor,
        verb=f"goal.{goal.status}",
        target=goal,
        district=goal.school.district,
        data={"from": from_status, "to": goal.status, "comment": comment},
    )
    rollup_refresh(school_id=goal.school_id, school_year_id=goal.school_year_id)


def _move(goal: Goal, *, to: str, actor: User | None, comment: str = "", **fields: Any) -> Goal:
    """Change status after checking the workflow allows it; record and audit the step."""
    locked = Goal.objects.select_for_update().get(pk=goal.pk)
    if not locked.can_move_to(to):
        raise ValidationError(
            f"A goal that is {locked.get_status_display().lower()} cannot become "
            f"{Goal.Status(to).label.lower()}.",
            code="invalid_transition",
        )
    from_status = locked.status
    goal.status = to
    for name, value in fields.items():
        setattr(goal, name, value)
    goal.save(update_fields=["status", "updated_at", *fields])
    _record(goal, actor=actor, from_status=from_status, comment=comment)
    return goal


def approvers_of(school: School) -> list[User]:
    """Principals of the school and the coordinators who serve it."""
    memberships = Membership.objects.filter(
        user__is_active=True, district_id=school.district_id
    ).select_related("user")
    people = {
        m.user
        for m in memberships
        if (m.role == Role.PRINCIPAL and m.school_id == school.pk)
        or (m.role == Role.COORDINATOR and m.school_id in (None, school.pk))
    }
    return sorted(people, key=lambda u: u.full_name)


def goal_create(
    *,
    teacher: User,
    school: School,
    school_year: SchoolYear,
    system_goals: Iterable[SystemGoal] = (),
    standard_components: Iterable[StandardComponent] = (),
    collaborators: Iterable[User] = (),
    **fields: Any,
) -> Goal:
    """Start a draft goal for a teacher at one of their schools."""
    if not teacher.has_role(Role.TEACHER, school):
        raise PermissionDenied("Only a teacher of this school can set a goal here.")
    if school_year.district_id != school.district_id:
        raise ValidationError("That school year belongs to another district.")
    unknown = set(fields) - set(GOAL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown goal fields: {sorted(unknown)}")
    with transaction.atomic():
        goal = Goal.objects.create(
            teacher=teacher, school=school, school_year=school_year, **fields
        )
        goal.system_goals.set(system_goals_check(system_goals=system_goals, school=school))
        goal.standard_components.set(
            _components_check(components=standard_components, school=school)
        )
        goal.collaborators.set(_collaborators_check(collaborators, goal))
        _record(goal, actor=teacher, from_status="")
    return goal


def _collaborators_check(collaborators: Iterable[User], goal: Goal) -> list[User]:
    chosen = [c for c in collaborators if c.pk != goal.teacher_id]
    if any(c.district_id != goal.school.district_id for c in chosen):
        raise ValidationError("Collaborators must work in your district.")
    return chosen


def goal_update(
    *,
    goal: Goal,
    actor: User,
    system_goals: Iterable[SystemGoal] | None = None,
    standard_components: Iterable[StandardComponent] | None = None,
    collaborators: Iterable[User] | None = None,
    **fields: Any,
) -> Goal:
    """Save the teacher's changes to a draft or a goal returned for changes."""
    if actor.pk != goal.teacher_id:
        raise PermissionDenied("Only the teacher can change their goal.")
    if not goal.is_editable:
        raise ValidationError(
            f"This goal can no longer be edited: it is {goal.get_status_display().lower()}.",
            code="not_editable",
        )
    unknown = set(fields) - set(GOAL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown goal fields: {sorted(unknown)}")
    with transaction.atomic():
        for name, value in fields.items():
            setattr(goal, name, value)
        goal.save()
        if system_goals is not None:
            goal.system_goals.set(system_goals_check(system_goals=system_goals, school=goal.school))
        if standard_components is not None:
            goal.standard_components.set(
                _components_check(components=standard_components, school=goal.school)
            )
        if collaborators is not None:
            goal.collaborators.set(_collaborators_check(collaborators, goal))
        audit_record(
            actor=actor,
            verb="goal.edit",
            target=goal,
            district=goal.school.district,
            data={"fields": sorted(fields)},
        )
        rollup_refresh(school_id=goal.school_id, school_year_id=goal.school_year_id)
    return goal


def goal_missing_for_proposal(goal: Goal) -> list[str]:
    """What the goal still needs before it can be proposed, in words."""
    missing = [label for name, label in REQUIRED_TO_PROPOSE.items() if not getattr(goal, name)]
    if not goal.system_goals.exists():
        missing.append("at least one system goal")
    if goal.grouping == Goal.Grouping.GROUP and not goal.collaborators.exists():
        missing.append("the colleagues you work with (or choose 'On my own')")
    return missing


def goal_propose(*, goal: Goal, actor: User) -> Goal:
    """Send the goal to the school's approvers."""
    if actor.pk != goal.teacher_id:
        raise PermissionDenied("Only the teacher can propose their goal.")
    with transaction.atomic():
        missing = goal_missing_for_proposal(goal)
        if missing:
            raise ValidationError(
                "Before proposing, add " + ", ".join(missing) + ".", code="incomplete"
            )
        # A goal whose system goal was archived meanwhile must be revised first.
        system_goals_check(system_goals=goal.system_goals.all(), school=goal.school)
        was = goal.status
        _move(goal, to=Goal.Status.PROPOSED, actor=actor, proposed_at=timezone.now())
        verb = "proposed again" if was == Goal.Status.CHANGES_REQUESTED else "proposed"
        notify(
            recipients=approvers_of(goal.school),
            actor=actor,
            verb="goal.proposed",
            message=f"{actor.full_name} {verb} a goal for approval: {goal.title}",
            url=goal.get_absolute_url(),
        )
    return goal


def goal_approve(*, goal: Goal, actor: User, comment: str = "") -> Goal:
    """Approve a proposed goal: Tier 1 opens for the teacher."""
    if not can_approve_goal(actor, goal):
        raise PermissionDenied("You cannot approve this goal.")
    with transaction.atomic():
        _move(
            goal,
            to=Goal.Status.APPROVED,
            actor=actor,
            comment=comment.strip(),
            decided_at=timezone.now(),
            approved_by=actor,
        )
        notify(
            recipients=[goal.teacher],
            actor=actor,
            verb="goal.approved",
            message=f"{actor.full_name} approved your goal: {goal.title}",
            url=goal.get_absolute_url(),
        )
    return goal


def goal_request_changes(*, goal: Goal, actor: User, comment: str) -> Goal:
    """Return a proposed goal to the teacher with what to change."""
    if not can_approve_goal(actor, goal):
        raise PermissionDenied("You cannot review this goal.")
    comment = comment.strip()
    if not comment:
        raise ValidationError("Say what should change, so the teacher can revise.", code="comment")
    with transaction.atomic():
        _move(
            goal,
            to=Goal.Status.CHANGES_REQUESTED,
            actor=actor,
            comment=comment,
            decided_at=timezone.now(),
        )
        notify(
            recipients=[goal.teacher],
            actor=actor,
            verb="goal.changes_requested",
            message=f"{actor.full_name} asked for changes to your goal: {goal.title}",
            url=goal.get_absolute_url(),
        )
    return goal


def goal_withdraw(*, goal: Goal, actor: User, comment: str = "") -> Goal:
    """The teacher stops working on the goal; it stays in their record."""
    if actor.pk != goal.teacher_id:
        raise PermissionDenied("Only the teacher can withdraw their goal.")
    was = goal.status
    with transaction.atomic():
        _move(goal, to=Goal.Status.WITHDRAWN, actor=actor, comment=comment.strip())
        notify(
            recipients=_deciders(goal, status=was),
            actor=actor,
            verb="goal.withdrawn",
            message=f"{actor.full_name} withdrew the goal: {goal.title}",
            url=goal.get_absolute_url(),
        )
    return goal


def goal_complete(*, goal: Goal, actor: User | None, comment: str = "") -> Goal:
    """Close an approved goal: by the teacher, or by the system when the target tier passes."""
    if actor is not None and actor.pk != goal.teacher_id:
        raise PermissionDenied("Only the teacher can close their goal.")
    with transaction.atomic():
        _move(goal, to=Goal.Status.COMPLETE, actor=actor, comment=comment.strip())
        notify(
            recipients=[goal.teacher, goal.approved_by],
            actor=actor,
            verb="goal.complete",
            message=f"The goal {goal.title} is complete.",
            url=goal.get_absolute_url(),
        )
    return goal


def goal_change_target_tier(*, goal: Goal, actor: User, target_tier: int) -> Goal:
    """Aim for a different tier; allowed while the goal is open."""
    if actor.pk != goal.teacher_id:
        raise PermissionDenied("Only the teacher can change their target tier.")
    if not goal.is_open:
        raise ValidationError("This goal is closed.")
    if target_tier not in (1, 2, 3, 4):
        raise ValidationError("The target tier is 1, 2, 3 or 4.")
    before = goal.target_tier
    with transaction.atomic():
        goal.target_tier = target_tier
        goal.save(update_fields=["target_tier", "updated_at"])
        audit_record(
            actor=actor,
            verb="goal.target_tier",
            target=goal,
            district=goal.school.district,
            data={"from": before, "to": target_tier},
        )
    return goal


def goal_carry_forward(*, goal: Goal, actor: User, school_year: SchoolYear) -> Goal:
    """Start a draft in a later school year from an unfinished goal."""
    if actor.pk != goal.teacher_id:
        raise PermissionDenied("Only the teacher can carry their goal forward.")
    if goal.status in (Goal.Status.COMPLETE, Goal.Status.WITHDRAWN):
        raise ValidationError("Only an unfinished goal can be carried into another year.")
    if hasattr(goal, "carried_to"):
        raise ValidationError("This goal was already carried into another year.")
    if school_year.district_id != goal.school.district_id or (
        school_year.start_date <= goal.school_year.start_date
    ):
        raise ValidationError("Choose a later school year of your district.")
    with transaction.atomic():
        copy = goal_create(
            teacher=actor,
            school=goal.school,
            school_year=school_year,
            system_goals=goal.system_goals.active().for_school(goal.school),
            standard_components=goal.standard_components.all(),
            collaborators=goal.collaborators.filter(is_active=True),
            **{name: getattr(goal, name) for name in GOAL_FIELDS},
        )
        copy.carried_from = goal
        copy.save(update_fields=["carried_from"])
        audit_record(
            actor=actor,
            verb="goal.carry_forward",
            target=goal,
            district=goal.school.district,
            data={"to_goal": copy.pk, "school_year": school_year.name},
        )
    return copy


def goal_comment_add(*, goal: Goal, author: User, body: str) -> GoalComment:
    """Add to the conversation on a goal and tell the others in it."""
    if not can_comment_on_goal(author, goal):
        raise PermissionDenied("You cannot comment on this goal.")
    body = body.strip()
    if not body:
        raise ValidationError("Write a comment first.")
    with transaction.atomic():
        comment = GoalComment.objects.create(goal=goal, author=author, body=body)
        audit_record(actor=author, verb="goal.comment", target=goal, district=goal.school.district)
        notify(
            recipients=goal_participants(goal),
            actor=author,
            verb="goal.comment",
            message=f"{author.full_name} commented on {goal.title}",
            url=goal.get_absolute_url() + "#comments",
        )
    return comment


def goal_participants(goal: Goal) -> list[User]:
    """The teacher, collaborators, assigned coaches, and whoever decides on the goal."""
    from coaching.models import CoachAssignment

    people = [goal.teacher, *goal.collaborators.all()]
    people += [
        a.coach
        for a in CoachAssignment.objects.filter(
            teacher=goal.teacher, school_year=goal.school_year
        ).select_related("coach")
    ]
    return people + _deciders(goal, status=goal.status)


def _deciders(goal: Goal, *, status: str) -> list[User]:
    """Whoever decides on the goal: its approver, or while it awaits a decision, every one."""
    if goal.approved_by_id:
        return [goal.approved_by]
    # Changes requested: the approver who asked waits for the answer too.
    if status in (Goal.Status.PROPOSED, Goal.Status.CHANGES_REQUESTED):
        return approvers_of(goal.school)
    return []
