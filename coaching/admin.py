from django.contrib import admin

from .models import CoachAssignment


@admin.register(CoachAssignment)
class CoachAssignmentAdmin(admin.ModelAdmin):
    list_display = ["coach", "teacher", "school", "school_year"]
    list_filter = ["school__district", "school", "school_year"]
    search_fields = ["coach__full_name", "teacher__full_name"]
    raw_id_fields = ["coach", "teacher"]
