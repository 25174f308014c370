#!/usr/bin/env bash
# How much an idle server allocates: one `throng serve` process (its bin/throng flags, plus any JVM options given)
# holding 18,000 idle connections from `throng bench` (30 s pings), its eden occupancy read with `jcmd` 60 s apart
# during the hold. Bounded: the bench holds 120 s and this script stops the server it started (by PID).
#
#   bench/idle-alloc.sh PORT [JVM_OPTION...]
#   bench/idle-alloc.sh 32101 -Dio.netty.leakDetection.level=disabled
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/throng-cli/target/throng.jar"
[[ -f "$jar" ]] || (cd "$root" && mvn -B -q -DskipTests package -pl throng-cli -am)
port="${1:?port}"; shift
flags=$(java -cp "$jar" dev.throng.cli.WorkerPlan serve --max-connections 20000)
# shellcheck disable=SC2086
MALLOC_ARENA_MAX=2 java $flags "$@" -Xlog:gc:file="/tmp/idle-alloc-$port-gc.log" -jar "$jar" serve --mode echo --port "$port" \
  --max-connections 20000 > "/tmp/idle-alloc-$port-serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
sleep 4
java -jar "$jar" bench --url "ws://127.0.0.1:$port/" -n 18000 -r 3000 --hold 120s --source 127.0.0.2 \
  --ports 10000-29999 > "/tmp/idle-alloc-$port-bench.log" 2>&1 &
bench=$!
sleep 50  # ramp (6 s) and settle
eden() { jcmd "$server" GC.heap_info | awk '/eden space/{print $4}'; }
pauses() { grep -c Pause "/tmp/idle-alloc-$port-gc.log" || true; }
e0=$(eden); g0=$(pauses)
sleep 60
e1=$(eden); g1=$(pauses)
echo "options [$*]: eden used $e0 -> $e1 of $(jcmd "$server" GC.heap_info | awk '/eden space/{print $3}') in 60 s, young collections meanwhile: $((g1 - g0))"
wait "$bench" || true
