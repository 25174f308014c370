#!/usr/bin/env bash
# Handshakes per second against a running server, and the server's CPU per handshake.
#
#   bench/hsload/rate.sh HOST:PORT N [CONCURRENCY] [SERVER_PIDS...]
#   bench/hsload/rate.sh 127.0.0.1:33001 100000 256 "$(pgrep -f 'throng.jar serve')"    # (find your PID your way)
#
# SERVER_PIDS: the server's processes; each one's descendants are counted too, so a supervisor or launcher PID
# (throng serve --workers, bench/peers/*/run.sh) covers its workers. CPU is utime + stime from /proc/PID/stat
# (all threads) before and after the run. More hsload options in HSLOAD_ARGS (default: the source range
# assigned to hsload on the shared bench box), e.g. HSLOAD_ARGS='-s 127.0.0.30-39 --reuse'.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target=${1:?HOST:PORT}; n=${2:?N}; conc=${3:-256}
shift $(( $# < 3 ? $# : 3 ))
bin="$here/target/hsload"
[[ -x $bin ]] || "$here/build.sh" >/dev/null

descendants() {  # PID and every process below it
  local p=$1 c
  echo "$p"
  for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do descendants "$c"; done
}
pids=()
for p in "$@"; do
  [[ -d /proc/$p ]] || { echo "rate.sh: no process $p" >&2; exit 2; }
  mapfile -t -O "${#pids[@]}" pids < <(descendants "$p")
done
ticks() {  # summed utime + stime (fields 14 and 15; the command name in field 2 may contain spaces)
  local sum=0 p rest
  for p in "${pids[@]}"; do
    rest=$(sed 's/^.*) //' /proc/"$p"/stat 2>/dev/null) || continue
    set -- $rest
    sum=$(( sum + ${12} + ${13} ))
  done
  echo "$sum"
}
hz=$(getconf CLK_TCK)

before=$(ticks)
set +e
out=$("$bin" -q ${HSLOAD_ARGS--s 127.0.0.30-127.0.0.39} -n "$n" -c "$conc" "$target")
status=$?
set -e
after=$(ticks)
echo "$out"
summary=$(grep '^summary ' <<<"$out")
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$summary"; }
ok=$(field ok); rate=$(field rate)
own_us=$(awk -v u="$(field cpu_user_s)" -v s="$(field cpu_sys_s)" -v ok="$ok" \
  'BEGIN { printf "%.1f", ok ? (u + s) * 1e6 / ok : 0 }')
echo "handshakes/s: $rate ($ok of $n succeeded, hsload exit $status)"
echo "hsload cpu:   $own_us us per handshake"
if ((${#pids[@]})); then
  awk -v t=$(( after - before )) -v hz="$hz" -v ok="$ok" -v np="${#pids[@]}" -v own="$own_us" 'BEGIN {
    s = t / hz; us = ok ? s * 1e6 / ok : 0
    printf "server cpu:   %.2f s over %d processes = %.1f us per handshake (resolution 1/%d s)\n", s, np, us, hz
    printf "together:     %.1f us per handshake (on loopback the kernel charges much of the TCP work to the sender)\n", us + own
  }'
fi
exit "$status"
