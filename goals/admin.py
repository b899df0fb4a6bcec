from django.contrib import admin

from .models import (
    Goal,
    GoalComment,
    GoalEvent,
    StandardComponent,
    StandardDomain,
    StandardsFramework,
    SystemGoal,
    Team,
    TeamMeeting,
    Vision,
)


@admin.register(Vision)
class VisionAdmin(admin.ModelAdmin):
    list_display = ["district", "school", "updated_at"]
    list_filter = ["district"]


@admin.register(SystemGoal)
class SystemGoalAdmin(admin.ModelAdmin):
    list_display = ["title", "district", "kind", "school_year", "status"]
    list_filter = ["district", "kind", "status", "school_year"]
    search_fields = ["title", "description"]
    filter_horizontal = ["schools"]


class StandardComponentInline(admin.TabularInline):
    model = StandardComponent
    extra = 0


@admin.register(StandardDomain)
class StandardDomainAdmin(admin.ModelAdmin):
    list_display = ["__str__", "framework", "position"]
    list_filter = ["framework__district", "framework"]
    inlines = [StandardComponentInline]


class StandardDomainInline(admin.TabularInline):
    model = StandardDomain
    extra = 0
    show_change_link = True


@admin.register(StandardsFramework)
class StandardsFrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "district", "is_active"]
    list_filter = ["district", "is_active"]
    inlines = [StandardDomainInline]


class TeamMeetingInline(admin.StackedInline):
    model = TeamMeeting
    extra = 0


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "kind", "school_year", "facilitator"]
    list_filter = ["kind", "school__district", "school", "school_year"]
    search_fields = ["name"]
    filter_horizontal = ["members", "system_goals"]
    inlines = [TeamMeetingInline]


class GoalEventInline(admin.TabularInline):
    """The workflow history is read-only: statuses change only through the services."""

    model = GoalEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "from_status", "to_status", "comment"]

    def has_add_permission(self, request, obj=None):
        return False


class GoalCommentInline(admin.TabularInline):
    model = GoalComment
    extra = 0
    readonly_fields = ["author", "created_at"]


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["title", "teacher", "school", "school_year", "status", "target_tier"]
    list_filter = ["status", "school__district", "school", "school_year", "target_tier"]
    search_fields = ["title", "teacher__full_name", "teacher__email"]
    readonly_fields = ["status", "proposed_at", "decided_at", "approved_by", "carried_from"]
    filter_horizontal = ["system_goals", "standard_components", "collaborators"]
    raw_id_fields = ["teacher"]
    inlines = [GoalEventInline, GoalCommentInline]
