#!/usr/bin/env bash
# HTTP client libraries side by side, in one run, the way the client's transport was chosen:
# Transports.java plays POST /song/{random of 100,000} with an Idempotency-Key, one play a call,
# from 1, 8 and 64 threads through the JDK's HttpClient (sendAsync, the client's transport until
# 2026-12-02, and send), Apache HttpClient 5 classic (the one the pom manages), Jetty's HttpClient
# and OkHttp, each with at most 64 keep-alive connections, and a raw socket a thread as the floor;
# against the WAR in a standalone Jetty 12.1 (recommended pool) on CPU 1, the load on CPU 0, after
# a wrk warm-up of the server and WARMUP s of each library. Then a JFR recording of the JDK's
# sendAsync from 64 threads, its samples by thread: where the time goes. The libraries come from
# Maven Central through a throwaway pom (JETTY_CLIENT and OKHTTP pick their versions).
# Usage: src/bench/transports.sh [SECONDS a phase, default 8] [WARMUP, default 5]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
secs=${1:-8}
warm=${2:-5}
need wrk wrk
build
tmp=$(mktemp -d /tmp/playcounter-transports-XXXX)
pid=
trap '[[ -z $pid ]] || stop_pid $pid; rm -rf "$tmp"' EXIT
hc5=$(sed -n 's:.*<httpclient5.version>\(.*\)</httpclient5.version>.*:\1:p' "$ROOT/pom.xml")
cat >"$tmp/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>bench</groupId><artifactId>transports</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.httpcomponents.client5</groupId><artifactId>httpclient5</artifactId><version>$hc5</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-nop</artifactId><version>1.7.36</version></dependency>
    <dependency><groupId>org.eclipse.jetty</groupId><artifactId>jetty-client</artifactId><version>${JETTY_CLIENT:-12.1.14}</version></dependency>
    <dependency><groupId>com.squareup.okhttp3</groupId><artifactId>okhttp-jvm</artifactId><version>${OKHTTP:-5.5.1}</version></dependency>
  </dependencies>
</project>
POM
mvn -B -q -f "$tmp/pom.xml" dependency:copy-dependencies -DoutputDirectory="$tmp/lib" \
  -Dmdep.useBaseVersion=true >/dev/null
libs=$(ls "$tmp"/lib/*.jar | tr '\n' ':')
echo "libraries: $(ls "$tmp/lib" | grep -E 'httpclient5|jetty-client|okhttp' | tr '\n' ' ')"

port=$(free_port)
url=http://127.0.0.1:$port
recommended_pools
start_jetty "$tmp/jetty" "$port" "$WAR" "$RECOMMENDED_JVM" 1
pid=$PID
wait_http "$url/health"
taskset -c 0 wrk -t1 -c64 -d15s -s "$ROOT/src/bench/post-keyed.lua" "$url" >/dev/null
bench=$ROOT/src/bench/java/org/playcounter/bench/Transports.java
jvm="-Xms1g -Xmx1g -XX:+UseParallelGC"
# shellcheck disable=SC2086
timeout $((60 * secs + 30 * warm + 120)) taskset -c 0 java $jvm -cp "$libs" "$bench" "$url" "$secs" "$warm" \
  | tee "$tmp/out.txt"

echo "JFR of jdk-send-async from 64 threads, ${secs} s: where its threads spend the time"
# shellcheck disable=SC2086
timeout $((secs + warm + 60)) taskset -c 0 java $jvm -Djfr.out="$tmp/jdk.jfr" \
  -cp "$libs" "$bench" "$url" "$secs" "$warm" jdk-send-async 64 2>/dev/null
# Java execution samples by thread (a thread in a system call or parked is not sampled), and the
# time threads spent parked (handing work to each other), by thread.
for event in jdk.ExecutionSample jdk.ThreadPark; do
  jfr print --events "$event" "$tmp/jdk.jfr" | python3 -c '
import collections, re, sys
event = sys.argv[1]
count, nanos = collections.Counter(), collections.Counter()
thread = None
for line in sys.stdin:
    m = re.search(r"(?:sampledThread|eventThread) = \"([^\"]*)\"", line)
    if m:
        thread = re.sub(r"-\d+$", "-N", m.group(1))
        thread = "caller threads (Thread-N)" if thread.startswith("Thread-") else thread
        count[thread] += 1
    m = re.search(r"duration = ([\d.]+) (ms|s|us|ns)", line)
    if m and event == "jdk.ThreadPark":
        nanos[thread or "?"] += float(m.group(1)) * {"s": 1e9, "ms": 1e6, "us": 1e3, "ns": 1}[m.group(2)]
total = sum(count.values()) or 1
print(f"  {event}: {sum(count.values())} events")
for name, n in count.most_common(6):
    extra = f", parked {nanos[name] / 1e9:.1f} s in all" if event == "jdk.ThreadPark" else ""
    print(f"    {n * 100 / total:5.1f}%  {name}{extra}")
' "$event"
done
sed -nE 's/^measured +([^ ]+) +([0-9]+) threads +([0-9,.]+) calls\/s.*/\1 \2 \3/p' "$tmp/out.txt" \
  | python3 -c '
import sys, collections
rows = collections.OrderedDict()
for line in sys.stdin:
    name, threads, rate = line.split()
    rows.setdefault(name, {})[threads] = rate.replace(",", "")
for name, r in rows.items():
    print(name, r.get("1", 0), r.get("8", 0), r.get("64", 0))' \
  | chart_bars "transports.sh: one play a call, plays/s by HTTP client library, $(date -u +%F)" \
      "plays per second" client-transports.svg "1 thread" "8 threads" "64 threads" || true
