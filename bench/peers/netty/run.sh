#!/usr/bin/env bash
# Run the stock Netty peer: WORKERS JVMs (default: one per core) sharing PORT through SO_REUSEPORT.
#   netty/run.sh [PORT] [WORKERS]    (also $PORT, $WORKERS; PING_INTERVAL_SECONDS, HOST, NETTY_THREADS
#                                     pass through; JAVA_OPTS goes to every JVM)
# JAVA_OPTS is empty by default: the baseline runs with the JVM's own heap sizing (max 1/4 of RAM per JVM),
# which is what an unconfigured deployment gets. Set it to compare at an equal heap.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
port=${1:-${PORT:-29003}}
workers=${2:-${WORKERS:-$(nproc)}}
jar="$here/target/throng-peer-netty.jar"
[[ -f $jar ]] || { echo "$jar is missing: run bench/peers/setup.sh" >&2; exit 2; }
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
exec "$here/../launch-n.sh" "$workers" java ${JAVA_OPTS:-} -jar "$jar" "$port"
