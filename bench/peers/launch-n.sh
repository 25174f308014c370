#!/usr/bin/env bash
# Start N copies of one server command and supervise them as a unit (used by bun/run.sh and netty/run.sh;
# the copies share the port through SO_REUSEPORT).
#
#   launch-n.sh N COMMAND [ARGS...]
#
# Prints `launcher pid=<this shell> pids=<p1,p2,...>`. SIGTERM or SIGINT stops every copy and exits 0.
# If one copy exits on its own the others are stopped and this exits 1: a peer missing a process would
# be measured as a different server, so the run must fail visibly rather than limp on.
set -uo pipefail

if (($# < 2)) || ! [[ $1 =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 N COMMAND [ARGS...]" >&2
  exit 2
fi
n=$1
shift

pids=()
stop_all() {
  trap - TERM INT
  ((${#pids[@]})) && kill -TERM "${pids[@]}" 2>/dev/null
  wait
}
trap 'stop_all; exit 0' TERM INT

for ((i = 0; i < n; i++)); do
  "$@" &
  pids+=("$!")
done
echo "launcher pid=$$ pids=$(IFS=,; echo "${pids[*]}")"

# Returns when any copy exits; a signal to this shell runs the trap instead.
wait -n
status=$?
echo "launcher: a server process exited (status $status); stopping the others" >&2
stop_all
exit 1
