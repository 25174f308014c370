#!/usr/bin/env bash
# Issue #15's mixed soak: `throng serve --mode echo --workers auto` carrying, all at once for DURATION, idle
# connections held with keepalive, clients echoing small messages, clients sending 1 MiB messages back to back, and
# connect-and-close churn. Reports unexpected closes (server-initiated closes and resets seen by every load
# generator; 0 is the target), OutOfMemoryError / "unhealthy" / "exception" lines in the server log, peak RSS of the
# server (supervisor and workers, /proc/PID/status VmRSS every SAMPLE s), idle RSS per connection before and after
# the traffic, echo round trips and message counts, churn ok/failed, and the server's CPU beside the machine's.
#
#   bench/soak.sh                                               # the soak of issue #15: 10 min, 100k idle, ...
#   DURATION=60s IDLE=5000 ECHOERS=100 BIG=5 CHURN=50 bench/soak.sh   # a small check (~3 min)
#
# Phases: start the server (as bench/hold-run.sh does, through serve-lib.sh) and let it settle (IDLE_SETTLE), measure
# it empty; ramp the IDLE connections (hsload --hold, one process per 19,000, source 127.0.0.(100+i)) and measure
# after SETTLE; run the traffic for DURATION (two `throng bench -s echo` runs and one hsload churn); SETTLE, measure
# again with the idle connections alone; wait for the idle loaders to end their hold and sum their counts.
# Bounded: every load generator stops by itself (hsload by -n/-d/--hold-for, throng bench by --hold and its own
# deadlines) and also runs under `timeout`; everything started here is stopped by PID at the end, on error or Ctrl-C.
#
# Environment (defaults, and why):
#   DURATION (10m)        how long the traffic runs; seconds, or with s/m/h. Issue #15's soak length.
#   IDLE (100000)         idle connections held throughout, answering the server's pings (issue #15).
#   ECHOERS (1000)        clients each sending ECHO_SIZE (1024) bytes every ECHO_INTERVAL (100ms): 10,000 messages/s,
#                         issue #15's "echo under load" traffic.
#   BIG (50)              clients sending BIG_SIZE (1048576: 1 MiB, the default --max-message-size) binary messages
#                         every BIG_INTERVAL (10ms): the bench sends only while its 64 KiB write buffer has room, so
#                         this is back to back, as fast as the server takes them.
#   CHURN (500)           connections opened, upgraded and closed per second (hsload -r; -c 64 in flight).
#   CHURN_CLOSE (graceful) graceful: the client closes with a FIN after the 101 (TIME_WAIT stays on this side, 10
#                         source addresses x 20,000 ports hold 60 s of it up to 3,000/s); reset: with an RST.
#   RATE (3000)           handshakes/s of the idle ramp over all its loaders: hold-run.sh's default.
#   ECHO_RATE (500)       connections/s of the two benches' ramps (and closes): a short ramp that does not stall the
#                         idle connections' pings.
#   IDLE_SETTLE (30)      seconds between the server's start and the empty measurement: the workers' first native
#                         heap trim (hold-run.sh).
#   SETTLE (15)           seconds after the idle ramp, and after the traffic, before measuring the idle RSS.
#   TAIL (75)             seconds the idle loaders hold beyond DURATION: SETTLE twice and the benches' start, ramp
#                         and close (~5 s here). If the idle hold ends before the end measurement, the script says so.
#   SAMPLE (5)            seconds between RSS samples.
#   WORKERS (auto)        server processes: auto, issue #15's soak (the supervisor picks the count for the total
#                         connections); a number to try the supervisor and its workers at a small scale.
#   PORT (8097)           the server's port; any free one outside the loaders' source ports (10000-29999).
#   OUT (/tmp/soak-DATE)  logs, rss.csv (the samples), summary.json and summary.csv.
#   JAVA_HOME, SERVE_ARGS, THRONG_WORKER_JAVA_OPTS: the JDK, more `throng serve` options and worker flags
#                         (serve-lib.sh).
#
# Sources: idle loaders 127.0.0.100-249 (ports 10000-29999), echoers 127.0.0.2, big 127.0.0.3, churn
# 127.0.0.10-19. Exit status 0 when nothing closed unexpectedly, no churn failed and the log is clean; 1 otherwise.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds() {  # 90, 90s, 10m, 1h -> seconds
  local v=$1
  case $v in
    *h) echo $(( ${v%h} * 3600 )) ;; *m) echo $(( ${v%m} * 60 )) ;; *s) echo "${v%s}" ;; *) echo "$v" ;;
  esac
}
duration=$(seconds "${DURATION:-10m}")
idle=${IDLE:-100000}; echoers=${ECHOERS:-1000}; big=${BIG:-50}; churn=${CHURN:-500}
echo_interval=${ECHO_INTERVAL:-100ms}; echo_size=${ECHO_SIZE:-1024}
big_interval=${BIG_INTERVAL:-10ms}; big_size=${BIG_SIZE:-1048576}
churn_close=${CHURN_CLOSE:-graceful}
rate=${RATE:-3000}; echo_rate=${ECHO_RATE:-500}
settle=${SETTLE:-15}; tail_s=${TAIL:-75}; sample=${SAMPLE:-5}
port=${PORT:-8097}
out=${OUT:-/tmp/soak-$(date +%Y%m%d-%H%M%S)}
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
jar="$root/throng-cli/target/throng.jar"
hsload="$root/bench/hsload/target/hsload"
case $churn_close in graceful) churn_flag=--graceful ;; reset) churn_flag=--close ;;
  *) echo "soak: CHURN_CLOSE is graceful or reset, not $churn_close" >&2; exit 2 ;; esac
