#!/usr/bin/env bash
# make run: migrate the embedded SQLite database, load the demo district, then run the web
# server, a Celery worker and Celery beat until Ctrl-C (which stops all three).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_DEBUG="${DJANGO_DEBUG:-true}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
export SITE_URL="${SITE_URL:-http://$HOST:$PORT}"
mkdir -p var
$PY manage.py migrate --no-input -v0
$PY manage.py load_demo
if [ -n "${REDIS_URL:-}" ]; then broker="Redis at $REDIS_URL"; else broker="the embedded filesystem broker (var/celery-broker)"; fi
echo
echo "pplearn is starting at http://$HOST:$PORT/  (Celery uses $broker)"
echo "Press Ctrl-C to stop the web server, the worker and beat."
echo
export HOST PORT BROKER_DESC="$broker"
exec .venv/bin/honcho -f Procfile.dev start
