#!/usr/bin/env bash
# Container and JVM settings side by side with nginx, without the host's drift: every variant is a
# container JVM (pinned to CPU 1, as in run.sh) started at once, then measured in interleaved
# rounds together with nginx's static `return 200`, so that each round's ratio to nginx cancels
# what the host did meanwhile. Prints per variant the median req/s and the median per-round ratio
# to nginx for the read path, the write path and `ab -c 1`, the median p99, and CPU 1's user and
# kernel time per request (from /proc/stat) for the keep-alive loads.
# Usage: src/bench/tune.sh [ROUNDS] [SECONDS] [VARIANTS_FILE]   (default 5 rounds of 5 s)
# A variant is one line:  name | jetty|tomcat | pc|tr | JVM options | Jetty args or Tomcat
# connector attributes   (pc = playcounter, tr = the trivial servlet); '#' starts a comment.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
rounds=${1:-5}; secs=${2:-5}; file=${3:-}
for pkg in wrk:wrk ab:apache2-utils nginx:nginx-light; do need "${pkg%%:*}" "${pkg#*:}"; done
build
tmp=$(mktemp -d /tmp/playcounter-tune-XXXX)
pids=()
trap 'for p in "${pids[@]}"; do stop_pid "$p"; done; rm -rf "$tmp"' EXIT
trivial_war "$tmp"

# The default variants: each container's own pools and the recommended small pools (README).
jvm=$RECOMMENDED_JVM
variants="jetty-trivial-default | jetty | tr | $jvm |
jetty-trivial-small | jetty | tr | $jvm | $RECOMMENDED_JETTY_ARGS
jetty-playcounter-small | jetty | pc | $jvm | $RECOMMENDED_JETTY_ARGS
tomcat-trivial-default | tomcat | tr | $jvm | maxKeepAliveRequests=\"-1\"
tomcat-trivial-small | tomcat | tr | $jvm | $RECOMMENDED_TOMCAT_CONNECTOR
tomcat-playcounter-small | tomcat | pc | $jvm | $RECOMMENDED_TOMCAT_CONNECTOR"
[[ -n $file ]] && variants=$(cat "$file")

# nginx, the ceiling, measured in every round.
ngx_port=$(free_port)
start_nginx "$tmp/nginx" "$ngx_port" 1; pids+=("$PID")
names=(nginx); urls=("http://127.0.0.1:$ngx_port")

