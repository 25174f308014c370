#!/usr/bin/env bash
# Echo under load (issue #15's benchmark): one echo server process at a time on PORT, then two `throng bench`
# echo runs against it, each reporting messages/s, round-trip percentiles, failures and the server's CPU per message
# (--server-pid) and peak RSS:
#   small: 1,000 clients each sending 1 KiB every 100 ms for 60 s (10,000 messages/s)
#   large: 100 clients each sending a 1 MiB binary message every second for 30 s (100 MiB/s each way)
# Servers: throng (`bin/throng serve --mode echo`, its default flags), bun (1 process), node-ws (1 worker, beside its
# cluster primary). Bounded: every bench run ends by itself (and by `timeout`); each server is stopped by its PID.
#
#   bench/echo-load.sh [SERVER...]        default: throng bun node-ws; results in OUT (default /tmp/echo-load-DATE)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-/tmp/echo-load-$(date +%Y%m%d-%H%M%S)}
port=${PORT:-29800}
jar=$root/throng-cli/target/throng.jar
mkdir -p "$out"
servers=("$@")
[[ ${#servers[@]} -gt 0 ]] || servers=(throng bun node-ws)

pid=""
stop() { [[ -n $pid ]] && kill -- -"$pid" 2>/dev/null; pid=""; sleep 1; }
trap stop EXIT
start() { # SERVER
  case $1 in
    throng) setsid "$root/bin/throng" serve --mode echo --host 127.0.0.1 --port "$port" > "$out/$1-server.log" 2>&1 & ;;
    bun) setsid "$root/bench/peers/bun/run.sh" "$port" 1 > "$out/$1-server.log" 2>&1 & ;;
    node-ws) setsid "$root/bench/peers/node-ws/run.sh" "$port" 1 > "$out/$1-server.log" 2>&1 & ;;
  esac
  pid=$!
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.2
  done
  echo "echo-load: $1 did not start: $(tail -3 "$out/$1-server.log")" >&2
  return 1
}
bench() { # SERVER NAME ARGS...
  local server=$1 name=$2; shift 2
  timeout 300 java -jar "$jar" bench --url "ws://127.0.0.1:$port/" --scenario echo --workers 1 \
    --source 127.0.0.2 --server-pid "$(pgrep -g "$pid" | paste -sd,)" --report "$out/$server-$name.json" "$@" \
    > "$out/$server-$name.log" 2>&1 || true
  grep -E "^result|echoRoundTrip|messages|server " "$out/$server-$name.log" | sed "s/^/$server $name: /" || true
}
for server in "${servers[@]}"; do
  start "$server" || continue
  sleep 3
  bench "$server" small -n 1000 --rate 1000 --interval 100ms --size 1024 --hold 60s
  bench "$server" large -n 100 --rate 100 --interval 1s --size 1048576 --payload binary --hold 30s
  stop
done
echo "echo-load: reports in $out"
