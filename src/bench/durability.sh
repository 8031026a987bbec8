#!/usr/bin/env bash
# Durability cost, compaction stalls and restore time, in one run. For Jetty 12.1 and Tomcat 10.1
# (recommended pools, the server on CPU 1, wrk on CPU 0): four JVMs of the WAR at once, memory
# only, fsync=interval, fsync=always, and fsync=interval with journal-max-bytes=256 KiB (a
# compaction every second or so); each warmed WARM seconds (JIT done), then ROUNDS rounds of
# SECONDS each, the four interleaved so that the host's drift hits them alike: POST to random
# songs among 100,000 over 64 keep-alive connections. Printed per variant: the median rate and
# its ratio to memory only, the medians of p50, p99, p99.9 and the longest request, fsyncs per
# second, compactions, and the longest time the journal held changes off. Then 10M songs in a
# data directory, per container: the time from JVM start to /health OK after a clean stop (the
# snapshot read) and after a SIGKILL at the worst moment, beside an empty start, and the heap.
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

if [[ ${WRITES:-1} != 0 ]]; then # WRITES=0: the restore alone
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
fi

[[ $songs -gt 0 ]] || exit 0
# Restore, per container: SONGS songs written by bulk adds of 500,000, then the JVM start to
# /health OK after a clean stop (the snapshot read) and after a SIGKILL at the worst moment (bulk
# adds of the same songs until one more would start a compaction: the journal at its largest
# beside a full snapshot), each beside an empty start in the same run. The heap at /health OK is
# everything allocated since the JVM started (no collection runs in a 6 GiB heap), the container's
# own start-up included; "restore's own" takes away what the empty start allocated.
maxbytes=${JOURNAL_MAX_BYTES:-}
DEFAULT_JOURNAL_MAX_BYTES=$((32 << 20)) # journal-max-bytes when not set (configuration.md)
jvm="-Xms6g -Xmx6g -XX:+UseParallelGC -Dplaycounter.max-body-bytes=16777216 -Dplaycounter.max-songs=$((songs * 2))${maxbytes:+ -Dplaycounter.journal-max-bytes=$maxbytes}"
post_songs() { # port first count -> bulk adds of s<first>..s<first+count-1>, 500,000 a request
  python3 - "$@" <<'PY'
import http.client, sys
port, first, count = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
for start in range(first, first + count, 500_000):
    body = ",".join("s%d=%d" % (i, 1 + i % 7) for i in range(start, min(first + count, start + 500_000)))
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    c.request("POST", "/", body=body, headers={"Content-Type": "text/plain"})
    r = c.getresponse(); r.read(); assert r.status == 200, r.status
PY
}
journal_bytes() { metric "$1" playcounter_journal_bytes | awk '{printf "%d", $1}'; }
start_timed() { # server base data -> sets PID, PORT, READY (s from JVM start to /health OK)
  PORT=$(free_port)
  local t0; t0=$(date +%s.%N)
  "start_$1" "$2" "$PORT" "$WAR" "$jvm -Dplaycounter.data-dir=$3"; pids=("$PID")
  wait_http "http://127.0.0.1:$PORT/health" 300
  READY=$(echo "$(date +%s.%N) - $t0" | bc -l)
}
heap_line() { # pid -> "H G": heap at /health OK (all allocated so far) and after a full GC, MiB
  local used; used=$(heap_used "$1")
  echo "$((used / 1048576)) $(($(heap_after_gc "$1") / 1048576))"
}
: >"$tmp/chart-restore.txt"
for server in "${servers[@]}"; do
  data=$tmp/restore-$server
  start_timed "$server" "$tmp/$server-empty" "$data"; empty=$READY
  read -r empty_heap empty_gc <<<"$(heap_line "$PID")"
  url=http://127.0.0.1:$PORT
  post_songs "$PORT" 0 "$songs"
  stop_pid "$PID"; pids=()
  start_timed "$server" "$tmp/$server-clean" "$data"; clean=$READY
  read -r clean_heap clean_gc <<<"$(heap_line "$PID")"
  held=$(metric "http://127.0.0.1:$PORT" playcounter_songs)
  restored=$(grep -rhoa 'playcounter restored [0-9]* songs.* in [0-9]* ms' "$tmp/$server-clean" | head -1 || true)
  # the worst moment: bulk adds until the next would pass journal-max-bytes and start a compaction
  url=http://127.0.0.1:$PORT
  limit=${maxbytes:-$DEFAULT_JOURNAL_MAX_BYTES}
  before=$(journal_bytes "$url"); step=0; n=0
  while :; do
    post_songs "$PORT" $(( (n * 500000) % songs )) 500000; n=$((n + 1))
    now=$(journal_bytes "$url"); step=$((now - before)); before=$now
    (( step > 0 && now + step < limit )) || break
  done
  sleep 1.5 # past one fsync interval: every acknowledged add is on disk
  kill -9 "$PID"; wait "$PID" 2>/dev/null || true; pids=()
  listing=$(cd "$data" && ls -s --block-size=M | grep -v '^total' | tr -s ' \n' ' ')
  cp -r "$data" "$data-again"
  start_timed "$server" "$tmp/$server-kill" "$data"; kill9=$READY
  read -r kill_heap kill_gc <<<"$(heap_line "$PID")"
  replayed=$(grep -rhoa 'playcounter restored [0-9]* songs.* in [0-9]* ms' "$tmp/$server-kill" | head -1 || true)
  stop_pid "$PID"; pids=()
  # The same crashed directory again in a heap of 1.3x what the songs hold once up (and the empty
  # start's own): if the restore needed more at any moment, it would fail with OutOfMemoryError.
  tight=$(( (kill_gc - empty_gc) * 13 / 10 + empty_gc ))
  saved=$jvm; jvm="${jvm//-Xms6g -Xmx6g/-Xms${tight}m -Xmx${tight}m} -Xlog:gc:file=$tmp/$server-tight-gc.log"
  if start_timed "$server" "$tmp/$server-tight" "$data-again" && [[ $(metric "http://127.0.0.1:$PORT" playcounter_songs) == "$held" ]]; then
    tight_result=$(printf 'restored in %.2f s with %s collections' "$READY" "$(grep -c 'Pause' "$tmp/$server-tight-gc.log")")
  else
    tight_result="FAILED: $(grep -rhoa 'OutOfMemoryError[^\n]*' "$tmp/$server-tight" | head -1)"
  fi
  stop_pid "$PID"; pids=(); jvm=$saved; rm -rf "$data-again"
  own() { echo "($1 - $empty_heap) / ($2 - $empty_gc)" | bc -l; }
  printf '%-6s restore of %s songs: empty start %.2f s; after a clean stop %.2f s (+%.2f s; %s songs held; %s); after SIGKILL with the journal at %s MiB of %s (%s): %.2f s (+%.2f s; %s)\n' \
    "$server" "$(printf "%'d" "$songs")" "$empty" "$clean" "$(echo "$clean - $empty" | bc -l)" "$held" "${restored#playcounter }" \
    "$((before / 1048576))" "$((limit / 1048576))" "$listing" "$kill9" "$(echo "$kill9 - $empty" | bc -l)" "${replayed#playcounter }"
  printf '%-6s heap at /health OK (MiB, all allocated since JVM start) / after a full GC: empty %s / %s; clean stop %s / %s (x%.2f; restore'"'"'s own x%.2f); SIGKILL %s / %s (x%.2f; restore'"'"'s own x%.2f)\n' \
    "$server" "$empty_heap" "$empty_gc" "$clean_heap" "$clean_gc" "$(echo "$clean_heap / $clean_gc" | bc -l)" "$(own "$clean_heap" "$clean_gc")" \
    "$kill_heap" "$kill_gc" "$(echo "$kill_heap / $kill_gc" | bc -l)" "$(own "$kill_heap" "$kill_gc")"
  printf '%-6s the SIGKILL directory again in -Xmx%sm (1.3x the songs'"'"' %s MiB plus the empty start'"'"'s %s): %s\n' \
    "$server" "$tight" "$((kill_gc - empty_gc))" "$empty_gc" "$tight_result"
  printf '%s empty %.2f\n%s clean stop %.2f\n%s SIGKILL %.2f\n' "$server" "$empty" "$server" "$clean" "$server" "$kill9" >>"$tmp/chart-restore.txt"
  rm -rf "$data"
done
CHART_FORMAT="%.2f s" chart_bars "durability.sh: $(printf "%'d" "$songs") songs, JVM start to /health OK, $(date -u +%F) $(git -C "$ROOT" rev-parse --short HEAD)" \
  "seconds" durability-restore.svg <"$tmp/chart-restore.txt" || true