while IFS='|' read -r name container app jvm args; do
  name=$(echo "$name" | xargs); container=$(echo "$container" | xargs); app=$(echo "$app" | xargs)
  [[ -z $name || $name == \#* ]] && continue
  war=$WAR; [[ $app == tr ]] && war=$TRIVIAL_WAR
  port=$(free_port)
  if [[ $container == jetty ]]; then
    JETTY_ARGS=$args start_jetty "$tmp/$name" "$port" "$war" "$jvm" 1
  else
    TOMCAT_CONNECTOR=$args start_tomcat "$tmp/$name" "$port" "$war" "$jvm" 1
  fi
  pids+=("$PID"); names+=("$name"); urls+=("http://127.0.0.1:$port")
done <<<"$variants"
for url in "${urls[@]}"; do wait_http "$url/song/1" 120 || wait_http "$url/" 30; done

lua=$ROOT/../shared/bench/post-random.lua
cpu1() { awk '/^cpu1 / {print $2 + $3, $4 + $7 + $8, $5}' /proc/stat; }   # user, kernel, idle ticks
# wrk_run secs url [args] -> "req/s p99-ms user-us kernel-us idle-%": CPU 1's time per request
wrk_run() {
  local s=$1 before after; shift
  before=$(cpu1)
  taskset -c 0 wrk -t1 -c64 -d"${s}s" --latency "$@" >"$tmp/wrk.out"
  after=$(cpu1)
  awk -v b="$before" -v a="$after" -v hz="$(getconf CLK_TCK)" '
    BEGIN {split(b, x, " "); split(a, y, " ")}
    / requests in / {n=$1} /Requests\/sec/ {r=$2}
    $1=="99%" {p=$2; if (p ~ /us$/) p=p/1000; else if (p ~ /ms$/) p=p+0; else if (p ~ /s$/) p=p*1000}
    END {t=(y[1]-x[1]) + (y[2]-x[2]) + (y[3]-x[3]); us=1e6/hz
         printf "%s %s %.2f %.2f %.0f\n", r, p, (y[1]-x[1])*us/n, (y[2]-x[2])*us/n, t ? 100*(y[3]-x[3])/t : 0}' "$tmp/wrk.out"
}
ab_run() { taskset -c 0 ab -q -n 5000 -c 1 "$1/song/1" | awk '/Requests per second/ {print $4}'; }
for i in "${!urls[@]}"; do   # warm-up: the JIT compiles each request path first
  curl -s -o /dev/null -X POST "${urls[$i]}/song/1"
  for _ in 1 2 3; do wrk_run 5 "${urls[$i]}/song/1" >/dev/null; wrk_run 5 -s "$lua" "${urls[$i]}" >/dev/null; done
done
for r in $(seq "$rounds"); do
  for i in "${!urls[@]}"; do
    wrk_run 1 "${urls[$i]}/song/1" >/dev/null   # wakes the pools a minute of idling shrank
    echo "${names[$i]} $r read $(wrk_run "$secs" "${urls[$i]}/song/1")"
    echo "${names[$i]} $r write $(wrk_run "$secs" -s "$lua" "${urls[$i]}")"
    echo "${names[$i]} $r ab $(ab_run "${urls[$i]}") 0 0 0 0"
  done
done | tee "$tmp/rounds.txt" >&2

python3 - "$tmp/rounds.txt" "$rounds" "$secs" "$(git -C "$ROOT" rev-parse --short HEAD)" <<'PY'
import collections, datetime, statistics, sys
path, rounds, secs, commit = sys.argv[1:5]
data = collections.defaultdict(dict)   # (name, kind) -> {round: (rps, p99, user, kernel, idle)}
order = []
for line in open(path):
    name, rnd, kind, *values = line.split()
    if name not in order: order.append(name)
    data[(name, kind)][rnd] = tuple(float(v) for v in values)
med = lambda values, i: statistics.median(v[i] for v in values)
print(f"\ntune.sh, {datetime.date.today()}, commit {commit}, {rounds} interleaved rounds of {secs} s, "
      "servers on CPU 1, load on CPU 0; medians; 'x nginx' is the median of per-round ratios; "
      "CPU is CPU 1's user + kernel (sys, irq, softirq) microseconds per request, idle its idle share")
print("| variant | read req/s | x nginx | p99 ms | CPU us | idle | write req/s | x nginx | p99 ms | CPU us | idle "
      "| ab -c1 req/s | x nginx |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for name in order:
    cells = [name]
    for kind in ("read", "write", "ab"):
        mine, ngx = data[(name, kind)], data[("nginx", kind)]
        ratios = [mine[r][0] / ngx[r][0] for r in mine if r in ngx and ngx[r][0]]
        values = list(mine.values())
        cells += [f"{med(values, 0):,.0f}", f"{statistics.median(ratios):.2f}"]
        if kind != "ab":
            cells += [f"{med(values, 1):.2f}", f"{med(values, 2):.1f} + {med(values, 3):.1f}",
                      f"{med(values, 4):.0f}%"]
    print("| " + " | ".join(cells) + " |")
    with open(path + ".chart", "a") as chart:   # variant, x nginx for read, write, ab -c1
        chart.write(" ".join([name] + [cells[i] for i in (2, 7, 12)]) + "\n")
PY
chart_bars "tune.sh: x nginx, median of ${rounds} rounds of ${secs} s, $(date -u +%F) $(git -C "$ROOT" rev-parse --short HEAD)" \
  "ratio to nginx's static return 200 in the same round" tune-x-nginx.svg read write "ab -c 1" <"$tmp/rounds.txt.chart" || true
