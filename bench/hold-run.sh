#!/usr/bin/env bash
# Idle connections held against `throng serve --workers W` by C load generators (bench/hsload with --hold: each
# answers the server's pings with pongs and reports the ping intervals), for runs where the Java `throng bench`
# would need more CPU than the box has (a million connections with 30 s pings; docs/benchmarks.md, section 12).
# Prints the ramp, then over a window of the hold (60 s): connections held (the loaders' count and the kernel's),
# server RSS and PSS summed over its processes (supervisor and workers), server, loader and whole-machine CPU;
# then the loaders' totals.
# Bounded: every loader stops by itself (-d for its ramp, then HOLD seconds), and the server started here is
# stopped (by PID) at the end.
#
#   bench/hold-run.sh N WORKERS|auto HOLD_SECONDS [JAVA_HOME]
#   PORT=8095 RATE=4000 bench/hold-run.sh 1000000 55 180
#   PORT=8095 RATE=4000 bench/hold-run.sh 1000000 auto 240   # the cap is N, the supervisor picks the count
#
# Environment: IDLE_SETTLE (30): seconds between the workers' start and the idle measurement; SETTLE (15) and
# WINDOW (60): seconds from the end of the ramp to the window, and its length (keep
# HOLD above both together); PORT (8080), RATE (handshakes/s over all loaders, 3000), LOADERS (hsload processes, one per 19,000
# connections; loader i binds source address 127.0.0.(100+i), ports 10000-29999), SERVE_ARGS and
# THRONG_WORKER_JAVA_OPTS (see serve-lib.sh); PEER (bun, node-ws or netty: that reference server from bench/peers,
# WORKERS processes, instead of Throng; pings every 30 s too); CLIENT_PING (seconds: while holding, every connection
# also pings the server that often, and the round trips to its pongs are reported; default 0, off); JAR (the
# throng.jar to run; default throng-cli/target/throng.jar, built if missing). Loaders are started and waited for by
# bench/hsload/loaders.sh (shared with cluster-run.sh). Logs: /tmp/throng-hold-PORT-*.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n="${1:?connections}"; workers="${2:?server workers}"; hold="${3:?hold seconds}"; java_home="${4:-}"
java="${java_home:+$java_home/bin/}java"
jar="${JAR:-$root/throng-cli/target/throng.jar}"
[[ -f "$jar" ]] || (cd "$root" && mvn -B -q -DskipTests package -pl throng-cli -am)
hsload="$root/bench/hsload/target/hsload"
"$root/bench/hsload/build.sh" > /dev/null
port="${PORT:-8080}"; rate="${RATE:-3000}"
loaders="${LOADERS:-$(( (n + 18999) / 19000 ))}"
(( loaders <= 150 )) || { echo "hold-run: at most 150 loaders (source addresses 127.0.0.100-249)" >&2; exit 2; }
per=$(( (n + loaders - 1) / loaders ))
(( per <= 19000 )) || { echo "hold-run: $per connections per loader; give LOADERS >= $(( (n + 18999) / 19000 ))" >&2; exit 2; }
log="/tmp/throng-hold-$port"

# shellcheck source=serve-lib.sh
source "$root/bench/serve-lib.sh"
# shellcheck source=hsload/loaders.sh
source "$root/bench/hsload/loaders.sh"
hsload_pids=()
stop_all() {
  for p in "${hsload_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  kill "${supervisor:-}" 2>/dev/null || true; wait "${supervisor:-}" 2>/dev/null || true
}
trap stop_all EXIT
if [[ -n "${PEER:-}" ]]; then  # a reference server instead (bench/peers: bun, node-ws, netty), for the same load
  "$root/bench/peers/$PEER/run.sh" "$port" "$workers" > "$log-$PEER.log" 2>&1 &
  supervisor=$!
  for _ in $(seq 1 400); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.3; done
  sleep 5
  descendants() { local c; for c in $(pgrep -P "$1"); do echo "$c"; descendants "$c"; done; }
  pids=$(descendants "$supervisor" | paste -sd,)
  echo "server: $PEER, launcher $supervisor, processes $pids"
else
  start_throng "$java" "$jar" "$port" "$n" "$workers"
  # The supervisor is a JVM of its own (~44 MiB RSS): it counts in the server's memory and CPU.
  [[ $pids == "$supervisor" ]] || pids="$supervisor,$pids"
fi

machine() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat; }  # user nice system irq softirq
# Idle is measured once the workers' JVMs have trimmed their native heap for the first time (30 s after start,
# -XX:TrimNativeHeapInterval): until then the C1 compiler's startup arenas sit in malloc's free lists, ~1 MiB per
# worker on JDK 17 and ~5 MiB on JDK 25 (docs/benchmarks.md section 14).
sleep "${IDLE_SETTLE:-30}"
read -r idle_rss idle_pss < <(proc_memory "$pids")  # summed over the supervisor and its workers, KiB
echo "server idle: RSS $(( idle_rss / 1024 )) MiB, PSS $(( idle_pss / 1024 )) MiB over $(tr ',' '\n' <<< "$pids" | wc -l) processes"

