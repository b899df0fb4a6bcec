"""The search index exists on PostgreSQL, the migrations still apply on SQLite (make run),
and the demo loader publishes a few shared practices once."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from evidence.models import Artifact, Submission
from library.demo import demo_library_load
from library.models import Bookmark, LibraryEntry, TriedIt
from tests.evidence.evidence_factories import approved_goal, in_status, passed_tiers
from tests.library.library_factories import artifact, colleague, tier4_goal, tier4_of

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
    # One process for the three steps: starting Django is most of the cost.
    steps = (
        "from django.core.management import call_command as c; "
        "c('migrate', verbosity=0); c('migrate', 'library', '0001', verbosity=0); "
        "c('migrate', verbosity=0)"
    )
    done = _manage(tmp_path, "shell", "-c", steps)
    assert done.returncode == 0, done.stderr
    db = sqlite3.connect(tmp_path / "db.sqlite3")
    columns = {row[1] for row in db.execute("PRAGMA table_info(library_libraryentry)")}
    assert {"search", "title", "reflection", "status"} <= columns
    indexes = {row[1] for row in db.execute("PRAGMA index_list(library_libraryentry)")}
    assert "library_list_order_idx" in indexes
    assert "library_list_idx" not in indexes, "the whole order's index replaces it"
    assert "library_entry_search_gin" not in indexes
    applied = {
        row[0] for row in db.execute("SELECT name FROM django_migrations WHERE app = 'library'")
    }
    assert applied == {"0001_initial", "0002_search_gin_index", "0003_list_order_index"}
    db.close()


@pytest.mark.django_db
def test_demo_publishes_passed_and_finished_goals_once(world):
    ready = tier4_goal(world, teacher=colleague(world, school=world.school_a), title="Ready")
    halfway = approved_goal(world, teacher=colleague(world), title="Halfway")
    passed_tiers(halfway, 1, 2)
    busy = approved_goal(world, teacher=colleague(world), title="In review")
    passed_tiers(busy, 1)
    in_status(busy, 2, Submission.Status.SUBMITTED)
    artifact(tier4_of(ready), title="Faces", shows_students=True)
    demo_library_load(world.district)
    entries = {e.title: e for e in LibraryEntry.objects.all()}
    assert set(entries) == {"Ready", "Halfway"}
    assert all(e.is_published and e.search for e in entries.values())
    # The unfinished goal was carried to a passed Tier 4 through review, not written over.
    assert entries["Halfway"].submission.review.outcome == "passed"
    assert busy.submissions.get(tier=2).status == Submission.Status.SUBMITTED
    assert not Artifact.objects.filter(library_entries__isnull=False, shows_students=True)
    assert Bookmark.objects.exists()
    assert TriedIt.objects.exclude(comment="").exists()
    counts = (LibraryEntry.objects.count(), Bookmark.objects.count(), TriedIt.objects.count())
    demo_library_load(world.district)
    assert (
        LibraryEntry.objects.count(),
        Bookmark.objects.count(),
        TriedIt.objects.count(),
    ) == counts
