"""A refused learning resource comes back with the teacher's typing and the errors."""

import pytest
from django.urls import reverse

from evidence import services
from evidence.models import LearningResource
from tests.evidence.evidence_factories import approved_goal

pytestmark = pytest.mark.django_db


def test_a_resource_without_citation_is_refused_and_what_was_typed_stays(client, world):
    goal = approved_goal(world)
    draft = services.submission_start(goal=goal, tier=1, actor=world.teacher)
    client.force_login(world.teacher)

    response = client.post(
        reverse("evidence:resource_add", args=[draft.pk]),
        {"title": "Embedded Formative Assessment", "kind": "book", "citation": ""},
    )

    assert response.status_code == 422
    content = response.content.decode()
    assert 'value="Embedded Formative Assessment"' in content
    assert "This field is required." in content
    assert not LearningResource.objects.filter(submission=draft).exists()


def test_a_valid_resource_is_added_and_the_page_redirects(client, world):
    goal = approved_goal(world)
    draft = services.submission_start(goal=goal, tier=1, actor=world.teacher)
    client.force_login(world.teacher)

    response = client.post(
        reverse("evidence:resource_add", args=[draft.pk]),
        {"title": "Visible Learning", "kind": "book", "citation": "Hattie, 2012"},
    )

    assert response.status_code == 302
    assert LearningResource.objects.filter(submission=draft, title="Visible Learning").exists()
