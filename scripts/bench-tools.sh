#!/bin/sh
# Makes the load generator `make bench` prefers available: Debian's wrk (a C program, so the load generator does
# not compete with the server for a whole core the way a Node generator would; runtime-tech.md §4(a)).
# Installs it only when running as root with apt-get; otherwise the benchmarks fall back to their Node load
# generator, silently (bench/results.json records which one was used). Never fails the build.
if command -v wrk >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq wrk >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq wrk >/dev/null 2>&1; } \
    || true
fi
exit 0
