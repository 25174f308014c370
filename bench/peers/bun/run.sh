#!/usr/bin/env bash
# Run the Bun peer: WORKERS processes (default: one per core) sharing PORT through reusePort.
#   bun/run.sh [PORT] [WORKERS]      (also $PORT, $WORKERS; PING_INTERVAL_SECONDS, HOST pass through)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
port=${1:-${PORT:-29002}}
workers=${2:-${WORKERS:-$(nproc)}}
bun="$here/node_modules/.bin/bun"
[[ -x $bun ]] || { echo "Bun is not installed: run bench/peers/setup.sh" >&2; exit 2; }
exec "$here/../launch-n.sh" "$workers" "$bun" "$here/server.js" "$port"
