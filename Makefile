# Careers Tracker. `make run` serves the demo; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

.PHONY: help install run serve test test-sqlite test-postgres chromium postgres bench clean

help:
	@echo "make run    install, migrate, seed the demo school and serve http://127.0.0.1:5000"
	@echo "make test   install what the tests need and run the whole suite (SQLite, then PostgreSQL)"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) run --host 127.0.0.1 --port 5000

# Production-style serving (see README): gunicorn with several workers.
serve: install
	$(FLASK) db upgrade
	$(BIN)/gunicorn --workers $${WEB_CONCURRENCY:-4} --bind 127.0.0.1:8000 wsgi:app

chromium:
	@scripts/ensure-chromium.sh

postgres:
	@scripts/ensure-postgres.sh

test: install chromium
	@scripts/run-tests.sh

# Speed figures (printed, never asserted in tests). bench/load.sh runs the 50-user load test.
bench: install
	$(BIN)/python bench/quick_log.py
	$(BIN)/python bench/import_pupils.py
	$(BIN)/python bench/calendar_feed.py
	$(BIN)/python bench/dashboard.py

clean:
	rm -rf $(VENV) .pytest_cache
