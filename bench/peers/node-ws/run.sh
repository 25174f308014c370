#!/usr/bin/env bash
# Run the Node ws peer: one cluster primary plus WORKERS workers (default: one per core) on PORT.
#   node-ws/run.sh [PORT] [WORKERS]  (also $PORT, $WORKERS; PING_INTERVAL_SECONDS, HOST pass through)
# The primary stays part of the peer (it accepts and hands sockets to the workers), so measure it too.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
port=${1:-${PORT:-29001}}
[[ -d $here/node_modules/ws ]] || { echo "ws is not installed: run bench/peers/setup.sh" >&2; exit 2; }
if [[ -n ${2:-} ]]; then export WORKERS=$2; fi
exec node "$here/server.js" "$port"
