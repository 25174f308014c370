#!/usr/bin/env bash
# Idle CPU per ping, side by side: a Throng worker (a worker's flags for 18,000 connections, 1 I/O thread) and
# pingfloor (bench/hsload/pingfloor.c: a C server that only writes a ping and reads the pong) with random phases
# and with phases in opening order, each holding N connections from its own hsload with 30 s pings, all at the same
# time (docs/benchmarks.md section 17). After WARMUP s, WINDOWS windows of 60 s; per window each process's CPU
# ticks (user in parentheses) and the machine's busy ticks out of 2 cores x 6,000. Bounded: the loaders stop by
# themselves and the servers started here are stopped by PID. Needs bench/hsload/build.sh first.
#
#   bench/floors/ping-cpu.sh [JAR] [N]        # defaults: throng-cli/target/throng.jar, 18000
#   BUN=1 bench/floors/ping-cpu.sh            # Bun too (bench/peers/setup.sh): it pings after 30 s of silence,
#                                             # every ~32 s here, so divide by its own ping count
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
jar=${1:-$root/throng-cli/target/throng.jar}
n=${2:-18000}
windows=${WINDOWS:-4}
warmup=${WARMUP:-45}
port=${PORT:-9511}
out=${OUT:-/tmp/ping-cpu}
mkdir -p "$out"
hsload="$root/bench/hsload/target/hsload"
pingfloor="$root/bench/hsload/target/pingfloor"
hold=$((warmup + 60 * windows + 10))  # the loaders hold past the last window: closing 18,000 costs CPU too
runtime=$((hold + 30))

read -r -a flags < <(java -cp "$jar" dev.throng.cli.WorkerPlan serve --max-connections "$n")
declare -A name
servers=()
MALLOC_ARENA_MAX=2 java "${flags[@]}" -jar "$jar" serve --mode echo --port "$port" --io-threads 1 \
  --max-connections "$n" --drain-window 5s > "$out/throng.log" 2>&1 &
servers+=($!); name[$!]=throng
"$pingfloor" $((port + 1)) 30 1000 "$runtime" random > "$out/pingfloor-random.log" 2>&1 &
servers+=($!); name[$!]=pingfloor-random
"$pingfloor" $((port + 2)) 30 1000 "$runtime" open > "$out/pingfloor-open.log" 2>&1 &
servers+=($!); name[$!]=pingfloor-open
if [[ -n "${BUN:-}" ]]; then
  PING_INTERVAL_SECONDS=30 "$root/bench/peers/bun/node_modules/.bin/bun" "$root/bench/peers/bun/server.js" \
    $((port + 3)) > "$out/bun.log" 2>&1 &
  servers+=($!); name[$!]=bun
fi
loaders=()
trap 'kill "${servers[@]}" "${loaders[@]}" 2>/dev/null || true' EXIT
sleep 4
grep -q listening "$out/throng.log" || { echo "the Throng worker did not start: $out/throng.log" >&2; exit 1; }
for i in "${!servers[@]}"; do
  a=$((100 + 2 * i))
  "$hsload" -s "127.0.0.$a-$((a + 1))" -n "$n" -c 64 -t 1 -r 3000 --hold --hold-for "$hold" -q \
    "127.0.0.1:$((port + i))" > "$out/hsload-${name[${servers[$i]}]}.log" 2>&1 &
  loaders+=($!)
done
sleep "$warmup"
ticks() { awk '{print $14 + $15, $14}' "/proc/$1/stat"; }
busy() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
for w in $(seq 1 "$windows"); do
  declare -A t0 u0
  for p in "${servers[@]}"; do read -r t0[$p] u0[$p] < <(ticks "$p"); done
  m0=$(busy); sleep 60; m1=$(busy)
  line="window $w (machine $((m1 - m0)) of 12000):"
  for p in "${servers[@]}"; do
    read -r t u < <(ticks "$p")
    line+=" ${name[$p]} $((t - t0[$p])) ($((u - u0[$p])))"
  done
  echo "$line"
done
wait "${loaders[@]}" || true
for p in "${servers[@]}"; do
  echo "${name[$p]}: $(grep -o 'held=[0-9]* dropped=[0-9]* pings=[0-9]*' "$out/hsload-${name[$p]}.log") \
$(grep -o 'ping_p50_s=[0-9.]*' "$out/hsload-${name[$p]}.log")"
done
