#!/usr/bin/env bash
# What remembered bulk answers may cost: one JVM of the WAR in Jetty 12.1 with a 512 MiB heap
# (memory only, default key settings: max-idempotency-answer-bytes 64 MiB), then N keyed POST /
# of the same S songs (default 300 of 100,000: 889 KB of answer each, 267 MB in all), one after
# another, each with a fresh key. Prints how each was answered (200, or which refusal), whether
# a refused one changed anything (the count of the first song must rise by exactly one per 200),
# /health, the key metrics, and the heap after a full GC.
# Usage: src/bench/key-memory.sh [N] [S]   HEAP=512m  EXTRA_JVM="-Dplaycounter....=..."
set -euo pipefail
. "$(dirname "$0")/lib.sh"
n=${1:-300}
songs=${2:-100000}
build
tmp=$(mktemp -d /tmp/playcounter-key-memory-XXXX)
pid=
trap '[ -n "$pid" ] && stop_pid "$pid"; rm -rf "$tmp"' EXIT
metric() { curl -sf "$1/metrics" | awk -v m="$2" '$1==m {print $2}'; }
python3 -c "import sys; sys.stdout.write(','.join('s%d=1' % i for i in range($songs)))" >"$tmp/body"
port=$(free_port)
start_jetty "$tmp/jetty" "$port" "$WAR" "-Xms${HEAP:-512m} -Xmx${HEAP:-512m} -XX:+UseParallelGC -Dplaycounter.max-body-bytes=16000000 ${EXTRA_JVM:-}"
pid=$PID; url=http://127.0.0.1:$port
wait_http "$url/health"
echo "key-memory: $n keyed POST / of the same $songs songs ($(wc -c <"$tmp/body") bytes each), Jetty 12.1, heap ${HEAP:-512m}; $(date -u +%F) $(git -C "$ROOT" rev-parse --short HEAD)"
declare -A statuses=()
ok=0
start=$(date +%s.%N)
for i in $(seq "$n"); do
  status=$(curl -s -o "$tmp/answer" -w '%{http_code}' -X POST -H "Idempotency-Key: bulk-$i-$RANDOM" \
    -H 'Content-Type: text/plain' --data-binary @"$tmp/body" "$url/")
  statuses[$status]=$(( ${statuses[$status]:-0} + 1 ))
  [ "$status" = 200 ] && ok=$((ok + 1))
  if [ "$status" != 200 ] && [ "${statuses[$status]}" = 1 ]; then
    echo "first $status (request $i): $(head -c 300 "$tmp/answer")"
  fi
done
elapsed=$(echo "$(date +%s.%N) - $start" | bc -l)
first=$(curl -s "$url/song/s0")
printf 'answers: '; for s in "${!statuses[@]}"; do printf '%s x%s  ' "$s" "${statuses[$s]}"; done; echo
printf 'in %.1f s; song s0 counts %s after %s answered 200: %s\n' "$elapsed" "$first" "$ok" \
  "$([ "$first" = "$ok" ] && echo 'nothing refused was applied' || echo 'MISMATCH')"
echo "/health: $(curl -s -w ' (%{http_code})' "$url/health")"
for m in playcounter_idempotency_keys playcounter_idempotency_answer_bytes \
    playcounter_idempotency_keys_dropped_total playcounter_idempotency_keys_refused_total; do
  echo "$m $(metric "$url" "$m")"
done
echo "heap after a full GC: $(( $(heap_after_gc "$pid") / 1048576 )) MiB"
