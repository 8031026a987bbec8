#!/usr/bin/env bash
# This build against another, in one run, with the project's own benchmarks, one after another on
# a quiet machine: pair.sh with the trivial servlet (Jetty 12.1 and Tomcat 10.1: the write path's
# ceiling), pair.sh with the other WAR beside this one in one Jetty JVM (the ratios this / that),
# memory.py (heap per song, GET / and drain of 1M and 10M songs) and durability.sh on Jetty
# (durable write ratios in both fsync modes, restore of 10M songs after SIGKILL and a clean stop)
# for each WAR. Every figure goes to stdout under a heading; nothing is left running.
# Usage: src/bench/against.sh OTHER.war [ROUNDS] [SECONDS]   (default 5 rounds of 5 s)
#   e.g. git worktree add /tmp/old 6e7253a && (cd /tmp/old && mvn -q -DskipTests package)
#        src/bench/against.sh /tmp/old/target/playcounter-*.war
set -euo pipefail
here=$(dirname "$0")
other=$(realpath "${1:?usage: against.sh OTHER.war [ROUNDS] [SECONDS]}")
rounds=${2:-5}; secs=${3:-5}
. "$here/lib.sh"
build
this=$(realpath "$WAR")
echo "== this build: $this ($(git -C "$ROOT" rev-parse --short HEAD)); the other: $other"
for container in jetty tomcat; do
  echo "== pair.sh $container: this build / the trivial servlet"
  "$here/pair.sh" "$container" "$rounds" "$secs"
done
echo "== pair.sh jetty: this build / the other"
AGAINST=$other "$here/pair.sh" jetty "$rounds" "$secs"
for war in "$this" "$other"; do
  echo "== memory.py, $(basename "$(dirname "$(dirname "$war")")")/$(basename "$war")"
  PLAYCOUNTER_WAR=$war python3 "$here/memory.py"
done
for war in "$this" "$other"; do
  echo "== durability.sh jetty, $war"
  PLAYCOUNTER_WAR=$war SERVERS=jetty "$here/durability.sh" 8 10000000
done
