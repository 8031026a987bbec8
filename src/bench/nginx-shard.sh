#!/usr/bin/env bash
# Tries the README's reverse-proxy recipe for real: nginx with `hash $request_uri consistent` in
# front of three counter servers (the WAR in three Jetty processes), plays sent through nginx,
# then each server asked directly: every song must live on exactly one server.
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
  start_jetty "$tmp/jetty$i" "$port" "$WAR" "-Xmx256m"; pids+=("$PID")
done
front=$(free_port)
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
  server {
    listen 127.0.0.1:$front;
    location /song/ {
      proxy_pass http://counters;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream off;   # never replay a POST on another server
    }
  }
}
CONF
nginx -c "$tmp/nginx.conf" -p "$tmp" & pids+=($!)
for p in "${ports[@]}"; do wait_http "http://127.0.0.1:$p/health"; done
wait_http "http://127.0.0.1:$front/song/0"

python3 - "$front" "$songs" "${ports[@]}" <<'PY' | tee "$tmp/out.txt"
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
print("nginx hash $request_uri consistent: %d songs, each on exactly one server with its exact count; "
      "per server: %s" % (songs, ", ".join(str(share[p]) for p in ports)))
PY
# "per server: 883, 1195, 922" -> one bar per server
sed -n 's/.*per server: //p' "$tmp/out.txt" | tr ',' '\n' | awk 'NF {print "server " NR, $1}' \
  | chart_bars "nginx-shard.sh: $songs songs through nginx (hash \$request_uri consistent), $(date -u +%F)" \
      "songs held" nginx-shard.svg || true
