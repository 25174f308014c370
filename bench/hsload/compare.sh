#!/usr/bin/env bash
# Handshakes per second of several servers, one after the other in rounds, each run on a fresh server: a
# 30,000-handshake warm-up, then N measured by rate.sh, with the server's user and system CPU per handshake and
# its voluntary context switches (sleeps) per 1,000 handshakes. Bounded: every server started here is stopped
# (its whole process group) after its run.
#
#   bench/hsload/compare.sh SERVER...        SERVER: a path to a throng.jar, or "bun" (bench/peers/bun, 2 processes)
#   ROUNDS=4 HSLOAD_EXTRA=--reuse bench/hsload/compare.sh throng-cli/target/throng.jar bun
#
# Environment: ROUNDS (3), N (100000), IO (the jar's --io-threads, 2), JAVA (java), PORT0 (32100; each run takes
# the next port), HSLOAD_EXTRA (more hsload options, e.g. --reuse), SOURCES (127.0.0.50-59).
# A jar runs as one process with a worker's JVM flags for 18,000 connections (WorkerPlan), as in section 7 of
# docs/benchmarks.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${ROUNDS:-3}; n=${N:-100000}; io=${IO:-2}; java=${JAVA:-java}; port=${PORT0:-32100}
sources=${SOURCES:-127.0.0.50-59}
[[ -x $root/bench/hsload/target/hsload ]] || "$root/bench/hsload/build.sh" >/dev/null

ticks() {  # utime and stime of every process in group $1
  local u=0 s=0 a b p
  for p in $(pgrep -g "$1"); do
    read -r a b < <(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12, $13}') || continue
    u=$((u + a)); s=$((s + b))
  done
  echo "$u $s"
}
sleeps() {  # voluntary context switches of every thread in group $1
  local t=0 p f
  for p in $(pgrep -g "$1"); do
    for f in /proc/"$p"/task/*/status; do t=$((t + $(awk '/^voluntary_ctxt/{print $2}' "$f" 2>/dev/null || echo 0))); done
  done
  echo "$t"
}
per() {  # $1 ticks per handshake, in µs with one decimal
  awk -v t="$1" -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.1f", t / hz * 1e6 / n}'
}

for round in $(seq "$rounds"); do
  for server in "$@"; do
    if [[ $server == bun ]]; then
      setsid "$root/bench/peers/bun/run.sh" "$port" 2 > "/tmp/hsload-compare-$port.log" 2>&1 &
    else
      # shellcheck disable=SC2046
      setsid "$java" $("$java" -cp "$server" dev.throng.cli.WorkerPlan serve --max-connections 18000) \
        -jar "$server" serve --mode echo --port "$port" --io-threads "$io" > "/tmp/hsload-compare-$port.log" 2>&1 &
    fi
    group=$!
    sleep 3
    HSLOAD_ARGS="-q -s $sources ${HSLOAD_EXTRA:-}" "$root/bench/hsload/rate.sh" "127.0.0.1:$port" 30000 256 \
      > /dev/null 2>&1 || true
    read -r u0 s0 < <(ticks "$group"); c0=$(sleeps "$group")
    out=$(HSLOAD_ARGS="-q -s $sources ${HSLOAD_EXTRA:-}" "$root/bench/hsload/rate.sh" "127.0.0.1:$port" "$n" 256 2>&1) \
      || true
    read -r u1 s1 < <(ticks "$group"); c1=$(sleeps "$group")
    echo "$server round $round: $(grep -o 'handshakes/s: [0-9]*' <<< "$out") | server user $(per $((u1 - u0))) us" \
      "sys $(per $((s1 - s0))) us | sleeps per 1k $(( (c1 - c0) * 1000 / n )) |" \
      "$(grep -o 'hsload cpu: *[0-9.]* us' <<< "$out")"
    kill -- -"$group" 2>/dev/null || true
    wait "$group" 2>/dev/null || true
    port=$((port + 1))
  done
done
