#!/usr/bin/env bash
# The cluster benchmarks of issue #18 ("Benchmark to record"; bench/cluster.md): Throng's gateway as a cluster on
# Redis, `throng serve --workers auto --redis` (each worker a node), loaded by `throng bench --scenario subscribe`
# (several worker processes, each under the open-files limit, spread over source addresses 127.0.0.x; the bench's
# publisher triggers through the REST API of one port, which reaches every node through Redis), its subscribers Java
# workers or hsload processes (LOADER, below).
#
#   bench/cluster-run.sh fanout [SHAPE] [SIZE]   one channel x 100,000 subscribers (SHAPE 1x100000, the default) or
#                                                1000x100 (any CxS), SIZE 256 (default) | 1024 | all: the publish rate
#                                                stepped until a step loses a delivery or its p99 publish -> receive
#                                                reaches 1 s, then the best passing rate confirmed for 30 s
#   bench/cluster-run.sh million                 N (1,000,000) subscribers, each on one of 1,000 channels, held HOLD
#                                                (10 min) with keepalive, then one event to each channel (LOADER: the
#                                                Java bench or hsload, below)
#   bench/cluster-run.sh two-nodes               the same with N2 (200,000) subscribers split over two `throng serve
#                                                --workers auto` trees (two ports) on one Redis, triggered on the first
#   bench/cluster-run.sh peers [SHAPE] [SIZE]    the fan-out cell for the peers (PEERS: soketi bun), see below
#   bench/cluster-run.sh all                     fanout 1x100000 and 1000x100 at 256 and 1024 B, peers, million,
#                                                two-nodes (bench/cluster.md has the timings)
#
# What each cell reports (OUT/<cell>/, and one line per cell or step appended to OUT/*.csv):
#   fanout, peers: OUT/steps.csv and OUT/confirm.csv: per step the rate, deliveries/s, p50/p99/max publish ->
#     receive, missing and lost deliveries, server CPU per delivery (summed over the supervisor and every worker:
#     the bench's --server-pid), Redis CPU per delivery (the redis-server's /proc, the bench's --broker-pid), pass or
#     why not; OUT/subscribe.csv: the time to subscribe everyone.
#   million, two-nodes: OUT/hold.csv: subscribed, lost during the hold, deliveries expected / received / lost of the
#     event to each channel, server RSS and PSS summed over every server process and divided by the connections
#     held, Redis used_memory and RSS (INFO memory, their peak over the run), server and Redis CPU during the hold,
#     and which loader held them.
#   Every cell: OUT/<cell>/redis.csv (Redis memory and CPU every 5 s), the servers' and the bench's logs, the bench's
#   JSON report. A fresh Redis (no persistence, loopback, REDIS_PORT) and fresh servers per cell and per
#   confirmation, so no figure carries the previous cell's state.
#
# The peers (fan-out cell only; bench/peers/README.md):
#   - Soketi (Node + uWebSockets.js) has a Redis adapter: SOKETI_PROCS processes (default: one per 18,000
#     subscribers, as many as Throng has workers), each on its own port (PORT+20, +22, ...; the bench spreads its
#     connections over their URLs round-robin, since nothing says Soketi shares a port), with
#     SOKETI_ADAPTER_DRIVER=redis on this cell's Redis; the REST trigger goes to the first. The same shape as Throng's.
#     Its UDP discovery stays on 127.0.0.1 (SOKETI_CLUSTER_*), as bench/peers/soketi/run.sh sets it.
#   - Bun (Bun.serve pub/sub, uWebSockets' topic tree) has no clustering: server.publish reaches the subscribers of
#     its own process only, and one process holds at most ~18,000 connections under the 20,000 open-files limit.
#     So Bun is measured at its largest single-process configuration: the same shape scaled to BUN_N (18,000)
#     subscribers (1x18000, or 1000x18 for 1000x100). Its deliveries/s are comparable; its scale is not.
#
# Bounded and self-stopping: every bench run is bounded by its own deadlines and by `timeout`, every hsload loader by
# its -d and --hold-for, the trigger by `timeout`; each loader, Redis, server tree and peer started here is stopped by
# its PID when its cell ends (also on Ctrl-C or an error); nothing else is touched. Loopback only. Needs throng.jar
# (built here if missing or older than the sources, unless JAR names one), redis-server, python3, gcc for hsload, and
# for the peers bench/peers/setup.sh. A million needs the kernel settings `throng doctor --connections 1000000` names
# (conntrack, tcp_mem) and source addresses 127.0.0.2-... (loopback answers the whole 127/8 on Linux).
#
# The loader of fanout and peers (LOADER):
#   - java (the default): the bench's Java worker processes hold the subscribers.
#   - hsload: `throng bench --loader hsload`: each worker runs one hsload process (bench/hsload, C) of up to 19,000
#     subscribers (ceil(N / 19,000) workers unless BENCH_WORKERS says otherwise) that times and checks every delivery
#     as the Java workers do; the coordinator publishes, judges the steps and writes the reports as with java. On 2
#     cores the Java subscribers took 2-3 of them at 100k-400k deliveries/s; hsload's cost a fraction of that. With
#     several URLs (Soketi's processes) hsload worker k connects to URL k mod U.
#
# The loader of million and two-nodes (LOADER):
#   - java (the default; `bench` is the same): `throng bench --scenario subscribe`, as every other cell: Java, ~56 worker JVMs for a
#     million; it times each delivery (p99 publish -> receive) and writes a JSON report. On this box's 2 cores it
#     cannot hold a million beside ~56 server JVMs (its share of the 30 s pings is as large as the server's;
#     docs/benchmarks.md section 10).
#   - hsload: bench/hsload in C (bench/hsload/README.md, "Pusher subscribers"), which held a million with 30 s pings on
#     this box for about half a core (docs/benchmarks.md section 12): ceil(N / 19,000) processes (at least one per tree,
#     as many per tree), each under the 20,000 open-files limit, with its own source addresses from 127.0.0.2 (one per
#     16,000 of its connections, rounded up: two at 19,000; bench/hsload/loaders.sh) and its own --index-base, so that
#     connection i subscribes to bench-(i mod CHANNELS) over all of them; loader k connects to tree k mod TREES. Paced
#     to HOLD_RATE in all; when every loader holds: HOLD, then the servers' RSS and PSS (summed over every process of
#     every tree) and Redis INFO memory, then one event of 256 bytes to each channel through the REST API of the first
#     tree (bench/pusher-trigger.py, 100 channels per request), PUBLISH_GAP, then SIGUSR1 ends the loaders' hold and
#     their summary lines are summed: subscribed (pusher_internal:subscription_succeeded seen), closed by the server,
#     and per connection the text frames received (established, subscription_succeeded, then the event: 3 each when
#     nothing is lost). hsload does not time deliveries (no p99) and sends one event per channel (PUBLISH_RATE,
#     PUBLISH_DURATION do not apply). Its loader logs are OUT/<cell>/hsload-*.log, its timeline OUT/<cell>/hold.log.
#
# Environment (defaults in brackets, and why):
#   OUT [/tmp/throng-cluster-DATE]   results directory (cells append to its CSV files)
#   LOADER [java]                    java | hsload (above; `bench` is an old name of java)
#   JAR [throng-cli/target/throng.jar] the throng.jar to run; given, it is used as it is (never rebuilt)
#   PORT [29800]                     Throng's (first tree's) port; the second tree PORT+10; Soketi PORT+20.. and
#                                    its metrics ports one above each
#   REDIS_PORT [PORT+100]            the Redis started for each cell (never one that is already running)
#   REDIS_SERVER [redis-server]      its binary
#   SERVER_WORKERS [auto]            `throng serve --workers`: auto derives them from --max-connections (N plus
#                                    PUBLISH_SLACK) and the open-files limit, as a user would run it; a number for
#                                    small validation runs, where auto gives one worker
#   SERVE_ARGS []                    more `throng serve` options (e.g. --ping-interval 120s, see the million)
#   N [100000]                       fanout: subscribers when SHAPE is not given
#   STEPS [1,2,4,8,12,16,24,32]      fanout: events/s per channel; with 100,000 subscriptions in both shapes a step
#                                    is 100,000 x rate deliveries/s: 12 is the issue's 1,200,000/s target, Bun's
#                                    1,170,000/s lies between 8 and 12
#   STEP_DURATION [10s] STEP_GAP [2s] MAX_P99 [1s] CONFIRM [30s]
#                                    as bench/fanout-run.sh: each step's length, the wait before its deliveries are
#                                    counted, the pass mark, and how long the best passing rate is held to confirm it
#                                    (0: no confirmation; a failed confirmation tries the next lower rate once)
#   RATE [10000]                     fanout: connections (and subscriptions) opened per second: the cluster's
#                                    subscribe time is the first subscriber of a channel on each node waiting for
#                                    Redis's confirmation, the rest is the workers' handshakes on 2 cores
#   CONNECT_TIMEOUT [60s]            connect + handshake + every subscription acknowledged, per connection
#   BENCH_WORKERS [0]                bench worker processes; 0: the fewest under the open-files limit (18,000 each;
#                                    LOADER=hsload: 19,000 each)
#   SOURCES [127.0.0.2-...]          the bench's source addresses; default one per 16,000 connections plus two,
#                                    so each worker's (address, port) pairs are plenty (not for hsload, above)
#   HOLD [10m]                       million, two-nodes: how long the subscribers are held before the event
#   MILLION_N [1000000] N2 [200000]  million's and two-nodes' subscribers
#   CHANNELS [1000]                  million, two-nodes: channels (each subscriber on one)
#   HOLD_RATE [2000; hsload 4000]    million, two-nodes: connections per second (the Java bench next to ~56 server
#                                    JVMs on 2 cores; docs/benchmarks.md section 10 ramped the million at ~1,100/s;
#                                    hsload's loaders cost little, hold-run.sh ramps a million at 4,000/s)
#   PUBLISH_RATE [1] PUBLISH_DURATION [1s]
#                                    million, two-nodes: the events after the hold, per channel: one each
#   PUBLISH_GAP [30s]                million, two-nodes: wait after the last trigger before counting (a million
#                                    deliveries in one burst take seconds on 2 cores; later ones still count at the end)
#   PUBLISH_SLACK [1000]             connections above N in --max-connections: the publisher's and some headroom
#   PEERS [soketi bun]               peers cell: which
#   SOKETI_PROCS [N/18000 rounded up] BUN_N [18000]
#   THRONG_WORKER_JAVA_OPTS          as bench/serve-lib.sh: more JVM flags for the workers
#
# Examples:
#   bench/cluster-run.sh all                                               # the whole measurement (hours)
#   N=10000 SERVER_WORKERS=3 STEPS=1,4,16 STEP_DURATION=5s CONFIRM=10s bench/cluster-run.sh fanout 1x10000
#   MILLION_N=20000 SERVER_WORKERS=3 HOLD=60s bench/cluster-run.sh million
#   N2=10000 SERVER_WORKERS=2 HOLD=30s bench/cluster-run.sh two-nodes
#   LOADER=hsload bench/cluster-run.sh million                            # the million on this box (~20 min)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cell_arg=${1:?"usage: $0 fanout|million|two-nodes|peers|all [SHAPE] [SIZE]"}
out=${OUT:-/tmp/throng-cluster-$(date +%Y%m%d-%H%M%S)}
port=${PORT:-29800}
redis_port=${REDIS_PORT:-$(( port + 100 ))}
redis_server=${REDIS_SERVER:-redis-server}
server_workers=${SERVER_WORKERS:-auto}
steps=${STEPS:-1,2,4,8,12,16,24,32}
step_duration=${STEP_DURATION:-10s}
step_gap=${STEP_GAP:-2s}
max_p99=${MAX_P99:-1s}
confirm=${CONFIRM:-30s}
rate=${RATE:-10000}
connect_timeout=${CONNECT_TIMEOUT:-60s}
bench_workers=${BENCH_WORKERS:-0}
hold=${HOLD:-10m}
million_n=${MILLION_N:-1000000}
n2=${N2:-200000}
channels_held=${CHANNELS:-1000}
loader=${LOADER:-java}
[[ $loader != bench ]] || loader=java
case $loader in java) hold_rate=${HOLD_RATE:-2000} ;; hsload) hold_rate=${HOLD_RATE:-4000} ;;
  *) echo "cluster-run: LOADER must be java or hsload" >&2; exit 2 ;; esac
