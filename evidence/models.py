"""Tier evidence: requirements, submissions with their resources and artifacts, rubrics."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from goals.models import Goal
from pplearn.models import District, School

TIERS = (1, 2, 3, 4)
TIER_NAMES = {1: "Learning", 2: "Implementation", 3: "Impact", 4: "Sharing"}


class TierRequirement(models.Model):
    """A district's rules for one tier: lengths, counts and what passing earns."""

    district = models.ForeignKey(
        District, on_delete=models.CASCADE, related_name="tier_requirements"
    )
    tier = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    min_words = models.PositiveIntegerField()
    max_words = models.PositiveIntegerField()
    min_video_seconds = models.PositiveIntegerField()
    max_video_seconds = models.PositiveIntegerField()
    min_resources = models.PositiveSmallIntegerField(default=0)
    min_research_based = models.PositiveSmallIntegerField(default=0)
    stipend = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("75.00"))
    credit = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.25"))

    class Meta:
        ordering = ["district", "tier"]
        constraints = [
            models.UniqueConstraint(fields=["district", "tier"], name="tierrequirement_unique"),
            models.CheckConstraint(
                condition=Q(max_words__gte=models.F("min_words")),
                name="tierrequirement_word_range",
            ),
            models.CheckConstraint(
                condition=Q(max_video_seconds__gte=models.F("min_video_seconds")),
                name="tierrequirement_video_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Tier {self.tier} rules of {self.district}"

    @property
    def name(self) -> str:
        return TIER_NAMES[self.tier]

    @staticmethod
    def minutes(seconds: int) -> str:
        minutes, rest = divmod(seconds, 60)
        return f"{minutes}:{rest:02d}" if rest else f"{minutes}"

    @property
    def video_range_label(self) -> str:
        return (
            f"{self.minutes(self.min_video_seconds)}-{self.minutes(self.max_video_seconds)} minutes"
        )

    @property
    def word_range_label(self) -> str:
        return f"{self.min_words}-{self.max_words} words"


# The defaults of Parkway's model (DOMAIN.md): words, video seconds, resources.
TIER_DEFAULTS = {
    1: {
        "min_words": 500,
        "max_words": 600,
        "min_video_seconds": 120,
        "max_video_seconds": 180,
        "min_resources": 2,
        "min_research_based": 1,
    },
    2: {"min_words": 250, "max_words": 350, "min_video_seconds": 60, "max_video_seconds": 120},
    3: {"min_words": 250, "max_words": 350, "min_video_seconds": 60, "max_video_seconds": 120},
    4: {"min_words": 250, "max_words": 350, "min_video_seconds": 60, "max_video_seconds": 120},
}


class SubmissionQuerySet(models.QuerySet):
    def visible_to(self, user) -> SubmissionQuerySet:
        """Submissions of goals the user may see."""
        return self.filter(goal__in=Goal.objects.visible_to(user).values("pk"))


class Submission(models.Model):
    """One version of a teacher's evidence for one tier of a goal."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for review"
        RETURNED = "returned", "Returned for revision"
        PASSED = "passed", "Passed"
        SUPERSEDED = "superseded", "Revised (earlier version)"

    # Where a submission may go next; a returned one is revised as a new version.
    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED},
        Status.SUBMITTED: {Status.DRAFT, Status.RETURNED, Status.PASSED},
        Status.RETURNED: {Status.SUPERSEDED},
        Status.PASSED: set(),
        Status.SUPERSEDED: set(),
    }

    class ReflectionFormat(models.TextChoices):
        TEXT = "text", "Written reflection"
        VIDEO = "video", "Video reflection"

    class DataType(models.TextChoices):
        FORMATIVE = "formative", "Formative assessment"
        SUMMATIVE = "summative", "Summative assessment"
        SURVEY = "survey", "Survey"
        PERCEPTUAL = "perceptual", "Perceptual data"
        CHECKLIST = "checklist", "Checklist or observation"
        OTHER = "other", "Other"

    class Results(models.TextChoices):
        POSITIVE = "positive", "Positive"
        NEGATIVE = "negative", "Negative"
        MIXED = "mixed", "Mixed"

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="submissions")
    tier = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    version = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)

    reflection_format = models.CharField(
        max_length=10, choices=ReflectionFormat.choices, default=ReflectionFormat.TEXT
    )
    reflection = models.TextField(blank=True)
    # Tier 2
    desired_outcome = models.TextField(blank=True)
    curriculum_connection = models.TextField(blank=True)
    # Tier 3
    data_type = models.CharField(max_length=20, choices=DataType.choices, blank=True)
    learning_goal_measured = models.TextField(blank=True)
    results = models.CharField(max_length=10, choices=Results.choices, blank=True)
    data_table = models.TextField(
        blank=True, help_text="A small table typed in: one row per line, cells separated by |"
    )
    # Tier 4
    practice_overview = models.TextField(blank=True)
    resource_links = models.TextField(blank=True, help_text="One link per line.")
    sharing_how = models.TextField(blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    autosaved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(
        null=True, blank=True, help_text="When a reviewer first opened it; recall ends then."
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_version"
    )
    rubric = models.ForeignKey(
        "Rubric", on_delete=models.PROTECT, null=True, blank=True, related_name="submissions"
    )

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["goal", "tier", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["goal", "tier", "version"], name="submission_unique_version"
            ),
            # One live version per tier: at most one that is not superseded.
            models.UniqueConstraint(
                fields=["goal", "tier"],
                condition=~Q(status="superseded"),
                name="submission_one_live_per_tier",
            ),
            models.CheckConstraint(
                condition=Q(tier__gte=1, tier__lte=4), name="submission_tier_1_4"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            # The review queue's page: the waiting items, oldest first, without the others.
            models.Index(
                fields=["submitted_at", "id"],
                condition=Q(status="submitted"),
                name="submission_waiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Tier {self.tier} v{self.version} of {self.goal}"

    def get_absolute_url(self) -> str:
        return reverse("evidence:submission_detail", args=[self.pk])

    @property
    def tier_name(self) -> str:
        return TIER_NAMES[self.tier]

    @property
    def claim_or_none(self) -> Claim | None:
        """The claim of whoever reviews it, or None. Templates use this: a missing `claim`
        raises, and the template language then lists the object's attributes with dir()
        before treating it as empty (about 70 microseconds a row of the review queue)."""
        try:
            return self.claim
        except ObjectDoesNotExist:
            return None

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def can_be_recalled(self) -> bool:
        return self.status == self.Status.SUBMITTED and self.opened_at is None

    @property
    def word_count(self) -> int:
        return count_words(self.reflection)

    def link_list(self) -> list[str]:
        return [line.strip() for line in self.resource_links.splitlines() if line.strip()]

    def table_rows(self) -> list[list[str]]:
        return [
            [cell.strip() for cell in line.split("|")]
            for line in self.data_table.splitlines()
            if line.strip()
        ]


def count_words(text: str) -> int:
    """Count words the way the live counter in the browser does: runs of non-space."""
    return len(text.split())


class LearningResource(models.Model):
    """A resource studied for Tier 1."""

    class Kind(models.TextChoices):
        BOOK = "book", "Book"
        ARTICLE = "article", "Article"
        WEBINAR = "webinar", "Webinar"
        COURSE = "course", "Course"
        CONFERENCE = "conference", "Conference session"
        VISIT = "visit", "Site or museum visit"
        OTHER = "other", "Other"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    citation = models.CharField("citation or URL", max_length=1000)
    research_based = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


def _artifact_path(instance: Artifact, filename: str) -> str:
    # Random names: the original name is never part of a path or a URL.
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Artifact(models.Model):
    """A file or link attached to a submission."""

    class Purpose(models.TextChoices):
        ARTIFACT = "artifact", "Artifact of practice"
        DATA = "data", "Data"
        PLAN = "plan", "Lesson plan or practice overview"
        REFLECTION_VIDEO = "reflection_video", "Video reflection"

    class Kind(models.TextChoices):
        IMAGE = "image", "Image"
        VIDEO = "video", "Video"
        AUDIO = "audio", "Audio"
        PDF = "pdf", "PDF"
        DOCUMENT = "document", "Document"
        SPREADSHEET = "spreadsheet", "Spreadsheet"
        TEXT = "text", "Text or CSV"
        LINK = "link", "Link"

    class ScanStatus(models.TextChoices):
        PENDING = "pending", "Being checked for viruses"
        CLEAN = "clean", "Clean"
        INFECTED = "infected", "Virus found; removed"
        ERROR = "error", "Virus check failed; will be retried"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="artifacts")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=300, blank=True)
    file = models.FileField(upload_to=_artifact_path, blank=True, max_length=300)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    shows_students = models.BooleanField(
        default=False,
        help_text="Shows students' faces or names: never shared beyond this goal's people.",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Without CLAMAV_SOCKET every file is clean at once; with it a file waits for clamd.
    scan_status = models.CharField(
        max_length=10, choices=ScanStatus.choices, default=ScanStatus.CLEAN
    )
    # A tombstone: the file was deleted under the district's retention policy; the row stays
    # so the submission's history still says what was there.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(url=""))
                | (~Q(file="") & Q(url=""))
                | (Q(file="") & Q(url="") & Q(removed_at__isnull=False)),
                name="artifact_file_or_link",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.original_name or self.url

    def get_absolute_url(self) -> str:
        return reverse("evidence:artifact_download", args=[self.pk])

    @property
    def is_link(self) -> bool:
        return not self.file

    @property
    def is_held_by_scan(self) -> bool:
        """Whether the virus scan keeps the file from being downloaded."""
        return self.scan_status != self.ScanStatus.CLEAN


class Rubric(models.Model):
    """One version of a district's scoring guide for a tier; editing makes a new version."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="rubrics")
    tier = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    version = models.PositiveSmallIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["district", "tier", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "tier", "version"], name="rubric_unique_version"
            ),
            models.UniqueConstraint(
                fields=["district", "tier"],
                condition=Q(is_current=True),
                name="rubric_one_current_per_tier",
            ),
        ]

    def __str__(self) -> str:
        return f"Tier {self.tier} scoring guide v{self.version}"