(( duration > 0 && idle > 0 )) || { echo "soak: DURATION and IDLE must be positive" >&2; exit 2; }
loaders=$(( (idle + 18999) / 19000 ))
(( loaders <= 150 )) || { echo "soak: at most 150 idle loaders (source addresses 127.0.0.100-249)" >&2; exit 2; }
per=$(( (idle + loaders - 1) / loaders ))
mkdir -p "$out"
[[ -f "$jar" ]] || (cd "$root" && mvn -B -q -DskipTests package -pl throng-cli -am)
"$root/bench/hsload/build.sh" > /dev/null

# shellcheck source=serve-lib.sh
source "$root/bench/serve-lib.sh"
idle_pids=(); traffic_pids=(); sampler=""
stop_all() {
  trap - EXIT INT TERM
  local p
  [[ -n $sampler ]] && kill "$sampler" 2>/dev/null
  for p in "${traffic_pids[@]}" "${idle_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${traffic_pids[@]}" "${idle_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [[ -n ${supervisor:-} ]] && kill -0 "$supervisor" 2>/dev/null; then
    kill "$supervisor" 2>/dev/null || true  # SIGTERM: the supervisor drains and stops its workers
    for _ in $(seq 1 120); do kill -0 "$supervisor" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$supervisor" 2>/dev/null && { echo "soak: server $supervisor still up after 60 s, killing it" >&2
      for p in $(pgrep -P "$supervisor"); do kill -KILL "$p" 2>/dev/null || true; done
      kill -KILL "$supervisor" 2>/dev/null || true; }
    wait "$supervisor" 2>/dev/null || true
  fi
  [[ -f /tmp/throng-serve-$port.log ]] && cp "/tmp/throng-serve-$port.log" "$out/server.log"
  return 0
}
trap stop_all EXIT
trap 'echo "soak: interrupted" >&2; exit 130' INT TERM

server_pids() { echo "$supervisor"; pgrep -P "$supervisor" || true; }
rss_kib() { local p; for p in $(server_pids); do awk '/^VmRSS:/{print $2}' "/proc/$p/status" 2>/dev/null; done |
  awk '{s += $1} END{print s + 0}'; }
