#!/usr/bin/env bash
# Load test: 50 concurrent users (tutors and pupils) against gunicorn with the production
# worker count, on loopback only, for a bounded time. Prints p50/p95/p99 and errors.
#   bench/load.sh [users] [seconds] [database-url]
# Target: p95 <= 150 ms with 0 errors at 50 users. Users log in while ramping up (argon2 is
# deliberately slow); the figures are reset once all users are in, so they show steady state.
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${1:-50}
SECONDS_TO_RUN=${2:-60}
WORK=$(mktemp -d)
DB=${3:-sqlite:///$WORK/load.db}
PORT=${LOAD_PORT:-8765}
WORKERS=${WEB_CONCURRENCY:-$(( $(nproc) * 2 + 1 ))}
export DATABASE_URL=$DB SECRET_KEY=load-test-secret-key-0123456789abcdef DEMO_PASSWORD=load-test-pw-2026
export CAREERS_ENV=development LOAD_SCHOOLS=5
.venv/bin/flask --app wsgi db upgrade >/dev/null 2>&1
SEEDED=$(.venv/bin/flask --app wsgi seed-demo --schools 5 --pupils 1500)
echo "${SEEDED%%$'\n'*}"
.venv/bin/gunicorn --workers "$WORKERS" --bind "127.0.0.1:$PORT" --log-level warning wsgi:app &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null; wait $GUNICORN 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
echo "gunicorn: $WORKERS workers on $(nproc) cores; $USERS users for ${SECONDS_TO_RUN}s; database ${DB%%:*}"
.venv/bin/locust -f bench/locustfile.py --headless --host "http://127.0.0.1:$PORT" \
  -u "$USERS" -r "${SPAWN_RATE:-5}" -t "${SECONDS_TO_RUN}s" --reset-stats --only-summary \
  --csv "$WORK/load" >/dev/null 2>&1 || true
python3 - "$WORK/load_stats.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(f"{'request':<38}{'count':>7}{'fail':>6}{'p50':>7}{'p95':>7}{'p99':>7}  (ms)")
for row in rows:
    print(f"{row['Name']:<38}{row['Request Count']:>7}{row['Failure Count']:>6}"
          f"{row['50%']:>7}{row['95%']:>7}{row['99%']:>7}")
PY
