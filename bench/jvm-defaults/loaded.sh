#!/usr/bin/env bash
# Measurements behind docs/benchmarks.md, section 8. ENVV="MALLOC_ARENA_MAX=2" sets the environment; OUT: output dir.
# usage: loaded.sh JAVA PORT label flags...
# server; idle RSS at 8s; bench A 9000 conns (127.0.0.20) hold 75s; 14 s later bench B 9000 (127.0.0.21) hold 50s.
J=$1; P=$2; L=$3; shift 3
D=${OUT:-/tmp/jvm-defaults}/run-$L; rm -rf $D; mkdir -p $D
rss() { awk '/VmRSS/{print $2}' /proc/$1/status; }
t0=$(date +%s.%N)
env ${ENVV:-} $J "$@" -Xlog:gc:file=$D/gc.log:uptime -jar ${JAR:-throng-cli/target/throng.jar} serve --mode echo --port $P --io-threads 2 >$D/server.log 2>&1 &
pid=$!
sleep 8; idle=$(rss $pid)
cpu0=$(awk '{print $14+$15}' /proc/$pid/stat)
tA=$(echo "$(date +%s.%N) - $t0" | bc)
timeout 150 java -jar ${JAR:-throng-cli/target/throng.jar} bench --url ws://127.0.0.1:$P/ -n 9000 -r 3000 --hold 75s --source 127.0.0.20 --ports 10000-29999 -w 1 --server-pid $pid >$D/benchA.txt 2>&1 &
bA=$!
sleep 14; r9=$(rss $pid)
tB=$(echo "$(date +%s.%N) - $t0" | bc); cB=$(awk '{print $14+$15}' /proc/$pid/stat)
timeout 150 java -jar ${JAR:-throng-cli/target/throng.jar} bench --url ws://127.0.0.1:$P/ -n 9000 -r 3000 --hold 50s --source 127.0.0.21 --ports 10000-29999 -w 1 --server-pid $pid >$D/benchB.txt 2>&1 &
bB=$!
sleep 14; r18a=$(rss $pid); tH=$(echo "$(date +%s.%N) - $t0" | bc); c1=$(awk '{print $14+$15}' /proc/$pid/stat)
sleep 30; r18b=$(rss $pid); tH2=$(echo "$(date +%s.%N) - $t0" | bc); c2=$(awk '{print $14+$15}' /proc/$pid/stat)
wait $bB; wait $bA
kill $pid; wait $pid 2>/dev/null
hz=$(getconf CLK_TCK)
holdcpu=$(echo "scale=1; ($c2-$c1)*100/$hz/30" | bc); hsus=$(echo "($c1-$cB)*1000000/$hz/9000" | bc)
# pauses: uptime-tagged "Pause ... 1.234ms"
python3 - "$D/gc.log" "$tB" "$tH" "$tH2" "$L" "$idle" "$r9" "$r18a" "$r18b" "$holdcpu" "$hsus" <<'PY' | tee $D/summary.txt
import sys,re
f,tB,tH,tH2,L,idle,r9,r18a,r18b,hc,hs=sys.argv[1:]
tB,tH,tH2=float(tB),float(tH),float(tH2)
ramp=[];hold=[];n=0;full=0
for line in open(f):
    m=re.match(r'\[(\d+\.\d+)s\].*Pause(.*?)(\d+\.\d+)ms',line)
    if not m: continue
    t=float(m.group(1)); p=float(m.group(3)); n+=1
    if 'Full' in line: full+=1
    (hold if t>=tH else ramp).append(p)
idle,r9,r18a,r18b=map(int,(idle,r9,r18a,r18b))
marg=(r18a-r9)*1024/9000
print(f"{L}: idle={idle/1024:.1f}MiB 9k={r9/1024:.1f} 18k={r18a/1024:.1f}/{r18b/1024:.1f}MiB total/conn={r18b*1024/18000:.0f}B marg2nd9k={marg:.0f}B holdCPU={hc}% cpu/handshake(2nd9k)={hs}us pauses={n} full={full} maxRamp={max(ramp,default=0):.1f}ms maxHold={max(hold,default=0):.1f}ms holdPauses={len(hold)} >10ms={sum(1 for p in ramp+hold if p>10)}")
PY
grep -iE "handshake|held|rss|cpu|failed" $D/benchA.txt | head -12 > $D/benchA.short