hsload="$root/bench/hsload/target/hsload"
publish_rate=${PUBLISH_RATE:-1}
publish_duration=${PUBLISH_DURATION:-1s}
publish_gap=${PUBLISH_GAP:-30s}
publish_slack=${PUBLISH_SLACK:-1000}
peers=${PEERS:-soketi bun}
bun_n=${BUN_N:-18000}
jar="${JAR:-$root/throng-cli/target/throng.jar}"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
me=cluster-run
cluster_columns=1
# shellcheck source=fanout-lib.sh
source "$root/bench/fanout-lib.sh"  # seconds, cell_dir, the builds, passing_rates, record_steps, record_confirm

sources_for() { # N: SOURCES, or 127.0.0.2 up to one address per 16,000 connections plus two
  if [[ -n ${SOURCES:-} ]]; then echo "$SOURCES"; return; fi
  local k=$(( $1 / 16000 + 2 )); (( k > 250 )) && k=250
  echo "127.0.0.2-127.0.0.$(( k + 1 ))"
}
port_free() { ! (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---- what this script started, stopped by PID -------------------------------------------------------------------
started=()          # PIDs of process trees' roots: redis-server, throng supervisors, peer launchers
loader_pids=()      # hsload loaders (LOADER=hsload) not yet waited for: stopped first
nap_pid=""          # nap's sleep
nap() { # SECONDS: sleep, in the background so that a SIGTERM's trap runs at once (bash defers it past a foreground
  # command)
  sleep "$1" & nap_pid=$!
  wait "$nap_pid" || true
  nap_pid=""
}
stop_pid() { # PID: SIGTERM (a supervisor drains and stops its workers), SIGKILL after 20 s; only what we started
  local pid=$1
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 80); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  if kill -0 "$pid" 2>/dev/null; then
    local c; for c in $(pgrep -P "$pid" || true); do kill -9 "$c" 2>/dev/null || true; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}
stop_all() { # every process this script started, newest first (loaders, then servers before their Redis)
  local i p
  [[ -z $nap_pid ]] || { kill "$nap_pid" 2>/dev/null || true; nap_pid=""; }
  for p in "${loader_pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  loader_pids=()
  for (( i = ${#started[@]} - 1; i >= 0; i-- )); do stop_pid "${started[$i]}"; done
  started=()
}
trap stop_all EXIT
trap 'exit 130' INT TERM
# shellcheck source=hsload/loaders.sh
source "$root/bench/hsload/loaders.sh"  # LOADER=hsload: hsload_start, hsload_wait_holding, proc_ticks, proc_memory

# ---- builds -----------------------------------------------------------------------------------------------------
build() {
  if [[ -n ${JAR:-} ]]; then [[ -f $jar ]] || { echo "cluster-run: no $jar" >&2; exit 2; }; return 0; fi
  build_jar
}

# ---- Redis ------------------------------------------------------------------------------------------------------
redis_pid=""
start_redis() { # DIR: a fresh redis-server on REDIS_PORT (loopback, no persistence); sets redis_pid
  local dir=$1
  port_free "$redis_port" || { echo "cluster-run: port $redis_port is in use; choose another REDIS_PORT" >&2; return 1; }
  "$redis_server" --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    --dir "$dir" --logfile "$dir/redis.log" &
  redis_pid=$!
  started+=("$redis_pid")
  for _ in $(seq 1 100); do
    [[ $(redis-cli -p "$redis_port" ping 2>/dev/null) == PONG ]] && { echo "cluster-run: redis pid $redis_pid port $redis_port"; return 0; }
    sleep 0.1
  done
  echo "cluster-run: redis did not start; its log:" >&2; tail -5 "$dir/redis.log" >&2; return 1
}
redis_sampler() { # DIR WATCHED_PID: Redis memory and CPU every 5 s into DIR/redis.csv while WATCHED_PID runs
  local dir=$1 watched=$2 f="$1/redis.csv"
  echo "epoch_s,used_memory_bytes,used_memory_rss_bytes,cpu_ticks" > "$f"
  while kill -0 "$watched" 2>/dev/null && kill -0 "$redis_pid" 2>/dev/null; do
    redis-cli -p "$redis_port" INFO memory 2>/dev/null | tr -d '\r' | awk -F: -v t="$(date +%s)" \
      -v ticks="$(awk '{print $14 + $15}' "/proc/$redis_pid/stat" 2>/dev/null)" '
      $1 == "used_memory" { u = $2 } $1 == "used_memory_rss" { r = $2 } END { print t "," u "," r "," ticks }' >> "$f"
    sleep 5
  done
}

# ---- Throng: one `throng serve --workers W --redis` tree ----------------------------------------------------------
tree_pids=""        # after start_tree: the supervisor and its workers, comma-separated
start_tree() { # LOG PORT CAP: starts a tree; appends its pids to tree_pids
  local log=$1 p=$2 cap=$3 flags supervisor workers children
  port_free "$p" || { echo "cluster-run: port $p is in use by a process this script did not start" >&2; return 1; }
  # The flags bin/throng gives the serve process (a supervisor's; its workers get theirs from it).
  # shellcheck disable=SC2086
  flags=$("$java" -cp "$jar" dev.throng.cli.WorkerPlan serve --workers "$server_workers" --max-connections "$cap" \
    ${SERVE_ARGS:-})
  # shellcheck disable=SC2086
  "$java" $flags -jar "$jar" serve --mode gateway --host 127.0.0.1 --port "$p" --workers "$server_workers" \
    --max-connections "$cap" --redis "redis://127.0.0.1:$redis_port" ${SERVE_ARGS:-} > "$log" 2>&1 &
  supervisor=$!
  started+=("$supervisor")
  workers=$server_workers
  if [[ $workers == auto ]]; then # the supervisor's first line says how many ("supervising N workers")
    workers=""
    for _ in $(seq 1 100); do
      workers=$(grep -o 'supervising [0-9]* workers' "$log" | grep -o '[0-9]*') && break
      kill -0 "$supervisor" 2>/dev/null || break
      sleep 0.2
    done
    workers=${workers:-1}
  fi
  children=$(( workers > 1 ? workers : 0 )) # one worker runs in the serve process itself
  for _ in $(seq 1 400); do # up to 2 minutes: dozens of JVMs start slowly on 2 cores
    if (( $(pgrep -P "$supervisor" | wc -l) == children )) && ! port_free "$p"; then break; fi
    kill -0 "$supervisor" 2>/dev/null || { echo "cluster-run: throng serve exited; its log:" >&2; tail -20 "$log" >&2; return 1; }
    sleep 0.3
  done
  sleep 2
  local pids; pids=$(pgrep -P "$supervisor" | paste -sd, || true)
  pids=${pids:+$supervisor,$pids}; pids=${pids:-$supervisor}
  (( children == 0 || $(pgrep -P "$supervisor" | wc -l) == children )) ||
    echo "cluster-run: warning: $(pgrep -P "$supervisor" | wc -l) workers running, $children expected"
  tree_pids=${tree_pids:+$tree_pids,}$pids
  echo "cluster-run: throng serve on $p: supervisor $supervisor, $workers worker(s), pids $pids"
}
check_trees() { # whether every server pid measured is still alive (a restarted worker would escape the figures)
  local p dead=""
  for p in ${tree_pids//,/ }; do kill -0 "$p" 2>/dev/null || dead="$dead $p"; done
  [[ -z $dead ]] || echo "cluster-run: WARNING: server processes ended during the run:$dead (a worker restarted by" \
    "the supervisor is not in the figures)"
}

# ---- the peers --------------------------------------------------------------------------------------------------
peer_urls=()
start_soketi() { # DIR PROCS: PROCS Soketi processes on PORT+20, +22, ... sharing this cell's Redis
  local dir=$1 procs=$2 i p pid
  peer_urls=(); tree_pids=""
  for (( i = 0; i < procs; i++ )); do
    p=$(( port + 20 + 2 * i ))
    port_free "$p" || { echo "cluster-run: port $p is in use" >&2; return 1; }
    SOKETI_ADAPTER_DRIVER=redis SOKETI_DB_REDIS_HOST=127.0.0.1 SOKETI_DB_REDIS_PORT="$redis_port" \
      SOKETI_CLUSTER_HOST=127.0.0.1 SOKETI_CLUSTER_UNICAST_ADDRESSES=127.0.0.1 \
      SOKETI_CLUSTER_BROADCAST_ADDRESS=127.0.0.1 \
      "$root/bench/peers/soketi/run.sh" "$p" > "$dir/soketi-$i.log" 2>&1 &
    started+=("$!")
    peer_urls+=(--url "ws://127.0.0.1:$p")
  done
  for (( i = 0; i < procs; i++ )); do
    pid=""
    for _ in $(seq 1 240); do
      pid=$(sed -n 's/^ready pid=\([0-9]*\).*/\1/p' "$dir/soketi-$i.log" | head -1)
      [[ -n $pid ]] && break; sleep 0.25
    done
    [[ -n $pid ]] || { echo "cluster-run: soketi $i did not start:" >&2; tail -5 "$dir/soketi-$i.log" >&2; return 1; }
    tree_pids=${tree_pids:+$tree_pids,}$pid
  done
  echo "cluster-run: soketi x$procs on ports $(( port + 20 ))..$(( port + 18 + 2 * procs )), pids $tree_pids"
}
start_bun() { # DIR: one Bun pub/sub process on PORT+20
  local dir=$1 p=$(( port + 20 )) pid=""
  port_free "$p" || { echo "cluster-run: port $p is in use" >&2; return 1; }
  "$root/bench/peers/bun-pusher/run.sh" "$p" > "$dir/bun.log" 2>&1 &
  started+=("$!")
  for _ in $(seq 1 120); do
    pid=$(sed -n 's/^ready pid=\([0-9]*\).*/\1/p' "$dir/bun.log" | head -1); [[ -n $pid ]] && break; sleep 0.25
  done
  [[ -n $pid ]] || { echo "cluster-run: bun did not start:" >&2; tail -5 "$dir/bun.log" >&2; return 1; }
  tree_pids=$pid; peer_urls=(--url "ws://127.0.0.1:$p")
  echo "cluster-run: bun on port $p, pid $pid"
}

# ---- one bench run ----------------------------------------------------------------------------------------------
bench() { # LOG REPORT TIMEOUT_SECONDS N ARGS...: throng bench -s subscribe, bounded; samples Redis meanwhile
  local log=$1 report=$2 limit=$3 n=$4; shift 4
  local broker=(); [[ -n $redis_pid ]] && broker=(--broker-pid "$redis_pid")
  local loader_args=(--workers "$bench_workers")
  if [[ $loader == hsload ]]; then # the fanout cells (million and two-nodes run hsload without the bench)
    (( bench_workers > 0 )) || loader_args=(--workers $(( (n + 18999) / 19000 )))
    loader_args+=(--loader hsload --hsload "$hsload")
  fi
  timeout --kill-after=30 "$limit" "$java" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$jar" \
    bench --scenario subscribe -n "$n" --source "$(sources_for "$n")" "${loader_args[@]}" \
    --connect-timeout "$connect_timeout" --server-pid "$tree_pids" "${broker[@]}" --report "$report" "$@" \
    > "$log" 2>&1 &
  local bench_pid=$!
  [[ -n $redis_pid ]] && redis_sampler "$(dirname "$log")" "$bench_pid" &
  local sampler_pid=$!
  wait "$bench_pid" || echo "cluster-run: bench exited with status $? (see $log)"
  wait "$sampler_pid" 2>/dev/null || true
  grep -E '^(warm-up|step [0-9]|subscribe |best |result |warning |throng bench: )' "$log" || true
}

# Starts what a fan-out cell measures: KIND DIR N. Sets tree_pids, redis_pid, urls (bench arguments).
urls=()
start_target() {
  local kind=$1 dir=$2 n=$3
  tree_pids=""; redis_pid=""; urls=()
  case $kind in
    throng)
      start_redis "$dir" || return 1
      start_tree "$dir/server.log" "$port" $(( n + publish_slack )) || return 1
      urls=(--url "ws://127.0.0.1:$port") ;;
    soketi)
      start_redis "$dir" || return 1
      start_soketi "$dir" "${SOKETI_PROCS:-$(( (n + 17999) / 18000 ))}" || return 1
      urls=("${peer_urls[@]}") ;;
    bun)
      start_bun "$dir" || return 1
      urls=("${peer_urls[@]}") ;;
  esac
}

# ---- cells ------------------------------------------------------------------------------------------------------
fanout_cell() { # KIND CxS SIZE
  local kind=$1 shape=$2 size=$3 channels=${2%x*} per=${2#*x} dir n best
  n=$(( channels * per ))
  dir=$(cell_dir "fanout-$kind-$shape-${size}B")
  local nsteps; nsteps=$(tr ',' '\n' <<< "$steps" | grep -c .)
  local limit=$(( n / rate + $(seconds "$connect_timeout") + 240
    + nsteps * ($(seconds "$step_duration") + $(seconds "$step_gap") + 15) ))
  echo "== fanout: $kind, $channels channel(s) x $per subscribers, ${size}-byte events, steps $steps"
  if start_target "$kind" "$dir" "$n"; then
    bench "$dir/steps.log" "$dir/steps.json" "$limit" "$n" "${urls[@]}" --rate "$rate" --channels "$channels" \
      --event-size "$size" --publish-steps "$steps" --step-duration "$step_duration" --step-gap "$step_gap" \
      --max-p99 "$max_p99" --max-failures 1%
    check_trees
  fi
  stop_all
  record_steps "$kind" "$shape" "$size" "$dir/steps.json"
  [[ $(seconds "$confirm") -gt 0 && -f $dir/steps.json ]] || return 0
  for best in $(passing_rates "$dir/steps.json" | head -2); do
    echo "-- confirming $best events/s per channel for $confirm"
    mkdir -p "$dir/confirm-$best"
    if start_target "$kind" "$dir/confirm-$best" "$n"; then
      bench "$dir/confirm-$best/confirm.log" "$dir/confirm-$best/confirm.json" \
        $(( n / rate + $(seconds "$connect_timeout") + 300 + $(seconds "$confirm") )) "$n" "${urls[@]}" \
        --rate "$rate" --channels "$channels" --event-size "$size" --publish-rate "$best" \
        --publish-duration "$confirm" --step-gap "$step_gap" --max-p99 "$max_p99" --max-failures 1%
      check_trees
    fi
    stop_all
    record_confirm "$kind" "$shape" "$size" "$dir/confirm-$best/confirm.json" && break
  done
  return 0
}

hold_cell() { # NAME N TREES: N subscribers on CHANNELS channels over TREES throng trees, held, then the event
  local name=$1 n=$2 trees=$3 dir t
  dir=$(cell_dir "$name")
  if [[ $loader == hsload ]]; then
    echo "== $name: $n subscribers on $channels_held channels over $trees tree(s) from hsload, held $hold, then" \
      "one event to each channel"
  else
    echo "== $name: $n subscribers on $channels_held channels over $trees tree(s), held $hold, then" \
      "$publish_rate event/s per channel for $publish_duration"
  fi
  tree_pids=""; redis_pid=""; urls=()
  if start_redis "$dir"; then
    local ok=1
    for (( t = 0; t < trees; t++ )); do
      # hsload's loaders are spread over the trees in whole loaders: a tree may get up to one loader's share of
      # rounding more than N / TREES (PUBLISH_SLACK covers it)
      start_tree "$dir/server-$t.log" $(( port + 10 * t )) $(( n / trees + publish_slack )) || { ok=0; break; }
      urls+=(--url "ws://127.0.0.1:$(( port + 10 * t ))")
    done
    if (( ok )) && [[ $loader == hsload ]]; then
      hold_with_hsload "$dir" "$n" "$trees"
      check_trees
    elif (( ok )); then
      local hold_s; hold_s=$(seconds "$hold")
      bench "$dir/hold.log" "$dir/hold.json" \
        $(( n / hold_rate * 2 + hold_s + $(seconds "$publish_duration") + $(seconds "$publish_gap") + 600 + n / 2000 )) \
        "$n" "${urls[@]}" --api-url "http://127.0.0.1:$port" --rate "$hold_rate" --warmup 30s \
        --ramp-timeout "$(( n / hold_rate * 2 + 300 ))s" --close-rate 5000 \
        --channels "$channels_held" --event-size 256 --publish-after "$hold" --publish-warmup 0 \
        --publish-rate "$publish_rate" --publish-duration "$publish_duration" --step-gap "$publish_gap" \
        --max-p99 "$publish_gap" --max-failures 0
      check_trees
    fi
  fi
  stop_all
  record_hold "$name" "$n" "$trees" "$dir"
}

hold_with_hsload() { # DIR N TREES: the hold cell's load from hsload (LOADER=hsload; the header says what it does);
  # leaves its figures in DIR/hsload.env for record_hold, its timeline in DIR/hold.log
  local dir=$1 n=$2 trees=$3 t targets=() loaders per addrs hold_s gap_s hold_for t0 t1 p
  local s0 s1 w0 w1 r0 r1 rss pss rss_after pss_after redis_used redis_rss trigger=0
  say() { echo "$*" | tee -a "$dir/hold.log"; }
  for (( t = 0; t < trees; t++ )); do targets+=("127.0.0.1:$(( port + 10 * t ))"); done
  loaders=$(( (n + 18999) / 19000 ))                      # <= 19,000 each under the 20,000 open-files limit
  loaders=$(( (loaders + trees - 1) / trees * trees ))     # as many for each tree
  per=$(( (n + loaders - 1) / loaders ))
  addrs=$(( (per + 15999) / 16000 ))                       # <= ~16,000 connections per source address
  hold_s=$(seconds "$hold"); gap_s=$(seconds "$publish_gap")
  # A bound only (each loader's own ramp bound, the hold, the event and its gap, 5 minutes to spare): SIGUSR1 ends
  # the hold once the deliveries are counted.
  hold_for=$(( n / hold_rate * 2 + 120 + hold_s + gap_s + 300 ))
  say "cluster-run: $loaders hsload loaders of up to $per connections, $addrs source address(es) each from" \
    "127.0.0.2, $hold_rate connections/s in all, to ${targets[*]}"
  t0=$(date +%s)
  hsload_start "$root/bench/hsload/target/hsload" "$dir/hsload" "$n" "$loaders" "$hold_rate" 2 "$addrs" "$hold_for" \
    "$(IFS=,; echo "${targets[*]}")" --path "/app/app-key?protocol=7&client=hsload&version=1" \
    --subscribe "$channels_held" --channel-prefix bench-
  loader_pids=("${hsload_pids[@]}")
  redis_sampler "$dir" "${hsload_pids[0]}" &
  local sampler_pid=$!
  hsload_wait_holding "$dir/hsload" > >(tee -a "$dir/hold.log")  # not in a pipe: a SIGTERM's trap runs at once
  t1=$(date +%s)
  for p in "${!hsload_pids[@]}"; do  # a loader that ended already failed to start or lost its connections
    kill -0 "${hsload_pids[$p]}" 2>/dev/null ||
      say "cluster-run: WARNING: loader $p ended during the ramp: $(tail -3 "$dir/hsload-$p.log")"
  done
  say "cluster-run: ramp $(( t1 - t0 )) s ($(( n / (t1 - t0 > 0 ? t1 - t0 : 1) ))/s); holding $hold"
  s0=$(proc_ticks "$tree_pids"); w0=$(date +%s.%N)
  nap "$hold_s"
  s1=$(proc_ticks "$tree_pids"); w1=$(date +%s.%N)
  read -r rss pss < <(proc_memory "$tree_pids")
  read -r redis_used redis_rss < <(redis-cli -p "$redis_port" INFO memory | tr -d '\r' |
    awk -F: '$1 == "used_memory" { u = $2 } $1 == "used_memory_rss" { r = $2 } END { print u + 0, r + 0 }')
  say "cluster-run: end of hold: server RSS $(( rss / 1024 )) MiB, PSS $(( pss / 1024 )) MiB; Redis used_memory" \
    "$(( redis_used / 1048576 )) MiB, RSS $(( redis_rss / 1048576 )) MiB; one event to each of $channels_held channels"
  r0=$(proc_ticks "$redis_pid")
  timeout 300 python3 "$root/bench/pusher-trigger.py" bench- "$channels_held" --url "http://127.0.0.1:$port" \
    --size 256 > "$dir/trigger.log" 2>&1 || trigger=1
  say "$(cat "$dir/trigger.log")"
  nap "$gap_s"
  r1=$(proc_ticks "$redis_pid")
  read -r rss_after pss_after < <(proc_memory "$tree_pids")
  for p in "${hsload_pids[@]}"; do kill -USR1 "$p" 2>/dev/null || true; done
  for p in "${hsload_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  loader_pids=()
  wait "$sampler_pid" 2>/dev/null || true
  local hz; hz=$(getconf CLK_TCK)
  {
    echo "hold_s=$(awk -v a="$w0" -v b="$w1" 'BEGIN { printf "%.0f", b - a }')"
    echo "ramp_s=$(( t1 - t0 ))"
    echo "server_rss_bytes=$(( rss * 1024 ))"
    echo "server_pss_bytes=$(( pss * 1024 ))"
    echo "server_rss_after_event_bytes=$(( rss_after * 1024 ))"
    echo "server_cpu_cores_during_hold=$(awk -v s="$(( s1 - s0 ))" -v hz="$hz" -v a="$w0" -v b="$w1" \
      'BEGIN { printf "%.3f", s / hz / (b - a) }')"
    echo "redis_used_memory_end_of_hold=$redis_used"
    echo "redis_rss_end_of_hold=$redis_rss"
    echo "redis_cpu_s_of_event=$(awk -v t="$(( r1 - r0 ))" -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }')"
    echo "trigger_failed=$trigger"
  } > "$dir/hsload.env"
}

record_hold() { # NAME N TREES DIR: the held cell's line in hold.csv (from the bench's report, or hsload's logs)
  python3 - "$out" "$@" <<'EOF' | tee -a "$4/hold.log"
import csv, glob, json, os, sys
out, name, n, trees, d = sys.argv[1:6]
redis_used = redis_rss = 0
try:
    for row in csv.DictReader(open(os.path.join(d, "redis.csv"))):
        redis_used = max(redis_used, int(row["used_memory_bytes"] or 0))
        redis_rss = max(redis_rss, int(row["used_memory_rss_bytes"] or 0))
except Exception:
    pass
extra = ""
if os.path.exists(os.path.join(d, "hsload.env")):  # LOADER=hsload: the loaders' summary lines, summed
    env = dict(l.strip().split("=", 1) for l in open(os.path.join(d, "hsload.env")) if "=" in l)
    tot, by, loaders, summaries = {}, [0] * 5, 0, 0
    for log in sorted(glob.glob(os.path.join(d, "hsload-*.log"))):
        loaders += 1
        for line in open(log, errors="replace"):
            if not line.startswith("summary "):
                continue
            summaries += 1
            for kv in line.split()[1:]:
                k, v = kv.split("=", 1)
                if k == "texts_by_conn":
                    for i, part in enumerate(v.split(",")):
                        by[i] += int(part.split(":")[1])
                elif v.isdigit():
                    tot[k] = tot.get(k, 0) + int(v)
    t = lambda k: tot.get(k, 0)
    held, subscribed = t("held"), t("subscribed")
    per_conn = lambda key: round(int(env[key]) / held) if held and env.get(key) else None
    row = {
        "cell": name, "trees": trees, "requested": n, "subscribed": subscribed,
        "not_subscribed": int(n) - subscribed,
        # handshakes that failed, ran out of time, or belong to a loader that wrote no summary
        "failed": int(n) - t("ok"),
        "lost_while_held": t("dropped"), "held_at_end": held, "hold_s": env.get("hold_s"),
        # one event per channel and each subscriber on one channel: a subscriber received its event when it got a
        # text after its first two (pusher:connection_established, pusher_internal:subscription_succeeded)
        "events_expected_deliveries": subscribed, "received": t("events"),
        "lost_deliveries": max(0, subscribed - by[3] - by[4]), "delivery_p99_ms": None,
        "server_rss_bytes": env.get("server_rss_bytes"),
        "server_rss_per_connection_bytes": per_conn("server_rss_bytes"),
        "server_pss_per_connection_bytes": per_conn("server_pss_bytes"),
        "server_cpu_cores_during_hold": env.get("server_cpu_cores_during_hold"),
        "redis_used_memory_peak_bytes": redis_used, "redis_rss_peak_bytes": redis_rss,
        "redis_cpu_s_of_event": env.get("redis_cpu_s_of_event"), "loader": "hsload",
    }
    mib = lambda key: int(env.get(key) or 0) / 2**20
    extra = (f"; texts per held connection 0:{by[0]},1:{by[1]},2:{by[2]},3:{by[3]},4+:{by[4]}, "
             f"{t('pusher_errors')} pusher:error; {t('pings')} pings, {t('pongs')} answered; ramp {env.get('ramp_s')} s"
             f"; end of hold: server RSS {mib('server_rss_bytes'):.0f} MiB, Redis used_memory "
             f"{mib('redis_used_memory_end_of_hold'):.1f} MiB, RSS {mib('redis_rss_end_of_hold'):.1f} MiB; "
             f"server RSS after the event {mib('server_rss_after_event_bytes'):.0f} MiB")
    if summaries < loaders:
        extra += f"; WARNING: {loaders - summaries} of {loaders} loaders wrote no summary"
    if env.get("trigger_failed") != "0":
        extra += "; WARNING: the trigger failed (trigger.log)"
else:
    try:
        r = json.load(open(os.path.join(d, "hold.json")))
    except Exception as e:
        print(f"cluster-run: no report in {d}: {e}"); sys.exit(0)
    c, srv, f = r["connections"], r.get("server") or {}, r["fanout"]
    held = c["heldAtEndOfHold"] or 1
    step = (f.get("steps") or [{}])[0]
    row = {
        "cell": name, "trees": trees, "requested": n, "subscribed": f["subscribe"]["connections"],
        "not_subscribed": f["subscribe"]["failed"], "failed": c["failed"], "lost_while_held": c["lost"],
        "held_at_end": c["heldAtEndOfHold"], "hold_s": r["timing"]["holdSeconds"],
        "events_expected_deliveries": step.get("expectedDeliveries"), "received": step.get("receivedFinal"),
        "lost_deliveries": step.get("lostFinal"), "delivery_p99_ms": (step.get("latency") or {}).get("p99"),
        "server_rss_bytes": srv.get("rssBytesHeld"), "server_rss_per_connection_bytes":
            round(srv["rssBytesHeld"] / held) if srv.get("rssBytesHeld") else None,
        "server_pss_per_connection_bytes": srv.get("pssBytesHeldPerConnection"),
        "server_cpu_cores_during_hold": srv.get("cpuCoresDuringHold"),
        "redis_used_memory_peak_bytes": redis_used, "redis_rss_peak_bytes": redis_rss,
        "redis_cpu_s_of_event": step.get("brokerCpuSeconds"), "loader": "bench",
    }
path = os.path.join(out, "hold.csv")
new = not os.path.exists(path) or os.path.getsize(path) == 0
fields = list(row)
if not new:  # a file begun before the loader column keeps its columns
    with open(path, newline="") as i:
        fields = next(csv.reader(i), None) or fields
with open(path, "a", newline="") as o:
    w = csv.DictWriter(o, fieldnames=fields, extrasaction="ignore")
    if new:
        w.writeheader()
    w.writerow(row)
print(f'{name} ({row["loader"]}): {row["subscribed"]:,} subscribed ({row["not_subscribed"]} not, {row["failed"]} '
      f'failed), {row["lost_while_held"]} lost while held {row["hold_s"]} s; the event: {row["received"]} of '
      f'{row["events_expected_deliveries"]} delivered, {row["lost_deliveries"]} lost; server RSS '
      f'{row["server_rss_per_connection_bytes"]} B per connection (PSS {row["server_pss_per_connection_bytes"]}), '
      f'Redis used_memory {redis_used / 2**20:.1f} MiB, RSS {redis_rss / 2**20:.1f} MiB (peaks){extra}')
EOF
}

# ---- main -------------------------------------------------------------------------------------------------------
shape_arg=${2:-}
size_arg=${3:-256}
case $size_arg in all) sizes="256 1024" ;; [0-9]*) sizes=$size_arg ;;
  *) echo "cluster-run: SIZE must be a byte count or all" >&2; exit 2 ;; esac
