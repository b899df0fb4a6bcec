#!/usr/bin/env bash
# make backup: the database (pg_dump in custom format, or a consistent copy of the SQLite
# file) and a tar of MEDIA_ROOT, in one timestamped folder under BACKUP_DIR (var/backups).
# Reads DATABASE_URL and MEDIA_ROOT as the app does (pplearn/settings.py).
# Usage: scripts/backup.sh            -> prints the folder it wrote
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"

# The database and media folder the app itself would use.
eval "$("$PY" - <<'PYEOF'
import os, shlex
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pplearn.settings")
import django
django.setup()
from django.conf import settings
db = settings.DATABASES["default"]
for key, value in {
    "DB_VENDOR": "sqlite" if "sqlite" in db["ENGINE"] else "postgresql" if "postgresql" in db["ENGINE"] else db["ENGINE"],
    "DB_NAME": db["NAME"], "DB_HOST": db.get("HOST") or "", "DB_PORT": str(db.get("PORT") or ""),
    "DB_USER": db.get("USER") or "", "DB_PASSWORD": db.get("PASSWORD") or "",
    "MEDIA_DIR": str(settings.MEDIA_ROOT), "VAR_DIR": str(settings.VAR_DIR),
}.items():
    print(f"{key}={shlex.quote(str(value))}")
PYEOF
)"

BACKUP_DIR="${BACKUP_DIR:-$VAR_DIR/backups}"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
dest="$BACKUP_DIR/pplearn-$stamp"
mkdir -p "$BACKUP_DIR"
# Write into a hidden folder and rename at the end: a half-made backup never looks whole.
work="$BACKUP_DIR/.incomplete-$stamp-$$"
rm -rf "$work"
mkdir -m 700 "$work"
trap 'rm -rf "$work"' EXIT

case "$DB_VENDOR" in
  postgresql)
    PGPASSWORD="$DB_PASSWORD" pg_dump --format=custom --no-owner --no-privileges \
      ${DB_HOST:+--host="$DB_HOST"} ${DB_PORT:+--port="$DB_PORT"} ${DB_USER:+--username="$DB_USER"} \
      --file="$work/database.dump" "$DB_NAME"
    ;;
  sqlite)
    # sqlite3's online backup API: a consistent copy even while the app writes.
    "$PY" - "$DB_NAME" "$work/database.sqlite3" <<'PYEOF'
import sqlite3, sys
source, target = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
with target:
    source.backup(target)
source.close(); target.close()
PYEOF
    ;;
  *) echo "backup: unsupported database engine $DB_VENDOR" >&2; exit 1 ;;
esac

if [ -d "$MEDIA_DIR" ]; then
  tar -C "$MEDIA_DIR" -czf "$work/media.tar.gz" .
else
  tar -czf "$work/media.tar.gz" -T /dev/null
fi

{
  echo "created=$stamp"
  echo "database=$DB_VENDOR"
  echo "database_name=$DB_NAME"
  echo "media_root=$MEDIA_DIR"
  (cd "$work" && sha256sum database.* media.tar.gz)
} >"$work/MANIFEST"

mv "$work" "$dest"
trap - EXIT
echo "$dest"
