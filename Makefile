# The README's commands. Everything installs into .venv; nothing global but Debian packages.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: help install run test test-unit test-e2e lint format demo clean vendor bench load backup restore

help:
	@echo "make run        install, migrate, load the demo district, serve on http://127.0.0.1:8000"
	@echo "make test       lint, migration check and the whole suite on throwaway PostgreSQL + Redis"
	@echo "make test-unit  the fast inner loop: everything but the browser tests"
	@echo "make test-e2e   only the browser tests (Chromium)"
	@echo "make lint       ruff check and format check"
	@echo "make format     ruff format and fix"
	@echo "make bench      page times and query counts at 250 and 25,000 teachers (long)"
	@echo "make load       locust against gunicorn, PostgreSQL and Redis on loopback (60 s)"
	@echo "make drills     only the fault drills (PostgreSQL restart, Redis down, kills, backup)"
	@echo "make backup     database and media files into var/backups/pplearn-<time>"
	@echo "make restore BACKUP=var/backups/pplearn-<time>   put a backup back"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[test]'
	touch $@ $(STAMP)

$(BENCH_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[test,bench]'
	touch $@ $(TEST_STAMP) $(STAMP)

install: $(STAMP)

run: $(STAMP)
	./scripts/run.sh

demo: $(STAMP)
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py load_demo

test: $(TEST_STAMP)
	./scripts/test.sh

test-unit: $(TEST_STAMP)
	./scripts/test.sh -m "not e2e" -x -q

test-e2e: $(TEST_STAMP)
	./scripts/test.sh -m e2e

bench: $(STAMP)
	./scripts/bench.sh

load: $(BENCH_STAMP)
	./scripts/load.sh

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(TEST_STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

vendor:
	./scripts/vendor.sh

# Only the fault drills (tests/drills: database restart, Redis down, worker and web server
# killed, backup round trip); each takes under a minute, so `make test` runs them too.
drills: $(TEST_STAMP)
	PYTEST_WORKERS=0 ./scripts/test.sh -m drill -s --durations=0 tests/drills

# The database (pg_dump, or SQLite's backup API) and MEDIA_ROOT into var/backups/pplearn-<stamp>.
backup: $(STAMP)
	./scripts/backup.sh

# make restore BACKUP=var/backups/pplearn-<stamp> [DATABASE_URL=...] [MEDIA_ROOT=...]
restore: $(STAMP)
	./scripts/restore.sh "$(BACKUP)"

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
