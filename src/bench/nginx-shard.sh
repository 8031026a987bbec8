#!/usr/bin/env bash
# Tries the README's reverse-proxy recipe for real: nginx with `hash $request_uri consistent` in
# front of three counter servers (the WAR in three Jetty processes), plays sent through nginx,
# then each server asked directly: every song must live on exactly one server. Then what nginx's
# clients see while one server restarts (a clean stop and a start, 3 s into a 12 s wrk run of 16
# connections, after the plays above so that every song counts at least 1): for plays and for
# reads, with `proxy_next_upstream off` (front 1) and with reads handed to the next server
# (`proxy_next_upstream error timeout http_502 http_503`, front 2; nginx never replays a POST).
# Usage: src/bench/nginx-shard.sh [SONGS] (default 3000)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
songs=${1:-3000}
need nginx nginx-light
build
tmp=$(mktemp -d /tmp/playcounter-nginx-XXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do stop_pid "$p"; done; rm -rf "$tmp"; }
trap cleanup EXIT

ports=()
for i in 1 2 3; do
  port=$(free_port); ports+=("$port")
  start_jetty "$tmp/jetty$i" "$port" "$WAR" "-Xmx256m -Dplaycounter.data-dir=$tmp/data$i"; pids+=("$PID")
done
front=$(free_port)
front2=$(free_port)
front3=$(free_port)
# One location as the recipe has it, over an upstream with nginx's defaults (max_fails=1
# fail_timeout=10s) or with max_fails=0, and with proxy_next_upstream off or on for reads.
location() { # upstream next-upstream
  echo "location /song/ { proxy_pass http://$1; proxy_http_version 1.1;"
  echo "  proxy_set_header Connection \"\"; proxy_next_upstream $2; }"
}
cat >"$tmp/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $tmp/nginx.pid; error_log $tmp/nginx.err;
events { worker_connections 1024; }
http {
  access_log off;
  upstream counters {
    hash \$request_uri consistent;
    server 127.0.0.1:${ports[0]};
    server 127.0.0.1:${ports[1]};
    server 127.0.0.1:${ports[2]};
    keepalive 32;
  }
  upstream pinned {
    hash \$request_uri consistent;
    server 127.0.0.1:${ports[0]} max_fails=0;
    server 127.0.0.1:${ports[1]} max_fails=0;
    server 127.0.0.1:${ports[2]} max_fails=0;
    keepalive 32;
  }
  server { listen 127.0.0.1:$front; $(location counters off) }
  server { listen 127.0.0.1:$front2; $(location counters "error timeout http_502 http_503") }
  server { listen 127.0.0.1:$front3; $(location pinned off) }
}
CONF
nginx -c "$tmp/nginx.conf" -p "$tmp" & pids+=($!)
for p in "${ports[@]}"; do wait_http "http://127.0.0.1:$p/health"; done
wait_http "http://127.0.0.1:$front/song/0"

python3 - "$front" "$songs" "${ports[@]}" <<PY | tee "$tmp/out.txt"
import http.client, sys
front, songs, ports = int(sys.argv[1]), int(sys.argv[2]), [int(p) for p in sys.argv[3:]]
conn = http.client.HTTPConnection("127.0.0.1", front)
for i in range(songs):
    for _ in range(1 + i % 3):
        conn.request("POST", "/song/s%d" % i); r = conn.getresponse(); r.read()
        assert r.status == 200, r.status
where = {}
for port in ports:
    c = http.client.HTTPConnection("127.0.0.1", port)
    c.request("GET", "/"); body = c.getresponse().read().decode()
    for pair in filter(None, body.split(",")):
        song, count = pair.split("=")
        assert song not in where, "song %s on two servers" % song
        where[song] = (port, int(count))
assert len(where) == songs, len(where)
assert all(count == 1 + int(s[1:]) % 3 for s, (_, count) in where.items())
share = {p: sum(1 for v in where.values() if v[0] == p) for p in ports}
import json; json.dump({s: p for s, (p, _) in where.items()}, open("$tmp/home.json", "w"))
print("nginx hash \$request_uri consistent: %d songs, each on exactly one server with its exact count; "
      "per server: %s" % (songs, ", ".join(str(share[p]) for p in ports)))
PY
# "per server: 883, 1195, 922" -> one bar per server
sed -n 's/.*per server: //p' "$tmp/out.txt" | tr ',' '\n' | awk 'NF {print "server " NR, $1}' \
  | chart_bars "nginx-shard.sh: $songs songs through nginx (hash \$request_uri consistent), $(date -u +%F)" \
      "songs held" nginx-shard.svg || true

# What nginx's clients see while server 1 restarts: a clean stop (SIGTERM) 3 s into a 12 s wrk run
# of 16 connections, then a start on the same port; reads first (every song counts at least 1, so
# a read answered 0 came from a server without the song), then plays, after each of which the
# plays counted on a server other than their song's home are summed ("displaced").
need wrk wrk
displaced() { # -> plays held on servers that are not their song's home
  python3 - "$tmp/home.json" "${ports[@]}" <<'PY'
import http.client, json, sys
home, total = json.load(open(sys.argv[1])), 0
for port in map(int, sys.argv[2:]):
    c = http.client.HTTPConnection("127.0.0.1", port)
    c.request("GET", "/"); body = c.getresponse().read().decode()
    for pair in filter(None, body.split(",")):
        song, count = pair.split("=")
        total += int(count) if home.get(song) != port else 0
print(total)
PY
}
restart_run() { # label front method
  local out=$tmp/restart-$2-$3.txt before after
  before=$(displaced)
  (METHOD=$3 SONGS=$songs timeout 40 taskset -c 0 wrk -t1 -c16 -d12s -s "$ROOT/src/bench/restart-status.lua" \
     "http://127.0.0.1:$2" >"$out" 2>&1) & local wrk_pid=$!
  sleep 3
  local t0=$SECONDS
  stop_pid "${pids[0]}"
  start_jetty "$tmp/jetty1" "${ports[0]}" "$WAR" "-Xmx256m -Dplaycounter.data-dir=$tmp/data1"; pids[0]=$PID
  wait_http "http://127.0.0.1:${ports[0]}/health"
  local down=$((SECONDS - t0))
  wait "$wrk_pid" || true
  after=$(displaced)
  printf 'restart %-44s %-4s server 1 down ~%d s: %s; displaced plays %d\n' "$1" "$3" "$down" \
    "$(grep '^answers' "$out")" $((after - before)) | tee -a "$tmp/out.txt"
}
for method in GET POST; do
  restart_run "defaults, proxy_next_upstream off" "$front" $method
  restart_run "defaults, proxy_next_upstream error timeout 502 503" "$front2" $method
  restart_run "max_fails=0, proxy_next_upstream off" "$front3" $method
done
