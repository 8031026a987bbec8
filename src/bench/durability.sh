#!/usr/bin/env bash
# Durability cost, compaction stalls and restore time, in one run. For Jetty 12.1 and Tomcat 10.1
# (recommended pools, the server on CPU 1, wrk on CPU 0): four JVMs of the WAR at once, memory
# only, fsync=interval, fsync=always, and fsync=interval with journal-max-bytes=256 KiB (a
# compaction every second or so); each warmed WARM seconds (JIT done), then ROUNDS rounds of
# SECONDS each, the four interleaved so that the host's drift hits them alike: POST to random
# songs among 100,000 over 64 keep-alive connections. Printed per variant: the median rate and
# its ratio to memory only, the medians of p50, p99, p99.9 and the longest request, fsyncs per
# second, compactions, and the longest time the journal held changes off. Then 10M songs in a
# data directory: the time from JVM start to /health OK after a SIGKILL (the journal replayed)
# and after a clean stop (the snapshot written at close read back).
# Usage: src/bench/durability.sh [SECONDS] [SONGS]   (default 10; 10000000; 0 skips the restore)
#        WARM=15 ROUNDS=3 SERVERS="jetty tomcat" src/bench/durability.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
secs=${1:-10}
songs=${2:-10000000}
warm=${WARM:-15}
rounds=${ROUNDS:-3}
servers=(${SERVERS:-jetty tomcat})
need wrk wrk
build
recommended_pools
export SHARED_BENCH=$ROOT/../shared/bench
tmp=$(mktemp -d /tmp/playcounter-durability-XXXX)
pids=()
trap 'for p in "${pids[@]}"; do stop_pid "$p"; done; rm -rf "$tmp"' EXIT
df -h "$tmp" | tail -1 | awk '{print "data-dir on " $1 " (" $2 ")"}'

metric() { curl -sf "$1/metrics" | awk -v m="$2" '$1==m {print $2}'; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { awk '{v=$1; if (v ~ /us$/) v=v/1000; else if (v ~ /ms$/) v=v+0; else if (v ~ /s$/) v=v*1000; printf "%.2f\n", v}'; }

variants=(memory fsync-interval fsync-always interval+compactions)
options() {
  case $1 in
    memory) echo "" ;;
    fsync-interval) echo "-Dplaycounter.data-dir=$tmp/$2-interval -Dplaycounter.fsync=interval" ;;
    fsync-always) echo "-Dplaycounter.data-dir=$tmp/$2-always -Dplaycounter.fsync=always" ;;
    interval+compactions) echo "-Dplaycounter.data-dir=$tmp/$2-compact -Dplaycounter.journal-max-bytes=262144" ;;
  esac
}

echo "write path: POST to random songs among 100,000, wrk -t1 -c64 on CPU 0, the server on CPU 1; ${warm} s warm-up each, then ${rounds} interleaved rounds of ${secs} s; medians; $(date -u +%F) $(git -C "$ROOT" rev-parse --short HEAD)"
for server in "${servers[@]}"; do
  declare -A url=()
  for v in "${variants[@]}"; do
    port=$(free_port)
    "start_$server" "$tmp/$server-$v" "$port" "$WAR" "$RECOMMENDED_JVM $(options "$v" "$server")" 1
    pids+=("$PID"); url[$v]=http://127.0.0.1:$port
  done
  for v in "${variants[@]}"; do
    wait_http "${url[$v]}/health"
    taskset -c 0 wrk -t1 -c64 -d"${warm}s" -s "$SHARED_BENCH/post-random.lua" "${url[$v]}" >/dev/null
  done
  declare -A f0=() c0=()
  for v in "${variants[@]}"; do
    f0[$v]=$(metric "${url[$v]}" playcounter_journal_fsyncs_total); c0[$v]=$(metric "${url[$v]}" playcounter_journal_compactions_total)
    : >"$tmp/$server-$v.rounds"
  done
  for r in $(seq "$rounds"); do
    for v in "${variants[@]}"; do
      out=$(taskset -c 0 wrk -t1 -c64 -d"${secs}s" --latency -s "$ROOT/src/bench/post-random-tail.lua" "${url[$v]}")
      errors=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' <<<"$out")
      [[ -n $errors ]] && echo "$server $v round $r: $errors"
      echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '$1=="50%" {print $2}' <<<"$out" | ms) $(awk '$1=="99%" {print $2}' <<<"$out" | ms) $(grep -o 'p99.9 [0-9.]*' <<<"$out" | cut -d' ' -f2) $(grep -o 'max [0-9.]*' <<<"$out" | cut -d' ' -f2)" >>"$tmp/$server-$v.rounds"
    done
  done
  base=$(cut -d' ' -f1 "$tmp/$server-memory.rounds" | median)
  for v in "${variants[@]}"; do
    f=$(metric "${url[$v]}" playcounter_journal_fsyncs_total); c=$(metric "${url[$v]}" playcounter_journal_compactions_total)
    hold=$(metric "${url[$v]}" playcounter_journal_stall_seconds_max)
    col() { cut -d' ' -f"$1" "$tmp/$server-$v.rounds" | median; }
    rate=$(col 1)
    echo "$rate / $base" | bc -l >>"$tmp/chart-$server.txt"
    printf '%-7s %-21s %9.0f req/s  x%.2f  p50 %6.2f ms  p99 %6.2f ms  p99.9 %6.2f ms  max %6.2f ms  fsyncs/s %7.1f  compactions %3.0f  longest hold %5.1f ms  (rates: %s)\n' \
      "$server" "$v" "$rate" "$(echo "$rate / $base" | bc -l)" "$(col 2)" "$(col 3)" "$(col 4)" "$(col 5)" \
      "$(echo "(${f:-0} - ${f0[$v]:-0}) / ($secs * $rounds)" | bc -l)" "$(echo "${c:-0} - ${c0[$v]:-0}" | bc -l)" \
      "$(echo "${hold:-0} * 1000" | bc -l)" "$(cut -d' ' -f1 "$tmp/$server-$v.rounds" | tr '\n' ' ' | sed 's/ $//')"
  done
  for p in "${pids[@]}"; do stop_pid "$p"; done; pids=()
