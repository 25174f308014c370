# Sourced by the fan-out benchmarks (bench/fanout-run.sh, bench/cluster-run.sh): their builds, their cells'
# directories, and a `throng bench --scenario subscribe` report's steps and confirmation appended to OUT's CSV files.
# The caller sets root, out (the results directory), me (its name, for messages), jar, hsload, and cluster_columns: 1
# for bench/cluster-run.sh's columns (each step's subscribers, since its cells differ in size, and Redis's CPU per
# delivery), 0 for bench/fanout-run.sh's (one server process, no broker).
#
#   seconds DURATION                        10s, 500ms, 2m -> whole seconds (rounded up)
#   cell_dir NAME                           a new directory for a cell; a repeat gets NAME-run2, NAME-run3, ...
#   build_jar                               throng.jar, rebuilt when a module's source is newer
#   build_hsload                            hsload, built when missing or older than its source
#   passing_rates REPORT                    the passing steps' rates, best first
#   record_steps KIND SHAPE SIZE REPORT     each step to steps.csv, the subscribe figures to subscribe.csv
#   record_confirm KIND SHAPE SIZE REPORT   the confirmation to confirm.csv; fails when it did not pass

seconds() { # 10s, 500ms, 2m -> whole seconds (rounded up)
  awk -v d="$1" 'BEGIN { n = d + 0; if (d ~ /ms$/) n /= 1000; else if (d ~ /m$/) n *= 60; print int(n + 0.999) }'
}

cell_dir() { # NAME: a new directory for a cell; a repeated run of the same cell gets NAME-run2, NAME-run3, ...
  local d="$out/$1" i=2
  while [[ -e $d ]]; do d="$out/$1-run$i"; i=$((i + 1)); done
  mkdir -p "$d" && echo "$d"
}

build_jar() { # throng.jar carries `throng serve` and `throng bench`; rebuilt when a module's source is newer
  if [[ ! -f $jar || -n "$(find "$root" -path '*/src/main/*' -newer "$jar" -print -quit 2>/dev/null)" ]]; then
    echo "$me: building throng.jar (mvn package, tests skipped)"
    (cd "$root" && mvn -B -q -DskipTests package -pl throng-cli -am)
  fi
}

build_hsload() { # hsload (LOADER=hsload), built when missing or older than its source
  if [[ ! -x $hsload || -n "$(find "$root/bench/hsload" -maxdepth 1 -name '*.[ch]' -newer "$hsload" -print -quit)" ]]
  then
    echo "$me: building hsload (bench/hsload/build.sh)"
    "$root/bench/hsload/build.sh" > /dev/null
  fi
}

passing_rates() { # REPORT: the passing steps' rates, best first
  python3 - "$1" <<'EOF'
import json, sys
try:
    steps = json.load(open(sys.argv[1]))["fanout"]["steps"]
except Exception:
    sys.exit(0)
for s in sorted((s for s in steps if s["passed"]), key=lambda s: -s["ratePerChannel"]):
    print(f'{s["ratePerChannel"]:g}')
EOF
}

