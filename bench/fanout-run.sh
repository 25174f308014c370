#!/usr/bin/env bash
# The fan-out benchmark of issue #17: one Pusher-protocol server process (Throng's gateway, Soketi, Bun or Node ws),
# N subscribers from bench worker processes (Java, or hsload with LOADER=hsload), and a publisher stepping its rate through the HTTP API until a step
# loses a delivery or its p99 publish -> receive reaches 1 s; then a confirmation at the best passing rate for 30 s.
# Or, with the `idle` scenario, N subscribers held without publishing: RSS (and for Throng the live heap) per
# subscribed connection and idle CPU.
#
#   bench/fanout-run.sh SERVER SCENARIO [EVENT_SIZE]
#     SERVER     throng | soketi | bun | node-ws | all
#     SCENARIO   1x15000 (one channel, 15,000 subscribers) | 1000x15 (1,000 channels x 15) | CxS (any) |
#                idle (15,000 subscribers on one channel, held IDLE_HOLD) | all (1x15000, 1000x15 and idle)
#     EVENT_SIZE bytes of each event's data: 256 (default) | 1024 | all (256 and 1024)
#
#   bench/fanout-run.sh all all all                      # the whole measurement (bench/fanout.md)
#   STEPS=1,2,4 STEP_DURATION=5s CONFIRM=0 bench/fanout-run.sh throng 1x1000    # a smoke run
#   LOADER=hsload bench/fanout-run.sh throng 1x15000    # subscribers from hsload (C): less CPU beside the server
#
# Every run goes into OUT (default /tmp/throng-fanout-<date>), one directory per cell (SERVER-SCENARIO-SIZE, then
# -run2, -run3 for repeats) with the server's log (and for Throng the throng.yaml it ran with: `throng serve --mode
# gateway`, the development app, on loopback), the bench's logs and JSON reports; the cells' figures are appended
# to OUT/steps.csv, OUT/subscribe.csv, OUT/confirm.csv and OUT/idle.csv, which bench/fanout-charts.py turns into PNG
# charts (the median of repeated runs).
#
# Bounded and self-stopping: every bench run is bounded by its own deadlines and by `timeout`; the server started
# for a cell is stopped by its PID when the cell ends (also on Ctrl-C or an error); nothing else is touched.
# Loopback only. Run bench/peers/setup.sh once first (Soketi, Bun, ws); Throng is built here if needed, and hsload
# (bench/hsload/build.sh, gcc) with LOADER=hsload when it is missing or older than its source.
#
# Environment (defaults in brackets):
#   OUT [/tmp/throng-fanout-DATE]   results directory (cells append to its CSV files)
#   PORT [29700]                    the server's port (Soketi also uses PORT+1 for its metrics server)
#   STEPS [1,2,4,8,16,32,64,128,256] publish rates, events per second per channel (15,000 subscriptions in both
#                                   fan-out scenarios, so deliveries/s = 15,000 x rate when nothing is lost)
#   STEP_DURATION [10s]             how long each step publishes
#   STEP_GAP [2s]                   wait after a step before counting its deliveries
#   CONFIRM [30s]                   length of the confirmation at the best passing rate (0: none); if it fails, the
#                                   next lower passing rate is tried once
#   MAX_P99 [1s]                    a step passes with p99 publish -> receive below this (and nothing lost)
#   RATE [30000]                    connections (and subscriptions) opened per second by the bench: above what any
#                                   of the servers accepts, so the subscribe time is the server's
#   CONNECT_TIMEOUT [60s]           connect + handshake + every subscription acknowledged, per connection (Soketi
#                                   takes over 20 s to subscribe 15,000 clients to one channel)
#   LOADER [java]                   who holds the subscribers: java (the bench's Netty workers) or hsload (bench/hsload
#                                   in C, one process per worker, `throng bench --loader hsload`: it times and checks
#                                   every delivery as the Java workers do, for a fraction of their CPU; on 2 cores the
#                                   Java subscribers took 2-3 of them at 100k-400k deliveries/s). The publisher, the
#                                   steps' verdicts and the reports are the same either way.
#   BENCH_WORKERS [1; hsload: N/19000 rounded up]
#                                   bench worker processes (subscribers are split among them); an hsload worker holds
#                                   up to 19,000 under the 20,000 open-files limit
#   BENCH_IO_THREADS [2]            event loops per Java bench worker (hsload has one thread): one worker JVM with two loops uses both cores as two
#                                   workers did, but compiles the client's code once: 15,000 subscribes took 1.8-2.0 s
#                                   instead of 2.3-2.4 s against Throng (issue #17; the JIT of a second JVM competed
#                                   with the server for the 2 cores during the ramp)
#   SOURCES [127.0.0.2-127.0.0.3]   the bench's source addresses
#   IDLE_HOLD [60s]                 idle scenario: how long the subscribers are held (the live heap is sampled
#                                   30 s in, or half-way into a shorter hold)
#   IDLE_N [15000]                  idle scenario: subscribers
#   THRONG_JAVA_OPTS                JVM flags for Throng [what bin/throng gives `throng serve --config` with the
#                                   cell's throng.yaml: dev.throng.cli.WorkerPlan]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
server_arg=${1:?"usage: $0 SERVER SCENARIO [EVENT_SIZE]"}
scenario_arg=${2:?"usage: $0 SERVER SCENARIO [EVENT_SIZE]"}
size_arg=${3:-256}
out=${OUT:-/tmp/throng-fanout-$(date +%Y%m%d-%H%M%S)}
port=${PORT:-29700}
steps=${STEPS:-1,2,4,8,16,32,64,128,256}
step_duration=${STEP_DURATION:-10s}
step_gap=${STEP_GAP:-2s}
confirm=${CONFIRM:-30s}
max_p99=${MAX_P99:-1s}
rate=${RATE:-30000}
connect_timeout=${CONNECT_TIMEOUT:-60s}
loader=${LOADER:-java}
case $loader in java|hsload) ;; *) echo "fanout-run: LOADER must be java or hsload" >&2; exit 2 ;; esac
hsload="$root/bench/hsload/target/hsload"
bench_io_threads=${BENCH_IO_THREADS:-2}
sources=${SOURCES:-127.0.0.2-127.0.0.3}
idle_hold=${IDLE_HOLD:-60s}
idle_n=${IDLE_N:-15000}
jar="$root/throng-cli/target/throng.jar"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
me=fanout-run
cluster_columns=0
# shellcheck source=fanout-lib.sh
source "$root/bench/fanout-lib.sh"  # seconds, cell_dir, the builds, passing_rates, record_steps, record_confirm

