"""The library pages as people use them: consent and privacy, publishing, saving, trying,
recognition, and a query count that does not grow with the library."""

from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evidence.models import Artifact
from library import services
from library.models import Bookmark, LibraryEntry, TriedIt
from pplearn.models import AuditEvent, Role
from tests.evidence.evidence_factories import approved_goal, messages_of, passed_tiers
from tests.factories import make_person
from tests.library.library_factories import (
    artifact,
    colleague,
    publish,
    resource,
    stranger,
    tier4_goal,
    tier4_of,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def shared(world):
    """A published entry with an allowed file, a link, and a photo that shows students."""
    goal = tier4_goal(world, reflection="Lessons learned: start with dot images.")
    tier4 = tier4_of(goal)
    plan = artifact(tier4, title="Number talk plan")
    link = artifact(tier4, title="Slides", link=True)
    faces = artifact(tier4, title="Students at the board", shows_students=True)
    book = resource(goal.submissions.get(tier=1))
    entry = publish(goal, artifact_ids=[plan.pk, link.pk, faces.pk], resource_ids=[book.pk])
    return {"goal": goal, "entry": entry, "plan": plan, "link": link, "faces": faces}


def detail_url(entry) -> str:
    return reverse("library:detail", args=[entry.pk])


def download_url(entry, item) -> str:
    return reverse("library:artifact_download", args=[entry.pk, item.pk])


# Consent and privacy ------------------------------------------------------------------


def test_publish_form_never_lists_an_artifact_showing_students(client, world, shared):
    client.force_login(world.teacher)
    response = client.get(reverse("library:publish", args=[shared["goal"].pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Number talk plan" in page
    assert "Students at the board" not in page
    assert f'name="artifacts" value="{shared["faces"].pk}"' not in page
    assert f'name="artifacts" value="{shared["plan"].pk}"' in page
    assert "1 file showing students stays private" in page


def test_posting_the_id_of_an_artifact_showing_students_leaves_it_out(client, world):
    goal = tier4_goal(world)
    plan = artifact(tier4_of(goal), title="Plan")
    faces = artifact(tier4_of(goal), title="Faces", shows_students=True)
    client.force_login(world.teacher)
    response = client.post(
        reverse("library:publish", args=[goal.pk]),
        {
            "title": "Number talks",
            "summary": "Daily talks.",
            "practice": "Ten minutes a day.",
            "grade_band": "elementary",
            "subject": "math",
            "artifacts": [plan.pk, faces.pk],
        },
    )
    entry = LibraryEntry.objects.get()
    assert response.status_code == 302
    assert response.url == detail_url(entry)
    assert list(entry.artifacts.all()) == [plan]


def test_detail_shows_allowed_files_only(client, world, shared):
    entry = shared["entry"]
    # Even if a row slipped in (marked later, bulk loaded), the page leaves it out.
    entry.artifacts.add(shared["faces"])
    client.force_login(colleague(world))
    response = client.get(detail_url(entry))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Number talk plan" in page
    assert download_url(entry, shared["plan"]) in page
    assert "https://example.org/x" in page
    assert "Students at the board" not in page
    assert download_url(entry, shared["faces"]) not in page
    assert "Lessons learned: start with dot images." in page
    assert "Number Talks (Parrish, 2010)" in page
    assert "https://example.org/number-talks" in page


def test_download_of_an_allowed_file_is_served_and_audited(client, world, shared):
    reader = colleague(world)
    client.force_login(reader)
    response = client.get(download_url(shared["entry"], shared["plan"]) + "?download=1")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, max-age=0, no-store"
    assert "sandbox" in response["Content-Security-Policy"]
    assert unquote(response["Content-Disposition"]).startswith("attachment;")
    assert "Number talk plan.png" in unquote(response["Content-Disposition"])
    event = AuditEvent.objects.get(verb="library.artifact_download")
    assert event.actor == reader
    assert event.target_id == str(shared["plan"].pk)
    assert event.data == {"entry": shared["entry"].pk}


def test_download_refused_for_students_links_other_districts_and_other_entries(
    client, world, shared
):
    entry = shared["entry"]
    entry.artifacts.add(shared["faces"])
    client.force_login(colleague(world))
    assert client.get(download_url(entry, shared["faces"])).status_code == 404
    assert client.get(download_url(entry, shared["link"])).status_code == 404
    # A file of the goal that was not chosen for the entry.
    unchosen = artifact(tier4_of(shared["goal"]), title="Not chosen")
    assert client.get(download_url(entry, unchosen)).status_code == 404
    client.force_login(stranger(world))
    assert client.get(download_url(entry, shared["plan"])).status_code == 404
    assert not AuditEvent.objects.filter(verb="library.artifact_download").exists()


def test_an_artifact_marked_as_showing_students_after_publishing_disappears(client, world, shared):
    Artifact.objects.filter(pk=shared["plan"].pk).update(shows_students=True)
    client.force_login(colleague(world))
    page = client.get(detail_url(shared["entry"])).content.decode()
    assert "Number talk plan" not in page
    assert client.get(download_url(shared["entry"], shared["plan"])).status_code == 404


def test_unpublished_entry_404s_for_everyone_but_its_author(client, world, shared):
    entry = shared["entry"]
    services.entry_unpublish(entry=entry, actor=world.teacher)
    for person in (colleague(world), world.principal, world.coordinator, world.district_admin):
        client.force_login(person)
        assert client.get(detail_url(entry)).status_code == 404
        assert client.get(download_url(entry, shared["plan"])).status_code == 404
        assert client.post(reverse("library:bookmark", args=[entry.pk])).status_code == 404
        assert (
            client.post(reverse("library:tried", args=[entry.pk]), {"comment": ""}).status_code
            == 404
        )
        assert entry.title not in client.get(reverse("library:list")).content.decode()
    client.force_login(world.teacher)
    response = client.get(detail_url(entry))
    assert response.status_code == 200
    assert "only you can see it" in response.content.decode()


def test_other_district_gets_404_and_sees_nothing(client, world, shared):
    client.force_login(world.outsider)
    assert client.get(detail_url(shared["entry"])).status_code == 404
    response = client.get(reverse("library:list"))
    assert shared["entry"].title not in response.content.decode()
    assert response.context["page"].paginator.count == 0
    assert client.get(reverse("library:list"), {"q": "number"}).context["page"].paginator.count == 0


def test_pages_need_a_sign_in(client, shared):
    for url in (
        reverse("library:list"),
        detail_url(shared["entry"]),
        reverse("library:mine"),
        reverse("library:saved"),
        reverse("library:school_recognition"),
        download_url(shared["entry"], shared["plan"]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/sign-in/" in response.url


# Publishing ----------------------------------------------------------------------------


def test_publish_form_is_the_goal_teachers_only(client, world):
    goal = tier4_goal(world)
    url = reverse("library:publish", args=[goal.pk])
    client.force_login(world.principal)  # sees the goal, but it is not theirs
    assert client.get(url).status_code == 404
    client.force_login(colleague(world))
    assert client.get(url).status_code == 404
    assert not LibraryEntry.objects.exists()


def test_publish_form_sends_back_a_goal_without_a_passed_tier4(client, world):
    goal = approved_goal(world)
    passed_tiers(goal, 1, 2, 3)
    client.force_login(world.teacher)
    response = client.get(reverse("library:publish", args=[goal.pk]), follow=True)
    assert response.redirect_chain[-1][0] == goal.get_absolute_url()
    assert "once its Tier 4 has passed" in " ".join(messages_of(response))
    response = client.post(
        reverse("library:publish", args=[goal.pk]),
        {"title": "x", "summary": "x", "practice": "x", "grade_band": "elementary"},
    )
    assert response.status_code == 302
    assert not LibraryEntry.objects.exists()


def test_publish_form_prefills_from_the_goal_and_shows_errors(client, world):
    goal = tier4_goal(world, title="Number talks every morning")
    client.force_login(world.teacher)
    url = reverse("library:publish", args=[goal.pk])
    form = client.get(url).context["form"]
    assert form.initial["title"] == "Number talks every morning"
    assert form.initial["practice"].startswith("Ten minutes a day")
    response = client.post(url, {"title": "", "summary": "", "practice": ""})
    assert response.status_code == 422
    assert response.context["form"].errors["title"]
    assert not LibraryEntry.objects.exists()


def test_the_passed_tier4_page_offers_sharing(client, world):
    goal = tier4_goal(world)
    client.force_login(world.teacher)
    page = client.get(tier4_of(goal).get_absolute_url()).content.decode()
    assert reverse("library:publish", args=[goal.pk]) in page
    tier3 = goal.submissions.get(tier=3)
    assert (
        reverse("library:publish", args=[goal.pk])
        not in client.get(tier3.get_absolute_url()).content.decode()
    )


def test_my_entries_unpublish_and_republish(client, world, shared):
    entry = shared["entry"]
    reader = colleague(world)
    services.bookmark_toggle(entry=entry, actor=reader)
    services.tried_it_record(entry=entry, actor=reader, comment="My class loved it.")
    client.force_login(world.teacher)
    page = client.get(reverse("library:mine")).content.decode()
    assert "1 saved" in page
    assert "1 tried it" in page
    assert "My class loved it." in page
    response = client.post(reverse("library:unpublish", args=[entry.pk]), follow=True)
    assert "out of the library" in " ".join(messages_of(response))
    assert LibraryEntry.objects.get().status == LibraryEntry.Status.UNPUBLISHED
    client.post(reverse("library:republish", args=[entry.pk]))
    assert LibraryEntry.objects.get().status == LibraryEntry.Status.PUBLISHED
    client.force_login(reader)
    assert client.post(reverse("library:unpublish", args=[entry.pk])).status_code == 404
    assert LibraryEntry.objects.get().status == LibraryEntry.Status.PUBLISHED
    assert client.get(reverse("library:unpublish", args=[entry.pk])).status_code == 405


# Saving and trying ---------------------------------------------------------------------


def test_bookmark_with_htmx_returns_the_button(client, world, shared):
    entry = shared["entry"]
    reader = colleague(world)
    client.force_login(reader)
    url = reverse("library:bookmark", args=[entry.pk])
    response = client.post(url, headers=HTMX)
    assert response.status_code == 200
    assert 'aria-pressed="true"' in response.content.decode()
    assert Bookmark.objects.filter(user=reader, entry=entry).exists()
    response = client.post(url, headers=HTMX)
    assert 'aria-pressed="false"' in response.content.decode()
    assert not Bookmark.objects.exists()


def test_bookmark_without_javascript_returns_to_the_page(client, world, shared):
    entry = shared["entry"]
    client.force_login(colleague(world))
    url = reverse("library:bookmark", args=[entry.pk])
    response = client.post(url, {"next": "https://evil.example/"})
    assert response.status_code == 302
    assert response.url == detail_url(entry)
    response = client.post(url, {"next": reverse("library:saved")}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("library:saved")
    assert "Removed from your list." in messages_of(response)


def test_saved_page_lists_my_bookmarks_only(client, world, shared):
    reader = colleague(world)
    other = colleague(world)
    second = publish(tier4_goal(world, title="Exit tickets"))
    services.bookmark_toggle(entry=shared["entry"], actor=reader)
    services.bookmark_toggle(entry=second, actor=other)
    client.force_login(reader)
    page = client.get(reverse("library:saved"))
    assert [e.title for e in page.context["page"].object_list] == [shared["entry"].title]
    services.entry_unpublish(entry=shared["entry"], actor=world.teacher)
    assert list(client.get(reverse("library:saved")).context["page"].object_list) == []
    assert "Nothing saved yet" in client.get(reverse("library:saved")).content.decode()


def test_tried_it_with_a_comment_then_changed(client, world, shared):
    entry = shared["entry"]
    reader = colleague(world)
    client.force_login(reader)
    url = reverse("library:tried", args=[entry.pk])
    response = client.post(url, {"comment": "Worked in grade 5."})
    assert response.status_code == 302
    client.post(url, {"comment": "Worked in grade 5 and 6."})
    assert TriedIt.objects.get(user=reader).comment == "Worked in grade 5 and 6."
    response = client.post(url, {"comment": "x" * 501})
    assert response.status_code == 422
    assert TriedIt.objects.get(user=reader).comment == "Worked in grade 5 and 6."
    page = client.get(detail_url(entry)).content.decode()
    assert "Update my comment" in page


def test_author_sees_counts_and_comments_on_the_entry(client, world, shared):
    entry = shared["entry"]
    for n in range(2):
        reader = colleague(world)
        services.bookmark_toggle(entry=entry, actor=reader)
        services.tried_it_record(entry=entry, actor=reader, comment=f"Comment {n}")
    client.force_login(world.teacher)
    response = client.get(detail_url(entry))
    page = response.content.decode()
    assert "2 saved" in page
    assert "2 tried it" in page
    assert "Comment 0" in page
    assert "Comment 1" in page
    assert "I tried this" not in page  # not on one's own entry


# Search page -----------------------------------------------------------------------------


def test_search_box_keeps_its_value_and_empty_state(client, world, shared):
    client.force_login(colleague(world))
    response = client.get(reverse("library:list"), {"q": "photosynthesis"})
    page = response.content.decode()
    assert 'value="photosynthesis"' in page
    assert "Nothing matches yet" in page
    response = client.get(reverse("library:list"), {"q": "dot images"})
    assert [e.title for e in response.context["page"].object_list] == [shared["entry"].title]
    response = client.get(reverse("library:list"), {"q": "dot images"}, headers=HTMX)
    assert "<html" not in response.content.decode()
    assert shared["entry"].title in response.content.decode()


def test_empty_library(client, world):
    client.force_login(world.teacher)
    assert "The library is empty for now" in client.get(reverse("library:list")).content.decode()


def test_list_paginates_and_keeps_the_search_in_the_links(client, world):
    for n in range(14):
        publish(tier4_goal(world, title=f"Number talks {n}"))
    client.force_login(colleague(world))
    response = client.get(reverse("library:list"), {"q": "number", "subject": "math"})
    assert len(response.context["page"].object_list) == 12
    assert "q=number&amp;subject=math&amp;page=2" in response.content.decode()
    response = client.get(reverse("library:list"), {"q": "number", "page": 2})
    assert len(response.context["page"].object_list) == 2


def test_the_school_filter_offers_the_districts_schools_and_keeps_the_choice(client, world):
    client.force_login(colleague(world))

    page = client.get(reverse("library:list"), {"school": world.school_b.pk}).content.decode()

    assert f'<option value="{world.school_b.pk}" selected>Lincoln Middle</option>' in page
    assert f'<option value="{world.school_a.pk}">Cedar Creek Elementary</option>' in page
    assert "Far Away High" not in page


def test_bad_filter_values_are_ignored(client, world, shared):
    client.force_login(colleague(world))
    response = client.get(
        reverse("library:list"), {"school": "x", "grade_band": "nope", "system_goal": "1'"}
    )
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 1


# Recognition -----------------------------------------------------------------------------


def test_principal_sees_recognition_of_their_school(client, world, shared):
    entry = shared["entry"]
    readers = [colleague(world) for _ in range(4)]
    for n, reader in enumerate(readers):
        services.bookmark_toggle(entry=entry, actor=reader)
        services.tried_it_record(entry=entry, actor=reader, comment=f"Note {n}")
    # A school B entry is not school A's recognition.
    publish(tier4_goal(world, teacher=readers[0], title="Lincoln practice"))
    client.force_login(world.principal)
    response = client.get(reverse("library:school_recognition"))
    page = response.content.decode()
    assert response.status_code == 200
    assert [e.title for e in response.context["entries"]] == [entry.title]
    row = response.context["entries"][0]
    assert (row.bookmark_count, row.tried_count) == (4, 4)
    # The three latest comments, newest first.
    assert [t.comment for t in row.latest_tried] == ["Note 3", "Note 2", "Note 1"]
    assert "Note 0" not in page
    assert "Lincoln practice" not in page


def test_recognition_is_for_principals_only(client, world, shared):
    for person in (world.teacher, world.coach, world.coordinator, world.outsider):
        client.force_login(person)
        assert client.get(reverse("library:school_recognition")).status_code == 404


def test_principal_of_two_schools_chooses_one_never_another(client, world, shared):
    principal = make_person(Role.PRINCIPAL, school=world.school_b)
    client.force_login(principal)
    response = client.get(reverse("library:school_recognition"), {"school": world.school_a.pk})
    assert response.context["school"] == world.school_b
    assert response.context["entries"] == []


def test_principal_home_links_to_recognition(client, world):
    client.force_login(world.principal)
    page = client.get(reverse("home"), follow=True).content.decode()
    assert reverse("library:school_recognition") in page


# Query counts ----------------------------------------------------------------------------


def _grow(world, count: int) -> None:
    for n in range(count):
        teacher = colleague(world, school=world.school_a)
        goal = tier4_goal(world, teacher=teacher, title=f"Practice {n} {teacher.pk}")
        entry = publish(
            goal,
            artifact_ids=[artifact(tier4_of(goal), title=f"File {n}").pk],
            resource_ids=[resource(goal.submissions.get(tier=1)).pk],
        )
        reader = colleague(world)
        services.bookmark_toggle(entry=entry, actor=reader)
        services.tried_it_record(entry=entry, actor=reader, comment="Good")


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("params", [{}, {"q": "practice"}])
def test_list_query_count_does_not_grow(client, world, django_assert_max_num_queries, params):
    reader = colleague(world)
    client.force_login(reader)
    url = reverse("library:list")
    _grow(world, 2)
    _count(client, url, params)  # the first request of a session does a little more
    small = _count(client, url, params)
    _grow(world, 9)
    assert _count(client, url, params) == small
    with django_assert_max_num_queries(small):
        client.get(url, params)


@pytest.mark.parametrize("name", ["library:mine", "library:saved", "library:school_recognition"])
def test_other_pages_query_count_does_not_grow(client, world, name):
    _grow(world, 2)
    person = world.principal if name == "library:school_recognition" else world.teacher
    client.force_login(person)
    url = reverse(name)
    _count(client, url)
    small = _count(client, url)
    _grow(world, 6)
    assert _count(client, url) == small


def test_detail_query_count_does_not_grow(client, world, shared):
    entry = shared["entry"]
    client.force_login(world.teacher)  # the author: the page also lists every comment
    url = detail_url(entry)
    _count(client, url)
    small = _count(client, url)
    goal = shared["goal"]
    for n in range(6):
        services.tried_it_record(entry=entry, actor=colleague(world), comment=f"c{n}")
    more = [artifact(tier4_of(goal), title=f"Extra {n}") for n in range(4)]
    publish(goal, artifact_ids=[shared["plan"].pk, *(a.pk for a in more)])
    assert _count(client, url) == small
    reader = colleague(world)
    client.force_login(reader)
    _count(client, url)
    assert _count(client, url) <= small
