#!/usr/bin/env bash
# playcounter against the trivial servlet in ONE container JVM (contexts /pc and /tr), measured in
# interleaved rounds so that the host's drift hits both alike: the ratio playcounter / trivial for
# the read path (GET /song/1 vs GET /tr/), the write path (POST to random songs among 100,000) and
# the hot path (64 connections POSTing one song), median of ROUNDS.
# AGAINST=path/to/other.war puts that WAR at /tr instead of the trivial servlet, e.g. an older
# build of playcounter: the ratios are then this build / that one.
# Usage: src/bench/pair.sh [jetty|tomcat] [ROUNDS] [SECONDS]   (default jetty 5 5)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
container=${1:-jetty}; rounds=${2:-5}; secs=${3:-5}
need wrk wrk
build
tmp=$(mktemp -d /tmp/playcounter-pair-XXXX)
trivial_war "$tmp"
port=$(free_port)
recommended_pools
"start_$container" "$tmp/server" "$port" "$WAR" "$RECOMMENDED_JVM" 1
pid=$PID
trap 'stop_pid $pid; rm -rf "$tmp"' EXIT
dir=$tmp/server/webapps; mv "$dir/ROOT.war" "$dir/pc.war"; cp "${AGAINST:-$TRIVIAL_WAR}" "$dir/tr.war"
url=http://127.0.0.1:$port
wait_http "$url/pc/health" 120; wait_http "$url/tr/song/1" 120
curl -s -o /dev/null -X POST "$url/pc/song/1"; curl -s -o /dev/null -X POST "$url/tr/song/1"
rps() { taskset -c 0 wrk -t1 -c64 -d"${secs}s" "$@" | awk '/Requests\/sec/ {print $2}'; }
lua=$ROOT/../shared/bench/post-random.lua
for _ in 1 2 3; do   # warm-up: 15 s of each load and path before anything is measured
  rps "$url/pc/song/1" >/dev/null; rps "$url/tr/" >/dev/null
  PREFIX=/pc rps -s "$lua" "$url" >/dev/null; PREFIX=/tr rps -s "$lua" "$url" >/dev/null
  SONGS=1 PREFIX=/pc rps -s "$lua" "$url" >/dev/null; SONGS=1 PREFIX=/tr rps -s "$lua" "$url" >/dev/null
done
export CHART_DATA=$tmp/chart.txt
for r in $(seq "$rounds"); do
  echo "read $(rps "$url/pc/song/1") $(rps "$url/tr/song/1")"
  echo "write $(PREFIX=/pc rps -s "$lua" "$url") $(PREFIX=/tr rps -s "$lua" "$url")"
  echo "hot $(SONGS=1 PREFIX=/pc rps -s "$lua" "$url") $(SONGS=1 PREFIX=/tr rps -s "$lua" "$url")"
done | python3 -c '
import statistics, sys, os
rows = {"read": [], "write": [], "hot": []}
for line in sys.stdin:
    kind, pc, tr = line.split(); rows[kind].append((float(pc), float(tr)))
for kind, pairs in rows.items():
    ratios = [p / t for p, t in pairs]
    each = ", ".join("%.2f" % r for r in ratios)
    print("%-5s: playcounter %9.0f req/s, other %9.0f req/s, ratio median %.3f (rounds: %s)" % (
        kind, statistics.median(p for p, _ in pairs), statistics.median(t for _, t in pairs),
        statistics.median(ratios), each))
    with open(os.environ["CHART_DATA"], "a") as chart:
        chart.write("%s %.3f\n" % (kind, statistics.median(ratios)))
'
chart_bars "pair.sh, $container: playcounter / $([[ -n ${AGAINST:-} ]] && basename "$AGAINST" || echo "trivial servlet"), median of $rounds rounds, $(date -u +%F) $(git -C "$ROOT" rev-parse --short HEAD)" \
  "ratio, same JVM, interleaved rounds" "pair-$container.svg" <"$tmp/chart.txt" || true
