#!/usr/bin/env bash
# playcounter against the trivial servlet in ONE container JVM (contexts /pc and /tr), measured in
# interleaved rounds so that the host's drift hits both alike: the ratio playcounter / trivial for
# the read path (GET /song/1 vs GET /tr/) and the write path (POST to random songs), median of
# ROUNDS. Usage: src/bench/pair.sh [jetty|tomcat] [ROUNDS] [SECONDS]   (default jetty 5 5)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
container=${1:-jetty}; rounds=${2:-5}; secs=${3:-5}
need wrk wrk
build
tmp=$(mktemp -d /tmp/playcounter-pair-XXXX)
api=$(ls ~/.m2/repository/jakarta/servlet/jakarta.servlet-api/6.0.0/jakarta.servlet-api-6.0.0.jar)
mkdir -p "$tmp/trivial/WEB-INF/classes"
cp "$ROOT/src/bench/trivial/WEB-INF/web.xml" "$tmp/trivial/WEB-INF/"
javac -d "$tmp/trivial/WEB-INF/classes" -cp "$api" "$ROOT/src/bench/trivial/TrivialServlet.java"
(cd "$tmp/trivial" && jar cf "$tmp/trivial.war" WEB-INF)
port=$(free_port)
export TOMCAT_CONNECTOR='maxKeepAliveRequests="-1"'
"start_$container" "$tmp/server" "$port" "$WAR" "-Xms1g -Xmx1g -XX:+UseParallelGC" 1
pid=$PID
trap 'stop_pid $pid; rm -rf "$tmp"' EXIT
dir=$tmp/server/webapps; mv "$dir/ROOT.war" "$dir/pc.war"; cp "$tmp/trivial.war" "$dir/tr.war"
url=http://127.0.0.1:$port
wait_http "$url/pc/health" 120; wait_http "$url/tr/" 120
curl -s -o /dev/null -X POST "$url/pc/song/1"
rps() { taskset -c 0 wrk -t1 -c64 -d"${secs}s" "$@" | awk '/Requests\/sec/ {print $2}'; }
lua=$ROOT/../shared/bench/post-random.lua
rps "$url/pc/song/1" >/dev/null; rps "$url/tr/" >/dev/null   # warm-up
PREFIX=/pc rps -s "$lua" "$url" >/dev/null; PREFIX=/tr rps -s "$lua" "$url" >/dev/null
for r in $(seq "$rounds"); do
  echo "read $(rps "$url/pc/song/1") $(rps "$url/tr/song/1")"
  echo "write $(PREFIX=/pc rps -s "$lua" "$url") $(PREFIX=/tr rps -s "$lua" "$url")"
done | python3 -c '
import statistics, sys
rows = {"read": [], "write": []}
for line in sys.stdin:
    kind, pc, tr = line.split(); rows[kind].append((float(pc), float(tr)))
for kind, pairs in rows.items():
    ratios = [p / t for p, t in pairs]
    each = ", ".join("%.2f" % r for r in ratios)
    print("%-5s: playcounter %9.0f req/s, trivial %9.0f req/s, ratio median %.3f (rounds: %s)" % (
        kind, statistics.median(p for p, _ in pairs), statistics.median(t for _, t in pairs),
        statistics.median(ratios), each))
'
