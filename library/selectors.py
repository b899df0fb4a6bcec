"""Reads behind the library pages, with their joins and counts done in the database."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from evidence.models import Artifact, LearningResource
from goals.models import StandardComponent, SystemGoal
from pplearn.models import School

from .models import SEARCH_CONFIG, Bookmark, LibraryEntry, TriedIt

# How many colleagues' comments the recognition pages show per entry.
LATEST_COMMENTS = 3
# A search ranks the most recent matches only, so that a common word costs the same in a
# district of 250 teachers and one of 25,000 (issue 8); more words or a filter look further.
SEARCH_CANDIDATES = 200
# What the list's cards never show.
LONG_FIELDS = ("practice", "reflection", "resource_links", "search")


def _count(model, **filters) -> Coalesce:
    counted = (
        model.objects.filter(entry=OuterRef("pk"), **filters)
        .order_by()
        .values("entry")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_counts(entries: QuerySet[LibraryEntry]) -> QuerySet[LibraryEntry]:
    """Annotate how many colleagues saved and tried each entry (subqueries: no fan-out)."""
    return entries.annotate(bookmark_count=_count(Bookmark), tried_count=_count(TriedIt))


def _with_card_data(entries: QuerySet[LibraryEntry], user) -> QuerySet[LibraryEntry]:
    return (
        with_counts(entries)
        .select_related("author", "school")
        .prefetch_related(
            Prefetch("system_goals", queryset=SystemGoal.objects.order_by("title")),
            Prefetch(
                "standard_components",
                queryset=StandardComponent.objects.select_related("domain").order_by(
                    "domain__position", "position", "name"
                ),
            ),
        )
        .annotate(
            is_bookmarked=Exists(Bookmark.objects.filter(entry=OuterRef("pk"), user=user)),
        )
    )


@dataclass
class LibraryFilters:
    q: str = ""
    system_goal: int | None = None
    standard: int | None = None
    grade_band: str = ""
    subject: str = ""
    school: int | None = None

    @property
    def any(self) -> bool:
        return bool(
            self.q
            or self.system_goal
            or self.standard
            or self.grade_band
            or self.subject
            or self.school
        )


def searches_words(q: str) -> bool:
    """Whether the search box holds anything to search for (not only punctuation)."""
    return any(ch.isalnum() for ch in q)


def entry_search(entries: QuerySet[LibraryEntry], q: str) -> QuerySet[LibraryEntry]:
    """Entries matching the words, best first among the most recent SEARCH_CANDIDATES
    (PostgreSQL), or containing every word."""
    q = q.strip()
    if not searches_words(q):
        # Only punctuation: nothing to search for, so the list stays as it is.
        return entries
    if connection.vendor == "postgresql":
        query = SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)
        # The candidates come by the list's index (or the GIN index for a rare word); only
        # they are ranked, and counting them never ranks.
        candidates = (
            entries.filter(search=query)
            .order_by("-published_at", "-pk")
            .values("pk")[:SEARCH_CANDIDATES]
        )
        return (
            LibraryEntry.objects.filter(pk__in=candidates)
            .annotate(rank=SearchRank(F("search"), query))
            .order_by("-rank", "-published_at", "-pk")
        )
    for word in q.split():
        entries = entries.filter(
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(practice__icontains=word)
            | Q(reflection__icontains=word)
        )
    return entries


def entries_for_library(*, user, filters: LibraryFilters) -> QuerySet[LibraryEntry]:
    """The published entries of the user's district that match the search and filters."""
    entries = LibraryEntry.objects.visible_to(user)
    if filters.system_goal:
        entries = entries.filter(
            pk__in=LibraryEntry.system_goals.through.objects.filter(
                systemgoal_id=filters.system_goal
            ).values("libraryentry_id")
        )
    if filters.standard:
        entries = entries.filter(
            pk__in=LibraryEntry.standard_components.through.objects.filter(
                standardcomponent_id=filters.standard
            ).values("libraryentry_id")
        )
    if filters.grade_band:
        entries = entries.filter(grade_band=filters.grade_band)
    if filters.subject:
        entries = entries.filter(subject=filters.subject)
    if filters.school:
        entries = entries.filter(school_id=filters.school)
    entries = entries.order_by("-published_at", "-pk")
    entries = entry_search(entries, filters.q)
    # A card shows the title and summary: the long texts and the search vector stay behind
    # (a search reads up to SEARCH_CANDIDATES rows to rank them).
    return _with_card_data(entries.defer(*LONG_FIELDS), user)


