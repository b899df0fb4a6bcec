"""factory_boy factories for the collective vision: system goals."""

import factory
from factory.django import DjangoModelFactory

from goals.models import SystemGoal
from tests.factories import DistrictFactory, SchoolYearFactory


class SystemGoalFactory(DjangoModelFactory):
    """An active district-wide system goal of the district's current school year.

    Pass schools=[...] for a goal of chosen schools.
    """

    class Meta:
        model = SystemGoal
        skip_postgeneration_save = True

    district = factory.SubFactory(DistrictFactory)
    school_year = factory.LazyAttribute(
        lambda o: o.district.current_school_year() or SchoolYearFactory(district=o.district)
    )
    title = factory.Sequence(lambda n: f"System goal {n}")
    description = "Students explain their reasoning in every subject."
    kind = SystemGoal.Kind.SYSTEM_GOAL
    status = SystemGoal.Status.ACTIVE

    @factory.post_generation
    def schools(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.schools.set(extracted)
