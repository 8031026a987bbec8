#!/usr/bin/env bash
# Client throughput, single-threaded: increments through PlayCounterClient over keep-alive, one
# new connection per request (the original client's way), and bulk add(), against the WAR in a
# standalone Jetty 12 pinned to CPU 1, the client on CPU 0. Usage: src/bench/client.sh [SECONDS]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
secs=${1:-5}
build
tmp=$(mktemp -d /tmp/playcounter-client-XXXX)
port=$(free_port)
start_jetty "$tmp/jetty" "$port" "$WAR" "-Xms512m -Xmx512m -XX:+UseParallelGC" 1
pid=$PID
trap 'stop_pid $pid; rm -rf "$tmp"' EXIT
wait_http "http://127.0.0.1:$port/health"
taskset -c 0 java -cp "$ROOT/target/classes" "$ROOT/src/bench/java/org/playcounter/bench/ClientBench.java" \
  "http://127.0.0.1:$port" "$secs" | tee "$tmp/out.txt"
# "measured   <way>   <n> plays/s" -> "<way> <n>"
awk '$1 == "measured" { $1 = ""; $NF = ""; print }' "$tmp/out.txt" \
  | chart_bars "client.sh: one client thread, ${secs} s per way, $(date -u +%F) $(git -C "$ROOT" rev-parse --short HEAD)" \
      "plays per second" client-throughput.svg || true
