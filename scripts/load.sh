#!/usr/bin/env bash
# make load: locust, headless, against gunicorn with PostgreSQL and Redis, on 127.0.0.1 only.
# A generated district, then a bounded run; prints throughput, p50/p95, errors and each
# page's p95 against the floor page's p95 under the same load.
#   LOAD_TEACHERS (2500), LOAD_USERS (50), LOAD_SPAWN_RATE (10), LOAD_RUN_TIME (60s),
#   LOAD_WORKERS (3 gunicorn workers)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh

PY=.venv/bin/python
TEACHERS=${LOAD_TEACHERS:-2500}
USERS=${LOAD_USERS:-50}
RATE=${LOAD_SPAWN_RATE:-10}
RUN_TIME=${LOAD_RUN_TIME:-60s}
WORKERS=${LOAD_WORKERS:-3}

services_install
GUNICORN_PID=""
stop_all() {
  if [ -n "$GUNICORN_PID" ]; then kill "$GUNICORN_PID" 2>/dev/null || true; wait "$GUNICORN_PID" 2>/dev/null || true; fi
  services_stop
}
trap stop_all EXIT INT TERM
services_start

export DJANGO_DEBUG=false SECURE_SSL_REDIRECT=false ALLOWED_HOSTS=127.0.0.1,localhost
export SECRET_KEY="load-$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
export PPLEARN_VAR_DIR="$SERVICES_DIR/var" CONN_MAX_AGE=60
mkdir -p "$PPLEARN_VAR_DIR"
OUT="$SERVICES_DIR/load"
mkdir -p "$OUT"

echo "== collectstatic, migrate, generate $TEACHERS teachers"
$PY manage.py collectstatic --noinput -v0
$PY manage.py migrate --no-input -v0
$PY manage.py generate_district --teachers "$TEACHERS" --years 4 --seed 8
$PY -m pplearn.perf.load_personas --out "$OUT/personas.json"

PORT=$(_free_port)
echo "== gunicorn on 127.0.0.1:$PORT ($WORKERS workers)"
.venv/bin/gunicorn pplearn.wsgi --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
  --log-level warning >"$OUT/gunicorn.log" 2>&1 &
GUNICORN_PID=$!
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" -H 'X-Forwarded-Proto: https' && break
  sleep 0.3
done
# Warm every worker (imports, URLconf, templates) so that the run measures serving.
for _ in $(seq $((WORKERS * 4))); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/accounts/sign-in/" -H 'X-Forwarded-Proto: https'
done

echo "== locust: $USERS users for $RUN_TIME (80% teachers, 15% coordinators, 5% principals)"
LOAD_PERSONAS="$OUT/personas.json" .venv/bin/locust -f pplearn/perf/locustfile.py --headless \
  -u "$USERS" -r "$RATE" --run-time "$RUN_TIME" --host "http://127.0.0.1:$PORT" \
  --only-summary --stop-timeout 10 --exit-code-on-error 0 2>&1 | grep -v "^\s*$" || true
