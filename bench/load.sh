#!/usr/bin/env bash
# Load test: 50 concurrent tutors and pupils against gunicorn (5 workers on 2 cores), loopback
# only, bounded in time; 5 years of data. Logins are timed apart; the page figures are reset
# after the warm-up. Targets: pages p95 <= 150 ms with 0 errors, logins p95 <= 400 ms.
#   bench/load.sh [--database sqlite|postgresql] [--users 50] [--seconds 60] [--warmup 20] ...
# Every option: bench/load.sh --help (the generator is bench/load.py, standard library only).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
exec "$PY" bench/load.py "$@"
