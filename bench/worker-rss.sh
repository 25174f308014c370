#!/usr/bin/env bash
# The memory of a `throng serve` worker, idle and then holding connections: starts `serve --workers 2
# --max-connections 36000` (each worker gets the flags of 18,000 connections), measures both workers 35 s after
# start, opens N connections with one hsload (`--hold`, answering pings, paced at 2,000/s), measures again 42 s
# later, and prints the per-worker means (KiB). Bounded: hsload stops by itself and the server started here is
# stopped by PID. Needs bench/hsload/build.sh first.
#
#   bench/worker-rss.sh [JAR] [N] [JAVA_HOME]      # defaults: throng-cli/target/throng.jar, 18000
#   SERVE_ARGS="--max-message-size 64k --max-frame-size 64k" bench/worker-rss.sh   # more `throng serve` options
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar=${1:-$root/throng-cli/target/throng.jar}
n=${2:-18000}
java="${3:+$3/bin/}java"
port=${PORT:-9470}
hsload="$root/bench/hsload/target/hsload"

# Mean RSS, anonymous and PSS (KiB) over the given PIDs.
measure() {
  local pids=($1) r=0 a=0 p=0 rr aa pp
  for w in "${pids[@]}"; do
    read -r rr aa pp < <(awk '/^Rss/{r=$2} /^Pss_Anon/{a=$2} /^Pss:/{p=$2} END{print r, a, p}' \
      "/proc/$w/smaps_rollup")
    r=$((r + rr)); a=$((a + aa)); p=$((p + pp))
  done
  echo "rss $((r / ${#pids[@]})) anon $((a / ${#pids[@]})) pss $((p / ${#pids[@]}))"
}

# shellcheck disable=SC2086
MALLOC_ARENA_MAX=2 "$java" -jar "$jar" serve --mode echo --port "$port" --workers 2 --max-connections 36000 ${SERVE_ARGS:-} \
  > "/tmp/throng-worker-rss-$port.log" 2>&1 &
supervisor=$!
trap 'kill $supervisor 2>/dev/null; wait $supervisor 2>/dev/null || true' EXIT
sleep 35  # after the JVM's first native-heap trim (30 s): startup compiler arenas are freed by then
workers=$(pgrep -P "$supervisor" | tr '\n' ' ')
idle=$(measure "$workers")
"$hsload" -s 127.0.0.63-64 -n "$n" -c 64 -t 1 -r 2000 --hold --hold-for 35 -q "127.0.0.1:$port" \
  > "/tmp/throng-worker-rss-$port-hsload.log" 2>&1 &
loader=$!
sleep 42
held=$(measure "$workers")
wait "$loader" || true
echo "per worker, KiB: idle $idle | holding $n over 2: $held | hsload: $(grep -o 'held=[0-9]* dropped=[0-9]*' \
  "/tmp/throng-worker-rss-$port-hsload.log")"
