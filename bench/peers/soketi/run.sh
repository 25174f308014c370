#!/usr/bin/env bash
# Run the Soketi peer: one process on PORT (default 6001), loopback only, the default app app-id / app-key /
# app-secret, for the fan-out benchmark (bench/fanout-run.sh).
#   soketi/run.sh [PORT]     (also $PORT; HOST, SOKETI_* pass through and win over the values below)
#
# Soketi's cluster discovery (UDP, on by default even for one node) is kept to 127.0.0.1 and a port derived from
# PORT, and its metrics server (always started) to 127.0.0.1:PORT+1, so that it reaches nothing outside this box and
# two runs do not collide. Limits: no connection quota for the app (-1, also Soketi's default, stated because the
# benchmark holds 15,000 subscribers on one channel) and the open-files limit raised to the hard limit (one file per
# connection).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
port=${1:-${PORT:-6001}}
[[ -d $here/node_modules/@soketi/soketi ]] || { echo "Soketi is not installed: run bench/peers/setup.sh" >&2; exit 2; }
ulimit -n "$(ulimit -Hn)"
export SOKETI_HOST=${SOKETI_HOST:-${HOST:-127.0.0.1}}
export SOKETI_PORT=$port
export SOKETI_CLUSTER_HOST=${SOKETI_CLUSTER_HOST:-127.0.0.1}
export SOKETI_CLUSTER_UNICAST_ADDRESSES=${SOKETI_CLUSTER_UNICAST_ADDRESSES:-127.0.0.1}
export SOKETI_CLUSTER_BROADCAST_ADDRESS=${SOKETI_CLUSTER_BROADCAST_ADDRESS:-127.0.0.1}
export SOKETI_CLUSTER_PORT=${SOKETI_CLUSTER_PORT:-$(( (port + 20000) % 45000 + 20000 ))}
export SOKETI_METRICS_HOST=${SOKETI_METRICS_HOST:-127.0.0.1}
export SOKETI_METRICS_SERVER_PORT=${SOKETI_METRICS_SERVER_PORT:-$(( port + 1 ))}
export SOKETI_DEFAULT_APP_ID=${SOKETI_DEFAULT_APP_ID:-app-id}
export SOKETI_DEFAULT_APP_KEY=${SOKETI_DEFAULT_APP_KEY:-app-key}
export SOKETI_DEFAULT_APP_SECRET=${SOKETI_DEFAULT_APP_SECRET:-app-secret}
export SOKETI_DEFAULT_APP_MAX_CONNS=${SOKETI_DEFAULT_APP_MAX_CONNS:--1}
exec node "$here/server.js"
