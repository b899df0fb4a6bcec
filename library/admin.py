"""Read-only views of the library: changes go through the pages, which audit them."""

from django.contrib import admin

from .models import Bookmark, LibraryEntry, TriedIt


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LibraryEntry)
class LibraryEntryAdmin(ReadOnlyAdmin):
    list_display = ["title", "author", "school", "status", "published_at"]
    list_filter = ["district", "status", "grade_band", "subject"]
    search_fields = ["title", "author__full_name", "author__email"]
    list_select_related = ["author", "school"]
    exclude = ["search"]


@admin.register(Bookmark)
class BookmarkAdmin(ReadOnlyAdmin):
    list_display = ["entry", "user", "created_at"]
    list_select_related = ["entry", "user"]


@admin.register(TriedIt)
class TriedItAdmin(ReadOnlyAdmin):
    list_display = ["entry", "user", "comment", "updated_at"]
    list_select_related = ["entry", "user"]