ticks() { local p; for p in $(server_pids); do awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null; done |
  awk '{s += $1} END{print s + 0}'; }
machine() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat; }  # user nice system irq softirq
established() { ss -Htn state established "( sport = :$port )" | wc -l; }
phase() { echo "$1" > "$out/phase"; echo "$(date +%T) $1"; }

total=$(( idle + echoers + big + churn ))
echo "soak: ${duration}s, $idle idle, $echoers echoers ($echo_size B every $echo_interval), $big big ($big_size B every" \
  "$big_interval), churn $churn/s ($churn_close); port $port; out $out"
phase start
start_throng "$java" "$jar" "$port" "$total" "${WORKERS:-auto}"
kill -0 "$supervisor" 2>/dev/null || { echo "soak: the server did not start: $(tail -3 "/tmp/throng-serve-$port.log")" >&2; exit 1; }
t_start=$(date +%s)
server_pids > "$out/pids-start"
(  # RSS sampler: t, phase, summed VmRSS (KiB), processes
  echo "t_s,phase,rss_kib,processes" > "$out/rss.csv"
  while :; do
    n=0; s=0
    for p in $(server_pids); do
      r=$(awk '/^VmRSS:/{print $2}' "/proc/$p/status" 2>/dev/null) || continue
      s=$(( s + ${r:-0} )); n=$(( n + 1 )); echo "$p" >> "$out/pids-seen"
    done
    echo "$(( $(date +%s) - t_start )),$(cat "$out/phase"),$s,$n" >> "$out/rss.csv"
    sleep "$sample"
  done
) &
sampler=$!

sleep "${IDLE_SETTLE:-30}"
rss_empty=$(rss_kib)
echo "server empty: RSS $(( rss_empty / 1024 )) MiB over $(server_pids | wc -l) processes ($workers workers)"

phase idle-ramp
hold_for=$(( duration + tail_s ))
left=$idle
for (( i = 0; i < loaders; i++ )); do
  k=$(( left < per ? left : per )); left=$(( left - k ))
  r=$(awk -v r="$rate" -v l="$loaders" 'BEGIN{printf "%.1f", r / l}')
  ramp=$(awk -v k="$k" -v r="$r" 'BEGIN{printf "%d", k / r * 2 + 120}')  # -d: twice the planned ramp, + 2 min
  timeout $(( ramp + hold_for + 60 )) "$hsload" -q --hold --hold-for "$hold_for" -n "$k" -r "$r" -c 32 -T 20 \
    -d "$ramp" -s "127.0.0.$(( 100 + i ))" "127.0.0.1:$port" > "$out/idle-$i.log" 2>&1 &
  idle_pids+=($!)
done
t0=$(date +%s)
while :; do  # the ramp is over when every loader holds (prints "holding") or has ended
  holding=0
  for (( i = 0; i < loaders; i++ )); do
    if grep -q "^holding" "$out/idle-$i.log" || ! kill -0 "${idle_pids[$i]}" 2>/dev/null; then holding=$(( holding + 1 )); fi
  done
  (( holding == loaders )) && break
  sleep 1
done
echo "idle ramp: $(( $(date +%s) - t0 )) s"
phase idle-settle
sleep "$settle"
conns_start=$(established); rss_start=$(rss_kib)
echo "idle start: $conns_start established, RSS $(( rss_start / 1024 )) MiB"

