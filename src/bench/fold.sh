#!/usr/bin/env bash
# The fold job's speed: SONGS songs (default 1,000,000) spread over 3 counter servers (the WAR in
# three standalone Jetty 12.1 JVMs, memory only), folded by one `java -jar ...-fold.jar` run into
# a real PostgreSQL (Debian's server, initdb into a temporary directory, fsync on, default
# settings) and, for comparison, into SQLite. Each database is folded twice: into an empty plays
# table (every song inserted) and again after the same songs are played again (every song
# updated), and PostgreSQL once more without the driver's rewrite of batches into multi-row
# statements (the job's default), into a table of its own. Printed per run: wall time of the whole job (JVM start, drains over HTTP, database
# transaction, acknowledgement), songs per second, and the database's own time as the job
# reports it per drain.
# Usage: src/bench/fold.sh [SONGS]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
songs=${1:-1000000}
build
FOLD_JAR=$(ls "$ROOT"/target/playcounter-*-fold.jar 2>/dev/null | head -1)
if [[ -z $FOLD_JAR ]]; then
  (cd "$ROOT" && mvn -B -q -DskipTests package)
  FOLD_JAR=$(ls "$ROOT"/target/playcounter-*-fold.jar | head -1)
fi
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -n $PG_BIN ]] || { need pg_ctlcluster postgresql; PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1); }
tmp=$(mktemp -d /tmp/playcounter-fold-XXXX)
pids=()
pg_up=
cleanup() {
  for p in "${pids[@]}"; do stop_pid "$p"; done
  [[ -z $pg_up ]] || as_postgres "$PG_BIN/pg_ctl" -D "$tmp/pg" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# PostgreSQL refuses to run as root: as root, its commands run as the postgres user.
as_postgres() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

servers=()
for i in 1 2 3; do
  port=$(free_port)
  start_jetty "$tmp/jetty$i" "$port" "$WAR" "-Xms1g -Xmx1g -XX:+UseParallelGC"
  pids+=("$PID")
  servers+=("http://127.0.0.1:$port")
done
for s in "${servers[@]}"; do wait_http "$s/health"; done

# Plays every song once more: song s<i> on server i % 3, bulk POSTs of 50,000 pairs.
load() {
  python3 - "$songs" "${servers[@]}" <<'PY'
import sys, urllib.request
songs, servers = int(sys.argv[1]), sys.argv[2:]
for k, server in enumerate(servers):
    ids = range(k, songs, len(servers))
    for start in range(0, len(ids), 50000):
        body = ",".join("s%d=%d" % (i, 1 + i % 5) for i in ids[start:start + 50000]).encode()
        request = urllib.request.Request(server + "/", data=body, method="POST",
                                         headers={"Content-Type": "text/plain"})
        urllib.request.urlopen(request).read()
PY
}

# fold NAME JDBC-URL [OPTIONS...]: one run of the job; prints time, rate and database time.
fold() {
  local name=$1 url=$2; shift 2
  local start end out
  start=$(date +%s.%N)
  out=$(java -jar "$FOLD_JAR" --servers="$(IFS=,; echo "${servers[*]}")" --db="$url" "$@")
  end=$(date +%s.%N)
  echo "$out" > "$tmp/$name.out"
  python3 - "$name" "$start" "$end" "$songs" "$tmp/$name.out" "$tmp/chart.txt" <<'PY'
import re, sys
name, start, end, songs, out, chart = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
text = open(out).read()
db_ms = sum(int(m) for m in re.findall(r"folded in (\d+) ms", text))
folded = sum(int(m) for m in re.findall(r"(\d+) songs, \d+ plays, folded", text))
assert folded == songs, "folded %d songs, expected %d:\n%s" % (folded, songs, text)
wall = end - start
print("%-28s %8.1f s %10.0f songs/s   database %6.1f s (%.0f songs/s)"
      % (name, wall, songs / wall, db_ms / 1000, songs / (db_ms / 1000)))
with open(chart, "a") as f:   # run, songs/s of the whole job, songs/s in the database
    f.write("%s %.0f %.0f\n" % (name, songs / wall, songs / (db_ms / 1000)))
PY
}

mkdir -p "$tmp/pg"
if [[ $(id -u) == 0 ]]; then chown postgres "$tmp" "$tmp/pg"; fi
as_postgres "$PG_BIN/initdb" -D "$tmp/pg" -U postgres --auth=trust >/dev/null
pg_port=$(free_port)
as_postgres "$PG_BIN/pg_ctl" -D "$tmp/pg" -l "$tmp/pg/log" -w \
  -o "-p $pg_port -k $tmp/pg -c listen_addresses=127.0.0.1" start >/dev/null
pg_up=1
pg_url="jdbc:postgresql://127.0.0.1:$pg_port/postgres"
sqlite_url="jdbc:sqlite:$tmp/plays.db"

echo "fold of $songs songs from 3 servers (Jetty 12.1, memory only); $(nproc) cores; $(date -u +%Y-%m-%d)"
java -version 2>&1 | head -1
"$PG_BIN/postgres" --version
echo "run                              wall     rate             database time (as the job reports it)"
load; fold "postgresql, new songs" "$pg_url" --db-user=postgres
load; fold "postgresql, existing songs" "$pg_url" --db-user=postgres
# The same without the driver's multi-row rewrite of batches, which the job turns on by default.
load; fold "pg, new, no batch rewrite" "$pg_url?reWriteBatchedInserts=false" --db-user=postgres \
  --table=songs_plain --applied-table=applied_plain
load; fold "sqlite, new songs" "$sqlite_url"
load; fold "sqlite, existing songs" "$sqlite_url"
sum=$(as_postgres "$PG_BIN/psql" -h "$tmp/pg" -p "$pg_port" -U postgres -Atc 'select count(*), sum(plays) from songs' postgres)
expected=$(python3 -c "print('%d|%d' % ($songs, 2 * sum(1 + i % 5 for i in range($songs))))")
echo "postgresql songs|plays: $sum (expected $expected)"
chart_bars "fold.sh: $songs songs from 3 servers, one java -jar run each, $(date -u +%F) $(git -C "$ROOT" rev-parse --short HEAD)" \
  "songs per second" fold.svg "whole job (wall time)" "database transactions" <"$tmp/chart.txt" || true
[[ $sum == "$expected" ]]
