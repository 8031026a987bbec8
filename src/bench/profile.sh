#!/usr/bin/env bash
# Profiles the request path: the WAR in standalone Jetty (or Tomcat) on CPU 1, the write (or read)
# load from wrk on CPU 0, after a 15 s warm-up.
#   PROFILER=jfr (default): JDK Flight Recorder; the hottest Java frames, whole stacks folded
#     down to the top frame and to the first playcounter frame.
#   PROFILER=perf: Linux perf sampling all of CPU 1 (kernel included): the share of each binary
#     (kernel, JIT-compiled Java, libjvm, ...) and the hottest kernel functions. With
#     PROFILER=perf the target may also be nginx (its static `return 200`), for comparison.
#   CONNECTIONS (default 64): wrk's concurrent keep-alive connections.
#   EXTRA_JVM: more JVM options for the server, e.g. "-Dplaycounter.data-dir=/tmp/d" to profile
#     the durable write path.
#   JFR_PERIOD (default the profile settings' 10 ms): the Java sampling period, e.g. "1 ms".
#   KEEP_JFR=FILE: keeps the measured recording, e.g. for src/bench/jfr-shares.py.
# Usage: src/bench/profile.sh [jetty|tomcat|nginx] [write|read] [SECONDS]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
container=${1:-jetty}; load=${2:-write}; secs=${3:-15}; profiler=${PROFILER:-jfr}
c=${CONNECTIONS:-64}
ulimit -n "$(ulimit -Hn)"
need wrk wrk
[[ $profiler == perf ]] && need perf linux-perf
[[ $container != nginx || $profiler == perf ]] || { echo "nginx can only be profiled with PROFILER=perf" >&2; exit 2; }
build
tmp=$(mktemp -d /tmp/playcounter-profile-XXXX)
port=$(free_port)
opts="$RECOMMENDED_JVM -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints ${EXTRA_JVM:-}"
[[ $profiler == jfr ]] && opts="$opts -XX:StartFlightRecording=filename=$tmp/rec.jfr,settings=profile,dumponexit=true"
recommended_pools
if [[ $container == nginx ]]; then
  start_nginx "$tmp/server" "$port" 1
else
  "start_$container" "$tmp/server" "$port" "$WAR" "$opts" 1
fi
pid=$PID
trap 'stop_pid $pid; rm -rf "$tmp"' EXIT
url=http://127.0.0.1:$port
wait_http "$url/song/1"
if [[ $load == write ]]; then
  args=(-s "$ROOT/../shared/bench/post-random.lua" "$url")
else
  curl -s -o /dev/null -X POST "$url/song/1"; args=("$url/song/1")
fi
for _ in 1 2 3; do taskset -c 0 wrk -t1 -c"$c" -d5s "${args[@]}" >/dev/null; done   # warm-up

if [[ $profiler == perf ]]; then
  taskset -c 0 wrk -t1 -c"$c" -d"$((secs + 2))s" "${args[@]}" >"$tmp/wrk.out" &
  wrk_pid=$!
  sleep 1
  perf record -q -C 1 -F 1999 -o "$tmp/perf.data" -- sleep "$secs" >/dev/null 2>&1
  wait "$wrk_pid"; grep -E "Requests/sec" "$tmp/wrk.out"
  echo "CPU 1 by binary ([JIT] and perf-*.map are JIT-compiled Java):"
  perf report -i "$tmp/perf.data" --stdio --sort dso 2>/dev/null | grep -E '^ +[0-9]' | head -8 | tee "$tmp/dso.txt"
  echo "hottest functions on CPU 1:"
  perf report -i "$tmp/perf.data" --stdio --sort sym 2>/dev/null | grep -E '^ +[0-9]' | head -25
  # "  84.80%  [kernel.kallsyms]" -> "[kernel.kallsyms] 84.80"
  awk '{v = $1; sub(/%/, "", v); $1 = ""; print $0, v}' "$tmp/dso.txt" \
    | chart_bars "profile.sh (perf): CPU 1 by binary, $container $load, $(date -u +%F) $(git -C "$ROOT" rev-parse --short HEAD)" \
        "% of CPU 1's samples" "profile-perf-$container-$load.svg" || true
  exit 0
fi

jcmd "$pid" JFR.stop >/dev/null 2>&1 || true
settings=profile
if [[ -n ${JFR_PERIOD:-} ]]; then
  settings=$tmp/sampling.jfc
  sed "s|control=\"method-sampling-java-interval\">[^<]*<|control=\"method-sampling-java-interval\">$JFR_PERIOD<|" \
    "$(dirname "$(readlink -f "$(command -v java)")")/../lib/jfr/profile.jfc" >"$settings"
fi
jcmd "$pid" JFR.start name=measured settings="$settings" filename="$tmp/measured.jfr" >/dev/null
taskset -c 0 wrk -t1 -c"$c" -d"${secs}s" "${args[@]}" | grep -E "Requests/sec"
jcmd "$pid" JFR.dump name=measured filename="$tmp/measured.jfr" >/dev/null
[[ -z ${KEEP_JFR:-} ]] || cp "$tmp/measured.jfr" "$KEEP_JFR"
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
with open(sys.argv[1], "w") as chart:   # the ten hottest top frames, as Class.method
    for f, n in top.most_common(10): chart.write("%s %.1f\n" % (".".join(f.split(".")[-2:]), n * 100 / total))
' "$tmp/frames.txt"
chart_bars "profile.sh (JFR): hottest top frames, $container $load, $(date -u +%F) $(git -C "$ROOT" rev-parse --short HEAD)" \
  "% of execution samples" "profile-jfr-$container-$load.svg" <"$tmp/frames.txt" || true
