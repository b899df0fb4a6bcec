"""A coach the district lets score may open what they score; the firewall still holds."""

import pytest

from coaching.models import CoachAssignment
from evidence.permissions import can_view_submission
from tests.evidence.evidence_factories import approved_goal, submitted
from tests.evidence.review_factories import set_policy

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("coaches_may_score", "expected"), [(False, False), (True, True)])
def test_an_unassigned_coach_sees_submitted_evidence_only_when_coaches_score(
    world, coaches_may_score, expected
):
    set_policy(world.district, coaches_may_score=coaches_may_score)
    item = submitted(approved_goal(world), 1)

    assert can_view_submission(world.coach, item) is expected


def test_the_teachers_own_coach_sees_it_but_never_scores(world):
    from evidence.review_permissions import can_score

    set_policy(world.district, coaches_may_score=True)
    goal = approved_goal(world)
    CoachAssignment.objects.create(
        coach=world.coach,
        teacher=world.teacher,
        school=world.school_a,
        school_year=goal.school_year,
    )
    item = submitted(goal, 1)

    assert can_view_submission(world.coach, item)
    assert not can_score(world.coach, item)
