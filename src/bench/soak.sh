#!/usr/bin/env bash
# Soak: 2,000 concurrent keep-alive connections plus connection churn (a new connection per
# request) for SECONDS (default 60) against the WAR in standalone Jetty 12.1 and Tomcat 10.1, server
# and load generator sharing both cores (PIN=1: server on CPU 1, load on CPU 0), after a 15 s
# warm-up at the same load. Reports
# throughput, p99, errors and timeouts, the kernel's listen-queue overflows, whether every
# acknowledged play was counted, the heap after a full GC at the end against the start, and then
# 10 s at 64 connections on the same server (so a setting that helps 2,000 connections is seen
# not to cost the common case).
# Usage: src/bench/soak.sh [SECONDS] [VARIANT ...]
#   VARIANT: jetty (the README's recommended settings), jetty-pool8 (the 8-thread pool that is
#   best at 64 connections), jetty-defaults (jetty-home as unpacked), tomcat (recommended),
#   tomcat-defaults; or name=jetty|tomcat with JETTY_ARGS / TOMCAT_CONNECTOR set by the caller.
#   Default: jetty tomcat.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
secs=${1:-60}; shift || true
variants=("$@"); [[ $# -eq 0 ]] && variants=(jetty tomcat)
need wrk wrk
need jcmd openjdk-17-jdk-headless
ulimit -n "$(ulimit -Hn)" # 2,000 connections need more than 1,024 descriptors
build
here=$ROOT/src/bench
songs=1000
connections=2000
if [[ ${PIN:-0} == 1 ]]; then server_cpu=1; load=(taskset -c 0); else server_cpu=""; load=(); fi

# Total of the songs' counts, from GET /.
total() { curl -sf "$1/" | python3 -c 'import sys; print(sum(int(p.split("=")[1]) for p in sys.stdin.read().split(",") if p))'; }
# The total once requests that wrk left in flight have been processed: two equal reads 1 s apart.
settled_total() {
  local last now
  last=$(total "$1")
  for _ in $(seq 10); do
    sleep 1; now=$(total "$1")
    [[ $now == "$last" ]] && break
    last=$now
  done
  echo "$last"
}
overflows() { nstat -az TcpExtListenOverflows | awk '/TcpExtListenOverflows/ {print $2}'; }

soak() { # variant
  local variant=$1 name=${1%%=*} server=${1#*=} base port
  [[ $variant == *=* ]] || server=${variant%%-*}
  base=$(mktemp -d /tmp/playcounter-soak-XXXX); port=$(free_port)
  local opts="-Xms512m -Xmx512m -XX:+UseParallelGC"
  case $variant in
    jetty) JETTY_ARGS=$RECOMMENDED_JETTY_ARGS start_jetty "$base" "$port" "$WAR" "$opts" "$server_cpu" ;;
    jetty-pool8) JETTY_ARGS=$SMALL_POOL_JETTY_ARGS start_jetty "$base" "$port" "$WAR" "$opts" "$server_cpu" ;;
    jetty-defaults) JETTY_ARGS="" start_jetty "$base" "$port" "$WAR" "$opts" "$server_cpu" ;;
    tomcat) TOMCAT_CONNECTOR=$RECOMMENDED_TOMCAT_CONNECTOR start_tomcat "$base" "$port" "$WAR" "$opts" "$server_cpu" ;;
    tomcat-defaults) TOMCAT_CONNECTOR='maxKeepAliveRequests="-1"' start_tomcat "$base" "$port" "$WAR" "$opts" "$server_cpu" ;;
    *=jetty) start_jetty "$base" "$port" "$WAR" "$opts" "$server_cpu" ;;
    *=tomcat) start_tomcat "$base" "$port" "$WAR" "$opts" "$server_cpu" ;;
    *) echo "unknown variant $variant" >&2; return 2 ;;
  esac
  local pid=$PID url=http://127.0.0.1:$port
  trap 'stop_pid $pid' RETURN
  wait_http "$url/health"
  # Every song exists before the baseline, so that the heap measures leaks, not new songs.
  curl -sf -o /dev/null -d "$(python3 -c "print(','.join('s%d=1' % i for i in range(1, $songs + 1)))")" "$url/"
  SONGS=$songs "${load[@]}" wrk -t1 -c$connections -d15s --timeout 10s -s "$here/soak.lua" "$url" >/dev/null # warm-up
  local before_counts start_heap before_overflows
  before_counts=$(settled_total "$url")
  start_heap=$(heap_after_gc "$pid")
  before_overflows=$(overflows)
  SONGS=$songs "${load[@]}" wrk -t1 -c$connections -d"${secs}s" --timeout 10s -s "$here/soak.lua" "$url" >"$base/keepalive.txt" &
  local w1=$!
  SONGS=$songs "${load[@]}" wrk -t1 -c16 -d"${secs}s" --timeout 10s -H 'Connection: close' -s "$here/soak.lua" "$url" >"$base/churn.txt" &
  local w2=$!
  # Plays counted over time: the total of GET / every 5 s while wrk runs, as plays per second.
  local t0=$SECONDS
  : >"$base/totals.txt"
  while kill -0 "$w1" 2>/dev/null; do
    echo "$((SECONDS - t0)) $(total "$url" 2>/dev/null || true)" >>"$base/totals.txt"
    sleep 5
  done
  wait $w1 $w2
  awk 'NF == 2 { if (seen && $1 > t) print $1, ($2 - n) / ($1 - t); t = $1; n = $2; seen = 1 }' "$base/totals.txt" \
    | chart_lines "soak.sh, $name: $connections keep-alive connections + 16 closing, $(date -u +%F) $commit" \
        "seconds" "plays counted per second" "soak-$name.svg" || true
  local after_overflows; after_overflows=$(overflows)
  local after_counts end_heap
  after_counts=$(settled_total "$url")
  end_heap=$(heap_after_gc "$pid")
  SONGS=$songs "${load[@]}" wrk -t1 -c64 -d10s --timeout 10s -s "$here/soak.lua" "$url" >"$base/c64.txt"
  local status=0
  python3 - "$name" "$base/keepalive.txt" "$base/churn.txt" "$base/c64.txt" "$before_counts" "$after_counts" \
    "$start_heap" "$end_heap" "$((after_overflows - before_overflows))" "$chart" <<'PY' || status=$?
