#!/usr/bin/env bash
# Soak: 2,000 concurrent keep-alive connections plus connection churn (a new connection per
# request) for SECONDS (default 60) against the WAR in standalone Jetty 12 and Tomcat 10.1.
# Reports errors and timeouts, whether every acknowledged play was counted, and the heap after a
# full GC at the end against the start. Usage: src/bench/soak.sh [SECONDS] [jetty|tomcat ...]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
secs=${1:-60}; shift || true
containers=("${@:-jetty}"); [[ $# -eq 0 ]] && containers=(jetty tomcat)
need wrk wrk
need jcmd openjdk-17-jdk-headless
ulimit -n "$(ulimit -Hn)" # 2,000 connections need more than 1,024 descriptors
build
here=$ROOT/src/bench
songs=1000

soak() { # container
  local name=$1 base port
  base=$(mktemp -d /tmp/playcounter-soak-XXXX); port=$(free_port)
  local opts="-Xms512m -Xmx512m -XX:+UseParallelGC"
  if [[ $name == jetty ]]; then
    start_jetty "$base" "$port" "$WAR" "$opts"
  else
    TOMCAT_CONNECTOR='maxConnections="10000" maxKeepAliveRequests="-1"' start_tomcat "$base" "$port" "$WAR" "$opts"
  fi
  local pid=$PID url=http://127.0.0.1:$port
  trap 'stop_pid $pid' RETURN
  wait_http "$url/health"
  # Every song exists before the baseline, so that the heap measures leaks, not new songs.
  curl -sf -o /dev/null -d "$(python3 -c "print(','.join('s%d=1' % i for i in range(1, $songs + 1)))")" "$url/"
  SONGS=$songs wrk -t2 -c2000 -d5s --timeout 10s -s "$here/soak.lua" "$url" >/dev/null # warm-up
  local before_counts start_heap
  before_counts=$(curl -sf "$url/" | python3 -c 'import sys; print(sum(int(p.split("=")[1]) for p in sys.stdin.read().split(",") if p))')
  start_heap=$(heap_after_gc "$pid")
  SONGS=$songs wrk -t1 -c2000 -d"${secs}s" --timeout 10s -s "$here/soak.lua" "$url" >"$base/keepalive.txt" &
  local w1=$!
  SONGS=$songs wrk -t1 -c16 -d"${secs}s" --timeout 10s -H 'Connection: close' -s "$here/soak.lua" "$url" >"$base/churn.txt" &
  local w2=$!
  wait $w1 $w2
  sleep 1
  local after_counts end_heap
  after_counts=$(curl -sf "$url/" | python3 -c 'import sys; print(sum(int(p.split("=")[1]) for p in sys.stdin.read().split(",") if p))')
  end_heap=$(heap_after_gc "$pid")
  python3 - "$name" "$base/keepalive.txt" "$base/churn.txt" "$before_counts" "$after_counts" "$start_heap" "$end_heap" <<'PY'
import re, sys
name, keep, churn, before, after, h0, h1 = sys.argv[1], sys.argv[2], sys.argv[3], *map(int, sys.argv[4:])
def read(path):
    text = open(path).read()
    m = re.search(r"acknowledged=(\d+) non2xx=(\d+) connect=(\d+) read=(\d+) write=(\d+) timeout=(\d+) p99_ms=([\d.]+)", text)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    return [int(x) for x in m.groups()[:6]] + [float(m.group(7)), float(rps.group(1))]
k, c = read(keep), read(churn)
acked = k[0] + c[0]
errors = sum(k[1:6]) + sum(c[1:6])
counted = after - before
ok = errors == 0 and acked <= counted <= acked + 2016 and abs(h1 - h0) <= 0.10 * h0
print(f"{name:7} keep-alive c2000 {k[7]:9.0f} req/s p99 {k[6]:7.2f} ms | churn c16 {c[7]:7.0f} req/s | "
      f"errors {errors} (non-2xx {k[1]+c[1]}, timeouts {k[5]+c[5]}) | acknowledged {acked} counted {counted} "
      f"(in flight at stop {counted - acked}) | heap {h0/2**20:.1f} -> {h1/2**20:.1f} MiB "
      f"({(h1-h0)/h0*100:+.1f}%) | {'PASS' if ok else 'FAIL'}")
sys.exit(0 if ok else 1)
PY
}

echo "soak: $secs s, 2,000 keep-alive connections + 16 connections closing after every request, $songs songs; $(date -u +%F) $(git -C "$ROOT" rev-parse --short HEAD)"
status=0
for c in "${containers[@]}"; do soak "$c" || status=1; done
exit $status
