#!/usr/bin/env bash
# Profiles the request path with JDK Flight Recorder: the WAR in standalone Jetty (or Tomcat) on
# CPU 1, the write (or read) load from wrk on CPU 0, then the hottest frames of the executing
# threads, whole stacks folded down to the top frame and to the first playcounter frame.
# Usage: src/bench/profile.sh [jetty|tomcat] [write|read] [SECONDS]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
container=${1:-jetty}; load=${2:-write}; secs=${3:-15}
need wrk wrk
build
tmp=$(mktemp -d /tmp/playcounter-profile-XXXX)
port=$(free_port)
opts="-Xms1g -Xmx1g -XX:+UseParallelGC -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints"
opts="$opts -XX:StartFlightRecording=filename=$tmp/rec.jfr,settings=profile,dumponexit=true"
"start_$container" "$tmp/server" "$port" "$WAR" "$opts" 1
pid=$PID
trap 'stop_pid $pid; rm -rf "$tmp"' EXIT
wait_http "http://127.0.0.1:$port/health"
url=http://127.0.0.1:$port
if [[ $load == write ]]; then
  args=(-s "$ROOT/../shared/bench/post-random.lua" "$url")
else
  curl -s -o /dev/null -X POST "$url/song/1"; args=("$url/song/1")
fi
taskset -c 0 wrk -t1 -c64 -d5s "${args[@]}" >/dev/null            # warm-up
jcmd "$pid" JFR.stop >/dev/null 2>&1 || true
jcmd "$pid" JFR.start name=measured settings=profile filename="$tmp/measured.jfr" >/dev/null
taskset -c 0 wrk -t1 -c64 -d"${secs}s" "${args[@]}" | grep -E "Requests/sec"
jcmd "$pid" JFR.dump name=measured filename="$tmp/measured.jfr" >/dev/null
jfr print --events jdk.ExecutionSample --stack-depth 64 "$tmp/measured.jfr" | python3 -c '
import collections, re, sys
top, ours, total = collections.Counter(), collections.Counter(), 0
stack = []
def flush():
    global total
    if not stack: return
    total += 1
    top[stack[0]] += 1
    mine = next((f for f in stack if "playcounter" in f), None)
    if mine: ours[mine] += 1
for line in sys.stdin:
    line = line.strip()
    if line.startswith("jdk.ExecutionSample"):
        flush(); stack = []
    m = re.match(r"([\w.$<>]+)\(.*line: \d+", line)
    if m: stack.append(m.group(1))
flush()
print(f"{total} samples; hottest top frames:")
for f, n in top.most_common(25): print(f"  {n*100/total:5.1f}%  {f}")
print("samples under playcounter code, by its innermost frame:")
for f, n in ours.most_common(15): print(f"  {n*100/total:5.1f}%  {f}")
'
