# Sourced by the bench scripts that hold connections with hsload (bench/hold-run.sh, bench/cluster-run.sh
# LOADER=hsload): start the loaders, wait until they hold, and read a process tree's CPU and memory from /proc.
#
#   hsload_start HSLOAD LOG N LOADERS RATE FIRST ADDRS HOLD_FOR TARGETS [HSLOAD ARGS...]
#   hsload_wait_holding LOG
#   proc_ticks PIDS                  PIDS comma-separated
#   proc_memory PIDS                 prints "RSS PSS" in KiB
#
# hsload_start starts up to LOADERS `hsload --hold` processes in the background (sets hsload_pids; the caller stops them
# by PID on exit) sharing N connections, ceil(N / LOADERS) each and the rest to the last, and RATE handshakes/s (-r RATE
# / LOADERS each). Loader i binds the ADDRS source addresses from 127.0.0.(FIRST + i * ADDRS) (ports 10000-29999 on
# each: keep a loader's connections per address under ~16,000 so that its bind() finds free ports at once), connects to
# the i-th of TARGETS (HOST:PORT, comma-separated) round-robin, gets --index-base = the connections of the loaders
# before it (so `--subscribe` indexes are unique over all of them), waits in epoll with one thread (-t 1: a ping is read
# and answered as it arrives), logs to LOG-i.log and stops by itself: -d bounds its ramp (twice the planned one, plus 2
# minutes), then --hold-for HOLD_FOR seconds. Each needs its connections + 64 open files (hsload refuses to start
# otherwise): 19,000 per loader under a 20,000 limit.
# hsload_wait_holding returns when every loader has printed "holding" (all its handshakes done) or has ended,
# printing the number holding once a minute meanwhile.

hsload_start() {
  local bin=$1 log=$2 n=$3 loaders=$4 rate=$5 first=$6 addrs=$7 hold_for=$8 targets i k r ramp lo
  IFS=, read -r -a targets <<< "$9"
  shift 9
  (( first + loaders * addrs - 1 <= 254 )) ||
    { echo "hsload_start: $loaders loaders x $addrs addresses from 127.0.0.$first pass 127.0.0.254" >&2; return 2; }
  local per=$(( (n + loaders - 1) / loaders )) left=$n base=0
  r=$(awk -v r="$rate" -v l="$loaders" 'BEGIN { printf "%.1f", r / l }')
  hsload_pids=()
  for (( i = 0; i < loaders && left > 0; i++ )); do
    k=$(( left < per ? left : per )); left=$(( left - k ))
    ramp=$(awk -v k="$k" -v r="$r" 'BEGIN { printf "%d", k / r * 2 + 120 }')
    lo=$(( first + i * addrs ))
    "$bin" -q -t 1 --hold --hold-for "$hold_for" -n "$k" -r "$r" -c 32 -T 20 -d "$ramp" \
      -s "127.0.0.$lo-$(( lo + addrs - 1 ))" --index-base "$base" "$@" \
      "${targets[$(( i % ${#targets[@]} ))]}" > "$log-$i.log" 2>&1 &
    hsload_pids+=($!)
    base=$(( base + k ))
  done
}

hsload_wait_holding() {
  local log=$1 i holding t0=$SECONDS last=$SECONDS
  while :; do
    holding=0
    for i in "${!hsload_pids[@]}"; do
      if grep -q "^holding" "$log-$i.log" || ! kill -0 "${hsload_pids[$i]}" 2>/dev/null; then
        holding=$(( holding + 1 ))
      fi
    done
    (( holding == ${#hsload_pids[@]} )) && return 0
    if (( SECONDS - last >= 60 )); then
      echo "ramp: $holding of ${#hsload_pids[@]} loaders holding after $(( SECONDS - t0 )) s"
      last=$SECONDS
    fi
    sleep 1
  done
}

proc_ticks() {  # utime + stime of each process (all its threads), summed
  local t=0 p
  for p in ${1//,/ }; do t=$(( t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0) )); done
  echo $t
}

proc_memory() {
  local p
  for p in ${1//,/ }; do cat "/proc/$p/smaps_rollup" 2>/dev/null; done |
    awk '/^Rss:/ { r += $2 } /^Pss:/ { s += $2 } END { print r + 0, s + 0 }'
}
