#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests when it is missing.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian chromium for the browser tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
if [ "${CI:-}" = "true" ]; then
  echo "chromium is missing and cannot be installed here (need root and apt-get)" >&2
  exit 1
fi
echo "warning: /usr/bin/chromium missing; browser tests will be skipped" >&2
