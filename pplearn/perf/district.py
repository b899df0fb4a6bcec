"""A district-sized data set, generated fast and the same for the same seed and day.

At 25,000 teachers and 4 school years: about 200 schools, 100,000 goals, 400,000 tier
submissions with their reviews, criterion scores and payouts, coaching, reminders, teams
and (once the library app has its models) published library entries. Rows are written
with PostgreSQL COPY (bulk_create elsewhere) with ids assigned here, so that rows can
point at each other without reading anything back.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import DatabaseError, connection, transaction

from coaching.models import (
    CoachAssignment,
    Conversation,
    NextStep,
    Reminder,
    ReminderPreference,
    ReminderSettings,
)
from evidence.models import (
    Artifact,
    Claim,
    CriterionScore,
    LearningResource,
    Payout,
    PayrollBatch,
    QueueTally,
    Review,
    ReviewPolicy,
    Rubric,
    Submission,
    TierRequirement,
)
from goals.models import (
    Goal,
    GoalComment,
    GoalEvent,
    StandardComponent,
    SystemGoal,
    Team,
    TeamMeeting,
    Vision,
)
from pplearn.models import District, Membership, Notification, Role, School, SchoolYear, User

from .loader import Table, next_pk, reset_sequences
from .text import TextPool

BENCH_PASSWORD = "pplearn-bench"  # noqa: S105 - the generated district's one known password
TEACHERS_PER_SCHOOL = 125
COACHES_PER_SCHOOL = 2
CASELOAD = 12
TEACHERS_PER_COORDINATOR = 2500
TEAMS_PER_SCHOOL = 3
TEAM_SIZE = 6
DAY = datetime.timedelta(days=1)
G = Goal.Status
S = Submission.Status


@dataclass
class Options:
    teachers: int
    years: int
    seed: int
    today: datetime.date
    slug: str = ""
    # Skip foreign key triggers while loading (PostgreSQL superuser): every id is ours.
    skip_fk_checks: bool = True
    analyze: bool = True
    log: Callable[[str], None] = print


@dataclass
class Year:
    pk: int
    name: str
    start: datetime.datetime
    end: datetime.datetime
    is_current: bool
    system_goals: list[int] = field(default_factory=list)
    batch_id: int | None = None


class Ids:
    """Primary keys handed out in Python, one counter per model."""

    def __init__(self):
        self._next: dict[type, int] = {}

    def new(self, model) -> int:
        if model not in self._next:
            self._next[model] = next_pk(model)
        pk = self._next[model]
        self._next[model] = pk + 1
        return pk

    @property
    def models(self) -> list[type]:
        return list(self._next)


class Generator:
    def __init__(self, options: Options):
        self.o = options
        self.rng = random.Random(options.seed)
        self.text = TextPool(options.seed)
        self.ids = Ids()
        self.tables: dict[object, Table] = {}
        self.now = datetime.datetime.combine(
            options.today, datetime.time(17, 0), tzinfo=datetime.UTC
        )
        self.timings: list[tuple[str, float, int]] = []

    # Plumbing -------------------------------------------------------------------------

    def table(self, model, *, with_pk: bool = True) -> Table:
        key = (model, with_pk)
        if key not in self.tables:
            self.tables[key] = Table(model, with_pk=with_pk)
        return self.tables[key]

    def flush(self) -> None:
        for table in self.tables.values():
            table.flush()

    def stage(self, name: str, build: Callable[[], int | None]) -> None:
        """Run one stage; its rows are those it copied plus any it says it wrote otherwise
        (the tallies and rollups are counted by the app's own code, not copied)."""
        started = time.perf_counter()
        before = sum(t.count for t in self.tables.values())
        written = build() or 0
        self.flush()
        rows = sum(t.count for t in self.tables.values()) - before + written
        seconds = time.perf_counter() - started
        self.timings.append((name, seconds, rows))
        self.o.log(f"  {name:<28} {rows:>10,} rows  {seconds:7.1f} s")

    def between(self, lo: datetime.datetime, hi: datetime.datetime) -> datetime.datetime:
        if hi <= lo:
            return lo
        span = (hi - lo).total_seconds()
        return lo + datetime.timedelta(seconds=int(self.rng.random() * span))

    # The whole district -----------------------------------------------------------------

    def run(self) -> District:
        started = time.perf_counter()
        with transaction.atomic():
            self.skip_foreign_key_checks()
            self.stage("district and settings", self.build_district)
            self.stage("people and memberships", self.build_people)
            self.stage("teams", self.build_teams)
            self.stage("goals and their history", self.build_goals)
            self.stage("evidence, reviews, payouts", self.build_evidence)
            self.stage("coaching", self.build_coaching)
            self.stage("reminders, notifications", self.build_reminders)
            self.stage("library", self.build_library)
            # Triggers keep the queue's tallies, but not under session_replication_role.
            self.stage("queue tallies", self.build_queue_tallies)
            self.stage("dashboard rollups", self.build_dashboard_rollups)
            self.stage("sequences", lambda: reset_sequences(self.ids.models))
        if connection.vendor == "postgresql" and self.o.analyze:
            self.stage("analyze", self.analyze)
        total = time.perf_counter() - started
        rows = sum(r for _, _, r in self.timings)
        self.o.log(f"  {'total':<28} {rows:>10,} rows  {total:7.1f} s")
        return self.district

    def skip_foreign_key_checks(self) -> None:
        """Skip the foreign key triggers of this transaction: every id is assigned here.

        Checking three million deferred references at commit would double the run. Only a
        superuser may (the throwaway benchmark database); anyone else keeps the checks.
        """
        if connection.vendor != "postgresql" or not self.o.skip_fk_checks:
            return
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:
            self.o.log("  (not a superuser: foreign keys are checked at commit)")

    def build_queue_tallies(self) -> int:
        return QueueTally.objects.rebuild(
            school_ids=School.objects.filter(district=self.district).values_list("pk", flat=True)
        )

    def build_dashboard_rollups(self) -> int:
        """The district dashboard's rollups, counted as the recount command does."""
        from dashboards.rollups import recount

        return recount(school_years=SchoolYear.objects.filter(district=self.district))

    def analyze(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def build_district(self) -> None:
        o = self.o
        slug = o.slug or f"district-{o.seed}"
        self.district = District.objects.create(
            name=f"{self.text.place()} Unified School District", slug=slug, timezone="UTC"
        )
        district = self.district
        Vision.objects.create(district=district, statement=self.text.sentence(30))
        ReviewPolicy.objects.create(district=district, coaches_may_score=False)
        ReminderSettings.objects.create(district=district)
        self.requirements = {
            r.tier: r for r in TierRequirement.objects.filter(district=district).order_by("tier")
        }
        self.rubrics = {
            r.tier: (r.pk, [(c.pk, c.is_prerequisite) for c in r.criteria.order_by("position")])
            for r in Rubric.objects.filter(district=district, is_current=True)
        }
        self.components = list(
            StandardComponent.objects.filter(domain__framework__district=district).values_list(
                "pk", flat=True
            )
        )
        current_start_year = o.today.year if o.today.month >= 8 else o.today.year - 1
        self.years: list[Year] = []
        for index in range(o.years):
            first = current_start_year - (o.years - 1 - index)
            is_current = index == o.years - 1
            year = SchoolYear.objects.create(
                district=district,
                name=f"{first}-{str(first + 1)[-2:]}",
                start_date=datetime.date(first, 8, 1),
                end_date=datetime.date(first + 1, 6, 30),
                is_current=is_current,
            )
            start = datetime.datetime(first, 8, 1, 14, tzinfo=datetime.UTC)
            end = datetime.datetime(first + 1, 6, 20, 14, tzinfo=datetime.UTC)
            self.years.append(Year(year.pk, year.name, start, min(end, self.now), is_current))
        table = self.table(SystemGoal)
        titles = self.text.system_goal_titles()
        for year in self.years:
            for n in range(4):
                pk = self.ids.new(SystemGoal)
                year.system_goals.append(pk)
                table.add(
                    id=pk,
                    district_id=district.pk,
                    school_year_id=year.pk,
                    title=titles[n],
                    description=self.text.sentence(25),
                    kind=SystemGoal.Kind.SYSTEM_GOAL,
                    status=SystemGoal.Status.ACTIVE,
                    created_at=year.start,
                )

    def build_people(self) -> None:
        o, district, rng = self.o, self.district, self.rng
        password = make_password(BENCH_PASSWORD)
        users, members = self.table(User), self.table(Membership, with_pk=False)
        school_count = max(2, round(o.teachers / TEACHERS_PER_SCHOOL))
        schools = self.table(School)
        bands = [
            School.GradeBand.ELEMENTARY,
            School.GradeBand.ELEMENTARY,
            School.GradeBand.MIDDLE,
            School.GradeBand.HIGH,
        ]
        self.schools: list[int] = []
        names = self.text.school_names(school_count)
        joined = self.years[0].start - 30 * DAY
        for n in range(school_count):
            pk = self.ids.new(School)
            self.schools.append(pk)
            schools.add(
                id=pk,
                district_id=district.pk,
                name=names[n],
                grade_band=bands[n % len(bands)],
                is_active=True,
                created_at=joined,
            )
        employee = iter(range(100001, 10_000_000))
        domain = f"{district.slug}.example"

        def person(kind: str, n: int) -> int:
            pk = self.ids.new(User)
            users.add(
                id=pk,
                email=f"{kind}{n:05d}@{domain}",
                full_name=self.text.person_name(),
                employee_id=f"E{next(employee)}",
                district_id=district.pk,
                password=password,
                is_active=True,
                is_staff=False,
                is_superuser=False,
                date_joined=joined,
            )
            return pk

        def member(user: int, role: str, school: int | None) -> None:
            members.add(
                user_id=user,
                district_id=district.pk,
                school_id=school,
                role=role,
                created_at=joined,
            )

        self.admin = person("admin", 0)
        member(self.admin, Role.DISTRICT_ADMIN, None)
        self.coordinators = []
        for n in range(max(1, o.teachers // TEACHERS_PER_COORDINATOR)):
            pk = person("coordinator", n)
            member(pk, Role.COORDINATOR, None)
            self.coordinators.append(pk)
        self.principal_of: dict[int, int] = {}
        self.coaches_of: dict[int, list[int]] = {}
        for n, school in enumerate(self.schools):
            pk = person("principal", n)
            member(pk, Role.PRINCIPAL, school)
            self.principal_of[school] = pk
            self.coaches_of[school] = []
            for c in range(COACHES_PER_SCHOOL):
                coach = person("coach", n * COACHES_PER_SCHOOL + c)
                member(coach, Role.COACH, school)
                self.coaches_of[school].append(coach)
        self.teachers: list[tuple[int, int]] = []  # (user, school)
        self.teachers_at: dict[int, list[int]] = {s: [] for s in self.schools}
        for n in range(o.teachers):
            school = self.schools[n * school_count // o.teachers]
            pk = person("teacher", n)
            member(pk, Role.TEACHER, school)
            self.teachers.append((pk, school))
            self.teachers_at[school].append(pk)
        # Deactivated people keep their history: about one in a hundred.
        self.inactive = {pk for pk, _ in self.teachers if rng.random() < 0.01}
        for row in users.rows:
            if row["id"] in self.inactive:
                row["is_active"] = False

    def build_teams(self) -> None:
        rng = self.rng
        teams, members, team_goals = (
            self.table(Team),
            self.table(Team.members.through, with_pk=False),
            self.table(Team.system_goals.through, with_pk=False),
        )
        meetings = self.table(TeamMeeting)
        kinds = [Team.Kind.GRADE_LEVEL, Team.Kind.PLC]
        for year in self.years:
            for school in self.schools:
                staff = self.teachers_at[school]
                for n in range(TEAMS_PER_SCHOOL):
                    pk = self.ids.new(Team)
                    group = rng.sample(staff, min(TEAM_SIZE, len(staff)))
                    teams.add(
                        id=pk,
                        school_id=school,
                        school_year_id=year.pk,
                        name=f"{self.text.team_name(n)} {year.name}",
                        kind=kinds[n % 2],
                        facilitator_id=group[0],
                        goal_statement=self.text.sentence(20),
                        created_at=year.start + 10 * DAY,
                    )
                    for user in group:
                        members.add(team_id=pk, user_id=user)
                    team_goals.add(team_id=pk, systemgoal_id=rng.choice(year.system_goals))
                    for m in range(2):
                        met = self.between(year.start + 20 * DAY, year.end)
                        meetings.add(
                            id=self.ids.new(TeamMeeting),
                            team_id=pk,
                            met_on=met.date(),
                            learn=self.text.sentence(15),
                            evidence=self.text.sentence(15),
                            intervene=self.text.sentence(12),
                            extend=self.text.sentence(12),
                            other_notes="" if m else self.text.sentence(8),
                            created_by_id=group[0],
                            created_at=met,
                        )

    # Goals ------------------------------------------------------------------------------

    def _goal_status(self, year: Year) -> str:
        r = self.rng.random()
        if not year.is_current:
            return G.COMPLETE if r < 0.80 else G.APPROVED if r < 0.92 else G.WITHDRAWN
        if r < 0.10:
            return G.DRAFT
        if r < 0.20:
            return G.PROPOSED
        if r < 0.25:
            return G.CHANGES_REQUESTED
        return G.APPROVED

    def build_goals(self) -> None:
        rng, text = self.rng, self.text
        goals, events, comments = self.table(Goal), self.table(GoalEvent), self.table(GoalComment)
        goal_sgs = self.table(Goal.system_goals.through, with_pk=False)
        goal_comps = self.table(Goal.standard_components.through, with_pk=False)
        collaborators = self.table(Goal.collaborators.through, with_pk=False)
        self.goals: list[tuple] = []  # (pk, teacher, school, year, status, target, decided_at)
        needs = [c.value for c in Goal.Need]
        deliveries = [c.value for c in Goal.Delivery]
        for year in self.years:
            recent = self.now - 25 * DAY
            for teacher, school in self.teachers:
                status = self._goal_status(year)
                pk = self.ids.new(Goal)
                principal = self.principal_of[school]
                if year.is_current and status in (G.DRAFT, G.PROPOSED):
                    created = self.between(max(year.start, recent - 30 * DAY), self.now - 2 * DAY)
                else:
                    created = self.between(year.start + 5 * DAY, year.start + 40 * DAY)
                proposed = decided = None
                if status != G.DRAFT:
                    proposed = min(created + rng.randint(1, 10) * DAY, self.now - DAY)
                if status not in (G.DRAFT, G.PROPOSED):
                    decided = min(proposed + rng.randint(1, 7) * DAY, self.now - DAY / 2)
                target = rng.choices((1, 2, 3, 4), weights=(1, 3, 3, 3))[0]
                updated = decided or proposed or created
                approved = status in (G.APPROVED, G.COMPLETE) or (
                    status == G.WITHDRAWN and rng.random() < 0.5
                )
                goals.add(
                    id=pk,
                    teacher_id=teacher,
                    school_id=school,
                    school_year_id=year.pk,
                    title=text.goal_title(),
                    inquiry_question=text.question(),
                    need=rng.choice(needs),
                    desired_outcome=text.sentence(22),
                    implementation_plan=text.sentence(30),
                    impact_measure=text.sentence(15),
                    target_tier=target,
                    delivery=rng.choice(deliveries),
                    grouping=Goal.Grouping.INDIVIDUAL,
                    status=status,
                    created_at=created,
                    updated_at=updated,
                    proposed_at=proposed,
                    decided_at=decided if approved or status == G.CHANGES_REQUESTED else None,
                    approved_by_id=principal if approved else None,
                )
                self.goals.append((pk, teacher, school, year, status, target, decided))
                for sg in rng.sample(year.system_goals, rng.choice((1, 1, 2))):
                    goal_sgs.add(goal_id=pk, systemgoal_id=sg)
                goal_comps.add(goal_id=pk, standardcomponent_id=rng.choice(self.components))
                if rng.random() < 0.08:
                    other = rng.choice(self.teachers_at[school])
                    if other != teacher:
                        collaborators.add(goal_id=pk, user_id=other)
                history = [(created, teacher, "", G.DRAFT, "")]
                if proposed:
                    history.append((proposed, teacher, G.DRAFT, G.PROPOSED, ""))
                if status == G.CHANGES_REQUESTED:
                    history.append(
                        (decided, principal, G.PROPOSED, G.CHANGES_REQUESTED, text.sentence(14))
                    )
                elif decided and approved:
                    history.append((decided, principal, G.PROPOSED, G.APPROVED, ""))
                if status == G.COMPLETE:
                    history.append((year.end - 3 * DAY, teacher, G.APPROVED, G.COMPLETE, ""))
                elif status == G.WITHDRAWN:
                    at = self.between(updated, year.end)
                    frm = G.APPROVED if approved else G.PROPOSED
                    history.append((at, teacher, frm, G.WITHDRAWN, text.sentence(8)))
                for at, actor, frm, to, comment in history:
                    events.add(
                        id=self.ids.new(GoalEvent),
                        goal_id=pk,
                        actor_id=actor,
                        at=at,
                        from_status=frm,
                        to_status=to,
                        comment=comment,
                    )
                if proposed and rng.random() < 0.25:
                    for n in range(rng.randint(1, 2)):
                        comments.add(
                            id=self.ids.new(GoalComment),
                            goal_id=pk,
                            author_id=principal if n % 2 else teacher,
                            body=text.sentence(18),
                            created_at=proposed + (n + 1) * DAY / 3,
                        )

    # Evidence ---------------------------------------------------------------------------

    def _plan(self, status: str, target: int, is_current: bool) -> list[tuple[int, int, str]]:
        """The versions of a goal's tiers: (tier, version, final status), in order."""
        rng = self.rng
        if status == G.COMPLETE:
            passed, tail = rng.randint(target, 4), None
        elif status == G.WITHDRAWN:
            passed, tail = rng.choice((0, 0, 1)), None
        elif is_current:
            passed = rng.choices((0, 1, 2, 3), weights=(25, 35, 25, 15))[0]
            tail = rng.choices((S.DRAFT, S.SUBMITTED, S.RETURNED, None), weights=(30, 40, 15, 15))[
                0
            ]
        else:
            passed = rng.randint(0, max(0, target - 1))
            tail = rng.choice((S.DRAFT, S.RETURNED, None))
        plan = []
        for tier in range(1, passed + 1):
            version = 1
            while rng.random() < (0.45 if version == 1 else 0.15):
                plan.append((tier, version, S.SUPERSEDED))
                version += 1
            plan.append((tier, version, S.PASSED))
        if tail and passed < 4:
            tier, version = passed + 1, 1
            if tail != S.RETURNED and rng.random() < 0.3:
                plan.append((tier, 1, S.SUPERSEDED))
                version = 2
            plan.append((tier, version, tail))
        return plan

    def _times(self, plan, lo: datetime.datetime, hi: datetime.datetime) -> list[list]:
        """Created, submitted and decided instants of each version, fitted between lo and hi."""
        rng = self.rng
        gaps = []
        for n, (_, _, status) in enumerate(plan):
            steps = 1 if status == S.DRAFT else 2 if status == S.SUBMITTED else 3
            gaps.append(
                [rng.uniform(1, 14) if n else rng.uniform(2, 20)]
                + [rng.uniform(1, 12), rng.uniform(0.5, 9)][: steps - 1]
            )
        total = sum(sum(g) for g in gaps) * DAY
        span = hi - lo
        scale = min(1.0, span / total) if total else 1.0
        at, out = lo, []
        for g in gaps:
            moments = []
            for days in g:
                at = at + days * scale * DAY
                moments.append(at)
            out.append(moments + [None] * (3 - len(moments)))
        return out

    def build_evidence(self) -> None:
        rng, text = self.rng, self.text
        subs, reviews = self.table(Submission), self.table(Review)
        scores = self.table(CriterionScore, with_pk=False)
        payouts, resources = self.table(Payout), self.table(LearningResource, with_pk=False)
        artifacts, claims = self.table(Artifact, with_pk=False), self.table(Claim, with_pk=False)
        batches = self.table(PayrollBatch)
        coordinators = self.coordinators
        for n, year in enumerate(self.years):
            if not year.is_current:
                year.batch_id = self.ids.new(PayrollBatch)
                batches.add(
                    id=year.batch_id,
                    district_id=self.district.pk,
                    number=n + 1,
                    created_at=year.end,
                    created_by_id=coordinators[0],
                )
        purpose = {2: "artifact", 3: "data", 4: "plan"}
        self.passed_tier4: list[tuple] = []
        district_id = self.district.pk
        for goal_pk, teacher, _school, year, status, target, decided in self.goals:
            if status not in (G.APPROVED, G.COMPLETE, G.WITHDRAWN) or decided is None:
                continue
            plan = self._plan(status, target, year.is_current)
            if not plan:
                continue
            hi = self.now - rng.uniform(0, 20) * DAY if year.is_current else year.end - 5 * DAY
            times = self._times(plan, decided + DAY, hi)
            previous = None
            for (tier, version, final), (created, submitted, decided_at) in zip(
                plan, times, strict=True
            ):
                pk = self.ids.new(Submission)
                rubric_id, criteria = self.rubrics[tier]
                returned = final in (S.SUPERSEDED, S.RETURNED)
                row = {
                    "id": pk,
                    "goal_id": goal_pk,
                    "tier": tier,
                    "version": version,
                    "status": final,
                    "reflection": text.reflection(),
                    "created_at": created,
                    "updated_at": decided_at or submitted or created,
                    "autosaved_at": created + DAY / 24 if final == S.DRAFT else None,
                    "submitted_at": submitted,
                    "opened_at": (submitted + DAY / 6) if decided_at else None,
                    "decided_at": decided_at,
                    "previous_id": previous,
                    "rubric_id": rubric_id if submitted else None,
                }
                if tier == 2:
                    row["desired_outcome"] = text.sentence(20)
                    row["curriculum_connection"] = text.sentence(20)
                elif tier == 3:
                    row["data_type"] = rng.choice(("formative", "summative", "survey"))
                    row["learning_goal_measured"] = text.sentence(12)
                    row["results"] = rng.choice(("positive", "mixed", "positive", "negative"))
                    row["data_table"] = "Week | Before | After\n1 | 42 | 58\n2 | 47 | 66"
                elif tier == 4:
                    row["practice_overview"] = text.sentence(30)
                    row["resource_links"] = f"https://example.org/practice/{pk}"
                    row["sharing_how"] = text.sentence(14)
                subs.add(**row)
                previous = pk
                if tier == 1:
                    for p in range(2):
                        resources.add(
                            submission_id=pk,
                            title=text.resource_title(),
                            kind=rng.choice(("book", "article", "webinar", "course")),
                            citation=f"https://example.org/resource/{pk}/{p}",
                            research_based=p == 0,
                            position=p,
                        )
                else:
                    artifacts.add(
                        submission_id=pk,
                        purpose=purpose[tier],
                        kind=Artifact.Kind.LINK,
                        title=text.resource_title(),
                        url=f"https://example.org/artifact/{pk}",
                        uploaded_by_id=teacher,
                        uploaded_at=created,
                    )
                if final == S.SUBMITTED and rng.random() < 0.2:
                    claims.add(
                        submission_id=pk,
                        reviewer_id=rng.choice(coordinators),
                        claimed_at=submitted + DAY / 2,
                    )
                if decided_at is None:
                    continue
                review_pk = self.ids.new(Review)
                reviews.add(
                    id=review_pk,
                    submission_id=pk,
                    reviewer_id=rng.choice(coordinators),
                    rubric_id=rubric_id,
                    outcome=Review.Outcome.RETURNED if returned else Review.Outcome.PASSED,
                    feedback=text.sentence(25) if returned else text.sentence(10),
                    decided_at=decided_at,
                    waited=decided_at - submitted,
                )
                scorable = [i for i, (_, prerequisite) in enumerate(criteria) if not prerequisite]
                missed = rng.choice(scorable) if returned else -1
                for index, (criterion_id, _) in enumerate(criteria):
                    scores.add(
                        review_id=review_pk,
                        criterion_id=criterion_id,
                        on_track=index != missed,
                        comment=text.sentence(10) if index == missed else "",
                    )
                if final == S.PASSED and tier == 4:
                    self.passed_tier4.append((goal_pk, pk, teacher, _school, year))
                if final == S.PASSED:
                    requirement = self.requirements[tier]
                    payouts.add(
                        id=self.ids.new(Payout),
                        teacher_id=teacher,
                        submission_id=pk,
                        district_id=district_id,
                        tier=tier,
                        amount=requirement.stipend,
                        credit=Decimal("0"),
                        passed_at=decided_at,
                        batch_id=year.batch_id,
                    )

    # Coaching ---------------------------------------------------------------------------

    def build_coaching(self) -> None:
        rng, text = self.rng, self.text
        assignments, talks = self.table(CoachAssignment), self.table(Conversation)
        steps = self.table(NextStep, with_pk=False)
        goal_of = {(teacher, year.pk): pk for pk, teacher, _, year, *_ in self.goals}
        kinds = [k.value for k in Conversation.Kind]
        for year in self.years:
            for school in self.schools:
                staff = self.teachers_at[school]
                chosen = rng.sample(staff, min(len(staff), CASELOAD * COACHES_PER_SCHOOL))
                for n, teacher in enumerate(chosen):
                    coach = self.coaches_of[school][n % COACHES_PER_SCHOOL]
                    assignments.add(
                        id=self.ids.new(CoachAssignment),
                        coach_id=coach,
                        teacher_id=teacher,
                        school_id=school,
                        school_year_id=year.pk,
                        created_at=year.start + 7 * DAY,
                        created_by_id=self.principal_of[school],
                    )
                    count = rng.randint(0, 4) if year.is_current else rng.randint(3, 7)
                    for _ in range(count):
                        held = self.between(year.start + 14 * DAY, year.end)
                        talk = self.ids.new(Conversation)
                        talks.add(
                            id=talk,
                            coach_id=coach,
                            teacher_id=teacher,
                            goal_id=goal_of.get((teacher, year.pk)),
                            school_year_id=year.pk,
                            held_on=held.date(),
                            kind=rng.choice(kinds),
                            notes=text.sentence(40),
                            teacher_reflection=text.sentence(20) if rng.random() < 0.5 else "",
                            created_at=held,
                            updated_at=held,
                        )
                        for p in range(rng.randint(1, 2)):
                            done = not year.is_current or rng.random() < 0.6
                            steps.add(
                                conversation_id=talk,
                                text=text.sentence(9),
                                position=p,
                                done_at=held + 5 * DAY if done else None,
                                done_by_id=teacher if done else None,
                            )

    # Reminders and notifications ----------------------------------------------------------

    def build_reminders(self) -> None:
        rng = self.rng
        reminders, notes = self.table(Reminder), self.table(Notification)
        prefs = self.table(ReminderPreference, with_pk=False)
        year = self.years[-1]
        current = {teacher: pk for pk, teacher, _, y, *_ in self.goals if y is year}
        for teacher, _school in self.teachers:
            r = rng.random()
            if r < 0.03:
                prefs.add(user_id=teacher, delivery="digest")
            elif r < 0.04:
                prefs.add(
                    user_id=teacher,
                    delivery="immediate",
                    paused_until=self.o.today + 30 * DAY,
                    paused_by_id=self.coordinators[0],
                )
            for weeks_ago in range(rng.randint(0, 3)):
                at = self.now - (7 * (weeks_ago + 1) + rng.randint(0, 6)) * DAY
                note = self.ids.new(Notification)
                notes.add(
                    id=note,
                    recipient_id=teacher,
                    verb="reminder.no_evidence",
                    message="Some days since the last evidence on your goal.",
                    url=f"/goals/{current.get(teacher, 0)}/",
                    created_at=at,
                    read_at=at + DAY if rng.random() < 0.7 else None,
                    email_status=Notification.EmailStatus.SENT,
                    emailed_at=at,
                    email_attempts=1,
                )
                reminders.add(
                    id=self.ids.new(Reminder),
                    recipient_id=teacher,
                    kind=Reminder.Kind.NO_EVIDENCE,
                    subject_key=f"goal:{current.get(teacher, 0)}",
                    period=at.date().isoformat(),
                    created_at=at,
                    notification_id=note,
                )

    # Library ----------------------------------------------------------------------------

    def build_library(self) -> None:
        from .library import build_library

        build_library(self)


def generate_district(options: Options) -> District:
    """Build the district; print one timing line per stage and the total."""
    return Generator(options).run()