case $server_arg in all) servers="throng soketi bun node-ws" ;; throng|soketi|bun|node-ws) servers=$server_arg ;;
  *) echo "fanout-run: SERVER must be throng, soketi, bun, node-ws or all" >&2; exit 2 ;; esac
case $scenario_arg in all) scenarios="1x15000 1000x15 idle" ;; idle|[0-9]*x[0-9]*) scenarios=$scenario_arg ;;
  *) echo "fanout-run: SCENARIO must be CxS (e.g. 1x15000), idle or all" >&2; exit 2 ;; esac
case $size_arg in all) sizes="256 1024" ;; [0-9]*) sizes=$size_arg ;;
  *) echo "fanout-run: EVENT_SIZE must be a byte count or all" >&2; exit 2 ;; esac

# ---- builds ----------------------------------------------------------------------------------------------------
build() { # throng.jar carries `throng serve` (the gateway) and `throng bench`
  build_jar
  if [[ $loader == hsload ]]; then build_hsload; fi
}

# ---- one server -----------------------------------------------------------------------------------------------
throng_config() { # Throng's configuration for a cell: the gateway on loopback, with the app the bench signs as
  cat <<EOF
# Written by bench/fanout-run.sh for \`throng serve --config\` (docs/configuration.md); anything not here keeps its
# default, as for a user who starts the gateway with a file of their own.
mode: gateway
listen:
  host: 127.0.0.1        # loopback only, as every server of the benchmark
  port: $port
admission:
  maxConnections: 18000  # 15,000 subscribers and the publisher's connections fit; it also sizes the JVM (WorkerPlan)
apps:
  - id: app-id           # the app \`throng bench\` signs as by default (--app-id, --key, --secret); Soketi's too
    key: app-key
    secret: app-secret
EOF
}
server_pid=""
start_server() { # SERVER LOG: starts it on $port, sets server_pid once it printed `ready pid=` (Throng: answers)
  local kind=$1 log=$2 flags
  if (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null; then # someone else's server: never measure it, never stop it
    echo "fanout-run: port $port is in use by a process this script did not start; choose another PORT" >&2
    return 1
  fi
  case $kind in
    throng)
      local config; config="$(dirname "$log")/throng.yaml"
      throng_config > "$config"
      # The JVM flags bin/throng gives `throng serve` with this file (WorkerPlan reads it as serve does).
      flags=${THRONG_JAVA_OPTS:-$("$java" -cp "$jar" dev.throng.cli.WorkerPlan serve --config "$config")}
      # shellcheck disable=SC2086
      MALLOC_ARENA_MAX=2 "$java" $flags -jar "$jar" serve --config "$config" > "$log" 2>&1 & ;;
    soketi) "$root/bench/peers/soketi/run.sh" "$port" > "$log" 2>&1 & ;;
    bun) "$root/bench/peers/bun-pusher/run.sh" "$port" > "$log" 2>&1 & ;;
    node-ws) "$root/bench/peers/node-ws-pusher/run.sh" "$port" > "$log" 2>&1 & ;;
  esac
  local launched=$!
  server_pid=""
  for _ in $(seq 1 240); do # 60 s: Soketi loading its drivers
    if grep -q '^ready pid=' "$log"; then
      server_pid=$(sed -n 's/^ready pid=\([0-9]*\).*/\1/p' "$log" | head -1); break
    fi
    # `throng serve` prints no ready line: the JVM started here is the server once the port answers.
    if [[ $kind == throng ]] && kill -0 "$launched" 2>/dev/null && (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null
    then server_pid=$launched; break; fi
    kill -0 "$launched" 2>/dev/null || break
    sleep 0.25
  done
  if [[ -z $server_pid ]]; then
    echo "fanout-run: $kind did not start; its log:" >&2; tail -20 "$log" >&2
    stop_server "$launched"; return 1
  fi
  # Every run.sh execs its server, and `java -jar throng.jar serve` is the gateway: the PID started is the PID that
  # serves.
  [[ $server_pid == "$launched" ]] || echo "fanout-run: note: $kind serves from pid $server_pid, started $launched"
  started_pid=$launched
  echo "fanout-run: $kind ready, pid $server_pid, port $port"
}
started_pid=""
stop_server() { # PID: SIGTERM, then SIGKILL after 10 s; only the process this script started
  local pid=${1:-$started_pid}
  [[ -n $pid ]] || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  started_pid=""
  # Soketi and the JVM need a moment before the port can be bound again.
  for _ in $(seq 1 40); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null || break; sleep 0.25; done
}
trap 'stop_server' EXIT
trap 'exit 130' INT TERM

