"""The district dashboard's rollups never drift from a recount.

A seeded random sequence of real service calls (goals drafted, proposed, approved, sent back,
withdrawn and re-aligned; evidence started, submitted, recalled, passed, returned and revised;
coaching conversations; teachers added, moved and deactivated) runs at two schools; after each
call every rollup row must equal a fresh count of the data. Each service keeps its row up to date in
its own transaction (dashboards.rollups.rollup_refresh), so no recount runs in between.
"""

from __future__ import annotations

import contextlib
import datetime
import random

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from coaching import services as coaching
from dashboards import rollups
from dashboards.district_selectors import count_figures
from dashboards.models import SchoolYearFigures, TurnaroundTotal
from dashboards.rollups import STORED, _stored, _sums, recount
from evidence import services as evidence
from evidence.models import Submission
from goals import services as goals
from goals.models import Goal
from pplearn import services as people
from pplearn.models import Role
from tests.evidence.evidence_factories import decide
from tests.evidence.review_factories import submit_tier
from tests.goals.goal_factories import SystemGoalFactory, current_year, district_system_goal

pytestmark = pytest.mark.django_db
G = Goal.Status
S = Submission.Status
PLAN = {
    "inquiry_question": "How do talk moves change who speaks?",
    "need": Goal.Need.STUDENTS,
    "desired_outcome": "Every student justifies an answer to a partner.",
    "implementation_plan": "Model two talk moves a week.",
    "impact_measure": "Tally of speakers per lesson.",
}


class Run:
    """The world, and the service calls a random step chooses from."""

    def __init__(self, world, rng: random.Random):
        self.world, self.rng = world, rng
        self.year = current_year(world.district)
        self.system_goals = [
            district_system_goal(world.district),
            SystemGoalFactory(district=world.district, title="Belonging"),
        ]
        self.teachers = [world.teacher]
        self.schools = [world.school_a, world.school_b]
        self.count = 0

    def _goals(self, *statuses) -> list[Goal]:
        return list(
            Goal.objects.filter(school__district=self.world.district, status__in=statuses)
            .select_related("teacher", "school")
            .order_by("pk")
        )

    def _submissions(self, status) -> list[Submission]:
        return list(
            Submission.objects.filter(goal__school__district=self.world.district, status=status)
            .select_related("goal__teacher", "goal__school")
            .order_by("pk")
        )

    def add_teacher(self):
        self.count += 1
        school = self.rng.choice(self.schools)
        self.teachers.append(
            people.person_create(
                actor=self.world.district_admin,
                district=self.world.district,
                email=f"teacher{self.count}@example.org",
                full_name=f"Teacher {self.count}",
                roles=people.RoleAssignment(teacher_schools=[school]),
                send_welcome=False,
            )
        )

    def move_teacher(self):
        teacher = self.rng.choice(self.teachers)
        people.person_update(
            actor=self.world.district_admin,
            person=teacher,
            email=teacher.email,
            full_name=teacher.full_name,
            employee_id=teacher.employee_id,
            roles=people.RoleAssignment(teacher_schools=self.rng.sample(self.schools, k=1)),
        )

    def deactivate(self):
        if len(self.teachers) > 2:
            teacher = self.rng.choice(self.teachers[1:])
            people.person_set_active(
                actor=self.world.district_admin, person=teacher, active=not teacher.is_active
            )

    def new_goal(self):
        teacher = self.rng.choice([t for t in self.teachers if t.is_active])
        schools = teacher.schools_for_role(Role.TEACHER)
        if not schools:
            return
        self.count += 1
        goals.goal_create(
            teacher=teacher,
            school=schools[0],
            school_year=self.year,
            system_goals=self.rng.sample(self.system_goals, k=self.rng.randint(1, 2)),
            title=f"Goal {self.count}",
            target_tier=self.rng.choice([1, 2]),
            **PLAN,
        )

    def realign(self):
        editable = self._goals(G.DRAFT, G.CHANGES_REQUESTED)
        if editable:
            goal = self.rng.choice(editable)
            goals.goal_update(
                goal=goal,
                actor=goal.teacher,
                system_goals=self.rng.sample(self.system_goals, k=1),
            )

    def propose(self):
        ready = self._goals(G.DRAFT, G.CHANGES_REQUESTED)
        if ready:
            goal = self.rng.choice(ready)
            goals.goal_propose(goal=goal, actor=goal.teacher)

    def decide_goal(self):
        proposed = self._goals(G.PROPOSED)
        if proposed:
            goal = self.rng.choice(proposed)
            if self.rng.random() < 0.7:
                goals.goal_approve(goal=goal, actor=self.world.coordinator)
            else:
                goals.goal_request_changes(
                    goal=goal, actor=self.world.coordinator, comment="Say how you will measure."
                )

    def withdraw(self):
        open_goals = self._goals(G.DRAFT, G.APPROVED)
        if open_goals and self.rng.random() < 0.3:
            goal = self.rng.choice(open_goals)
            goals.goal_withdraw(goal=goal, actor=goal.teacher)

    def submit(self):
        approved = [
            goal
            for goal in self._goals(G.APPROVED)
            if not goal.submissions.exclude(status__in=[S.PASSED, S.SUPERSEDED]).exists()
        ]
        if approved:
            goal = self.rng.choice(approved)
            passed = set(goal.submissions.filter(status=S.PASSED).values_list("tier", flat=True))
            tier = next(t for t in (1, 2, 3, 4) if t not in passed)
            if tier <= goal.target_tier:
                submit_tier(goal, tier)

    def recall(self):
        waiting = [s for s in self._submissions(S.SUBMITTED) if s.can_be_recalled]
        if waiting and self.rng.random() < 0.3:
            submission = self.rng.choice(waiting)
            evidence.submission_recall(submission=submission, actor=submission.goal.teacher)

    def resubmit(self):
        drafts = [s for s in self._submissions(S.DRAFT) if s.submitted_at is None]
        if drafts:
            submission = self.rng.choice(drafts)
            # A revised draft may still miss what the reviewer asked for: then nothing changes.
            with contextlib.suppress(ValidationError):
                evidence.submission_submit(submission=submission, actor=submission.goal.teacher)

    def review(self):
        waiting = self._submissions(S.SUBMITTED)
        if waiting:
            submission = self.rng.choice(waiting)
            decide(submission, self.world.coordinator, passed=self.rng.random() < 0.7)

    def revise(self):
        returned = self._submissions(S.RETURNED)
        if returned:
            submission = self.rng.choice(returned)
            evidence.submission_revise(submission=submission, actor=submission.goal.teacher)

    def converse(self):
        teacher = self.rng.choice([t for t in self.teachers if t.is_active])
        schools = teacher.schools_for_role(Role.TEACHER)
        if not schools:
            return
        school = schools[0]
        if not teacher.coach_assignments.filter(school_year=self.year).exists():
            coaching.assignment_create(
                actor=self.world.coordinator,
                coach=self.world.coach,
                teacher=teacher,
                school=school,
                school_year=self.year,
            )
        coaching.conversation_log(
            coach=self.world.coach,
            teacher=teacher,
            held_on=timezone.localdate() - datetime.timedelta(days=self.rng.choice([1, 5, 45])),
            kind="check_in",
            notes="Talked about talk moves.",
            next_steps=["Try the turn-and-talk"],
        )

    def step(self):
        action = self.rng.choices(
            [
                self.add_teacher,
                self.move_teacher,
                self.deactivate,
                self.new_goal,
                self.realign,
                self.propose,
                self.decide_goal,
                self.withdraw,
                self.submit,
                self.recall,
                self.resubmit,
                self.review,
                self.revise,
                self.converse,
            ],
            weights=[2, 1, 1, 5, 1, 4, 4, 1, 5, 1, 1, 5, 1, 2],
        )[0]
        action()
        return action.__name__