done
# One bar per variant and container: its write rate as a multiple of memory only.
printf '%s\n' "${variants[@]}" >"$tmp/chart-labels.txt"
paste -d' ' "$tmp/chart-labels.txt" $(printf "$tmp/chart-%s.txt " "${servers[@]}") \
  | CHART_FORMAT=%.2f chart_bars "durability.sh: write rate against memory only, median of ${rounds} rounds of ${secs} s, $(date -u +%F) $(git -C "$ROOT" rev-parse --short HEAD)" \
      "x the memory-only rate in the same rounds" durability-write.svg "${servers[@]}" || true

[[ $songs -gt 0 ]] || exit 0
# Restore: 10M songs written by bulk adds, then a SIGKILL, a restart (the journal replayed) and a
# clean stop (which writes a snapshot), and a restart again (the snapshot read).
data=$tmp/restore port=$(free_port)
opts="-Xms6g -Xmx6g -XX:+UseParallelGC -Dplaycounter.data-dir=$data -Dplaycounter.max-body-bytes=16777216 -Dplaycounter.max-songs=20000000"
t0=$(date +%s.%N)
start_jetty "$tmp/restore-load" "$port" "$WAR" "$opts"; pids=("$PID")
wait_http "http://127.0.0.1:$port/health"
ready=$(printf '%.1f' "$(echo "$(date +%s.%N) - $t0" | bc -l)")
echo "start with an empty data-dir: JVM start to /health OK $ready s"
echo "empty data-dir $ready" >"$tmp/chart-restore.txt"
python3 - "$port" "$songs" <<'PY'
import http.client, sys
port, songs = int(sys.argv[1]), int(sys.argv[2])
for first in range(0, songs, 500_000):
    body = ",".join("s%d=%d" % (i, 1 + i % 7) for i in range(first, min(songs, first + 500_000)))
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    c.request("POST", "/", body=body, headers={"Content-Type": "text/plain"})
    r = c.getresponse(); r.read(); assert r.status == 200, r.status
PY
kill -9 "$PID"; wait "$PID" 2>/dev/null || true; pids=()
restore() { # label
  local base=$tmp/restore-$1 port listing; port=$(free_port)
  listing=$(cd "$data" && ls -s --block-size=M | grep -v '^total' | tr -s ' \n' ' ')
  local start; start=$(date +%s.%N)
  start_jetty "$base" "$port" "$WAR" "$opts -Xlog:gc:file=$base/gc.log"; pids=("$PID")
  wait_http "http://127.0.0.1:$port/health" 300
  local ready; ready=$(date +%s.%N)
  printf 'after %s %.1f\n' "$1" "$(echo "$ready - $start" | bc -l)" >>"$tmp/chart-restore.txt"
  local restored; restored=$(grep -o 'playcounter restored [0-9]* songs.* in [0-9]* ms' "$base/server.log" || true)
  local held; held=$(metric "http://127.0.0.1:$port" playcounter_songs)
  local used; used=$(heap_used "$PID")
  printf 'restore after %-10s: %s; data-dir %s(%s); JVM start to /health OK %.1f s; songs held %s; heap at /health OK %.0f MiB, after a full GC %.0f MiB\n' \
    "$1" "${restored#playcounter }" "$(du -sh "$data" | cut -f1) " "$listing" "$(echo "$ready - $start" | bc -l)" "$held" \
    "$(echo "$used / 1048576" | bc -l)" "$(echo "$(heap_after_gc "$PID") / 1048576" | bc -l)"
}
restore SIGKILL
t0=$(date +%s.%N); stop_pid "$PID"; pids=()
printf 'clean stop with a snapshot of %s songs: %.1f s\n' "$(printf "%'d" "$songs")" "$(echo "$(date +%s.%N) - $t0" | bc -l)"
restore clean-stop
stop_pid "$PID"; pids=()
CHART_FORMAT="%.1f s" chart_bars "durability.sh: $(printf "%'d" "$songs") songs, JVM start to /health OK, $(date -u +%F) $(git -C "$ROOT" rev-parse --short HEAD)" \
  "seconds" durability-restore.svg <"$tmp/chart-restore.txt" || true