scaled() { # SHAPE N: the shape with its subscribers per channel scaled so the total is N (Bun's single process)
  local c=${1%x*} total=$(( ${1%x*} * ${1#*x} ))
  (( total <= $2 )) && { echo "$1"; return; }
  echo "${c}x$(( $2 / c ))"
}
mkdir -p "$out"
build
command -v "$redis_server" > /dev/null || { echo "cluster-run: no $redis_server" >&2; exit 2; }
if [[ $loader == hsload ]]; then build_hsload; fi
{
  echo "date: $(date -Is) cell: $*"
  echo "commit: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo ' (modified)')"
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -r)," \
    "open files $(ulimit -Hn)"
  echo "java: $("$java" -version 2>&1 | head -1); redis: $("$redis_server" --version | head -1)"
  echo "settings: SERVER_WORKERS=$server_workers STEPS=$steps STEP_DURATION=$step_duration STEP_GAP=$step_gap" \
    "CONFIRM=$confirm MAX_P99=$max_p99 RATE=$rate HOLD=$hold HOLD_RATE=$hold_rate CHANNELS=$channels_held" \
    "PUBLISH_RATE=$publish_rate PUBLISH_DURATION=$publish_duration SERVE_ARGS=${SERVE_ARGS:-} LOADER=$loader"
} >> "$out/run-info.txt"
fanout_shapes() { if [[ -n $shape_arg ]]; then echo "$shape_arg"; else echo "1x${N:-100000}"; fi; }
run_peers() { # SHAPES
  local shape kind size
  for shape in $1; do for kind in $peers; do for size in $sizes; do
    case $kind in bun) fanout_cell bun "$(scaled "$shape" "$bun_n")" "$size" ;; soketi) fanout_cell soketi "$shape" "$size" ;;
      *) echo "cluster-run: unknown peer $kind" >&2 ;; esac
  done; done; done
}
case $cell_arg in
  fanout) for shape in $(fanout_shapes); do for size in $sizes; do fanout_cell throng "$shape" "$size"; done; done ;;
  peers) run_peers "$(fanout_shapes)" ;;
  million) hold_cell million "$million_n" 1 ;;
  two-nodes) hold_cell two-nodes "$n2" 2 ;;
  all)
    sizes="256 1024"
    for shape in 1x100000 1000x100; do for size in $sizes; do fanout_cell throng "$shape" "$size"; done; done
    run_peers "1x100000 1000x100"
    hold_cell million "$million_n" 1
    hold_cell two-nodes "$n2" 2 ;;
  *) echo "cluster-run: CELL must be fanout, million, two-nodes, peers or all" >&2; exit 2 ;;
esac
echo "cluster-run: results in $out"
