#!/usr/bin/env bash
# Run the Bun Pusher peer: one process on PORT (default 29004), loopback only.
#   bun-pusher/run.sh [PORT]      (also $PORT; HOST, APP_ID, APP_KEY pass through)
# Uses the Bun binary installed for the echo peer (bench/peers/bun, by setup.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
port=${1:-${PORT:-29004}}
bun="$here/../bun/node_modules/.bin/bun"
[[ -x $bun ]] || { echo "Bun is not installed: run bench/peers/setup.sh" >&2; exit 2; }
ulimit -n "$(ulimit -Hn)"
exec "$bun" "$here/server.js" "$port"
