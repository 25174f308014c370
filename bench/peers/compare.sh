#!/usr/bin/env bash
# Run the reference peers one at a time and measure each: idle memory and CPU of the server processes,
# then the same while a load command holds N connections open.
#
#   bench/peers/compare.sh [--peers node-ws,bun,netty] [--port 29100] [--workers 2] [--connections 1000]
#                          [--load auto] [--load-workers 2] [--settle 5] [--window 10] [--hold S] [--out DIR]
#
#   --load          auto (default): `throng bench` once throng-cli/target/throng.jar answers `bench --help`,
#                   else the smoke client; or throng, smoke, none (idle only). $LOAD_CMD overrides all
#   --workers       server processes per peer (W); each is capped at 20,000 open files on this box, so a
#                   peer holds at most about W x 19,900 connections here
#   --connections   connections the load command opens (the smoke client takes at most 2,000)
#   --load-workers  load generator processes (`throng bench --workers`); the smoke client is one process
#   --settle        seconds to wait before each measurement (after start; after the last connection opens)
#   --window        seconds over which CPU is measured (utime + stime deltas from /proc/PID/stat)
#   --hold          seconds the load holds its connections; default settle + window + 10, the least that
#                   leaves time to measure
#   --out           where logs, reports and summary.tsv go; default a new directory under /tmp
#
# Memory is the sum of VmRSS over every server process (for node-ws that includes the cluster primary,
# which accepts and hands out sockets). CPU is the sum over those processes, in % of one core.
# Put figures worth keeping in docs/benchmarks.md with the command line that produced them.
#
# The load step is a command template (THRONG_LOAD and SMOKE_LOAD below; LOAD_CMD from the environment
# replaces both). Placeholders: {url} {connections} {load_workers} {hold} {timeout} {pids} {report}.
# It runs from the repository root, holds the connections for {hold} seconds and must end by itself
# within {timeout} seconds (it is killed after that).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

peers=node-ws,bun,netty
port=29100
workers=$(nproc)
connections=1000
load=auto
load_workers=2
settle=5
window=10
hold=""
out=""

usage() { sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while (($#)); do
  [[ $1 == -h || $1 == --help || $# -ge 2 ]] || usage
  case $1 in
    --peers) peers=$2 ;;
    --port) port=$2 ;;
    --workers) workers=$2 ;;
    --connections) connections=$2 ;;
    --load) load=$2 ;;
    --load-workers) load_workers=$2 ;;
    --settle) settle=$2 ;;
    --window) window=$2 ;;
    --hold) hold=$2 ;;
    --out) out=$2 ;;
    -h | --help) usage ;;
    *) echo "compare: unknown option $1" >&2; usage ;;
  esac
  shift 2 || usage
done
hold=${hold:-$((settle + window + 10))}
for n in port workers connections load_workers settle window hold; do
  [[ ${!n} =~ ^[0-9]+$ ]] || { echo "compare: --${n//_/-} must be a whole number" >&2; exit 2; }
done

# The load must stop by itself: connecting, holding, closing, with room for a slow ramp.
load_timeout=$((hold + 300))

THRONG_LOAD='bin/throng bench --url {url} --connections {connections} --workers {load_workers}'
THRONG_LOAD+=' --source 127.0.0.2-127.0.0.9 --hold {hold}s --server-pid {pids} --report {report}'
SMOKE_LOAD='node bench/peers/smoke-client.js --url {url} --connections {connections} --hold {hold} --timeout {timeout}'

if [[ -n ${LOAD_CMD:-} ]]; then
  load=custom
else
  if [[ $load == auto ]]; then
    # Probe the built jar directly: bin/throng would start a Maven build of the whole tree.
    load=smoke
    if [[ -f $repo/throng-cli/target/throng.jar ]] &&
      timeout 30 java -jar "$repo/throng-cli/target/throng.jar" bench --help >/dev/null 2>&1; then
      load=throng
    fi
  fi
  case $load in
    throng) LOAD_CMD=$THRONG_LOAD ;;
    smoke) LOAD_CMD=$SMOKE_LOAD ;;
    none) LOAD_CMD=none ;;
    *) echo "compare: --load must be auto, throng, smoke or none" >&2; exit 2 ;;
  esac
  if [[ $load == smoke ]] && ((connections > 2000)); then
    echo "compare: the smoke client opens at most 2000 connections; use --load throng for more" >&2
    exit 2
  fi
