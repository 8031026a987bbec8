#!/usr/bin/env bash
# Durability cost, compaction stalls and restore time, in one run. The WAR in standalone Jetty 12.1
# and Tomcat 10.1 on CPU 1 with the recommended pools (load on CPU 0): POST to random songs among
# 100,000 over 64 keep-alive connections, memory only, fsync=interval and fsync=always, each after
# a warm-up of WARM seconds (JIT done), with its ratio to memory only, p50, p99, p99.9, the longest
# request and fsyncs per second; then fsync=interval with journal-max-bytes=256 KiB, so that a
# compaction runs every second or so, with the longest time the journal held changes off; then
# the time a restart takes, from JVM start to /health OK, to restore 10M songs.
# Usage: src/bench/durability.sh [SECONDS per load] [SONGS ...]   (default 10; 10000000)
#        WARM=15 SERVERS="jetty tomcat" src/bench/durability.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
secs=${1:-10}; shift || true
sizes=("${@:-10000000}")
warm=${WARM:-15}
servers=(${SERVERS:-jetty tomcat})
need wrk wrk
build
recommended_pools
export SHARED_BENCH=$ROOT/../shared/bench
tmp=$(mktemp -d /tmp/playcounter-durability-XXXX)
pid=
trap '[[ -n $pid ]] && stop_pid $pid; rm -rf "$tmp"' EXIT
df -h "$tmp" | tail -1 | awk '{print "data-dir on " $1 " (" $2 ")"}'

metric() { curl -sf "$1/metrics" | awk -v m="$2" '$1==m {print $2}'; }

declare -A memory_rate
write_load() { # server label extra-jvm-options
  local server=$1 label=$2 base=$tmp/$1-$2 port; port=$(free_port)
  "start_$server" "$base" "$port" "$WAR" "$RECOMMENDED_JVM $3" 1; pid=$PID
  local url=http://127.0.0.1:$port
  wait_http "$url/health"
  taskset -c 0 wrk -t1 -c64 -d"${warm}s" -s "$SHARED_BENCH/post-random.lua" "$url" >/dev/null
  local f0 c0; f0=$(metric "$url" playcounter_journal_fsyncs_total); f0=${f0:-0}
  c0=$(metric "$url" playcounter_journal_compactions_total); c0=${c0:-0}
  local out; out=$(taskset -c 0 wrk -t1 -c64 -d"${secs}s" --latency -s "$ROOT/src/bench/post-random-tail.lua" "$url")
  local f1 c1 stall; f1=$(metric "$url" playcounter_journal_fsyncs_total); f1=${f1:-0}
  c1=$(metric "$url" playcounter_journal_compactions_total); c1=${c1:-0}
  stall=$(metric "$url" playcounter_journal_stall_seconds_max); stall=${stall:-0}
  local rate; rate=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  [[ $label == memory ]] && memory_rate[$server]=$rate
  printf '%-7s %-22s %9s req/s  x%-5.2f p50 %-8s p99 %-8s %s  fsyncs/s %7.1f  compactions %3d  longest hold %6.1f ms  %s\n' \
    "$server" "$label" "$rate" "$(echo "$rate / ${memory_rate[$server]}" | bc -l)" \
    "$(awk '$1=="50%" {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")" \
    "$(grep '^tail' <<<"$out")" "$(echo "($f1 - $f0) / $secs" | bc -l)" "$((${c1%.*} - ${c0%.*}))" \
    "$(echo "$stall * 1000" | bc -l)" "$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' <<<"$out")"
  stop_pid "$pid"; pid=
}

echo "write path, POST to random songs among 100,000, wrk -t1 -c64, ${secs} s after a ${warm} s warm-up, server on CPU 1; $(date -u +%F) $(git -C "$ROOT" rev-parse --short HEAD)"
for server in "${servers[@]}"; do
  write_load "$server" memory ""
  write_load "$server" fsync-interval "-Dplaycounter.data-dir=$tmp/$server-interval-data -Dplaycounter.fsync=interval"
  write_load "$server" fsync-always "-Dplaycounter.data-dir=$tmp/$server-always-data -Dplaycounter.fsync=always"
  write_load "$server" interval+compactions "-Dplaycounter.data-dir=$tmp/$server-compact-data -Dplaycounter.journal-max-bytes=262144"
done

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
  files=$(du -sh "$data" | cut -f1); listing=$(cd "$data" && ls -s --block-size=M | tr '\n' ' ')
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
  printf 'restore %11s songs: %s (data-dir %s: %s); JVM start to /health OK %.1f s; songs held after %s; heap at /health OK %.0f MiB (largest after a GC during start-up: %s), after a full GC %.0f MiB\n' \
    "$(printf "%'d" "$songs")" "${restored#playcounter }" "$files" "$listing" "$(echo "$ready - $start" | bc -l)" "$held" \
    "$(echo "$used / 1048576" | bc -l)" "${peak:+$peak MiB}${peak:-none ran}" "$(echo "$(heap_after_gc "$pid") / 1048576" | bc -l)"
  stop_pid "$pid"; pid=
done