phase traffic
s0=$(ticks); m0=$(machine); w0=$(date +%s.%N)
bench() {  # NAME SOURCE ARGS...: a `throng bench -s echo` run, bounded by its --hold and by timeout
  local name=$1 source=$2; shift 2
  timeout $(( duration + 300 )) "$java" -jar "$jar" bench --url "ws://127.0.0.1:$port/" --scenario echo \
    --source "$source" --rate "$echo_rate" --hold "${duration}s" --report "$out/$name.json" "$@" > "$out/$name.log" 2>&1 &
  traffic_pids+=($!)
}
if (( echoers > 0 )); then bench echo 127.0.0.2 -n "$echoers" --interval "$echo_interval" --size "$echo_size"; fi
if (( big > 0 )); then bench big 127.0.0.3 -n "$big" --interval "$big_interval" --size "$big_size" --payload binary; fi
if (( churn > 0 )); then
  timeout $(( duration + 60 )) "$hsload" -q "$churn_flag" -n $(( churn * duration )) -r "$churn" -c 64 -T 10 \
    -d "$duration" -s 127.0.0.10-127.0.0.19 "127.0.0.1:$port" > "$out/churn.log" 2>&1 &
  traffic_pids+=($!)
fi
for p in "${traffic_pids[@]}"; do wait "$p" || true; done
s1=$(ticks); m1=$(machine); w1=$(date +%s.%N)
echo "traffic: $(awk -v a="$w0" -v b="$w1" 'BEGIN{printf "%.0f", b - a}') s"

phase end-settle
sleep "$settle"
conns_end=$(established); rss_end=$(rss_kib)
early=0
for p in "${idle_pids[@]}"; do kill -0 "$p" 2>/dev/null || early=$(( early + 1 )); done
echo "idle end: $conns_end established, RSS $(( rss_end / 1024 )) MiB"
phase idle-end
for p in "${idle_pids[@]}"; do wait "$p" || true; done
phase done
kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true; sampler=""
server_pids > "$out/pids-end"

# ---- the report
log=/tmp/throng-serve-$port.log
oom=$(grep -c "OutOfMemoryError" "$log" || true)
unhealthy=$(grep -ci "unhealthy" "$log" || true)
exceptions=$(grep -ci "exception" "$log" || true)
restarts=$(( $(sort -u "$out/pids-seen" | wc -l) - $(wc -l < "$out/pids-start") ))
sum_idle() { cat "$out"/idle-*.log | awk -v key="$1=" '/^summary/{for (i = 2; i <= NF; i++) if (index($i, key) == 1)
  s += substr($i, length(key) + 1)} END{print s + 0}'; }
