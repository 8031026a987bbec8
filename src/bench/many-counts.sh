#!/usr/bin/env bash
# Reads of pages of 50 songs, single-threaded: one PlayCounterClient.counts(ids) a page (one
# GET /?id=..) against 50 count(id) calls (50 GET /song/{id}), over keep-alive, against the WAR
# in a standalone Jetty 12 pinned to CPU 1, the client on CPU 0; each phase runs SECONDS (after
# a warm-up round of the same length), then the script stops the Jetty it started, by its pid.
# Usage: src/bench/many-counts.sh [SECONDS]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
secs=${1:-5}
build
tmp=$(mktemp -d /tmp/playcounter-many-XXXX)
port=$(free_port)
start_jetty "$tmp/jetty" "$port" "$WAR" "-Xms512m -Xmx512m -XX:+UseParallelGC" 1
pid=$PID
trap 'stop_pid $pid; rm -rf "$tmp"' EXIT
wait_http "http://127.0.0.1:$port/health"
timeout $((4 * secs + 60)) taskset -c 0 java -cp "$ROOT/target/classes" \
  "$ROOT/src/bench/java/org/playcounter/bench/ClientBench.java" "http://127.0.0.1:$port" "$secs" reads
