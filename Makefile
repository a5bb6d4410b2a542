# Trellis: `make run` sets everything up and serves the demo (with the background worker); `make test` runs every check;
# `make serve` runs it in production mode (environment as in deploy/trellis.env.example).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	command -v $$p >/dev/null && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && echo $$p && break; done)
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
RUNTIME := $(VENV)/.installed-runtime

.PHONY: run serve test lint migrate seed bench bench-uploads bench-documents bench-audit loadtest mutate clean

$(INSTALLED): requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "Trellis needs Python 3.11 or newer (python3 --version)."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(RUNTIME)

# Production installs only the runtime dependencies (no test tools or browser drivers).
$(RUNTIME): requirements.txt
	@test -n "$(PYTHON)" || { echo "Trellis needs Python 3.11 or newer (python3 --version)."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

migrate: $(INSTALLED)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable

seed: migrate
	$(PY) manage.py seed_demo --if-empty

# The background worker runs beside the dev server (both reload on code changes) and stops with it.
run: seed
	TRELLIS_DEBUG=1 TRELLIS_REQUIRE_2FA=0 $(PY) manage.py run_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	TRELLIS_DEBUG=1 TRELLIS_REQUIRE_2FA=0 $(PY) manage.py runserver 127.0.0.1:8000

# Production: debug off, settings from the environment (TRELLIS_SECRET_KEY, TRELLIS_ALLOWED_HOSTS,
# DATABASE_URL...; it refuses to start without them), static files collected for whitenoise, the
# database migrated, then gunicorn with deploy/gunicorn.conf.py. See "Running in production".
serve: export TRELLIS_PRODUCTION = 1
serve: $(RUNTIME)
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	exec $(VENV)/bin/gunicorn --config deploy/gunicorn.conf.py

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

# The suite runs in one worker per core (pytest-xdist, each worker with its own test database), then
# the browser tests (tests/browser) in one process of their own: one demo trust and one Chromium for
# them all, and no database test after them in a process where Playwright's event loop has run. They
# run when a Chromium is found (the OS package: apt-get install chromium) and are skipped, with a note
# at the end of the run, when none is.
test: lint
	$(PY) -m pytest -n auto -m "not browser"
	$(PY) -m pytest -m browser

# Server-side page timings on the current database (seed a big trust first: see the README).
bench: migrate
	$(PY) manage.py benchmark

# Peak memory and time of each importer on hostile uploads (generated, never committed).
bench-uploads: migrate
	$(PY) bench/hostile_uploads.py

# PDF timings (a one-pupil parent report: 1 s or less, median; a class of 30: 30 s or less).
bench-documents: migrate
	$(PY) bench/documents.py

# A bounded load test (bench/loadtest/run.py): a throwaway PostgreSQL database on 127.0.0.1 (user postgres),
# a seeded demo trust, `make serve`, then locust headless: LOAD_USERS (200) for LOAD_SECONDS (420), 5 to 15 s
# between one person's requests. Prints p50/p95 per request, errors, and reviews posted against stored.
loadtest: $(INSTALLED)
	$(PY) bench/loadtest/run.py

# The audit trail at 10 million events on PostgreSQL (a throwaway database on the server that
# BENCH_POSTGRES names, default postgres://postgres@127.0.0.1:5432; about 3 GB while it runs).
bench-audit: $(INSTALLED)
	$(PY) bench/audit_growth.py $(if $(EVENTS),--events $(EVENTS))

# Mutation testing of the rule modules against their own tests (mutmut; tests/mutate.py): prints
# the share of mutants killed per module and fails below 90%. Not part of `make test` or CI.
mutate: $(INSTALLED)
	nice -n 10 $(PY) tests/mutate.py $(MODULES)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
