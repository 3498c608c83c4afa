#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 with a database "test".
# Exit 0: ready. Exit 1: not available (fatal in CI, where the PostgreSQL run must happen).
set -uo pipefail
HOST=127.0.0.1 PORT=5432
ready() { pg_isready -q -h "$HOST" -p "$PORT" 2>/dev/null || \
  python3 -c "import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(('$HOST',$PORT)))"; }

if ! ready; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
      echo "Installing PostgreSQL for the PostgreSQL test run..."
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    version=$(ls /etc/postgresql | sort -V | tail -1)
    conf=/etc/postgresql/$version/main
    # Trust local loopback connections, as on the project's machines.
    if ! grep -q "careers-tracker" "$conf/pg_hba.conf"; then
      sed -i '1i host all all 127.0.0.1/32 trust # careers-tracker tests' "$conf/pg_hba.conf"
    fi
    pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || \
      pg_ctlcluster "$version" main start 2>/dev/null || true
    for _ in $(seq 1 30); do ready && break; sleep 1; done
  fi
fi
if ! ready; then
  echo "PostgreSQL is not reachable on $HOST:$PORT" >&2
  exit 1
fi
# The database "test" must exist.
if command -v psql >/dev/null; then
  if ! psql -h "$HOST" -U postgres -d test -Atc 'select 1' >/dev/null 2>&1; then
    psql -h "$HOST" -U postgres -d postgres -c 'CREATE DATABASE test' >/dev/null 2>&1 || true
  fi
fi
exit 0