field() {  # FILE KEY: a field of hsload's summary line, 0 without one
  awk -v key="$2=" '/^summary/{for (i = 2; i <= NF; i++) if (index($i, key) == 1) v = substr($i, length(key) + 1)}
    END{print v + 0}' "$1" 2>/dev/null || echo 0; }
jq -n \
  --argjson duration_s "$duration" --argjson idle "$idle" --argjson echoers "$echoers" --argjson big "$big" \
  --argjson churn_per_s "$churn" --arg churn_close "$churn_close" --argjson workers "$workers" \
  --argjson idle_ok "$(sum_idle ok)" --argjson idle_failed "$(sum_idle failed)" \
  --argjson idle_held "$(sum_idle held)" --argjson idle_dropped "$(sum_idle dropped)" \
  --argjson idle_pings "$(sum_idle pings)" --argjson idle_pongs "$(sum_idle pongs)" \
  --argjson idle_loaders_ended_early "$early" \
  --argjson echo "$(jq '{failed: .connections.failed, lost: .connections.lost, lostReasons: .connections.lostReasons,
      closedUnclean: .connections.closedUnclean, sent: .messages.sent, received: .messages.received,
      sendsSkipped: .messages.sendsSkipped, receivedPerSecond: .messages.receivedPerSecond,
      p50_ms: .latencyMillis.echoRoundTrip.p50, p99_ms: .latencyMillis.echoRoundTrip.p99,
      max_ms: .latencyMillis.echoRoundTrip.max}' "$out/echo.json" 2>/dev/null || echo null)" \
  --argjson big_run "$(jq '{failed: .connections.failed, lost: .connections.lost, lostReasons: .connections.lostReasons,
      closedUnclean: .connections.closedUnclean, sent: .messages.sent, received: .messages.received,
      sendsSkipped: .messages.sendsSkipped, bytesReceivedPerSecond: .messages.bytesReceivedPerSecond,
      p50_ms: .latencyMillis.echoRoundTrip.p50, p99_ms: .latencyMillis.echoRoundTrip.p99,
      max_ms: .latencyMillis.echoRoundTrip.max}' "$out/big.json" 2>/dev/null || echo null)" \
  --argjson churn_ok "$(field "$out/churn.log" ok)" --argjson churn_failed "$(field "$out/churn.log" failed)" \
  --argjson churn_unfinished "$(field "$out/churn.log" unfinished)" \
  --arg churn_failures "$(grep -s '^failed' "$out/churn.log" | sed 's/^failed *//')" \
  --argjson rss_empty_kib "$rss_empty" --argjson rss_start_kib "$rss_start" --argjson rss_end_kib "$rss_end" \
  --argjson conns_start "$conns_start" --argjson conns_end "$conns_end" \
  --argjson rss_peak_kib "$(awk -F, 'NR > 1 && $3 > m {m = $3} END{print m + 0}' "$out/rss.csv")" \
  --arg rss_peak_phase "$(awk -F, 'NR > 1 && $3 > m {m = $3; p = $2} END{print p}' "$out/rss.csv")" \
  --argjson server_cpu_s "$(awk -v t=$(( s1 - s0 )) -v hz="$(getconf CLK_TCK)" 'BEGIN{print t / hz}')" \
  --argjson machine_cpu_s "$(awk -v t=$(( m1 - m0 )) -v hz="$(getconf CLK_TCK)" 'BEGIN{print t / hz}')" \
  --argjson traffic_s "$(awk -v a="$w0" -v b="$w1" 'BEGIN{print b - a}')" --argjson cores "$(nproc)" \
  --argjson worker_restarts "$restarts" --argjson log_oom "$oom" --argjson log_unhealthy "$unhealthy" \
  --argjson log_exception "$exceptions" '
  def r1: . * 10 | round / 10;
  def r2: . * 100 | round / 100;
  {duration_s: $duration_s, idle_connections: $idle, echoers: $echoers, big_senders: $big, churn_per_s: $churn_per_s,
   churn_close: $churn_close, server_workers: $workers, worker_restarts: $worker_restarts,
   unexpected_closes: ($idle_dropped + ($echo.lost // 0) + ($big_run.lost // 0)),
   idle: {ok: $idle_ok, failed: $idle_failed, held_at_end: $idle_held, closed_by_server: $idle_dropped,
          pings: $idle_pings, pongs: $idle_pongs, loaders_ended_before_end_measurement: $idle_loaders_ended_early},
   echo: $echo, big: $big_run,
   churn: {ok: $churn_ok, failed: $churn_failed, unfinished: $churn_unfinished, failures: $churn_failures},
   server_log: {OutOfMemoryError: $log_oom, unhealthy: $log_unhealthy, exception: $log_exception},
   rss: {empty_mib: ($rss_empty_kib / 1024 | r1), peak_mib: ($rss_peak_kib / 1024 | r1), peak_phase: $rss_peak_phase,
         idle_start: {connections: $conns_start, rss_mib: ($rss_start_kib / 1024 | r1),
                      kb_per_connection: ($rss_start_kib * 1.024 / ([$conns_start, 1] | max) | r2),
                      grown_bytes_per_connection: (($rss_start_kib - $rss_empty_kib) * 1024 / ([$conns_start, 1] | max) | round)},
         idle_end: {connections: $conns_end, rss_mib: ($rss_end_kib / 1024 | r1),
                    kb_per_connection: ($rss_end_kib * 1.024 / ([$conns_end, 1] | max) | r2),
                    grown_bytes_per_connection: (($rss_end_kib - $rss_empty_kib) * 1024 / ([$conns_end, 1] | max) | round)}},
   cpu: {traffic_s: ($traffic_s | r1), server_percent_of_core: (100 * $server_cpu_s / $traffic_s | r1),
         machine_percent_of_core: (100 * $machine_cpu_s / $traffic_s | r1), machine_capacity_percent: (100 * $cores)}}
  ' > "$out/summary.json"
jq -r '[["duration_s","idle","echoers","big","churn_per_s","unexpected_closes","idle_closed_by_server","echo_lost",
  "big_lost","churn_ok","churn_failed","log_oom","log_unhealthy","log_exception","worker_restarts","rss_peak_mib",
  "idle_kb_per_conn_start","idle_kb_per_conn_end","idle_grown_b_per_conn_start","idle_grown_b_per_conn_end",
  "echo_p50_ms","echo_p99_ms","echo_sent","echo_received","big_p50_ms","big_p99_ms","big_sent","big_received",
  "server_cpu_pct_core","machine_cpu_pct_core","machine_capacity_pct"],
  [.duration_s, .idle_connections, .echoers, .big_senders, .churn_per_s, .unexpected_closes, .idle.closed_by_server,
  .echo.lost, .big.lost, .churn.ok, .churn.failed, .server_log.OutOfMemoryError, .server_log.unhealthy,
  .server_log.exception, .worker_restarts, .rss.peak_mib, .rss.idle_start.kb_per_connection,
  .rss.idle_end.kb_per_connection, .rss.idle_start.grown_bytes_per_connection,
  .rss.idle_end.grown_bytes_per_connection, .echo.p50_ms, .echo.p99_ms, .echo.sent, .echo.received, .big.p50_ms,
  .big.p99_ms, .big.sent, .big.received, .cpu.server_percent_of_core, .cpu.machine_percent_of_core,
  .cpu.machine_capacity_percent]] | .[] | @csv' "$out/summary.json" > "$out/summary.csv"