fi
if ((connections > workers * 19900)); then
  echo "compare: warning: $workers server processes x 20,000 open files cannot hold $connections connections" >&2
fi

[[ -n $out ]] || out=$(mktemp -d /tmp/throng-peers.XXXXXX)
mkdir -p "$out"
clk_tck=$(getconf CLK_TCK)

# --- measurement helpers -------------------------------------------------------------------------------

rss_kb() { # PIDS... -> summed VmRSS in kB
  local pid sum=0 kb
  for pid in "$@"; do
    kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || kb=0
    sum=$((sum + ${kb:-0}))
  done
  echo "$sum"
}

cpu_ticks() { # PIDS... -> summed utime + stime in clock ticks
  local pid sum=0 stat
  local -a f
  for pid in "$@"; do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    read -ra f <<<"${stat##*) }" # fields after the command name, which may contain spaces
    sum=$((sum + f[11] + f[12]))  # fields 14 (utime) and 15 (stime) of proc(5)
  done
  echo "$sum"
}

now_ns() { date +%s%N; }

cpu_percent() { # TICKS_DELTA NS_DELTA -> % of one core
  awk -v t="$1" -v ns="$2" -v hz="$clk_tck" 'BEGIN { printf "%.1f", (ns > 0 ? 100 * (t / hz) / (ns / 1e9) : 0) }'
}

measure() { # PIDS... -> prints "RSS_KB CPU_PCT" after a --window long CPU sample
  local t0 n0 t1 n1 rss
  t0=$(cpu_ticks "$@")
  n0=$(now_ns)
  sleep "$window"
  t1=$(cpu_ticks "$@")
  n1=$(now_ns)
  rss=$(rss_kb "$@")
  echo "$rss $(cpu_percent $((t1 - t0)) $((n1 - n0)))"
}

established() { # server-side ESTABLISHED sockets on $port
  # ss reads a netlink dump; /proc/net/tcp can list a socket twice while the table churns (TIME_WAITs).
  if command -v ss >/dev/null; then
    ss -Htn state established "( sport = :$port )" | wc -l
    return
  fi
  local hex
  hex=$(printf '%04X' "$port")
  awk -v p=":$hex" '$4 == "01" && substr($2, length($2) - 4) == p { n++ } END { print n + 0 }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

listening() { # is anything listening on $port (state 0A)?
  local hex
  hex=$(printf '%04X' "$port")
  awk -v p=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { found = 1 } END { exit !found }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

alive() { [[ -e /proc/$1 ]] && [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) != Z ]]; }

# --- peer lifecycle (only processes started here are ever signalled, by PID) ---------------------------

launcher=""
load_pid=""
server_pids=()

stop_peer() {
  local pid deadline
  if [[ -n $load_pid ]] && alive "$load_pid"; then kill -TERM "$load_pid" 2>/dev/null; fi
  load_pid=""
  [[ -n $launcher ]] || return 0
  kill -TERM "$launcher" 2>/dev/null
  deadline=$((SECONDS + 15))
  while ((SECONDS < deadline)); do
    local any=false
    for pid in "$launcher" "${server_pids[@]}"; do alive "$pid" && any=true; done
    $any || break
    sleep 0.2
  done
  for pid in "$launcher" "${server_pids[@]}"; do
    if alive "$pid"; then
      echo "compare: pid $pid ignored SIGTERM for 15 s; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null
    fi
  done
  wait "$launcher" 2>/dev/null
  launcher=""
  server_pids=()
}
trap 'stop_peer; exit 130' INT TERM
trap 'stop_peer' EXIT

start_peer() { # PEER LOG -> sets launcher and server_pids; expects W "ready" lines (+ a node primary)
  local peer=$1 log=$2 deadline ready
  if listening; then
    echo "compare: port $port is already in use" >&2
    return 1
  fi
  "$here/$peer/run.sh" "$port" "$workers" >"$log" 2>&1 &
  launcher=$!
  deadline=$((SECONDS + 60))
  while :; do
    ready=$(grep -c '^ready pid=' "$log")
    ((ready >= workers)) && break
    if ! alive "$launcher" || ((SECONDS >= deadline)); then
      echo "compare: $peer did not become ready ($ready of $workers processes); log $log:" >&2
      sed 's/^/  | /' "$log" >&2
      return 1
    fi
    sleep 0.2
  done
  mapfile -t server_pids < <(sed -n 's/^\(primary\|ready\) pid=\([0-9]*\).*/\2/p' "$log")
}

