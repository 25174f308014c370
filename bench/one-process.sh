#!/usr/bin/env bash
# One server process with the flags WorkerPlan gives a worker of 20,000 connections, plus extra JVM flags, and one
# bench against it; prints RSS/anon/PSS idle and held, and the GC pauses. Bounded: the bench stops by itself.
#   bench/one-process.sh TAG N RATE HOLD [extra JVM flags...]     e.g. bench/one-process.sh xmn2 18000 2000 60s -Xmn2m
set -euo pipefail
tag=$1; n=$2; rate=$3; hold=$4; shift 4
jar="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/throng-cli/target/throng.jar"
port=$((9400 + RANDOM % 500))
flags=$(java -cp $jar dev.throng.cli.WorkerPlan serve --max-connections 20000)
MALLOC_ARENA_MAX=2 java $flags "$@" -Xlog:gc:file=/tmp/throng-one-gc-$tag.log:uptime -jar $jar serve --mode echo --port $port --max-connections 20000 > /tmp/throng-one-serve-$tag.log 2>&1 &
sp=$!
trap 'kill $sp 2>/dev/null || true' EXIT
for i in $(seq 1 100); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done
sleep 3
memory() { awk '/^Rss:/{r=$2} /^Anonymous:/{a=$2} /^Pss:/{p=$2} END{print r, a, p}' /proc/$sp/smaps_rollup; }
idle=$(memory)
java -jar $jar bench --url ws://127.0.0.1:$port/ -n $n -r $rate --hold $hold --source 127.0.0.2 --ports 10000-29999 \
  --server-pid $sp --report /tmp/throng-one-$tag.json --max-failures 0 > /tmp/throng-one-bench-$tag.log 2>&1 || true
held=$(memory)
gcs=$(grep -c Pause /tmp/throng-one-gc-$tag.log || true)
maxp=$(grep Pause /tmp/throng-one-gc-$tag.log | awk '{v=$NF; sub(/ms/,"",v); if (v+0>m) m=v+0} END{print m}')
echo "$tag idle(rss anon pss KiB)=$idle held=$held gcs=$gcs maxpause=${maxp}ms"
