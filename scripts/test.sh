#!/usr/bin/env bash
# make test: lint, migration check and the whole pytest suite against throwaway
# PostgreSQL and Redis. Extra arguments go to pytest (for example: -m "not e2e").
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh

PY=.venv/bin/python
services_install || exit 1
trap services_stop EXIT INT TERM
services_start || exit 1

export DJANGO_DEBUG=true
export DJANGO_ALLOW_ASYNC_UNSAFE=true
export PPLEARN_VAR_DIR="$SERVICES_DIR/var"
status=0
echo "== ruff"
.venv/bin/ruff check . || status=1
.venv/bin/ruff format --check . || status=1
echo "== makemigrations --check"
$PY manage.py makemigrations --check --dry-run || status=1
echo "== pytest"
# Two workers by default (the machine has two cores); PYTEST_WORKERS=0 runs in one process.
$PY -m pytest -n "${PYTEST_WORKERS:-2}" "$@" || status=1
exit $status
