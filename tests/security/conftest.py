"""Real objects of the world's district, one of each kind a URL can point at."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile

from coaching.models import CoachAssignment, Conversation, NextStep
from evidence import services as evidence_services
from evidence.models import Artifact, LearningResource, PayrollBatch, Rubric, Submission
from goals.models import (
    Goal,
    StandardComponent,
    StandardDomain,
    StandardsFramework,
    SystemGoal,
    Team,
    TeamMeeting,
)
from library.models import LibraryEntry
from pplearn.models import Notification, SchoolYear, User
from tests.coaching.coaching_factories import log
from tests.conftest import World
from tests.evidence.evidence_factories import (
    add_resource,
    approved_goal,
    current_rubric,
    png_bytes,
    submitted,
)
from tests.goals.goal_factories import SystemGoalFactory, assign_coach
from tests.goals.team_factories import TeamFactory, TeamMeetingFactory
from tests.library.library_factories import artifact as library_artifact
from tests.library.library_factories import publish, tier4_goal, tier4_of


@dataclass
class Objects:
    world: World
    goal: Goal  # the teacher's approved goal, Tier 1 submitted and waiting for review
    submission: Submission  # that Tier 1
    artifact: Artifact  # an image on the submitted Tier 1
    draft_goal: Goal
    draft: Submission  # Tier 1 draft of the second goal
    resource: LearningResource  # on the draft
    rubric: Rubric
    payroll_batch: PayrollBatch
    team: Team
    meeting: TeamMeeting
    system_goal: SystemGoal
    framework: StandardsFramework
    domain: StandardDomain
    component: StandardComponent
    assignment: CoachAssignment
    conversation: Conversation
    next_step: NextStep
    notification: Notification
    school_year: SchoolYear
    shared_goal: Goal  # a goal with all four tiers passed, published in the library
    entry: LibraryEntry
    shared_artifact: Artifact  # a file of the published Tier 4

    @property
    def teacher(self) -> User:
        return self.world.teacher


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def objects(world, media_root) -> Objects:
    """One object of each kind, all belonging to the world's teacher at school A."""
    district, teacher = world.district, world.teacher
    assignment = assign_coach(world.coach, teacher, world.school_a)
    goal = approved_goal(world)
    submission = submitted(goal, 1)
    artifact = Artifact.objects.create(
        submission=submission,
        purpose=Artifact.Purpose.ARTIFACT,
        kind=Artifact.Kind.IMAGE,
        title="Anchor chart",
        file=ContentFile(png_bytes(), name="chart.png"),
        original_name="chart.png",
        content_type="image/png",
        size=100,
    )
    draft_goal = approved_goal(world, title="Second goal")
    draft = evidence_services.submission_start(goal=draft_goal, tier=1, actor=teacher)
    resource = add_resource(draft)
    team = TeamFactory(school=world.school_a)
    team.members.set([teacher])
    framework = StandardsFramework.objects.create(district=district, name="Danielson")
    domain = StandardDomain.objects.create(framework=framework, code="1", name="Planning")
    conversation = log(world.coach, teacher)
    shared_goal = tier4_goal(world, title="Number talks")
    shared_artifact = library_artifact(tier4_of(shared_goal))
    entry = publish(shared_goal, artifact_ids=[shared_artifact.pk])
    return Objects(
        world=world,
        goal=goal,
        submission=submission,
        artifact=artifact,
        draft_goal=draft_goal,
        draft=draft,
        resource=resource,
        rubric=current_rubric(district, 1),
        payroll_batch=PayrollBatch.objects.create(
            district=district, number=1, created_by=world.district_admin
        ),
        team=team,
        meeting=TeamMeetingFactory(team=team, created_by=teacher),
        system_goal=SystemGoalFactory(district=district),
        framework=framework,
        domain=domain,
        component=StandardComponent.objects.create(domain=domain, code="1a", name="Content"),
        assignment=assignment,
        conversation=conversation,
        next_step=NextStep.objects.create(conversation=conversation, text="Try turn-and-talk"),
        notification=Notification.objects.create(
            recipient=teacher, verb="goal.approved", message="Your goal was approved", url="/"
        ),
        school_year=district.current_school_year(),
        shared_goal=shared_goal,
        entry=entry,
        shared_artifact=shared_artifact,
    )