jq -r '"soak \(.duration_s)s: unexpected closes \(.unexpected_closes) (idle \(.idle.closed_by_server) of \(.idle.ok),"
  + " echo \(.echo.lost), big \(.big.lost)); log: \(.server_log.OutOfMemoryError) OOM, \(.server_log.unhealthy)"
  + " unhealthy, \(.server_log.exception) exception; restarts \(.worker_restarts); peak RSS \(.rss.peak_mib) MiB;"
  + " idle \(.rss.idle_start.kb_per_connection) -> \(.rss.idle_end.kb_per_connection) kB/conn"
  + " (grown \(.rss.idle_start.grown_bytes_per_connection) -> \(.rss.idle_end.grown_bytes_per_connection) B);"
  + " echo p50 \(.echo.p50_ms) p99 \(.echo.p99_ms) ms \(.echo.received)/\(.echo.sent) msgs;"
  + " big p50 \(.big.p50_ms) p99 \(.big.p99_ms) ms \(.big.received)/\(.big.sent) msgs;"
  + " churn \(.churn.ok) ok \(.churn.failed) failed; cpu server \(.cpu.server_percent_of_core)%,"
  + " machine \(.cpu.machine_percent_of_core)% of \(.cpu.machine_capacity_percent)%"' "$out/summary.json" |
  tee "$out/summary.txt"
if (( exceptions + oom + unhealthy > 0 )); then
  echo "server log (first distinct lines):"; grep -iE "OutOfMemoryError|unhealthy|exception" "$log" | sort | uniq -c |
    sort -rn | head -10
fi
(( early == 0 )) || echo "soak: $early idle loaders ended before the end measurement: raise TAIL" >&2
echo "soak: $out"
jq -e '.unexpected_closes == 0 and .idle.failed == 0 and .churn.failed == 0 and .server_log.OutOfMemoryError == 0
  and .server_log.unhealthy == 0 and .server_log.exception == 0' "$out/summary.json" > /dev/null
