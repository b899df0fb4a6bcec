from django.contrib import admin

from .models import (
    Artifact,
    Claim,
    CriterionScore,
    LearningResource,
    Payout,
    PayrollBatch,
    Review,
    ReviewPolicy,
    Rubric,
    RubricCriterion,
    Submission,
    TierRequirement,
)


@admin.register(TierRequirement)
class TierRequirementAdmin(admin.ModelAdmin):
    list_display = ["district", "tier", "min_words", "max_words", "stipend", "credit"]
    list_filter = ["district"]


@admin.register(ReviewPolicy)
class ReviewPolicyAdmin(admin.ModelAdmin):
    list_display = ["district", "compensation", "cap_count", "cap_period_years"]


class RubricCriterionInline(admin.TabularInline):
    model = RubricCriterion
    extra = 0


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin):
    """Scoring guides are versioned: edit them in the app, which makes a new version."""

    list_display = ["__str__", "district", "tier", "version", "is_current", "created_at"]
    list_filter = ["district", "tier", "is_current"]
    inlines = [RubricCriterionInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LearningResourceInline(admin.TabularInline):
    model = LearningResource
    extra = 0


class ArtifactInline(admin.TabularInline):
    model = Artifact
    extra = 0
    fields = ["purpose", "kind", "title", "original_name", "url", "size", "shows_students"]
    readonly_fields = ["kind", "original_name", "size"]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "tier", "version", "status", "submitted_at"]
    list_filter = ["status", "tier", "goal__school__district", "goal__school"]
    search_fields = ["goal__title", "goal__teacher__full_name"]
    readonly_fields = ["status", "submitted_at", "opened_at", "decided_at", "previous", "rubric"]
    raw_id_fields = ["goal"]
    inlines = [LearningResourceInline, ArtifactInline]


class CriterionScoreInline(admin.TabularInline):
    model = CriterionScore
    extra = 0
    can_delete = False
    readonly_fields = ["criterion", "on_track", "comment"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """Decisions are records: read them here, never rewrite them."""

    list_display = ["submission", "reviewer", "outcome", "decided_at", "waited"]
    list_filter = ["outcome", "submission__goal__school__district"]
    readonly_fields = [
        "submission",
        "reviewer",
        "rubric",
        "outcome",
        "feedback",
        "decided_at",
        "waited",
    ]
    inlines = [CriterionScoreInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["submission", "reviewer", "claimed_at"]


@admin.register(Payout)
class PayoutAdmin(admin.ModelAdmin):
    list_display = ["teacher", "tier", "amount", "credit", "passed_at", "batch", "note"]
    list_filter = ["district", "tier", "batch"]
    search_fields = ["teacher__full_name", "teacher__employee_id"]
    readonly_fields = [
        "teacher",
        "submission",
        "district",
        "tier",
        "amount",
        "credit",
        "passed_at",
        "batch",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PayrollBatch)
class PayrollBatchAdmin(admin.ModelAdmin):
    list_display = ["number", "district", "created_at", "created_by"]
    readonly_fields = ["district", "number", "created_at", "created_by"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