run_load() { # PEER -> starts LOAD_CMD in the background, sets load_pid
  local peer=$1 cmd=$LOAD_CMD pids
  pids=$(IFS=,; echo "${server_pids[*]}")
  cmd=${cmd//\{url\}/ws://127.0.0.1:$port/}
  cmd=${cmd//\{connections\}/$connections}
  cmd=${cmd//\{load_workers\}/$load_workers}
  cmd=${cmd//\{hold\}/$hold}
  cmd=${cmd//\{timeout\}/$load_timeout}
  cmd=${cmd//\{pids\}/$pids}
  cmd=${cmd//\{report\}/$out/$peer-report.json}
  echo "  load: $cmd"
  (cd "$repo" && exec timeout --kill-after=10 "$load_timeout" bash -c "exec $cmd") >"$out/$peer-load.log" 2>&1 &
  load_pid=$!
}

# --- main ----------------------------------------------------------------------------------------------

summary=$out/summary.tsv
printf 'peer\tworkers\tprocesses\tidle_rss_mb\tidle_cpu_pct\tconnections\theld\tloaded_rss_mb\tkb_per_conn\tloaded_cpu_pct\tload_exit\n' >"$summary"
failures=0
echo "compare: out=$out port=$port workers=$workers connections=$connections window=${window}s"
echo "compare: load=$load"

IFS=, read -ra peer_list <<<"$peers"
for peer in "${peer_list[@]}"; do
  if [[ ! -x $here/$peer/run.sh ]]; then
    echo "compare: no peer '$peer' (have node-ws, bun, netty)" >&2
    failures=$((failures + 1))
    continue
  fi
  echo "== $peer"
  if ! start_peer "$peer" "$out/$peer.log"; then
    stop_peer
    failures=$((failures + 1))
    continue
  fi
  echo "  pids: ${server_pids[*]}"
  sleep "$settle"
  read -r idle_rss idle_cpu < <(measure "${server_pids[@]}")
  echo "  idle: rss $((idle_rss / 1024)) MB, cpu ${idle_cpu}% over ${window}s"

  held="-" loaded_rss="-" per_conn="-" loaded_cpu="-" load_exit="-"
  if [[ $LOAD_CMD != none ]]; then
    run_load "$peer"
    deadline=$((SECONDS + load_timeout))
    while alive "$load_pid" && (($(established) < connections)) && ((SECONDS < deadline)); do sleep 1; done
    held=$(established)
    if alive "$load_pid" && ((held >= connections)); then
      sleep "$settle"
      held=$(established)
      read -r rss cpu < <(measure "${server_pids[@]}")
      loaded_rss=$((rss / 1024)) loaded_cpu=$cpu
      per_conn=$(awk -v a="$rss" -v b="$idle_rss" -v n="$held" 'BEGIN { printf "%.2f", n ? (a - b) / n : 0 }')
      echo "  held $held: rss $loaded_rss MB (+$per_conn kB per connection), cpu ${loaded_cpu}% over ${window}s"
    else
      echo "  load did not reach $connections connections (peak seen $held); see $out/$peer-load.log" >&2
    fi
    wait "$load_pid"
    load_exit=$?
    load_pid=""
    sed 's/^/  | /' "$out/$peer-load.log" | tail -n 5
    ((load_exit == 0)) || failures=$((failures + 1))
  fi

  processes=${#server_pids[@]}
  stop_peer
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$peer" "$workers" "$processes" \
    "$((idle_rss / 1024))" "$idle_cpu" "$connections" "$held" "$loaded_rss" "$per_conn" "$loaded_cpu" \
    "$load_exit" >>"$summary"
done

echo
column -t -s $'\t' "$summary" 2>/dev/null || cat "$summary"
echo "compare: logs and summary in $out"
((failures == 0))