t0=$(date +%s)
hsload_start "$hsload" "$log-loader" "$n" "$loaders" "$rate" 100 1 "$hold" "127.0.0.1:$port" \
  --client-ping "${CLIENT_PING:-0}"
lpids=$(IFS=,; echo "${hsload_pids[*]}")
echo "loaders: $loaders hsload processes of up to $per connections at $rate handshakes/s in all"

hsload_wait_holding "$log-loader"  # every loader holds (prints "holding") or has ended
t1=$(date +%s)
echo "ramp: $(( t1 - t0 )) s ($(( n / (t1 - t0 > 0 ? t1 - t0 : 1) ))/s)"

sleep "${SETTLE:-15}"
s0=$(proc_ticks "$pids"); l0=$(proc_ticks "$lpids"); m0=$(machine); w0=$(date +%s.%N)
sleep "${WINDOW:-60}"
s1=$(proc_ticks "$pids"); l1=$(proc_ticks "$lpids"); m1=$(machine); w1=$(date +%s.%N)
read -r rss pss < <(proc_memory "$pids")
established=$(ss -s | awk '/^TCP:/{gsub(/,/, ""); for (i = 1; i <= NF; i++) if ($i ~ /estab$/) print $(i + 1)}')
hz=$(getconf CLK_TCK)
awk -v s="$(( s1 - s0 ))" -v l="$(( l1 - l0 ))" -v m="$(( m1 - m0 ))" -v w0="$w0" -v w1="$w1" -v hz="$hz" \
    -v n="$n" -v e="$established" -v rss="$rss" -v pss="$pss" -v irss="$idle_rss" 'BEGIN {
  secs = w1 - w0; conns = e / 2
  printf "hold window %.0f s: %d established TCP sockets (ss -s; both ends on loopback)\n", secs, e
  printf "server: RSS %.0f MiB (%.2f kB per connection, %.0f B grown per connection), PSS %.0f MiB (%.2f kB)\n",
    rss / 1024, rss * 1.024 / conns, (rss - irss) * 1024 / conns, pss / 1024, pss * 1.024 / conns
  printf "cpu, %% of one core: server %.1f (%.2f per 100k), loaders %.1f, whole machine %.1f of 200\n",
    100 * s / hz / secs, 100 * s / hz / secs / (conns / 100000), 100 * l / hz / secs, 100 * m / hz / secs
}'
for p in "${hsload_pids[@]}"; do wait "$p" || true; done
median_of() {  # the median over the loaders of one field of their summary lines
  cat "$log"-loader-*.log | awk -v key="$1=" '/^summary/{for (i = 2; i <= NF; i++) if (index($i, key) == 1)
    print substr($i, length(key) + 1)}' | sort -n | awk '{v[NR] = $1} END{print v[int((NR + 1) / 2)]}'
}
cat "$log"-loader-*.log | awk -v p50="$(median_of ping_p50_s)" '/^summary/ {
  for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
  ok += v["ok"]; failed += v["failed"]; held += v["held"]; dropped += v["dropped"]; pings += v["pings"]
  pongs += v["pongs"]; pf += v["pong_failed"]; timeouts += v["timeout"]
  if (v["ping_p99_s"] + 0 > p99) p99 = v["ping_p99_s"] + 0; if (v["ping_max_s"] + 0 > pmax) pmax = v["ping_max_s"] + 0
} END {
  printf "loaders: %d ok, %d failed (%d timeouts), %d held at the end, %d closed by the server while held\n",
    ok, failed, timeouts, held, dropped
  printf "pings: %d received, %d answered, %d pongs not written; interval p50 %s s (median of loaders), worst p99 %.2f s, max %.2f s\n",
    pings, pongs, pf, p50, p99, pmax
}'
if [[ "${CLIENT_PING:-0}" != 0 ]]; then
  cat "$log"-loader-*.log | awk -v p50="$(median_of rtt_p50_us)" '/^summary/ {
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    sent += v["cpings"]; answered += v["cpongs"]
    if (v["rtt_p99_us"] + 0 > p99) p99 = v["rtt_p99_us"] + 0; if (v["rtt_max_us"] + 0 > max) max = v["rtt_max_us"] + 0
  } END {
    printf "client pings: %d sent, %d answered; round trip p50 %.1f ms (median of loaders), worst p99 %.1f ms, max %.1f ms\n",
      sent, answered, p50 / 1000, p99 / 1000, max / 1000
  }'
fi