record_steps() { # KIND SHAPE SIZE REPORT: each step to steps.csv, the subscribe figures to subscribe.csv
  python3 - "$out" "$me" "$cluster_columns" "$@" <<'EOF'
import csv, json, os, sys
out, me, cluster, kind, shape, size, report = sys.argv[1:8]
cluster = cluster == "1"
only = lambda *columns: list(columns) if cluster else []  # cluster-run's columns
try:
    r = json.load(open(report))
except Exception as e:
    print(f"{me}: no report {report}: {e}"); sys.exit(0)
f = r["fanout"]
def append(name, header, rows):
    path = os.path.join(out, name)
    new = not os.path.exists(path)
    with open(path, "a", newline="") as o:
        w = csv.writer(o)
        if new: w.writerow(header)
        w.writerows(rows)
lat = lambda s, k: (s["latency"] or {}).get(k, "")
subs = f["subscribe"]["connections"] if cluster else None
append("steps.csv", ["server", "scenario", "event_size", *only("subscribers"), "step", "rate_per_channel",
                     "target_events_per_s", "published_events_per_s", "deliveries_per_s", "p50_ms", "p99_ms",
                     "max_ms", "expected", "missing_at_evaluation", "lost_final", "server_cpu_us_per_delivery",
                     *only("redis_cpu_us_per_delivery"), "passed", "failed_because"],
       [[kind, shape, size, *only(subs), s["step"], s["ratePerChannel"], s["targetEventsPerSecond"],
         s["eventsPerSecond"], s["deliveriesPerSecond"], lat(s, "p50"), lat(s, "p99"), lat(s, "max"),
         s["expectedDeliveries"], s["missingAtEvaluation"], s["lostFinal"], s["serverCpuMicrosPerDelivery"],
         *only(s.get("brokerCpuMicrosPerDelivery")), s["passed"], "; ".join(s["failedBecause"])] for s in f["steps"]])
sub, h = f["subscribe"], r["latencyMillis"].get("subscribe", {})
append("subscribe.csv", ["server", "scenario", "event_size", "subscribers", "failed", "seconds",
                         "subscribes_per_s", "subscribe_p50_ms", "subscribe_p99_ms"],
       [[kind, shape, size, sub["connections"], sub["failed"], sub["seconds"], sub["connectionsPerSecond"],
         h.get("p50", ""), h.get("p99", "")]])
best = f.get("best")
cpu = lambda b: (f'server {b["serverCpuMicrosPerDelivery"]} us/delivery, '
                 f'redis {b.get("brokerCpuMicrosPerDelivery")} us/delivery' if cluster else
                 f'{b["serverCpuMicrosPerDelivery"]} us CPU per delivery')
print(f"cell: {kind} {shape} {size} B: " + ("no step passed" if not best else
      f'best {best["ratePerChannel"]:g} events/s per channel, {best["deliveriesPerSecond"]:,.0f} deliveries/s, '
      f'p99 {best["latency"]["p99"]} ms, {cpu(best)}')
      + f'; {sub["connections"]} subscribed in {sub["seconds"]} s')
EOF
}

record_confirm() { # KIND SHAPE SIZE REPORT; fails when the confirmation did not pass
  python3 - "$out" "$me" "$cluster_columns" "$@" <<'EOF'
import csv, json, os, sys
out, me, cluster, kind, shape, size, report = sys.argv[1:8]
only = lambda *columns: list(columns) if cluster == "1" else []  # cluster-run's columns
try:
    s = json.load(open(report))["fanout"]["steps"][0]
except Exception as e:
    print(f"{me}: no confirmation in {report}: {e}"); sys.exit(1)
path = os.path.join(out, "confirm.csv")
new = not os.path.exists(path)
with open(path, "a", newline="") as o:
    w = csv.writer(o)
    if new:
        w.writerow(["server", "scenario", "event_size", "rate_per_channel", "seconds", "deliveries_per_s", "p50_ms",
                    "p99_ms", "max_ms", "missing_at_evaluation", "lost_final", "server_cpu_us_per_delivery",
                    *only("redis_cpu_us_per_delivery"), "passed", "failed_because"])
    l = s["latency"] or {}
    w.writerow([kind, shape, size, s["ratePerChannel"], s["publishSeconds"], s["deliveriesPerSecond"],
                l.get("p50", ""), l.get("p99", ""), l.get("max", ""), s["missingAtEvaluation"], s["lostFinal"],
                s["serverCpuMicrosPerDelivery"], *only(s.get("brokerCpuMicrosPerDelivery")), s["passed"],
                "; ".join(s["failedBecause"])])
print(f'confirm: {kind} {shape} {size} B at {s["ratePerChannel"]:g}/s per channel for {s["publishSeconds"]} s: '
      f'{s["deliveriesPerSecond"]:,.0f} deliveries/s, p99 {l.get("p99")} ms, lost {s["lostFinal"]}: '
      + ("PASS" if s["passed"] else "FAIL (" + "; ".join(s["failedBecause"]) + ")"))
sys.exit(0 if s["passed"] else 1)
EOF
}
