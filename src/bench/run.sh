#!/usr/bin/env bash
# The benchmark table: playcounter and a trivial servlet in standalone Jetty 12 and Tomcat 10.1,
# side by side with nginx (this machine's HTTP ceiling), the original Python app and Redis behind
# webdis, in one run. Each server is pinned to CPU 1, the load generator to CPU 0.
# Usage: src/bench/run.sh [SECONDS per load] (default 10)
#   PROFILE=recommended (default: the README's production settings, small thread pools),
#   defaults (the containers' own pools) or stock (as unpacked, JVM default GC)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
secs=${1:-10}
profile=${PROFILE:-recommended}
shared=$ROOT/../shared/bench
[[ -d $shared ]] || { echo "needs ../shared/bench beside the checkout" >&2; exit 2; }
for pkg in wrk:wrk ab:apache2-utils nginx:nginx-light redis-server:redis-server webdis:webdis; do
  need "${pkg%%:*}" "${pkg#*:}"
done
python3 -c 'import gunicorn, eventlet' 2>/dev/null || need gunicorn-none python3-gunicorn python3-eventlet
need jcmd openjdk-17-jdk-headless
build
out=$(mktemp -d /tmp/playcounter-bench-XXXX)
trap 'rm -rf "$out"' EXIT

trivial_war "$out"

# JVM and container settings for each profile (see the README's "Container settings, measured").
case $profile in
  recommended)   # small pools: measured best by src/bench/tune.sh on this 2-core machine
    jvm=$RECOMMENDED_JVM
    export JETTY_ARGS=$RECOMMENDED_JETTY_ARGS TOMCAT_CONNECTOR=$RECOMMENDED_TOMCAT_CONNECTOR ;;
  defaults)      # the containers' own pools, with Tomcat's keep-alive limit lifted
    jvm=$RECOMMENDED_JVM
    export JETTY_ARGS="" TOMCAT_CONNECTOR='maxKeepAliveRequests="-1"' ;;
  stock)
    jvm="-Xms1g -Xmx1g"
    export JETTY_ARGS="" TOMCAT_CONNECTOR="" ;;
  *) echo "PROFILE must be recommended, defaults or stock" >&2; exit 2 ;;
esac

loads() { # name url -> one line per load in $out/name.txt
  local name=$1 url=$2
  # Warm-up, 15 s of each load: the JIT compiles the request path before anything is measured
  # (after 5 s, Jetty's read path still ran 10-30% below its steady rate). It ends with 5 s of
  # keep-alive traffic, so the measured read does not start right after ab's 10,000 short
  # connections (a read measured there ran up to 30% slower than one after keep-alive load).
  LOAD_CPU=0 "$shared/load.sh" "$url" 15 >/dev/null 2>&1 || true
  taskset -c 0 wrk -t1 -c64 -d5s "$url/song/1" >/dev/null 2>&1 || true
  LOAD_CPU=0 "$shared/load.sh" "$url" "$secs" >"$out/$name.txt" 2>&1
  echo "== $name"; cat "$out/$name.txt"
}

container_row() { # name start_fn war
  local name=$1 start=$2 war=$3 base port
  base=$(mktemp -d "$out/$name-XXXX"); port=$(free_port)
  "$start" "$base" "$port" "$war" "$jvm" 1
  local pid=$PID
  wait_http "http://127.0.0.1:$port/" 90 || wait_http "http://127.0.0.1:$port/song/1" 30
  loads "$name" "http://127.0.0.1:$port"
  stop_pid "$pid"
}

container_row jetty-playcounter start_jetty "$WAR"
container_row jetty-trivial start_jetty "$TRIVIAL_WAR"
container_row tomcat-playcounter start_tomcat "$WAR"
container_row tomcat-trivial start_tomcat "$TRIVIAL_WAR"
"$shared/peers/run.sh" all "$secs" >"$out/peers.txt" 2>&1 || true
cat "$out/peers.txt"
awk -v RS='== ' 'NR>1 { name=$1; sub(/^[^\n]*\n/, ""); print > "'"$out"'/" name ".txt" }' "$out/peers.txt"

python3 - "$out" "$profile" "$secs" "$(git -C "$ROOT" rev-parse --short HEAD)" <<'PY'
import os, re, sys, datetime
out, profile, secs, commit = sys.argv[1:5]
rows = [("nginx-static", "nginx static `return 200`"), ("jetty-playcounter", "playcounter on Jetty"),
        ("jetty-trivial", "trivial servlet on Jetty"), ("tomcat-playcounter", "playcounter on Tomcat"),
        ("tomcat-trivial", "trivial servlet on Tomcat"), ("webdis", "Redis behind webdis"),
        ("original", "original Python app")]
def parse(name):
    path = os.path.join(out, name + ".txt")
    if not os.path.exists(path):
        return {}
    res = {}
    for line in open(path):
        m = re.match(r"(\S+)\s+([\d.]+|\?) req/s\s+p50 (\S+)\s+p99 (\S+)\s+(.*)", line)
        if m:
            res[m.group(1)] = (float(m.group(2)) if m.group(2) != "?" else 0.0, m.group(3), m.group(4), m.group(5).strip())
        m = re.match(r"read-ab-c1\s+([\d.]+) req/s.*failed=(\d+)", line)
        if m:
            res["ab"] = (float(m.group(1)), m.group(2))
    return res
data = {name: parse(name) for name, _ in rows}
ceiling = data.get("nginx-static", {})
def ratio(name, key):
    base = ceiling.get(key)
    val = data[name].get(key)
    return f"{val[0] / base[0]:.2f}" if base and val and base[0] else "-"
print(f"\nplaycounter benchmark, {datetime.date.today()}, commit {commit}, containers {profile}, "
      f"{secs} s per load, server on CPU 1, wrk/ab on CPU 0")
print("| server | read req/s | p50 | p99 | x nginx | write req/s | p50 | p99 | x nginx | ab -c1 req/s | x nginx |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for name, label in rows:
    d = data[name]
    r = d.get("read-keepalive-c64"); w = d.get("write-keepalive-c64"); a = d.get("ab")
    cells = [label]
    for v, key in ((r, "read-keepalive-c64"), (w, "write-keepalive-c64")):
        cells += [f"{v[0]:,.0f}", v[1], v[2], ratio(name, key)] if v else ["-"] * 4
    cells += [f"{a[0]:,.0f}", ratio(name, "ab")] if a else ["-", "-"]
    print("| " + " | ".join(cells) + " |")
    with open(os.path.join(out, "chart.txt"), "a") as chart:   # label, read, write, ab -c1 req/s
        chart.write(" ".join([label.replace("`", "")] + [f"{v[0]:.0f}" if v else "0" for v in (r, w, a)]) + "\n")
for name in ("jetty", "tomcat"):
    p, t = data[name + "-playcounter"], data[name + "-trivial"]
    for key in ("read-keepalive-c64", "write-keepalive-c64"):
        if p.get(key) and t.get(key) and t[key][0]:
            print(f"playcounter / trivial servlet on {name}, {key}: {p[key][0] / t[key][0]:.2f}")
errors = [f"{n}: {k} {v[3]}" for n, d in data.items() for k, v in d.items() if k != "ab" and v[3] != "0 errors"]
print("errors: " + ("; ".join(errors) if errors else "none"))
PY
chart_bars "playcounter and its peers, $(date -u +%F) $(git -C "$ROOT" rev-parse --short HEAD), $profile, ${secs} s per load" \
  "requests per second" run-throughput.svg "read (wrk -c64)" "write (wrk -c64)" "ab -n 10000 -c 1" <"$out/chart.txt" || true