import re, sys
name, keep, churn, c64 = sys.argv[1:5]
before, after, h0, h1, overflows = map(int, sys.argv[5:10])
def read(path):
    text = open(path).read()
    m = re.search(r"acknowledged=(\d+) non2xx=(\d+) connect=(\d+) read=(\d+) write=(\d+) timeout=(\d+) p99_ms=([\d.]+)", text)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    return [int(x) for x in m.groups()[:6]] + [float(m.group(7)), float(rps.group(1))]
k, c, s = read(keep), read(churn), read(c64)
acked = k[0] + c[0]
errors = sum(k[1:6]) + sum(c[1:6])
counted = after - before
ok = errors == 0 and acked <= counted <= acked + 2016 and abs(h1 - h0) <= 0.10 * h0 and sum(s[1:6]) == 0
print(f"{name:15} c2000 {k[7]:7.0f} req/s p99 {k[6]:7.2f} ms | churn {c[7]:5.0f} req/s | "
      f"errors {errors} (timeouts {k[5]+c[5]}) | listen overflows {overflows} | "
      f"acknowledged {acked} counted {counted} | heap {h0/2**20:.1f} -> {h1/2**20:.1f} MiB "
      f"({(h1-h0)/h0*100:+.1f}%) | c64 {s[7]:6.0f} req/s p99 {s[6]:5.2f} ms | {'PASS' if ok else 'FAIL'}")
with open(sys.argv[10], "a") as chart:   # variant, c2000 req/s, c2000 p99 ms, c64 req/s
    chart.write(f"{name} {k[7]:.0f} {k[6]:.1f} {s[7]:.0f}\n")
sys.exit(0 if ok else 1)
PY
  return $status
}

echo "soak: $secs s, $connections keep-alive connections + 16 closing after every request, $songs songs, $([[ -n $server_cpu ]] && echo "server on CPU 1, wrk on CPU 0" || echo "server and wrk on both cores"); $(date -u +%F) $(git -C "$ROOT" rev-parse --short HEAD)"
commit=$(git -C "$ROOT" rev-parse --short HEAD)
chart=$(mktemp /tmp/playcounter-soak-chart-XXXX)
status=0
for v in "${variants[@]}"; do soak "$v" || status=1; done
awk '{print $1, $2, $4}' "$chart" | chart_bars "soak.sh: ${secs} s, $(date -u +%F) $commit" "requests per second" soak-throughput.svg \
  "$connections connections" "64 connections, after" || true
awk '{print $1, $3}' "$chart" | chart_bars "soak.sh: p99 at $connections connections, ${secs} s, $(date -u +%F) $commit" "p99 (ms)" soak-p99.svg || true
rm -f "$chart"
exit $status
