#!/bin/sh
# Makes the tools `make bench` uses available: Debian's wrk, the load generator it prefers (a C program, so the load
# generator does not compete with the server for a whole core the way a Node generator would; runtime-tech.md §4(a)),
# and Debian's postgresql, whose binaries the postgres store's figure starts a throw-away server from.
# Installs them only when running as root with apt-get; otherwise the benchmarks fall back to their Node load
# generator, silently (bench/results.json records which one was used), and the postgres figure fails saying what is
# missing. Never fails the build.
missing=""
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
if [ -z "$missing" ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq $missing >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq $missing >/dev/null 2>&1; } \
    || true
fi
exit 0
