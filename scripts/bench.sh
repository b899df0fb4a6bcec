#!/usr/bin/env bash
# make bench: build a small and a large district on throwaway PostgreSQL and Redis, time the
# key pages and the reminder sweep at both sizes, print the table and write
# docs/benchmarks.md. Not part of make test: the large district takes minutes to build.
#   BENCH_TEACHERS_SMALL (250), BENCH_TEACHERS_LARGE (25000), BENCH_YEARS (4), BENCH_SEED (8),
#   BENCH_REQUESTS (40 timed iterations per page: one request of the page and one of the floor
#   at each size, the sizes in turns), BENCH_WARMUP (5), BENCH_DOC (docs/benchmarks.md)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh

PY=.venv/bin/python
SMALL=${BENCH_TEACHERS_SMALL:-250}
LARGE=${BENCH_TEACHERS_LARGE:-25000}
YEARS=${BENCH_YEARS:-4}
SEED=${BENCH_SEED:-8}
DOC=${BENCH_DOC:-docs/benchmarks.md}

services_install
trap services_stop EXIT INT TERM
services_start

export DJANGO_DEBUG=false SECURE_SSL_REDIRECT=false ALLOWED_HOSTS=127.0.0.1,localhost
export SECRET_KEY="bench-$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
export PPLEARN_VAR_DIR="$SERVICES_DIR/var"
export BENCH_PG_VERSION
BENCH_PG_VERSION=$(psql "$DATABASE_URL" -Atc "select setting from pg_settings where name='server_version'")
mkdir -p "$PPLEARN_VAR_DIR" "$(dirname "$DOC")"
OUT=var/bench  # kept after the run: the JSON of each measurement
mkdir -p "$OUT"
BASE_URL=${DATABASE_URL%/*}

REQUESTS=${BENCH_REQUESTS:-40}
WARMUP=${BENCH_WARMUP:-5}

# The document's "Commands" block lists the commands below as they ran (run = list, then run).
COMMANDS="make bench   # = scripts/bench.sh, on throwaway PostgreSQL $BENCH_PG_VERSION and Redis"
note() { COMMANDS+=$'\n'"# $*"; }
list() { local line; line=$(printf '%q ' "$@"); COMMANDS+=$'\n'"${line% }"; }
run() { list "$@"; "$@"; }

echo "== collectstatic (the production static storage: DJANGO_DEBUG=false)"
run $PY manage.py collectstatic --noinput -v0

url_of() { echo "$BASE_URL/bench_$1"; }
for size in small large; do
  teachers=$SMALL
  [ "$size" = large ] && teachers=$LARGE
  run createdb -h 127.0.0.1 -p "$PG_PORT" -U postgres "bench_$size"
  echo "== $size: $teachers teachers, $YEARS school years"
  run env DATABASE_URL="$(url_of "$size")" $PY manage.py migrate --no-input -v0
  run env DATABASE_URL="$(url_of "$size")" $PY manage.py generate_district \
    --teachers "$teachers" --years "$YEARS" --seed "$SEED"
done

# Both sizes at once, request by request: one worker process per database, the sizes (and
# each page's floor) timed in turns, so that the machine's drift falls on both alike.
echo "== pages, both sizes in pairs"
note "the pages: both sizes in pairs, interleaved request by request"
run $PY -m pplearn.perf.bench paired --small-url "$(url_of small)" --large-url "$(url_of large)" \
  --requests "$REQUESTS" --warmup "$WARMUP" \
  --out-small "$OUT/small.json" --out-large "$OUT/large.json"
for size in small large; do
  run env DATABASE_URL="$(url_of "$size")" $PY -m pplearn.perf.bench sweep --label "$size" \
    --out "$OUT/sweep-$size.json"
done

REPORT=($PY -m pplearn.perf.bench report "$OUT/small.json" "$OUT/large.json"
  "$OUT/sweep-small.json" "$OUT/sweep-large.json" --write "$DOC")
list "${REPORT[@]}"
BENCH_COMMANDS="$COMMANDS" "${REPORT[@]}"