def _compare(world) -> int:
    """Every rollup row against a fresh count; returns the number of rows compared."""
    rows = list(SchoolYearFigures.objects.select_related("school_year"))
    now = timezone.now()
    for row in rows:
        fresh = _stored(
            count_figures(ids=[row.school_id], school_year=row.school_year, now=now)[row.school_id]
        )
        kept = {name: getattr(row, name) for name in STORED if name != "counted_at"}
        assert kept == fresh, f"school {row.school_id}, year {row.school_year_id} drifted"
    # The kept totals of several schools equal the sum of their rows, summed again now.
    for total in TurnaroundTotal.objects.all():
        assert total.figures == _sums(total.school_ids, total.school_year_id), (
            f"the total of {total.school_ids} in year {total.school_year_id} drifted"
        )
    return len(rows)


@pytest.mark.parametrize("seed", [8, 19, 2026])
def test_rollups_never_drift_from_a_recount(world, seed):
    recount()  # the existing data, as the recount command (or migrate time) counts it
    run = Run(world, random.Random(seed))
    assert TurnaroundTotal.objects.filter(school_year=run.year).exists()
    done = []
    for _ in range(70):
        done.append(run.step())
        # After every call, not just at the end: a later call at the same school would
        # recount the row and hide an earlier service that forgot to.
        compared = _compare(world)
    # Both schools of the district were counted, and the run did real work.
    assert compared >= 2
    assert Goal.objects.filter(school__district=world.district).count() >= 5, done
    assert Submission.objects.filter(status__in=[S.PASSED, S.RETURNED]).exists(), done
    figures = SchoolYearFigures.objects.filter(school_year=run.year)
    assert sum(row.goals for row in figures) == Goal.objects.filter(school_year=run.year).count()


