#!/usr/bin/env bash
# Run the Node ws Pusher peer: one process on PORT (default 29005), loopback only.
#   node-ws-pusher/run.sh [PORT]  (also $PORT; HOST, APP_ID, APP_KEY pass through)
# Uses the ws package installed for the echo peer (bench/peers/node-ws, by setup.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
port=${1:-${PORT:-29005}}
[[ -d $here/../node-ws/node_modules/ws ]] || { echo "ws is not installed: run bench/peers/setup.sh" >&2; exit 2; }
ulimit -n "$(ulimit -Hn)"
export NODE_PATH="$here/../node-ws/node_modules"
exec node "$here/server.js" "$port"
