# Careers Tracker. `make run` serves the demo; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

.PHONY: help install install-test run serve test test-sqlite test-postgres chromium postgres bench clean

help:
	@echo "make run    install the app, migrate, seed the demo school and serve http://127.0.0.1:5000 (Ctrl+C stops it)"
	@echo "make test   install the test tools too and run the whole suite (SQLite, then PostgreSQL)"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Two stamps: `make run` installs what the app needs; the test tools come with `make test`.
$(VENV)/.installed-runtime: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed-runtime
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed-runtime

install-test: $(VENV)/.installed-test

run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo --schools 3
	$(FLASK) run --host 127.0.0.1 --port 5000

# Production-style serving (see README): gunicorn with several workers.
serve: install
	$(FLASK) db upgrade
	$(BIN)/gunicorn --workers $${WEB_CONCURRENCY:-4} --bind 127.0.0.1:8000 wsgi:app

chromium:
	@scripts/ensure-chromium.sh

postgres:
	@scripts/ensure-postgres.sh

test: install-test chromium
	@scripts/run-tests.sh

# Speed figures through gunicorn, each beside its floor (printed, never asserted in tests).
# BENCH_DATABASE=postgresql uses $$BENCH_POSTGRES_URL, a throwaway database the bench wipes.
# bench/load.sh runs the 50-user load test.
BENCH_DATABASE ?= sqlite
bench: install
	$(BIN)/python bench/dashboard.py --database $(BENCH_DATABASE)
	$(BIN)/python bench/quick_log.py --database $(BENCH_DATABASE)
	$(BIN)/python bench/me.py --database $(BENCH_DATABASE)
	$(BIN)/python bench/calendar_feed.py --database $(BENCH_DATABASE)
	$(BIN)/python bench/import_pupils.py --database $(BENCH_DATABASE)

clean:
	rm -rf $(VENV) .pytest_cache
