#!/usr/bin/env bash
# One idle-connection benchmark of Throng on this box: `throng serve --workers W` and `throng bench` holding N
# connections for HOLD, with the server's RSS and CPU sampled by the bench. Bounded: the bench stops by itself,
# and this script stops the server it started (by PID) when the bench ends. The bench's whole output, progress
# lines included, goes to REPORT with .log for .json.
#
#   bench/idle-run.sh N WORKERS HOLD [JAVA_HOME] [REPORT]
#   bench/idle-run.sh 100000 6 90s /usr/lib/jvm/temurin-25-jdk-amd64 /tmp/idle-100k-jdk25.json
#
# Server flags come from `throng serve`'s supervisor (docs/configuration.md); on JDK 25 it adds compact headers.
# Environment: PORT (8080), RATE (5000/s), SERVE_ARGS (more `throng serve` options), BENCH_ARGS (more `throng
# bench` options), THRONG_WORKER_JAVA_OPTS (more worker JVM flags).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n="${1:?connections}"; workers="${2:?server workers}"; hold="${3:-90s}"
java_home="${4:-}"; report="${5:-/tmp/throng-idle-$n.json}"
java="${java_home:+$java_home/bin/}java"
jar="$root/throng-cli/target/throng.jar"
[[ -f "$jar" ]] || (cd "$root" && mvn -B -q -DskipTests package -pl throng-cli -am)
port="${PORT:-8080}"
# ~19,000 connections per source address within the bench's port range 10000-29999.
sources=$(( (n + 18999) / 19000 ))
last=$(( 1 + sources ))

# shellcheck source=serve-lib.sh
source "$root/bench/serve-lib.sh"
trap 'kill "${supervisor:-}" 2>/dev/null || true; wait "${supervisor:-}" 2>/dev/null || true' EXIT
start_throng "$java" "$jar" "$port" "$n" "$workers"
java -jar "$jar" bench --url "ws://127.0.0.1:$port/" -n "$n" -r "${RATE:-5000}" --hold "$hold" \
  --source "127.0.0.2-127.0.0.$last" --ports 10000-29999 --server-pid "$pids" --report "$report" \
  --max-failures 0 ${BENCH_ARGS:-} | tee "${report%.json}.log" | grep -v "^\[" || true
echo "report: $report"