loader_args() { # N: the bench's loader options for N subscribers
  if [[ $loader == hsload ]]; then
    echo --loader hsload --hsload "$hsload" --workers "${BENCH_WORKERS:-$(( ($1 + 18999) / 19000 ))}"
  else
    echo --workers "${BENCH_WORKERS:-1}" --io-threads "$bench_io_threads"
  fi
}

bench() { # LOG REPORT TIMEOUT_SECONDS ARGS...: one bench run, bounded (ARGS include -n N)
  local log=$1 report=$2 limit=$3 n="" prev="" a; shift 3
  for a in "$@"; do [[ $prev == -n ]] && n=$a; prev=$a; done
  # shellcheck disable=SC2046
  timeout --kill-after=15 "$limit" "$java" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$jar" \
    bench --scenario subscribe --url "ws://127.0.0.1:$port" --rate "$rate" \
    --connect-timeout "$connect_timeout" \
    $(loader_args "$n") --source "$sources" --server-pid "$server_pid" --report "$report" "$@" \
    > "$log" 2>&1 || echo "fanout-run: bench exited with status $? (see $log)"
  grep -E '^(warm-up|step [0-9]|subscribe |best |result |warning )' "$log" || true
}

# ---- cells ------------------------------------------------------------------------------------------------------
fanout_cell() { # SERVER CxS SIZE
  local kind=$1 shape=$2 size=$3 channels=${2%x*} per=${2#*x} dir n best
  dir=$(cell_dir "$kind-$shape-${size}B")
  n=$(( channels * per ))
  local nsteps; nsteps=$(tr ',' '\n' <<< "$steps" | grep -c .)
  local limit=$(( n / (rate > 0 ? rate : 1) + $(seconds "$connect_timeout") + 180
    + nsteps * ($(seconds "$step_duration") + $(seconds "$step_gap") + 15) ))
  echo "== $kind, $channels channel(s) x $per subscribers, ${size}-byte events, steps $steps"
  start_server "$kind" "$dir/server.log" || return 0
  bench "$dir/steps.log" "$dir/steps.json" "$limit" -n "$n" --channels "$channels" --event-size "$size" \
    --publish-steps "$steps" --step-duration "$step_duration" --step-gap "$step_gap" --max-p99 "$max_p99" \
    --max-failures 1%
  stop_server
  record_steps "$kind" "$shape" "$size" "$dir/steps.json"
  [[ $(seconds "$confirm") -gt 0 && -f $dir/steps.json ]] || return 0
  # Confirmation: the best passing rate held for CONFIRM; if it fails, the next lower passing rate, once.
  for best in $(passing_rates "$dir/steps.json" | head -2); do
    echo "-- confirming $best events/s per channel for $confirm"
    start_server "$kind" "$dir/server-confirm-$best.log" || return 0
    bench "$dir/confirm-$best.log" "$dir/confirm-$best.json" \
      $(( n / rate + $(seconds "$connect_timeout") + 240 + $(seconds "$confirm") )) \
      -n "$n" --channels "$channels" --event-size "$size" --publish-rate "$best" --publish-duration "$confirm" \
      --step-gap "$step_gap" --max-p99 "$max_p99" --max-failures 1%
    stop_server
    record_confirm "$kind" "$shape" "$size" "$dir/confirm-$best.json" && break
  done
  return 0 # both confirmations failed: recorded as such, and the next cells still run (set -e)
}

idle_cell() { # SERVER
  local kind=$1 dir heap_before="" heap_held=""
  dir=$(cell_dir "$kind-idle")
  echo "== $kind, $idle_n subscribers on one channel, held $idle_hold without publishing"
  start_server "$kind" "$dir/server.log" || return 0
  sleep 5
  [[ $kind == throng ]] && heap_before=$(live_heap "$server_pid")
  bench "$dir/idle.log" "$dir/idle.json" \
    $(( idle_n / rate + $(seconds "$connect_timeout") + 180 + $(seconds "$idle_hold") )) -n "$idle_n" \
    --channels 1 --hold "$idle_hold" --max-failures 1% &
  local bench_pid=$!
  # Sample the live heap 30 s into the hold, or half-way into a shorter one (the bench prints `hold` progress lines
  # once every subscriber is subscribed).
  for _ in $(seq 1 600); do grep -q ' hold \]' "$dir/idle.log" 2>/dev/null && break; sleep 0.5; done
  local half=$(( $(seconds "$idle_hold") / 2 ))
  sleep $(( half < 30 ? half : 30 ))
  [[ $kind == throng ]] && heap_held=$(live_heap "$server_pid")
  wait "$bench_pid" || true
  stop_server
  python3 - "$out/idle.csv" "$kind" "$dir/idle.json" "$heap_before" "$heap_held" <<'EOF'
import csv, json, os, sys
path, kind, report, before, held = sys.argv[1:6]
r = json.load(open(report))
s, f = r.get("server") or {}, r["fanout"]
n = f["subscribe"]["connections"]
new = not os.path.exists(path)
with open(path, "a", newline="") as out:
    w = csv.writer(out)
    if new:
        w.writerow(["server", "subscribers", "rss_before_bytes", "rss_held_bytes", "rss_per_connection_bytes",
                    "live_heap_before_bytes", "live_heap_held_bytes", "live_heap_per_connection_bytes",
                    "idle_cpu_cores", "cpu_percent_of_core_per_100k"])
    per = (int(held) - int(before)) // n if before and held and n else ""
    w.writerow([kind, n, s.get("rssBytesBefore"), s.get("rssBytesHeld"), s.get("rssBytesPerConnection"),
                before, held, per, s.get("cpuCoresDuringHold"), s.get("cpuPercentOfCorePer100kConnections")])
print(f"idle: {n} subscribed, server RSS {s.get('rssBytesPerConnection')} B per connection"
      + (f", live heap {per} B per connection" if per != "" else "")
      + f", idle CPU {s.get('cpuCoresDuringHold')} cores")
EOF
}

live_heap() { # PID: bytes of live Java objects (GC.class_histogram runs a full GC first and counts what survives)
  jcmd "$1" GC.class_histogram 2>/dev/null | awk '$1 == "Total" { print $3 }'
}

# ---- main ---------------------------------------------------------------------------------------------------------
mkdir -p "$out"
build
{
  echo "date: $(date -Is)"
  echo "commit: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo ' (modified)')"
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -r)"
  echo "java: $("$java" -version 2>&1 | head -1); node: $(node -v)"
  echo "settings: STEPS=$steps STEP_DURATION=$step_duration STEP_GAP=$step_gap CONFIRM=$confirm MAX_P99=$max_p99" \
    "RATE=$rate CONNECT_TIMEOUT=$connect_timeout LOADER=$loader BENCH_WORKERS=${BENCH_WORKERS:-auto}" \
    "BENCH_IO_THREADS=$bench_io_threads IDLE_N=$idle_n IDLE_HOLD=$idle_hold"
} >> "$out/run-info.txt"
for kind in $servers; do
  for scenario in $scenarios; do
    if [[ $scenario == idle ]]; then idle_cell "$kind"; continue; fi
    for size in $sizes; do fanout_cell "$kind" "$scenario" "$size"; done
  done
done
echo "fanout-run: results in $out (charts: python3 bench/fanout-charts.py $out)"
