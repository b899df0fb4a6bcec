"""make backup / make restore: a round trip on the throwaway PostgreSQL and on SQLite.

PostgreSQL: rows and an uploaded file are backed up (scripts/backup.sh), restored into a new
database and an empty media folder (scripts/restore.sh), and compared table by table and byte
by byte; restoring again over changed data puts the backup's state back.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.db import connection
from psycopg2 import sql

from evidence import services
from evidence.models import Artifact
from tests.drills.conftest import BASE_DIR, current_database_url
from tests.evidence.evidence_factories import approved_goal, fixture_bytes, upload

pytestmark = [pytest.mark.integration, pytest.mark.drill]


def script(name: str, *args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own scripts
        [str(BASE_DIR / "scripts" / name), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def all_rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every table in the database, in a stable order."""
    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        tables = [name for (name,) in cursor.fetchall()]
        rows = {}
        for table in tables:
            cursor.execute(sql.SQL("SELECT * FROM {} ORDER BY 1").format(sql.Identifier(table)))
            rows[table] = [tuple(map(repr, row)) for row in cursor.fetchall()]
    conn.close()
    return rows


def drop_database(url: str, name: str) -> None:
    conn = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
    conn.close()


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_every_row_and_file_into_a_new_database(world, settings, drill_dir):
    if connection.vendor != "postgresql":
        pytest.fail("DATABASE_URL must point at PostgreSQL: run this test with `make test`.")
    media = drill_dir / "media"
    settings.MEDIA_ROOT = media
    goal = approved_goal(world)
    draft = services.submission_start(goal=goal, tier=1, actor=world.teacher)
    pdf = fixture_bytes("exit_ticket.pdf")
    artifact = services.artifact_add(
        submission=draft,
        actor=world.teacher,
        purpose=Artifact.Purpose.ARTIFACT,
        upload=upload("exit ticket.pdf", pdf),
    )
    source_url = current_database_url()
    env = os.environ | {
        "DATABASE_URL": source_url,
        "MEDIA_ROOT": str(media),
        "BACKUP_DIR": str(drill_dir / "backups"),
        "PY": sys.executable,
    }
    target_name = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:6]}"
    target_url = f"{source_url.rsplit('/', 1)[0]}/{target_name}"
    target_media = drill_dir / "restored-media"

    made = script("backup.sh", env=env)
    assert made.returncode == 0, made.stderr
    folder = Path(made.stdout.strip().splitlines()[-1])
    try:
        restored = script("restore.sh", str(folder), target_url, str(target_media), env=env)
        assert restored.returncode == 0, restored.stderr
        source_rows, target_rows = all_rows(source_url), all_rows(target_url)

        # Damage the copy, then restore over it: the backup's state comes back.
        with psycopg2.connect(target_url) as conn, conn.cursor() as cursor:
            cursor.execute("UPDATE goals_goal SET title = 'changed' WHERE id = %s", [goal.pk])
            cursor.execute("DELETE FROM evidence_artifact WHERE id = %s", [artifact.pk])
        conn.close()
        (target_media / artifact.file.name).write_bytes(b"damaged")
        again = script("restore.sh", str(folder), target_url, str(target_media), env=env)
        assert again.returncode == 0, again.stderr
        after_again = all_rows(target_url)
    finally:
        drop_database(source_url, target_name)

    assert sorted(p.name for p in folder.iterdir()) == ["MANIFEST", "database.dump", "media.tar.gz"]
    assert source_rows["goals_goal"]
    assert source_rows["evidence_artifact"]
    assert target_rows == source_rows
    assert after_again == source_rows
    assert (target_media / artifact.file.name).read_bytes() == pdf
    moved_aside = [p for p in drill_dir.iterdir() if p.name.startswith("restored-media.before")]
    assert len(moved_aside) == 1
    assert (moved_aside[0] / artifact.file.name).read_bytes() == b"damaged"


def test_a_backup_whose_files_do_not_match_its_manifest_is_refused(tmp_path):
    database = tmp_path / "db.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE t (x TEXT)")
    db.close()
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{database}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "BACKUP_DIR": str(tmp_path / "backups"),
        "PY": sys.executable,
    }
    folder = Path(script("backup.sh", env=env).stdout.strip())
    with (folder / "media.tar.gz").open("ab") as archive:
        archive.write(b"tampered")
    target = tmp_path / "restored.sqlite3"

    refused = script(
        "restore.sh", str(folder), f"sqlite:///{target}", str(tmp_path / "m2"), env=env
    )

    assert refused.returncode == 1
    assert "do not match its MANIFEST" in refused.stderr
    assert not target.exists()


def test_sqlite_is_copied_consistently_while_a_writer_holds_a_transaction(tmp_path):
    database = tmp_path / "db.sqlite3"
    media = tmp_path / "media"
    (media / "evidence").mkdir(parents=True)
    (media / "evidence" / "a.bin").write_bytes(bytes(range(256)))
    db = sqlite3.connect(database, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE t (x TEXT)")
    db.execute("INSERT INTO t VALUES ('committed')")
    db.execute("BEGIN")
    db.execute("INSERT INTO t VALUES ('not yet committed')")
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{database}",
        "MEDIA_ROOT": str(media),
        "BACKUP_DIR": str(tmp_path / "backups"),
        "PY": sys.executable,
    }
    try:
        made = script("backup.sh", env=env)
    finally:
        db.execute("ROLLBACK")
        db.close()
    folder = Path(made.stdout.strip())
    target = tmp_path / "restored" / "db.sqlite3"

    restored = script(
        "restore.sh", str(folder), f"sqlite:///{target}", str(tmp_path / "m2"), env=env
    )

    assert made.returncode == 0, made.stderr
    assert restored.returncode == 0, restored.stderr
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT x FROM t").fetchall() == [("committed",)]
    copy.close()
    assert (tmp_path / "m2" / "evidence" / "a.bin").read_bytes() == bytes(range(256))
