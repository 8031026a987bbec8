#!/usr/bin/env bash
# Durability cost and restore time, against the WAR in standalone Jetty 12 on CPU 1 (load on
# CPU 0): write throughput over 64 keep-alive connections in memory, with fsync=interval and with
# fsync=always (group commit), with the fsyncs per second each did; then the time a restart takes
# to restore 1M and 10M songs from the data directory.
# Usage: src/bench/durability.sh [SECONDS per load] [SONGS ...]   (default 10; 1000000 10000000)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
secs=${1:-10}; shift || true
sizes=("${@:-1000000}"); [[ $# -eq 0 ]] && sizes=(1000000 10000000)
need wrk wrk
build
tmp=$(mktemp -d /tmp/playcounter-durability-XXXX)
pid=
trap '[[ -n $pid ]] && stop_pid $pid; rm -rf "$tmp"' EXIT
df -h "$tmp" | tail -1 | awk '{print "data-dir on " $1 " (" $2 ")"}'

metric() { curl -sf "$1/metrics" | awk -v m="$2" '$1==m {print $2}'; }

write_load() { # label extra-jvm-options
  local base=$tmp/$1 port; port=$(free_port)
  start_jetty "$base" "$port" "$WAR" "$RECOMMENDED_JVM $2" 1; pid=$PID
  local url=http://127.0.0.1:$port
  wait_http "$url/health"
  taskset -c 0 wrk -t1 -c64 -d5s -s "$ROOT/../shared/bench/post-random.lua" "$url" >/dev/null
  local f0; f0=$(metric "$url" playcounter_journal_fsyncs_total); f0=${f0:-0}
  local out; out=$(taskset -c 0 wrk -t1 -c64 -d"${secs}s" --latency -s "$ROOT/../shared/bench/post-random.lua" "$url")
  local f1; f1=$(metric "$url" playcounter_journal_fsyncs_total); f1=${f1:-0}
  printf '%-22s %10s req/s  p50 %-9s p99 %-9s fsyncs/s %8.1f  %s\n' "$1" \
    "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1=="50%" {print $2}' <<<"$out")" \
    "$(awk '$1=="99%" {print $2}' <<<"$out")" "$(echo "($f1 - $f0) / $secs" | bc -l)" \
    "$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' <<<"$out")"
  stop_pid "$pid"; pid=
}

echo "write path, POST to random songs among 100,000, wrk -t1 -c64, ${secs} s after a 5 s warm-up; $(date -u +%F) $(git -C "$ROOT" rev-parse --short HEAD)"
write_load memory ""
write_load fsync-interval "-Dplaycounter.data-dir=$tmp/interval-data -Dplaycounter.fsync=interval"
write_load fsync-always "-Dplaycounter.data-dir=$tmp/always-data -Dplaycounter.fsync=always"

for songs in "${sizes[@]}"; do
  data=$tmp/restore-$songs base=$tmp/restore-$songs-a port=$(free_port)
  opts="-Xms6g -Xmx6g -XX:+UseParallelGC -Dplaycounter.data-dir=$data -Dplaycounter.max-body-bytes=16777216 -Dplaycounter.max-songs=20000000"
  start_jetty "$base" "$port" "$WAR" "$opts"; pid=$PID
  wait_http "http://127.0.0.1:$port/health"
  python3 - "$port" "$songs" <<'PY'
import http.client, sys
port, songs = int(sys.argv[1]), int(sys.argv[2])
for first in range(0, songs, 500_000):
    body = ",".join("s%d=%d" % (i, 1 + i % 7) for i in range(first, min(songs, first + 500_000)))
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    c.request("POST", "/", body=body, headers={"Content-Type": "text/plain"})
    r = c.getresponse(); r.read(); assert r.status == 200, r.status
PY
  stop_pid "$pid"; pid=
  files=$(du -sh "$data" | cut -f1)
  base=$tmp/restore-$songs-b port=$(free_port)
  start=$(date +%s.%N)
  start_jetty "$base" "$port" "$WAR" "$opts -Xlog:gc:file=$base/gc.log"; pid=$PID
  wait_http "http://127.0.0.1:$port/health" 300
  ready=$(date +%s.%N)
  restored=$(grep -o 'playcounter restored [0-9]* songs from [^ ]* in [0-9]* ms' "$base/server.log")
  held=$(metric "http://127.0.0.1:$port" playcounter_songs)
  # What the restore used: the heap at /health OK before any full GC (garbage included, so an
  # upper bound of its peak when no collection ran), the largest heap after a collection during
  # start-up if any ran, and the heap after a full GC (the counts themselves).
  used=$(heap_used "$pid")
  peak=$({ grep -o '[0-9]*M->[0-9]*M' "$base/gc.log" || true; } | sed 's/.*->//; s/M//' | sort -n | tail -1)
  printf 'restore %11s songs: %s (data-dir %s); JVM start to /health OK %.1f s; songs held after %s; heap at /health OK %.0f MiB (largest after a GC during start-up: %s), after a full GC %.0f MiB\n' \
    "$(printf "%'d" "$songs")" "${restored#playcounter }" "$files" "$(echo "$ready - $start" | bc -l)" "$held" \
    "$(echo "$used / 1048576" | bc -l)" "${peak:+$peak MiB}${peak:-none ran}" "$(echo "$(heap_after_gc "$pid") / 1048576" | bc -l)"
  stop_pid "$pid"; pid=
done
