"""The search index exists on PostgreSQL, the migrations still apply on SQLite (make run),
and the demo loads a few shared practices once."""

import os
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from evidence.models import Artifact
from library.demo import demo_library_load
from library.models import Bookmark, LibraryEntry, TriedIt
from pplearn.models import District

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_gin_index_on_the_search_vector_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'library_libraryentry' "
            "AND indexname = 'library_entry_search_gin'"
        )
        rows = cursor.fetchall()
    assert len(rows) == 1
    assert "USING gin (search)" in rows[0][0]


def _manage(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PPLEARN_VAR_DIR": str(tmp_path),
    }
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_migrations_apply_and_reverse_on_sqlite(tmp_path):
    done = _manage(tmp_path, "migrate", "--noinput")
    assert done.returncode == 0, done.stderr
    db = sqlite3.connect(tmp_path / "db.sqlite3")
    columns = {row[1] for row in db.execute("PRAGMA table_info(library_libraryentry)")}
    assert {"search", "title", "reflection", "status"} <= columns
    indexes = {row[1] for row in db.execute("PRAGMA index_list(library_libraryentry)")}
    assert "library_entry_search_gin" not in indexes
    db.close()
    back = _manage(tmp_path, "migrate", "library", "0001", "--noinput")
    assert back.returncode == 0, back.stderr
    again = _manage(tmp_path, "migrate", "--noinput")
    assert again.returncode == 0, again.stderr


@pytest.mark.django_db
def test_demo_publishes_a_few_practices_once():
    call_command("load_demo", stdout=StringIO())
    entries = list(LibraryEntry.objects.all())
    assert len(entries) == 3
    assert all(e.is_published and e.search for e in entries)
    assert all(e.submission.tier == 4 and e.submission.status == "passed" for e in entries)
    assert not Artifact.objects.filter(library_entries__isnull=False, shows_students=True)
    assert Bookmark.objects.exists()
    assert TriedIt.objects.exclude(comment="").exists()
    counts = (LibraryEntry.objects.count(), Bookmark.objects.count(), TriedIt.objects.count())
    demo_library_load(District.objects.get(slug="maple-valley"))
    assert (
        LibraryEntry.objects.count(),
        Bookmark.objects.count(),
        TriedIt.objects.count(),
    ) == counts
