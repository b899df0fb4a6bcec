#!/usr/bin/env bash
# make run: migrate the embedded SQLite database, load the demo district, then run the web
# server, a Celery worker and Celery beat until Ctrl-C (which stops all three).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_DEBUG="${DJANGO_DEBUG:-true}"
# honcho gives every process its own PORT, so the web address travels as WEB_HOST/WEB_PORT.
WEB_HOST="${HOST:-127.0.0.1}"
WEB_PORT="${PORT:-8000}"
export SITE_URL="${SITE_URL:-http://$WEB_HOST:$WEB_PORT}"
mkdir -p var
$PY manage.py migrate --no-input -v0
$PY manage.py load_demo
if [ -n "${REDIS_URL:-}" ]; then broker="Redis at $REDIS_URL"; else broker="the embedded filesystem broker (var/celery-broker)"; fi
echo
echo "pplearn is starting at http://$WEB_HOST:$WEB_PORT/  (Celery uses $broker)"
echo "Press Ctrl-C to stop the web server, the worker and beat."
echo
export WEB_HOST WEB_PORT
exec .venv/bin/honcho -f Procfile.dev start
