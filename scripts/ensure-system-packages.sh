#!/bin/sh
# Makes the system tools the tests need available: bubblewrap (`bwrap`), which runs the sandboxed agents of the
# security tests and of `make test-real`; promtool (Debian's `prometheus` package), which lints a scrape of /metrics
# in the metrics tests; and the sqlite3 command-line tool, with which the audit tests tamper with a log as an
# auditor's tool would; Debian's `chromium`, run headless by the web console's browser tests; and `postgresql`, whose
# server the postgres event store and cluster tests start in a throw-away folder (test/helpers/postgres.ts). Installed with
# apt-get when running as root (a clean CI machine); otherwise a missing tool is reported here, and the tests that
# need it fail loudly (they never skip).
missing=""
command -v bwrap >/dev/null 2>&1 || missing="$missing bubblewrap"
command -v promtool >/dev/null 2>&1 || missing="$missing prometheus"
command -v sqlite3 >/dev/null 2>&1 || missing="$missing sqlite3"
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  echo "installing:$missing" >&2
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1; } \
    || { echo "could not install:$missing (apt-get failed)" >&2; exit 1; }
else
  echo "missing:$missing; install it (as root: apt-get install$missing); the tests that need it will fail without it" >&2
fi
exit 0
