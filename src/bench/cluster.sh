#!/usr/bin/env bash
# Many servers as one counter, in one run (ClusterLoad.java with the built client jar alone on its
# class path; every server a standalone Jetty 12.1 with the WAR and its own data directory, on
# CPU 1, started, stopped and killed by process id; the client threads on CPU 0):
#   1. cost: plays and reads a second from 16 threads per call through three servers, failover
#      off against on, and with previousServers set (2 servers before, 3 now); 3 interleaved
#      rounds of SECONDS after WARMUP seconds of every way.
#   2. scenario: 16 threads of keyed plays while each of three servers restarts in turn, one is
#      SIGKILLed and started again, a fourth is added through previousServers, and one is
#      SIGKILLed for good with failover on: plays a second over time with the events, and each
#      phase's p99, max and failed calls; then a chart.
#   3. ride: one server holding 1M, then 10M songs, 4 threads playing, through a clean restart and
#      a SIGKILL: the longest call (the time a play waits to ride it) and the calls that failed.
# Usage: src/bench/cluster.sh [SECONDS, default 8] [WARMUP, default 15] [RIDE_SONGS, default "1000000 10000000"]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
secs=${1:-8}
warm=${2:-15}
ride_songs=${3:-"1000000 10000000"}
build
CLIENT_JAR=$(ls "$ROOT"/target/playcounter-*-client.jar | head -1)
tmp=$(mktemp -d /tmp/playcounter-cluster-XXXX)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out.txt
load() { # mode [songs]: ClusterLoad in its own JVM on CPU 0, bounded in time
  mkdir -p "$tmp/$1${2:-}"
  timeout 900 taskset -c 0 java -Xms2g -Xmx2g -XX:+UseParallelGC -cp "$CLIENT_JAR" \
    "$ROOT/src/bench/java/org/playcounter/bench/ClusterLoad.java" "$1" "$JETTY_HOME" "$WAR" \
    "$tmp/$1${2:-}" "$secs" "$warm" "${2:-0}" | tee -a "$out"
}
echo "cluster.sh: WAR of $(git -C "$ROOT" rev-parse --short HEAD), $(date -u +%F); servers on CPU 1, clients on CPU 0; ${secs} s a phase, ${warm} s warm-up" | tee "$out"
load cost
load scenario
for songs in $ride_songs; do load ride "$songs"; done

# the timeline, with the events as a second series at the height of the median rate
sed -n 's/^timeline //p' "$out" >"$tmp/timeline"
python3 - "$out" "$tmp/timeline" >"$tmp/chart" <<'PY'
import sys
events = [float(l.split()[1]) for l in open(sys.argv[1]) if l.startswith("event ")]
rows = [tuple(map(float, l.split())) for l in open(sys.argv[2])]
top = max(r[1] for r in rows) if rows else 0
for t, rate in rows:
    near = any(abs(t - e) <= 0.25 for e in events)
    print(t, rate, top if near else 0)
PY
chart_lines "cluster.sh: plays/s through the client, 16 threads; marks: restart x3, SIGKILL+start, 4th added, SIGKILL for good ($(date -u +%F))" \
  "seconds" "plays/s (per 0.5 s)" cluster-timeline.svg "plays/s" "events" <"$tmp/chart" || true
python3 - "$out" >"$tmp/phases" <<'PY'
import re, sys
for line in open(sys.argv[1]):
    m = re.match(r"phase (.*?)\s+[\d,]+ calls, p99\s+([\d.]+) ms, max\s+([\d.]+) ms", line)
    if m:
        print(m.group(1), m.group(2), m.group(3))
PY
CHART_FORMAT="%.0f ms" chart_bars "cluster.sh: call latency per phase, 16 threads ($(date -u +%F))" \
  "ms" cluster-phases.svg "p99" "max" <"$tmp/phases" || true
