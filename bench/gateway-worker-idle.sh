#!/usr/bin/env bash
# The idle memory of a gateway worker on Redis, for one jar or an A/B of several: per round and jar, starts a fresh
# redis-server and `throng serve --workers 2 --max-connections 36000 --redis` (each worker gets the flags of 18,000
# connections), measures both workers 40 s after start (RSS, PSS and private memory from /proc/PID/smaps_rollup,
# the tenured heap in use from `jcmd PID GC.heap_info`, threads), and stops both by PID. Jars alternate within a
# round, so the box's drift falls on all of them alike. Prints one line per worker (KiB).
#
#   bench/gateway-worker-idle.sh [JAR...]        # default: throng-cli/target/throng.jar; ROUNDS (3), PORT (9490)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jars=("$@"); (( ${#jars[@]} )) || jars=("$root/throng-cli/target/throng.jar")
port=${PORT:-9490}; redis_port=$(( port + 1 ))
for (( round = 1; round <= ${ROUNDS:-3}; round++ )); do
  for jar in "${jars[@]}"; do
    redis-server --port "$redis_port" --save '' --appendonly no > /dev/null 2>&1 &
    redis=$!
    sleep 0.5
    MALLOC_ARENA_MAX=2 java -jar "$jar" serve --host 127.0.0.1 --port "$port" --workers 2 --max-connections 36000 \
      --redis "redis://127.0.0.1:$redis_port" > "/tmp/throng-gateway-idle-$port.log" 2>&1 &
    supervisor=$!
    trap 'kill $supervisor $redis 2>/dev/null || true' EXIT
    sleep 40
    for w in $(pgrep -P "$supervisor"); do
      tenured=$(jcmd "$w" GC.heap_info | awk '/tenured generation|old gen|region size/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub("K,?", "", v); print v; exit } }')
      echo "$jar round $round pid $w $(awk '/^Rss/{r=$2} /^Pss:/{p=$2} /^Private_(Clean|Dirty)/{q+=$2} END{print "rss", r, "pss", p, "private", q}' "/proc/$w/smaps_rollup") tenured ${tenured:-?} threads $(awk '/^Threads/{print $2}' "/proc/$w/status")"
    done
    kill "$supervisor"; wait "$supervisor" 2>/dev/null || true
    kill "$redis"; wait "$redis" 2>/dev/null || true
    sleep 2
  done
done
