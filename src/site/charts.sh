#!/usr/bin/env bash
# Draws the charts the docs show (src/site/resources/images/*.svg) from the figures of the runs the
# docs report, with the benchmarks' own chart functions (src/bench/lib.sh). Each benchmark script
# draws the same chart from a new run into target/charts; copy it here with its figures in the docs.
# Usage: src/site/charts.sh
set -euo pipefail
. "$(dirname "$0")/../bench/lib.sh"
export CHART_DIR=$ROOT/src/site/resources/images

chart_bars "run.sh, 2026-11-28, commit f1580f9: each server on CPU 1, wrk/ab on CPU 0, 10 s per load" \
  "requests per second" throughput.svg "read (wrk -c64)" "write (wrk -c64)" "ab -n 10000 -c 1" <<'DATA'
nginx static return 200     114705 103893 9112
playcounter on Jetty         68308  66229 4127
trivial servlet on Jetty     76098  66505 4477
playcounter on Tomcat        77883  75696 5990
trivial servlet on Tomcat    76840  75942 5279
Redis behind webdis          53290  50863 5385
original Python app           8080   7698 2852
DATA

CHART_FORMAT=%.2f chart_bars "durability.sh, 2026-11-29, commit f9bcbd1: write rate against memory only (medians of 3 rounds)" \
  "x the memory-only rate in the same rounds" durability-write.svg "Jetty 12.1" "Tomcat 10.1" <<'DATA'
memory only             1.00 1.00
fsync=interval          1.08 0.75
fsync=always            0.67 0.45
interval, compacting    0.82 0.76
DATA

CHART_FORMAT="%.1f s" chart_bars "durability.sh, 2026-11-29, commit f9bcbd1: 10,000,000 songs, JVM start to /health OK" \
  "seconds" durability-restore.svg <<'DATA'
empty data directory                      3.4
after SIGKILL: 114 MB journal replayed   15.9
after a clean stop: snapshot read         6.4
DATA

chart_bars "memory.py, 2026-11-29, commit c44e70e; Redis 7.0.15 used_memory" \
  "bytes per song" memory-per-song.svg <<'DATA'
playcounter, 1,000,000 songs                     34.4
playcounter, 10,000,000 songs                    32.6
Redis 7.0.15, 1,000,000 INCR                     55.7
DATA

chart_bars "soak.sh, 2026-11-29, commit f5e93ea: 2,000 connections for 30 s, PIN=1" \
  "requests per second" soak-throughput.svg "2,000 connections" "64 connections, after" <<'DATA'
Jetty, 8 threads, default accept queue   27591 56874
Jetty, recommended                       28038 45769
Tomcat, recommended                      35295 44878
DATA

CHART_FORMAT="%g ms" chart_bars "soak.sh, 2026-11-29, commit f5e93ea: p99 at 2,000 connections, 30 s, PIN=1" \
  "p99 (ms)" soak-p99.svg <<'DATA'
Jetty, 8 threads, default accept queue   582
Jetty, recommended                       147
Tomcat, recommended                       99
DATA

chart_bars "fold.sh, 2026-11-29: 1,000,000 songs from 3 servers, one java -jar run each" \
  "songs per second" fold.svg "whole job (wall time)" "database transactions" <<'DATA'
PostgreSQL, new songs                      82700 126000
PostgreSQL, the same songs again           70400  93100
PostgreSQL, new, without batch rewrite     66500  87200
SQLite, new songs                         156900 421000
SQLite, the same songs again              153000 418000
DATA

chart_bars "keys.sh, 2026-11-29: POST to random songs, 5 interleaved rounds of 10 s, medians" \
  "requests per second" keys-throughput.svg "without Idempotency-Key" "with a fresh key per request" <<'DATA'
Jetty 12.1    44223 40017
Tomcat 10.1   40524 35484
DATA

chart_bars "client.sh, 2026-11-28: one client thread, 5 s per way" \
  "plays per second" client-throughput.svg <<'DATA'
increment(), keep-alive                      6344
increment(), same-thread executor            7542
new connection per request                   5256
DATA

chart_bars "nginx-shard.sh: 3,000 songs through nginx (hash \$request_uri consistent)" \
  "songs held" nginx-shard.svg <<'DATA'
server 1    883
server 2   1195
server 3    922
DATA
