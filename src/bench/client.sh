#!/usr/bin/env bash
# The client against the server's own speed, in one run: the WAR in a standalone Jetty 12.1
# (the recommended 8-thread pool and 1 GiB heap) pinned to CPU 1, every load on CPU 0.
#   1. wrk -t1 -c1 and -c64: POST /song/{random of 100,000} (plain, and with an Idempotency-Key
#      as the client sends), and GET the same; after a 15 s wrk warm-up.
#   2. ClientLoad.java with the built client jar alone on its class path: increment() and count()
#      from 1, 8 and 64 threads per call, increment() batched (linger 1 ms, 4,096 plays at most),
#      incrementAsync() batched with 64 plays in flight a thread, and pages of 50 songs read by
#      counts(ids) and by 50 count(id) calls; after its own warm-up of WARMUP seconds.
#   3. WakeUps.java: 64 threads blocked on futures that one thread completes, no I/O: the
#      ceiling of batched blocking calls from 64 threads on one core.
#   4. Redis (Debian's redis-server, installed if missing) on CPU 1 with redis-benchmark on CPU 0:
#      INCR from 64 connections, from 1, and from 64 pipelining 16 commands each.
# Then a summary with the ratios the client docs state, and a chart. Every phase is bounded in
# time; the script stops what it started by process id.
# Usage: src/bench/client.sh [SECONDS a phase, default 8] [WARMUP seconds, default 15]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
secs=${1:-8}
warm=${2:-15}
need wrk wrk
need redis-server redis-server
need redis-benchmark redis-tools
build
CLIENT_JAR=$(ls "$ROOT"/target/playcounter-*-client.jar | head -1)
tmp=$(mktemp -d /tmp/playcounter-client-XXXX)
pids=()
trap 'for p in "${pids[@]}"; do stop_pid "$p"; done; rm -rf "$tmp"' EXIT
out=$tmp/out.txt

port=$(free_port)
url=http://127.0.0.1:$port
recommended_pools
start_jetty "$tmp/jetty" "$port" "$WAR" "$RECOMMENDED_JVM" 1
pids+=("$PID")
wait_http "$url/health"
cat >"$tmp/get.lua" <<'LUA'
math.randomseed(os.time())
request = function() return wrk.format("GET", "/song/" .. math.random(1, 100000)) end
LUA

echo "server: Jetty 12.1 (WAR of $(git -C "$ROOT" rev-parse --short HEAD)) on CPU 1; load on CPU 0;" \
  "${secs} s a phase" | tee "$out"
taskset -c 0 wrk -t1 -c64 -d"${warm}s" -s "$ROOT/src/bench/post-keyed.lua" "$url" >/dev/null
wrk_rate() { # label connections script [env]
  local label=$1 c=$2 script=$3 rate
  rate=$(env "${@:4}" taskset -c 0 timeout $((secs + 30)) wrk -t1 -c"$c" -d"${secs}s" -s "$script" "$url" \
    | awk '/^Requests\/sec:/ { print $2 }')
  printf 'measured  %-56s %12.0f calls/s\n' "$label" "$rate" | tee -a "$out"
}
for c in 1 64; do
  wrk_rate "wrk -c$c POST" "$c" "$ROOT/src/bench/post-keyed.lua" KEYS=0
  wrk_rate "wrk -c$c POST with Idempotency-Key" "$c" "$ROOT/src/bench/post-keyed.lua" KEYS=1
  wrk_rate "wrk -c$c GET" "$c" "$tmp/get.lua"
done

timeout $((40 * secs + warm + 120)) taskset -c 0 java -Xms1g -Xmx1g -XX:+UseParallelGC \
  -cp "$CLIENT_JAR" "$ROOT/src/bench/java/org/playcounter/bench/ClientLoad.java" "$url" "$secs" "$warm" \
  | tee -a "$out"
stop_pid "${pids[0]}"
# What bounds batched increment()s from 64 threads on one core: the wake-ups alone, no I/O.
timeout $((secs + 60)) taskset -c 0 java "$ROOT/src/bench/java/org/playcounter/bench/WakeUps.java" 64 "$secs" \
  | grep '^measured' | tee -a "$out"

rport=$(free_port)
taskset -c 1 redis-server --port "$rport" --bind 127.0.0.1 --save "" --appendonly no \
  --daemonize no >"$tmp/redis.log" 2>&1 &
pids+=("$!")
for _ in $(seq 100); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis_rate() { # label requests redis-benchmark-options...
  local label=$1 n=$2 rate
  rate=$(taskset -c 0 timeout 120 redis-benchmark -p "$rport" -t incr -n "$n" -q "${@:3}" \
    | tr '\r' '\n' | awk '/^INCR: [0-9.]+ requests per second/ { print $2 }' | tail -1)
  printf 'measured  %-56s %12.0f calls/s\n' "$label" "$rate" | tee -a "$out"
}
redis_rate "Redis $(redis-server --version | awk '{print $3}' | tr -d v=) INCR -c 64" 2000000 -c 64
redis_rate "Redis INCR -c 1" 300000 -c 1
redis_rate "Redis INCR -c 64 -P 16" 20000000 -c 64 -P 16

# The ratios the goals are stated in (client docs, "Throughput").
python3 - "$out" <<'PY'
import re, sys
rate = {}
for line in open(sys.argv[1]):
    m = re.match(r"measured\s+(.*?)\s+([\d,.]+) (?:calls|reads)/s", line)
    if m:
        rate[" ".join(m.group(1).split())] = float(m.group(2).replace(",", ""))
def get(way):
    if way in rate:
        return rate[way]
    return float("nan")  # a phase that printed nothing
rows = [
    ("increment() 64 threads / wrk -c64 POST", "increment(), per call", " 64 threads", "wrk -c64 POST"),
    ("increment() 1 thread / wrk -c1 POST", "increment(), per call", " 1 threads", "wrk -c1 POST"),
    ("increment() 64 threads / wrk -c64 POST with key", "increment(), per call", " 64 threads", "wrk -c64 POST with Idempotency-Key"),
    ("increment() 1 thread / wrk -c1 POST with key", "increment(), per call", " 1 threads", "wrk -c1 POST with Idempotency-Key"),
    ("count() 64 threads / wrk -c64 GET", "count(), per call", " 64 threads", "wrk -c64 GET"),
    ("count() 1 thread / wrk -c1 GET", "count(), per call", " 1 threads", "wrk -c1 GET"),
]
for label, way, threads, anchor in rows:
    print(f"ratio     {label:<56} {get(way + threads) / get(anchor):12.2f}")
PY
# "measured  <way> <rate> calls/s ..." -> "<way> <rate>", the reads of pages left out (another unit)
sed -nE 's/^measured +(.*[^ ]) +([0-9.,]+) calls\/s.*/\1 \2/p' "$out" \
  | chart_bars "client.sh: calls per second, server on CPU 1, load on CPU 0, $(date -u +%F) $(git -C "$ROOT" rev-parse --short HEAD)" \
      "calls per second" client-throughput.svg || true
