#!/usr/bin/env bash
# make restore BACKUP=var/backups/pplearn-<stamp>: put a backup made by scripts/backup.sh
# back into a database and a media folder.
# Usage: scripts/restore.sh BACKUP_FOLDER [DATABASE_URL] [MEDIA_ROOT]
# Without the last two, the app's own DATABASE_URL and MEDIA_ROOT are the targets. A missing
# PostgreSQL database is created; an existing one is replaced in one transaction. Media files
# already there, and an SQLite file already there, are moved aside (*.before-restore-<stamp>),
# never deleted.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"

backup="${1:-${BACKUP:-}}"
if [ -z "$backup" ] || [ ! -f "$backup/MANIFEST" ]; then
  echo "Usage: scripts/restore.sh BACKUP_FOLDER [DATABASE_URL] [MEDIA_ROOT]" >&2
  echo "(a folder written by scripts/backup.sh, with its MANIFEST)" >&2
  exit 2
fi
(cd "$backup" && sha256sum --quiet -c <(grep -E '^[0-9a-f]{64} ' MANIFEST)) || {
  echo "restore: the backup's files do not match its MANIFEST; nothing restored" >&2
  exit 1
}

eval "$(TARGET_URL="${2:-}" TARGET_MEDIA="${3:-}" "$PY" - <<'PYEOF'
import os, shlex
url, media = os.environ["TARGET_URL"], os.environ["TARGET_MEDIA"]
if url:
    import environ
    db = environ.Env.db_url_config(url)
else:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pplearn.settings")
    import django
    django.setup()
    from django.conf import settings
    db = settings.DATABASES["default"]
if not media:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pplearn.settings")
    import django
    django.setup()
    from django.conf import settings
    media = str(settings.MEDIA_ROOT)
engine = db["ENGINE"]
for key, value in {
    "DB_VENDOR": "sqlite" if "sqlite" in engine else "postgresql" if "postgresql" in engine else engine,
    "DB_NAME": db["NAME"], "DB_HOST": db.get("HOST") or "", "DB_PORT": str(db.get("PORT") or ""),
    "DB_USER": db.get("USER") or "", "DB_PASSWORD": db.get("PASSWORD") or "",
    "MEDIA_DIR": media,
}.items():
    print(f"{key}={shlex.quote(str(value))}")
PYEOF
)"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
case "$DB_VENDOR" in
  postgresql)
    [ -f "$backup/database.dump" ] || { echo "restore: $backup holds no PostgreSQL dump" >&2; exit 1; }
    export PGPASSWORD="$DB_PASSWORD"
    conn=(${DB_HOST:+--host="$DB_HOST"} ${DB_PORT:+--port="$DB_PORT"} ${DB_USER:+--username="$DB_USER"})
    exists=$(psql "${conn[@]}" --dbname=postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '${DB_NAME//\'/\'\'}'")
    if [ "$exists" != "1" ]; then
      createdb "${conn[@]}" "$DB_NAME"
    fi
    pg_restore "${conn[@]}" --dbname="$DB_NAME" --clean --if-exists --no-owner --no-privileges \
      --single-transaction --exit-on-error "$backup/database.dump"
    ;;
  sqlite)
    [ -f "$backup/database.sqlite3" ] || { echo "restore: $backup holds no SQLite copy" >&2; exit 1; }
    mkdir -p "$(dirname "$DB_NAME")"
    if [ -e "$DB_NAME" ]; then mv "$DB_NAME" "$DB_NAME.before-restore-$stamp"; fi
    "$PY" - "$backup/database.sqlite3" "$DB_NAME" <<'PYEOF'
import sqlite3, sys
source, target = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
with target:
    source.backup(target)
source.close(); target.close()
PYEOF
    ;;
  *) echo "restore: unsupported database engine $DB_VENDOR" >&2; exit 1 ;;
esac

media="${MEDIA_DIR%/}"
if [ -d "$media" ] && [ -n "$(ls -A "$media")" ]; then
  mv "$media" "$media.before-restore-$stamp"
  echo "restore: the media files that were there are kept in $media.before-restore-$stamp"
fi
mkdir -p "$media"
tar -C "$media" -xzf "$backup/media.tar.gz"
echo "restored $backup into the $DB_VENDOR database $DB_NAME and $media"
