"""Full-text search ranked by relevance on PostgreSQL, the SQLite fallback, and the filters."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from library import selectors, services
from library.models import LibraryEntry
from library.selectors import LibraryFilters
from tests.goals.goal_factories import SystemGoalFactory
from tests.library.library_factories import colleague, publish, stranger, tier4_goal

pytestmark = pytest.mark.django_db


def titles(user, **filters) -> list[str]:
    return [
        e.title for e in selectors.entries_for_library(user=user, filters=LibraryFilters(**filters))
    ]


@pytest.fixture
def shelf(world):
    """Three entries by three teachers of school A, and a reader at school B."""
    discourse = tier4_goal(
        world,
        title="Number talks every morning",
        reflection="Sharing it at the PLC showed me that sentence frames help newcomers.",
    )
    feedback = tier4_goal(
        world,
        teacher=colleague(world, school=world.school_a),
        title="Feedback students act on",
        reflection="Colleagues asked for my feedback codes; next time I start with number "
        "talks so students have words for their thinking.",
    )
    circles = tier4_goal(
        world,
        teacher=colleague(world, school=world.school_a),
        title="Community circles in advisory",
        reflection="The circle prompts travelled well to other grades.",
    )
    return SimpleNamespace(
        discourse=publish(discourse),
        feedback=publish(feedback, subject=LibraryEntry.Subject.ELA),
        circles=publish(
            circles,
            subject=LibraryEntry.Subject.ACROSS,
            grade_band="middle",
            summary="Weekly circles that build belonging.",
            practice="Sit in a circle, pass a talking piece, one prompt a week.",
        ),
        reader=colleague(world),
        world=world,
    )


def test_the_suite_searches_on_postgresql():
    assert connection.vendor == "postgresql"


def test_search_vector_is_stored_and_weighted(shelf):
    entry = LibraryEntry.objects.get(pk=shelf.discourse.pk)
    vector = str(entry.search)
    assert "'number':1A" in vector
    assert "'newcom'" in vector  # a word of the reflection, stemmed, in the vector


def test_search_finds_words_of_the_tier4_reflection(shelf):
    assert titles(shelf.reader, q="newcomers") == ["Number talks every morning"]
    assert titles(shelf.reader, q="travelled") == ["Community circles in advisory"]


def test_search_finds_words_of_the_title(shelf):
    assert titles(shelf.reader, q="community circles") == ["Community circles in advisory"]


def test_a_title_match_ranks_above_a_reflection_match(shelf):
    # Both mention number talks: one in its title (weight A), one only in its reflection (C).
    assert titles(shelf.reader, q="number talks") == [
        "Number talks every morning",
        "Feedback students act on",
    ]


def test_websearch_syntax_excludes_and_quotes(shelf):
    assert titles(shelf.reader, q="number talks -feedback") == ["Number talks every morning"]
    assert titles(shelf.reader, q='"talking piece"') == ["Community circles in advisory"]


def test_no_match_is_empty_and_nonsense_does_not_error(shelf):
    assert titles(shelf.reader, q="photosynthesis") == []
    assert titles(shelf.reader, q='" - ( ) & | !') == titles(shelf.reader)


def test_search_leaves_out_unpublished_and_other_districts(world, shelf):
    services.entry_unpublish(entry=shelf.circles, actor=shelf.circles.author)
    assert titles(shelf.reader, q="circles") == []
    assert titles(stranger(world), q="number talks") == []
    assert titles(stranger(world)) == []


def test_without_a_search_the_newest_come_first(shelf):
    assert titles(shelf.reader) == [
        "Community circles in advisory",
        "Feedback students act on",
        "Number talks every morning",
    ]


def test_filters(world, shelf):
    system_goal = SystemGoalFactory(district=world.district, title="Belonging")
    shelf.circles.system_goals.add(system_goal)
    assert titles(shelf.reader, system_goal=system_goal.pk) == ["Community circles in advisory"]
    assert titles(shelf.reader, subject="ela") == ["Feedback students act on"]
    assert titles(shelf.reader, grade_band="middle") == ["Community circles in advisory"]
    assert titles(shelf.reader, school=world.school_b.pk) == []
    assert len(titles(shelf.reader, school=world.school_a.pk)) == 3
    assert titles(shelf.reader, q="number", subject="math") == ["Number talks every morning"]


def test_standard_filter(world, shelf):
    from goals.models import StandardComponent, StandardDomain, StandardsFramework

    framework = StandardsFramework.objects.create(district=world.district, name="Danielson")
    domain = StandardDomain.objects.create(framework=framework, code="3", name="Instruction")
    component = StandardComponent.objects.create(domain=domain, code="3b", name="Questioning")
    shelf.feedback.standard_components.add(component)
    assert titles(shelf.reader, standard=component.pk) == ["Feedback students act on"]


def test_sqlite_fallback_needs_every_word(shelf, monkeypatch):
    monkeypatch.setattr(selectors, "connection", SimpleNamespace(vendor="sqlite"))
    assert titles(shelf.reader, q="newcomers frames") == ["Number talks every morning"]
    assert titles(shelf.reader, q="newcomers circle") == []
    assert titles(shelf.reader, q="CIRCLES") == ["Community circles in advisory"]


def test_bulk_refresh_fills_the_vector_in_one_update(shelf, django_assert_num_queries):
    LibraryEntry.objects.update(search=None)
    with django_assert_num_queries(1):
        assert LibraryEntry.objects.all().refresh_search() == 3
    assert titles(shelf.reader, q="newcomers") == ["Number talks every morning"]


# A search ranks its most recent matches only (issue 8) ------------------------------------


@pytest.fixture
def two_candidates(monkeypatch, shelf):
    """Rank only the two most recent matches: discourse (the oldest) is left out."""
    monkeypatch.setattr(selectors, "SEARCH_CANDIDATES", 2)
    return shelf


def test_only_the_most_recent_matches_are_ranked(two_candidates):
    # Three entries mention number talks; the oldest, whose title would rank first, is
    # not among the two most recent, and among those the title match still comes first.
    extra = tier4_goal_published(two_candidates, "Number talks for fractions")
    assert titles(two_candidates.reader, q="number talks") == [
        extra.title,
        "Feedback students act on",
    ]


def test_a_capped_search_says_so_and_counts_without_ranking(client, two_candidates):
    tier4_goal_published(two_candidates, "Number talks for fractions")
    client.force_login(two_candidates.reader)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("library:list"), {"q": "number talks"})

    html = response.content.decode()
    assert "The 2 most recent practices found for “number talks”, best match first." in html
    assert "Add a word or a filter to look further back." in html
    counts = [q["sql"] for q in queries.captured_queries if 'COUNT(*) AS "__count"' in q["sql"]]
    assert len(counts) == 1
    assert "ts_rank" not in counts[0]
    assert "LIMIT 2" in counts[0]


def test_a_search_within_the_limit_says_how_many_it_found(client, shelf):
    client.force_login(shelf.reader)

    html = client.get(reverse("library:list"), {"q": "number talks"}).content.decode()

    assert "2 practices found for “number talks”, best match first." in html
    assert "look further back" not in html


def tier4_goal_published(shelf, title: str) -> LibraryEntry:
    world = shelf.world
    return publish(tier4_goal(world, teacher=colleague(world, school=world.school_a), title=title))