class RubricCriterion(models.Model):
    """One row of a scoring guide, scored 'Not yet on track' or 'On track'."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    not_yet = models.TextField("not yet on track")
    on_track = models.TextField("on track")
    is_prerequisite = models.BooleanField(
        default=False, help_text="Checked by the system: the earlier tiers are complete."
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class ReviewPolicy(models.Model):
    """A district's choices about scoring and compensation."""

    class Compensation(models.TextChoices):
        STIPEND = "stipend", "Stipend"
        CREDIT = "credit", "District credit"
        BOTH = "both", "Stipend and credit"
        NONE = "none", "Neither (recognition only)"

    district = models.OneToOneField(
        District, on_delete=models.CASCADE, related_name="review_policy"
    )
    compensation = models.CharField(
        max_length=10, choices=Compensation.choices, default=Compensation.STIPEND
    )
    cap_count = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="How many passed submissions of one tier count per person in the period "
        "(empty: no cap).",
    )
    cap_period_years = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    coaches_may_score = models.BooleanField(
        default=False, help_text="Coaches may score evidence, never of the teachers they coach."
    )
    turnaround_target_days = models.PositiveSmallIntegerField(
        default=5, help_text="School days a submission should wait at most."
    )
    student_work_retention_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        default=365,
        validators=[MinValueValidator(1)],
        help_text="Days a file showing students is kept after its goal closes (empty: keep).",
    )

    def __str__(self) -> str:
        return f"Review policy of {self.district}"

    @property
    def pays_stipend(self) -> bool:
        return self.compensation in (self.Compensation.STIPEND, self.Compensation.BOTH)

    @property
    def gives_credit(self) -> bool:
        return self.compensation in (self.Compensation.CREDIT, self.Compensation.BOTH)


