#!/usr/bin/env bash
# Writes throng-cli/src/main/resources/dev/throng/cli/worker.classlist (and gateway-worker.classlist for a gateway's
# workers): the classes a `throng serve` worker loads,
# from which the supervisor makes the workers' class archive (ClassArchive; docs/configuration.md). Run it again
# when the classes on a worker's path change much (a class missing from the list still loads, from the jar).
#
#   bench/hsload/build.sh && bench/peers/setup.sh      # hsload, and Node's ws for the message traffic
#   bench/worker-classlist.sh
#
# The training runs: one worker with a worker's flags and -XX:DumpLoadedClassList upgrades 3,000 connections that
# answer its pings for 35 s, echoes text, binary, large and compressed messages to a Node `ws` client, then drains on
# SIGTERM; then a gateway on Redis serves subscribers and publications (below). Bounded: hsload and the client stop by themselves, the worker started here is stopped by PID.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
port=${PORT:-9791}
jar="$root/throng-cli/target/throng.jar"
out="$root/throng-cli/src/main/resources/dev/throng/cli/worker.classlist"
gateway_out="$root/throng-cli/src/main/resources/dev/throng/cli/gateway-worker.classlist"
(cd "$root" && mvn -B -q -DskipTests package -pl throng-cli -am)
work=$(mktemp -d)
cp "$jar" "$work/throng.jar" # the list is dumped from a copy: the build below must not change the jar under it

# A worker's arguments name every setting (WorkerArgs); they are taken from a worker the supervisor starts (echo
# mode, 18,000 connections each), which is then stopped, and given to the training worker with a port of its own.
java -jar "$work/throng.jar" serve --mode echo --workers 2 --max-connections 36000 --io-threads 1 \
  --port "$((port + 1))" --drain-window 1s > "$work/supervisor.log" 2>&1 &
supervisor=$!
trap 'kill $supervisor 2>/dev/null || true; rm -rf "$work"' EXIT
args=()
for _ in $(seq 100); do
  child=$(pgrep -P "$supervisor" -f dev.throng.cli.ServerProcess | head -1 || true)
  if [[ -n $child ]]; then
    mapfile -d '' -t cmd < "/proc/$child/cmdline"
    for ((i = 0; i < ${#cmd[@]}; i++)); do
      if [[ ${cmd[$i]} == dev.throng.cli.ServerProcess ]]; then args=("${cmd[@]:$((i + 1))}"); break; fi
    done
    break
  fi
  sleep 0.1
done
kill -TERM "$supervisor"; wait "$supervisor" || true
[[ ${#args[@]} -gt 0 ]] || { echo "worker-classlist: no worker arguments ($(tail -3 "$work/supervisor.log"))" >&2; exit 1; }
worker_args=()
for a in "${args[@]}"; do
  case $a in
    --listen.port=*) worker_args+=("--listen.port=$port") ;;
    --healthFile=*) ;; # the supervisor's heartbeat file: nobody watches this worker
    *) worker_args+=("$a") ;;
  esac
done
# shellcheck disable=SC2046
java $(java -cp "$work/throng.jar" dev.throng.cli.WorkerPlan serve --max-connections 18000) \
  -XX:DumpLoadedClassList="$work/worker.classlist" -cp "$work/throng.jar" dev.throng.cli.ServerProcess \
  "${worker_args[@]}" > "$work/worker.log" 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true; rm -rf "$work"' EXIT
sleep 3
"$root/bench/hsload/target/hsload" -q -s 127.0.0.63-64 -n 3000 -c 64 -t 1 -r 2000 --hold --hold-for 35 \
  "127.0.0.1:$port" > "$work/hsload.log" 2>&1 &
loader=$!
NODE_PATH="$root/bench/peers/node-ws/node_modules" node -e '
const WebSocket = require("ws");
const ws = new WebSocket(process.argv[1], {perMessageDeflate: true});
const sent = ["hello", Buffer.alloc(2000, 7), "x".repeat(100000), "é".repeat(3000)];
let echoed = 0;
ws.on("open", () => { sent.forEach((m) => ws.send(m)); ws.ping(); });
ws.on("message", () => { if (++echoed === sent.length) ws.close(1000); });
ws.on("close", () => process.exit(echoed === sent.length ? 0 : 1));
setTimeout(() => process.exit(1), 10000);' "ws://127.0.0.1:$port/"
wait "$loader" || true
kill -TERM "$worker"
wait "$worker" || true

# Then a gateway's worker, a cluster node on a Redis of its own: the gateway's, Jackson's, Micrometer's, Lettuce's and
# Reactor's classes, which are ~25 MiB of metaspace and symbols in every gateway worker when they are not in the
# archive (docs/benchmarks.md, section 22). One `throng serve` process in gateway mode (it also loads the command
# line's classes, which only makes the archive a little larger) with 1,000 subscribers on 10 channels and events
# published through the HTTP API. Skipped without redis-server.
if [[ -x /usr/bin/redis-server ]]; then
  redis_port=$((port + 2))
  /usr/bin/redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no > "$work/redis.log" 2>&1 &
  redis=$!
  trap 'kill $redis 2>/dev/null || true; rm -rf "$work"' EXIT
  sleep 0.5
  # shellcheck disable=SC2046
  java $(java -cp "$work/throng.jar" dev.throng.cli.WorkerPlan serve --max-connections 18000) \
    -XX:DumpLoadedClassList="$work/gateway.classlist" -jar "$work/throng.jar" serve --mode gateway \
    --port "$port" --host 127.0.0.1 --redis "redis://127.0.0.1:$redis_port" > "$work/gateway.log" 2>&1 &
  gateway=$!
  trap 'kill $gateway $redis 2>/dev/null || true; rm -rf "$work"' EXIT
  sleep 5
  timeout 120 java -jar "$work/throng.jar" bench --scenario subscribe --url "ws://127.0.0.1:$port" -n 1000 \
    --channels 10 --publish-steps 1,4 --step-duration 3s --workers 1 > "$work/bench.log" 2>&1 || true
  kill -TERM "$gateway"; wait "$gateway" || true
  kill "$redis"; wait "$redis" || true
fi
mkdir -p "$(dirname "$out")"
grep -v "^#" "$work/worker.classlist" > "$out"
echo "wrote $out: $(wc -l < "$out") classes ($(grep -c '^dev/throng' "$out") of Throng's)"
if [[ -f $work/gateway.classlist ]]; then
  grep -v "^#" "$work/gateway.classlist" > "$gateway_out"
  echo "wrote $gateway_out: $(wc -l < "$gateway_out") classes ($(grep -c '^dev/throng' "$gateway_out") of Throng's)"
fi