def test_a_service_call_refreshes_its_schools_row_in_its_transaction(world):
    recount()
    year = current_year(world.district)
    before = SchoolYearFigures.objects.get(school=world.school_a, school_year=year)
    goal = goals.goal_create(
        teacher=world.teacher,
        school=world.school_a,
        school_year=year,
        system_goals=[district_system_goal(world.district)],
        title="Counted at once",
        **PLAN,
    )
    after = SchoolYearFigures.objects.get(school=world.school_a, school_year=year)
    assert after.status_draft == before.status_draft + 1
    assert after.alignment == {
        **before.alignment,
        str(goal.system_goals.get().pk): before.alignment.get(str(goal.system_goals.get().pk), 0)
        + 1,
    }
    # The other school's row is not touched.
    other = SchoolYearFigures.objects.get(school=world.school_b, school_year=year)
    assert other.counted_at <= after.counted_at


def test_the_recount_command_counts_every_school_year(world):
    from django.core.management import call_command

    call_command("recount_dashboards")
    year = current_year(world.district)
    counted = set(
        SchoolYearFigures.objects.filter(school_year=year).values_list("school_id", flat=True)
    )
    assert {world.school_a.pk, world.school_b.pk} <= counted


def test_the_comparison_catches_a_service_that_forgets_its_rollup(world, monkeypatch):
    """The same run with the scoring service's refresh left out must be caught."""
    recount()
    monkeypatch.setattr("evidence.review_services.rollup_refresh", lambda **_: None)
    run = Run(world, random.Random(8))

    def run_and_compare():
        for _ in range(70):
            run.step()
            _compare(world)

    with pytest.raises(AssertionError, match="drifted"):
        run_and_compare()


def test_deferred_refreshes_count_each_school_year_once_when_the_block_ends(world, monkeypatch):
    """Bulk work (the demo) holds the services' refreshes and counts each school-year once."""
    recount()
    counted = []
    count = rollups.count_figures

    def counting(**kwargs):
        counted.append((tuple(kwargs["ids"]), kwargs["school_year"].pk))
        return count(**kwargs)

    monkeypatch.setattr(rollups, "count_figures", counting)
    run = Run(world, random.Random(19))
    before = {row.pk: row.counted_at for row in SchoolYearFigures.objects.all()}

    with rollups.deferred():
        with rollups.deferred():  # an inner block leaves the count to the outer one
            for _ in range(25):
                run.step()
        assert counted == []
        assert {row.pk: row.counted_at for row in SchoolYearFigures.objects.all()} == before

    assert counted, "the block's changes were counted at its end"
    assert len(counted) == len(set(counted)), "each school-year once"
    assert _compare(world) >= 2


def test_a_deferred_block_that_fails_counts_nothing(world, monkeypatch):
    recount()
    calls = []
    count = rollups.count_figures
    monkeypatch.setattr(rollups, "count_figures", lambda **kw: calls.append(kw) or count(**kw))
    year_id = current_year(world.district).pk

    def failing_load():
        with rollups.deferred():
            rollups.rollup_refresh(school_id=world.school_a.pk, school_year_id=year_id)
            raise RuntimeError("the load failed")

    with pytest.raises(RuntimeError):
        failing_load()

    assert calls == []
    # Outside a block, a refresh counts at once again.
    rollups.rollup_refresh(school_id=world.school_a.pk, school_year_id=year_id)
    assert len(calls) == 1


def test_a_generated_district_comes_with_its_rollups(db):
    """manage.py generate_district counts every school-year's rollup, equal to a recount."""
    from pplearn.models import School
    from tests.perf.generated import small_district

    district = small_district(
        teachers=30, years=2, seed=3, today=datetime.date(2026, 11, 22), slug="rollups"
    )
    schools = School.objects.filter(district=district).count()
    rows = SchoolYearFigures.objects.filter(school__district=district)
    assert rows.count() == schools * 2
    assert sum(row.goals for row in rows) == Goal.objects.filter(school__district=district).count()
    assert _compare(None) == rows.count()


def test_the_beat_task_counts_the_current_year_again(world):
    """Every 15 minutes: a row that went wrong (data changed without a service, a figure
    that moves with the clock) is counted again, and so is the kept total."""
    from dashboards.tasks import rollups_recount_task

    recount()
    year = current_year(world.district)
    SchoolYearFigures.objects.filter(school_year=year).update(teachers=999)
    TurnaroundTotal.objects.filter(school_year=year).update(figures={})
    assert rollups_recount_task() >= 2
    _compare(world)
    row = SchoolYearFigures.objects.get(school=world.school_a, school_year=year)
    assert row.teachers == 1  # the world's teacher