class Claim(models.Model):
    """A reviewer has a submission in hand, so two never score it unknowingly."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="claim")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claims"
    )
    claimed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.submission} in review by {self.reviewer}"


class Review(models.Model):
    """The decision on one submitted version: every criterion on track passes it."""

    class Outcome(models.TextChoices):
        PASSED = "passed", "Passed"
        RETURNED = "returned", "Returned for revision"

    submission = models.OneToOneField(Submission, on_delete=models.PROTECT, related_name="review")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="reviews")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    feedback = models.TextField(blank=True)
    decided_at = models.DateTimeField(default=timezone.now, db_index=True)
    waited = models.DurationField(help_text="From submission to decision.")

    class Meta:
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.submission}"


class CriterionScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.PROTECT, related_name="+")
    on_track = models.BooleanField()
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["criterion__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="score_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {'on track' if self.on_track else 'not yet'}"


class PayrollBatch(models.Model):
    """A numbered export of payouts; it can be downloaded again at any time."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="payroll_batches")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The lines as they were exported: a later rename or school move never changes a file
    # payroll has already been sent.
    rows = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["district", "number"], name="payrollbatch_number"),
        ]

    def __str__(self) -> str:
        return f"Payroll batch {self.number}"


class Payout(models.Model):
    """A ledger entry: what passing one tier earned one teacher."""

    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payouts"
    )
    submission = models.OneToOneField(Submission, on_delete=models.PROTECT, related_name="payout")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="payouts")
    tier = models.PositiveSmallIntegerField()
    amount = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    credit = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))
    note = models.CharField(max_length=200, blank=True)
    passed_at = models.DateTimeField(default=timezone.now)
    batch = models.ForeignKey(
        PayrollBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="payouts"
    )

    class Meta:
        ordering = ["passed_at", "pk"]
        indexes = [
            models.Index(
                fields=["district", "passed_at"],
                condition=Q(batch__isnull=True),
                name="payout_unexported_idx",
            ),
            models.Index(fields=["teacher", "tier", "passed_at"]),
        ]

    def __str__(self) -> str:
        return f"Tier {self.tier} payout to {self.teacher}"


