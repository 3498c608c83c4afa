#!/usr/bin/env bash
# The whole suite on SQLite, then again on PostgreSQL (required in CI, optional elsewhere).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL=${POSTGRES_TEST_URL:-postgresql://postgres@127.0.0.1:5432/test}

echo "== Test suite on SQLite =="
"$BIN/pytest" "$@"
sqlite_status=$?

echo "== Test suite on PostgreSQL =="
if scripts/ensure-postgres.sh; then
  TEST_DATABASE_URL=$PG_URL "$BIN/pytest" -m "not browser" "$@"
  pg_status=$?
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is required in CI and is not available" >&2
  pg_status=1
else
  echo "PostgreSQL not reachable: skipping the PostgreSQL run (it is required in CI)"
  pg_status=0
fi

if [ $sqlite_status -ne 0 ] || [ $pg_status -ne 0 ]; then
  echo "FAILED: sqlite=$sqlite_status postgresql=$pg_status" >&2
  exit 1
fi
