"""The shared library: practices teachers publish after passing Tier 4, and colleagues' use."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import connection, models
from django.db.models import Q
from django.urls import reverse

from evidence.models import Artifact, LearningResource, Submission
from goals.models import Goal, StandardComponent, SystemGoal
from pplearn.models import District, School

# The text search configuration of the stored vector and of every query against it.
SEARCH_CONFIG = "english"


def search_vector_expression():
    """The weighted vector: title A, summary B, the practice and the reflection C."""
    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("summary", weight="B", config=SEARCH_CONFIG)
        + SearchVector("practice", "reflection", weight="C", config=SEARCH_CONFIG)
    )


class LibraryEntryQuerySet(models.QuerySet):
    def published(self) -> LibraryEntryQuerySet:
        return self.filter(status=LibraryEntry.Status.PUBLISHED)

    def visible_to(self, user) -> LibraryEntryQuerySet:
        """Published entries of the user's own district; the one place that decides it."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.published()
        if user.district_id is None:
            return self.none()
        return self.published().filter(district_id=user.district_id)

    def refresh_search(self) -> int:
        """Recompute the stored search vector of these rows in one UPDATE (PostgreSQL only).

        Bulk loaders call this after inserting entries; on SQLite search reads the text.
        """
        if connection.vendor != "postgresql":
            return 0
        return self.update(search=search_vector_expression())


class LibraryEntry(models.Model):
    """One goal's finished practice, shared with colleagues of the district."""

    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"

    # The author may take an entry down and put it back at any time.
    TRANSITIONS = {
        Status.PUBLISHED: {Status.UNPUBLISHED},
        Status.UNPUBLISHED: {Status.PUBLISHED},
    }

    class Subject(models.TextChoices):
        MATH = "math", "Mathematics"
        ELA = "ela", "English language arts and literacy"
        SCIENCE = "science", "Science"
        SOCIAL_STUDIES = "social_studies", "Social studies"
        ARTS = "arts", "Arts and music"
        PE_HEALTH = "pe_health", "Physical education and health"
        WORLD_LANGUAGES = "world_languages", "World languages"
        SPECIAL_EDUCATION = "special_education", "Special education"
        ENGLISH_LEARNERS = "english_learners", "English learners"
        TECHNOLOGY = "technology", "Technology and CTE"
        ACROSS = "across", "Across subjects"

    goal = models.OneToOneField(Goal, on_delete=models.PROTECT, related_name="library_entry")
    submission = models.ForeignKey(
        Submission,
        on_delete=models.PROTECT,
        related_name="library_entries",
        help_text="The passed Tier 4 submission the entry comes from.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="library_entries"
    )
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="library_entries")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="library_entries")
    title = models.CharField(max_length=200)
    summary = models.TextField(max_length=1000)
    practice = models.TextField(
        "the practice and how to reuse it",
        help_text="What a colleague needs to try it: the steps, the materials, the timing.",
    )
    # Copied from the passed Tier 4 (which never changes once passed), so search reads one row.
    reflection = models.TextField(blank=True)
    resource_links = models.TextField(blank=True, help_text="One link per line.")
    grade_band = models.CharField(max_length=20, choices=School.GradeBand.choices)
    subject = models.CharField(max_length=30, choices=Subject.choices)
    system_goals = models.ManyToManyField(SystemGoal, related_name="library_entries", blank=True)
    standard_components = models.ManyToManyField(
        StandardComponent, related_name="library_entries", blank=True
    )
    resources = models.ManyToManyField(LearningResource, related_name="library_entries", blank=True)
    artifacts = models.ManyToManyField(Artifact, related_name="library_entries", blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PUBLISHED)
    published_at = models.DateTimeField(null=True, blank=True)
    unpublished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Filled by the service (or LibraryEntry.objects.refresh_search()); GIN-indexed on
    # PostgreSQL by migration 0002, a plain unused column on SQLite.
    search = SearchVectorField(null=True, blank=True, editable=False)

    objects = LibraryEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name_plural = "library entries"
        indexes = [
            # The list's whole order (published_at alone has ties): a search reads its most
            # recent matches by it and stops at SEARCH_CANDIDATES.
            models.Index(
                fields=["district", "status", "-published_at", "-id"], name="library_list_order_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="libraryentry_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("library:detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]

    def link_list(self) -> list[str]:
        return [line.strip() for line in self.resource_links.splitlines() if line.strip()]


class Bookmark(models.Model):
    """A colleague saved an entry to find it again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_bookmarks"
    )
    entry = models.ForeignKey(LibraryEntry, on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "entry"], name="bookmark_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} saved {self.entry}"


class TriedIt(models.Model):
    """A colleague tried the practice, with a short word for the author."""

    COMMENT_MAX = 500

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_tried"
    )
    entry = models.ForeignKey(LibraryEntry, on_delete=models.CASCADE, related_name="tried")
    comment = models.CharField(max_length=COMMENT_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = "tried it"
        verbose_name_plural = "tried it"
        constraints = [
            models.UniqueConstraint(fields=["user", "entry"], name="triedit_unique"),
        ]
        indexes = [models.Index(fields=["entry", "-updated_at"])]

    def __str__(self) -> str:
        return f"{self.user} tried {self.entry}"
