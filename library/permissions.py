"""Who may see and change library entries. Out-of-reach entries answer 404, never 403."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from evidence.models import Artifact
from pplearn.models import Role, School

from .models import LibraryEntry


def entries_for_viewer(user):
    """Entries the user may open: published ones of their district, and their own."""
    if not user.is_authenticated or not user.is_active:
        return LibraryEntry.objects.none()
    return LibraryEntry.objects.filter(
        Q(pk__in=LibraryEntry.objects.visible_to(user).values("pk")) | Q(author=user)
    )


def get_entry_for_viewer_or_404(user, pk: int, queryset=None) -> LibraryEntry:
    queryset = entries_for_viewer(user) if queryset is None else queryset
    entry = queryset.filter(pk=pk).first()
    if entry is None:
        raise Http404("No such library entry")
    if entry.author_id != user.pk and not entry.is_published:
        raise Http404("No such library entry")
    return entry


def get_entry_for_author_or_404(user, pk: int) -> LibraryEntry:
    entry = LibraryEntry.objects.select_related("goal", "district").filter(pk=pk).first()
    if entry is None:
        raise Http404("No such library entry")
    if entry.author_id != user.pk:
        raise Http404("No such library entry")
    return entry


def get_artifact_for_library_or_404(user, entry_pk: int, artifact_pk: int) -> Artifact:
    """A file of an entry the user may open, never one showing students, never a link."""
    entry = get_entry_for_viewer_or_404(user, entry_pk)
    artifact = (
        entry.artifacts.filter(pk=artifact_pk, shows_students=False)
        .select_related("submission")
        .first()
    )
    if artifact is None:
        raise Http404("No such file")
    if artifact.is_link:
        raise Http404("No such file")
    artifact.library_entry = entry
    return artifact


def schools_for_recognition(user) -> list[School]:
    """The schools whose recognition page the user may see: those they lead as principal."""
    if not user.is_authenticated or not user.is_active:
        return []
    return user.schools_for_role(Role.PRINCIPAL)
