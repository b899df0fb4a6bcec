"""Factories for the team tests: teams, their meeting notes, system goals and teacher goals."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from goals.models import Goal, SystemGoal, Team, TeamMeeting
from pplearn.models import District, Role, SchoolYear
from tests.factories import DistrictFactory, SchoolFactory, SchoolYearFactory, make_person


def current_year(district: District) -> SchoolYear:
    return district.current_school_year() or SchoolYearFactory(district=district)


class TeamSystemGoalFactory(DjangoModelFactory):
    """An active district-wide system goal unless `schools` or `status` say otherwise."""

    class Meta:
        model = SystemGoal
        skip_postgeneration_save = True

    district = factory.SubFactory(DistrictFactory)
    school_year = factory.LazyAttribute(lambda o: current_year(o.district))
    title = factory.Sequence(lambda n: f"System goal {n}")
    status = SystemGoal.Status.ACTIVE

    @factory.post_generation
    def schools(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.schools.set(extracted)


class TeamFactory(DjangoModelFactory):
    """A PLC of the school's current year; pass `members=[...]` and `system_goals=[...]`."""

    class Meta:
        model = Team
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    school_year = factory.LazyAttribute(lambda o: current_year(o.school.district))
    name = factory.Sequence(lambda n: f"Team {n}")
    kind = Team.Kind.PLC

    @factory.post_generation
    def members(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.members.set(extracted)

    @factory.post_generation
    def system_goals(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.system_goals.set(extracted)


class TeamGoalFactory(DjangoModelFactory):
    """A teacher goal at the teacher's school in the current year (a draft by default)."""

    class Meta:
        model = Goal

    school = factory.SubFactory(SchoolFactory)
    teacher = factory.LazyAttribute(lambda o: make_person(Role.TEACHER, school=o.school))
    school_year = factory.LazyAttribute(lambda o: current_year(o.school.district))
    title = factory.Sequence(lambda n: f"Goal {n}")
    status = Goal.Status.DRAFT


class TeamMeetingFactory(DjangoModelFactory):
    class Meta:
        model = TeamMeeting

    team = factory.SubFactory(TeamFactory)
    met_on = factory.Sequence(lambda n: timezone.localdate() - datetime.timedelta(days=n % 300 + 1))
    learn = "Fractions on a number line."
    created_by = None