class QueueTallyQuerySet(models.QuerySet):
    def recount(self, school_ids=None) -> list[tuple[int, int, int, int]]:
        """(school, tier, waiting, claimed) counted from the submissions themselves."""
        items = Submission.objects.filter(status=Submission.Status.SUBMITTED)
        if school_ids is not None:
            items = items.filter(goal__school_id__in=school_ids)
        rows = (
            items.order_by()
            .values_list("goal__school_id", "tier")
            .annotate(waiting=models.Count("pk"), claimed=models.Count("claim"))
        )
        return sorted(rows)

    def rebuild(self, school_ids=None) -> int:
        """Count the tallies of these schools (all: None) again from the submissions."""
        stale = self.all() if school_ids is None else self.filter(school_id__in=school_ids)
        stale.delete()
        rows = [
            QueueTally(school_id=school, tier=tier, waiting=waiting, claimed=claimed)
            for school, tier, waiting, claimed in self.recount(school_ids)
        ]
        self.bulk_create(rows)
        return len(rows)


class QueueTally(models.Model):
    """How many submitted items wait at one school in one tier, and how many are in review.

    PostgreSQL keeps it with triggers (migration 0006) on every change of a submission's
    status, of a claim, or of a goal's school, whatever makes the change, so the review queue
    reads a few rows per school instead of counting every waiting item (issue 8). A tally is
    never read on other databases: the queue counts there. `rebuild()` counts again.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    tier = models.PositiveSmallIntegerField()
    waiting = models.IntegerField(default=0)
    claimed = models.IntegerField(default=0)

    objects = QueueTallyQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "tier"], name="queuetally_school_tier"),
        ]

    def __str__(self) -> str:
        return f"Tier {self.tier} at {self.school_id}: {self.waiting} waiting"
