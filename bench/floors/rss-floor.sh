#!/usr/bin/env bash
# The idle RSS of the least a Netty server is: NettyFloor (Netty's epoll event loop and one listening socket, no
# handler) with a worker's JVM flags and a class archive of its own, as a floor for a Throng worker's idle RSS
# (docs/benchmarks.md section 17). Prints RSS and anonymous memory (KiB) 34 s after start (after the JVM's first
# native-heap trim), RUNS times. Stops what it starts.
#
#   bench/floors/rss-floor.sh [JAR] [SERVE_ARGS...]     # default jar: throng-cli/target/throng.jar
#   bench/floors/rss-floor.sh throng-cli/target/throng.jar --max-message-size 65536   # a worker's -Xmn1m flags
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
jar=$(realpath "${1:-$root/throng-cli/target/throng.jar}")
shift || true
port=${PORT:-9552}
work=$(mktemp -d /tmp/netty-floor.XXXXXX)
trap 'rm -rf "$work"' EXIT
javac -cp "$jar" -d "$work/classes" "$root/bench/floors/NettyFloor.java"
jar cf "$work/floor.jar" -C "$work/classes" .  # CDS archives classes from jars, not directories
cp="$jar:$work/floor.jar"
# The flags WorkerPlan gives a worker of 18,000 connections, without the worker's own archive.
read -r -a flags < <(java -cp "$jar" dev.throng.cli.WorkerPlan serve --max-connections 18000 "$@")
# An archive of the classes NettyFloor loads, made as the supervisor makes a worker's (ClassArchive).
MALLOC_ARENA_MAX=2 timeout 5 java "${flags[@]}" -XX:DumpLoadedClassList="$work/floor.classlist" -cp "$cp" \
  NettyFloor "$port" > /dev/null 2>&1 || true
java "${flags[@]}" -Xshare:dump -XX:SharedClassListFile="$work/floor.classlist" \
  -XX:SharedArchiveFile="$work/floor.jsa" -cp "$cp" > "$work/dump.log" 2>&1 || { cat "$work/dump.log"; exit 1; }
echo "flags: ${flags[*]}; $(wc -l < "$work/floor.classlist") classes archived"
for run in $(seq 1 "${RUNS:-2}"); do
  MALLOC_ARENA_MAX=2 java "${flags[@]}" -XX:SharedArchiveFile="$work/floor.jsa" -cp "$cp" NettyFloor "$port" \
    > /dev/null 2>&1 &
  pid=$!
  sleep 34
  echo "run $run: $(awk '/^Rss/{r=$2} /^Anonymous/{a=$2} END{print "rss", r, "anon", a}' "/proc/$pid/smaps_rollup") KiB"
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
