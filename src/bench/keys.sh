#!/usr/bin/env bash
# What Idempotency-Key costs. Rate: one JVM of the WAR (Jetty 12.1 or Tomcat 10.1, recommended
# pools, memory only, default key settings: 10 minutes, at most 1,000,000 keys), the server on
# CPU 1 and wrk -t1 -c64 on CPU 0, POST to random songs among 100,000; WARM seconds of warm-up
# with keys (so the key table is full and dropping its oldest, the steady state), then ROUNDS
# interleaved rounds of SECONDS without and with a fresh key per request, on the same JVM;
# medians and their ratio. Memory: a fresh JVM with a window of an hour, 1,000,000 keyed plays of
# one song; heap after a full GC minus the heap after a full GC before them, per key.
# Usage: src/bench/keys.sh [SECONDS]   (default 10)   WARM=20 ROUNDS=5 SERVERS="jetty tomcat"
set -euo pipefail
. "$(dirname "$0")/lib.sh"
secs=${1:-10}
warm=${WARM:-20}
rounds=${ROUNDS:-5}
servers=(${SERVERS:-jetty tomcat})
need wrk wrk
build
recommended_pools
tmp=$(mktemp -d /tmp/playcounter-keys-XXXX)
pids=()
trap 'for p in "${pids[@]}"; do stop_pid "$p"; done; rm -rf "$tmp"' EXIT
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
metric() { curl -sf "$1/metrics" | awk -v m="$2" '$1==m {print $2}'; }
rate() { # url KEYS
  KEYS=$2 taskset -c 0 wrk -t1 -c64 -d"${secs}s" -s "$ROOT/src/bench/post-keyed.lua" "$1" \
    | awk '/Requests\/sec/ {print $2} /Non-2xx|Socket errors/ {print "errors: " $0 > "/dev/stderr"}'
}

echo "Idempotency-Key cost: wrk -t1 -c64 on CPU 0, the server on CPU 1, POST to random songs among 100,000; ${warm} s warm-up, ${rounds} interleaved rounds of ${secs} s; medians; $(date -u +%F) $(git -C "$ROOT" rev-parse --short HEAD)"
for server in "${servers[@]}"; do
  port=$(free_port)
  "start_$server" "$tmp/$server" "$port" "$WAR" "$RECOMMENDED_JVM" 1
  pids+=("$PID"); url=http://127.0.0.1:$port
  wait_http "$url/health"
  KEYS=1 taskset -c 0 wrk -t1 -c64 -d"${warm}s" -s "$ROOT/src/bench/post-keyed.lua" "$url" >/dev/null
  : >"$tmp/plain"; : >"$tmp/keyed"
  for r in $(seq "$rounds"); do
    rate "$url" 0 >>"$tmp/plain"
    rate "$url" 1 >>"$tmp/keyed"
  done
  plain=$(median <"$tmp/plain"); keyed=$(median <"$tmp/keyed")
  printf '%-7s without a key %9.0f req/s   with a key %9.0f req/s   x%.3f   keys held %s, dropped early %s  (rates: %s | %s)\n' \
    "$server" "$plain" "$keyed" "$(echo "$keyed / $plain" | bc -l)" \
    "$(metric "$url" playcounter_idempotency_keys)" "$(metric "$url" playcounter_idempotency_keys_dropped_total)" \
    "$(tr '\n' ' ' <"$tmp/plain" | sed 's/ $//')" "$(tr '\n' ' ' <"$tmp/keyed" | sed 's/ $//')"
  printf '%s %s %s\n' "$server" "$plain" "$keyed" >>"$tmp/chart.txt"
  stop_pid "$PID"; pids=()
done
chart_bars "keys.sh: POST to random songs, ${rounds} interleaved rounds of ${secs} s, medians, $(date -u +%F) $(git -C "$ROOT" rev-parse --short HEAD)" \
  "requests per second" keys-throughput.svg "without Idempotency-Key" "with a fresh key per request" <"$tmp/chart.txt" || true

# Memory per key: 1,000,000 keyed plays of one song in a JVM that forgets none of them.
port=$(free_port)
start_jetty "$tmp/memory" "$port" "$WAR" "-Xms2g -Xmx2g -XX:+UseParallelGC -Dplaycounter.idempotency-window-ms=3600000" 1
pids+=("$PID"); url=http://127.0.0.1:$port
wait_http "$url/health"
SONGS=1 KEYS=0 taskset -c 0 wrk -t1 -c64 -d10s -s "$ROOT/src/bench/post-keyed.lua" "$url" >/dev/null
before=$(heap_after_gc "$PID")
deadline=$((SECONDS + 300))
while (( $(metric "$url" playcounter_idempotency_keys) < 1000000 && SECONDS < deadline )); do
  SONGS=1 KEYS=1 taskset -c 0 wrk -t1 -c64 -d5s -s "$ROOT/src/bench/post-keyed.lua" "$url" >/dev/null
done
held=$(metric "$url" playcounter_idempotency_keys)
after=$(heap_after_gc "$PID")
echo "memory: $held keys held; heap after full GC $before -> $after bytes: $(echo "($after - $before) / $held" | bc -l | xargs printf '%.1f') bytes per key (of a single play; the key table's arrays are 49.4 bytes a key when full)"
