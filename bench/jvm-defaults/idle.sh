#!/usr/bin/env bash
# Measurements behind docs/benchmarks.md, section 8. ENVV="MALLOC_ARENA_MAX=2" sets the environment; OUT: output dir.
# usage: idle.sh JAVA PORT label flags...   -> prints label, RSS after 6s and 12s (KiB)
mkdir -p ${OUT:-/tmp/jvm-defaults}; J=$1; P=$2; L=$3; shift 3
env ${ENVV:-} $J "$@" -jar ${JAR:-throng-cli/target/throng.jar} serve --mode echo --port $P --io-threads 2 >${OUT:-/tmp/jvm-defaults}/idle-$P.log 2>&1 &
pid=$!
sleep 6; r1=$(awk '/VmRSS/{print $2}' /proc/$pid/status)
sleep 6; r2=$(awk '/VmRSS/{print $2}' /proc/$pid/status)
th=$(ls /proc/$pid/task | wc -l)
if [[ -n "${NMT:-}" ]]; then jcmd $pid VM.native_memory summary > ${OUT:-/tmp/jvm-defaults}/nmt-$L.txt 2>&1; fi
kill $pid; wait $pid 2>/dev/null
echo "$L rss6=$((r1/1024))MiB rss12=$((r2/1024))MiB ($r2 KiB) threads=$th"