def filter_choices(user) -> dict:
    """The options of the library's filters: things of the user's own district."""
    district_id = user.district_id
    return {
        "system_goals": list(
            SystemGoal.objects.filter(district_id=district_id).order_by("title").only("title")
        ),
        "standards": list(
            StandardComponent.objects.filter(domain__framework__district_id=district_id)
            .select_related("domain")
            .order_by("domain__framework__name", "domain__position", "position", "name")
        ),
        "schools": list(
            School.objects.filter(district_id=district_id, is_active=True)
            .order_by("name")
            .values_list("pk", "name")
        ),
        "grade_bands": School.GradeBand.choices,
        "subjects": LibraryEntry.Subject.choices,
    }


def entry_for_page(entry: LibraryEntry, *, user) -> LibraryEntry:
    """The entry with what its page shows, in a fixed number of queries."""
    return (
        _with_card_data(LibraryEntry.objects.filter(pk=entry.pk), user)
        .select_related("district", "goal", "goal__school_year")
        .prefetch_related(
            Prefetch(
                "resources",
                queryset=LearningResource.objects.order_by("position", "pk"),
            ),
            # Read-time guard as well: an artifact marked as showing students after it was
            # chosen never shows.
            Prefetch(
                "artifacts",
                queryset=Artifact.objects.filter(shows_students=False).order_by(
                    "uploaded_at", "pk"
                ),
            ),
        )
        .annotate(
            has_tried=Exists(TriedIt.objects.filter(entry=OuterRef("pk"), user=user)),
        )
        .get()
    )


def tried_it_of(entry: LibraryEntry, user) -> TriedIt | None:
    return TriedIt.objects.filter(entry=entry, user=user).first()


def tried_comments(entry: LibraryEntry) -> QuerySet[TriedIt]:
    """Every colleague who tried the entry, newest first (the author's recognition)."""
    return entry.tried.select_related("user").order_by("-updated_at", "-pk")


def _latest_tried() -> Prefetch:
    latest = (
        TriedIt.objects.annotate(
            row=Window(RowNumber(), partition_by=[F("entry_id")], order_by=[F("updated_at").desc()])
        )
        .filter(row__lte=LATEST_COMMENTS)
        .select_related("user")
        .order_by("-updated_at", "-pk")
    )
    return Prefetch("tried", queryset=latest, to_attr="latest_tried")


def entries_of_author(*, user) -> QuerySet[LibraryEntry]:
    """The author's entries, published or not, with counts and the latest comments."""
    return (
        with_counts(LibraryEntry.objects.filter(author=user))
        .select_related("school")
        .prefetch_related(_latest_tried())
        .order_by("-updated_at", "-pk")
    )


def entries_bookmarked(*, user) -> QuerySet[LibraryEntry]:
    """The user's saved entries still in their library, most recently saved first."""
    saved_at = Bookmark.objects.filter(entry=OuterRef("pk"), user=user).values("created_at")
    return (
        _with_card_data(LibraryEntry.objects.visible_to(user).filter(bookmarks__user=user), user)
        .annotate(saved_at=Subquery(saved_at[:1]))
        .order_by("-saved_at", "-pk")
    )


def entries_of_school(*, school: School) -> QuerySet[LibraryEntry]:
    """Published entries of a school's teachers, most tried first, with the latest comments."""
    return (
        with_counts(LibraryEntry.objects.published().filter(school=school))
        .select_related("author")
        .prefetch_related(_latest_tried())
        .order_by("-tried_count", "-bookmark_count", "-published_at", "-pk")
    )
