#!/usr/bin/env bash
# make bench: build a small and a large district on throwaway PostgreSQL and Redis, time the
# key pages and the reminder sweep at both sizes, print the table and write
# docs/benchmarks.md. Not part of make test: the large district takes minutes to build.
#   BENCH_TEACHERS_SMALL (250), BENCH_TEACHERS_LARGE (25000), BENCH_YEARS (4), BENCH_SEED (8),
#   BENCH_REQUESTS (30 timed requests per page), BENCH_ROUNDS (3: the sizes measured in turns),
#   BENCH_WARMUP (5 per round), BENCH_DOC (docs/benchmarks.md)
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

echo "== collectstatic (the production static storage: DJANGO_DEBUG=false)"
$PY manage.py collectstatic --noinput -v0

ROUNDS=${BENCH_ROUNDS:-3}
REQUESTS=${BENCH_REQUESTS:-30}
PER_ROUND=$(( (REQUESTS + ROUNDS - 1) / ROUNDS ))

export BENCH_COMMANDS="make bench   # = scripts/bench.sh, with BENCH_TEACHERS_LARGE=$LARGE
# for each size N in $SMALL $LARGE, on its own database:
manage.py migrate
manage.py generate_district --teachers N --years $YEARS --seed $SEED
# then $ROUNDS rounds, the sizes in turns (small, large, small, large, ...):
python -m pplearn.perf.bench measure --label SIZE --requests $PER_ROUND --out SIZE-rK.json
# and
python -m pplearn.perf.bench merge SIZE-r*.json --out SIZE.json
python -m pplearn.perf.bench sweep --label SIZE --out sweep-SIZE.json
python -m pplearn.perf.bench report small.json large.json sweep-small.json sweep-large.json --write $DOC"

url_of() { echo "$BASE_URL/bench_$1"; }
for size in small large; do
  teachers=$SMALL
  [ "$size" = large ] && teachers=$LARGE
  createdb -h 127.0.0.1 -p "$PG_PORT" -U postgres "bench_$size"
  echo "== $size: $teachers teachers, $YEARS school years"
  DATABASE_URL=$(url_of "$size") $PY manage.py migrate --no-input -v0
  DATABASE_URL=$(url_of "$size") $PY manage.py generate_district \
    --teachers "$teachers" --years "$YEARS" --seed "$SEED"
done

# The sizes in turns, so that a change in the machine's load falls on both alike.
rm -f "$OUT"/small-r*.json "$OUT"/large-r*.json
for round in $(seq "$ROUNDS"); do
  for size in small large; do
    echo "== round $round of $ROUNDS: $size"
    DATABASE_URL=$(url_of "$size") $PY -m pplearn.perf.bench measure --label "$size" \
      --requests "$PER_ROUND" --out "$OUT/$size-r$round.json"
  done
done
for size in small large; do
  $PY -m pplearn.perf.bench merge "$OUT/$size"-r*.json --out "$OUT/$size.json"
  DATABASE_URL=$(url_of "$size") $PY -m pplearn.perf.bench sweep --label "$size" \
    --out "$OUT/sweep-$size.json"
done

$PY -m pplearn.perf.bench report "$OUT/small.json" "$OUT/large.json" \
  "$OUT/sweep-small.json" "$OUT/sweep-large.json" --write "$DOC"
