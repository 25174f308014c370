#!/usr/bin/env python3
"""Charts and a summary table from bench/fanout-run.sh's results.

    python3 bench/fanout-charts.py OUT [CHART_DIR]

Reads OUT/steps.csv (and confirm.csv, subscribe.csv, idle.csv when present) and writes, into CHART_DIR (default
OUT):

- fanout-<scenario>-<size>B.png for each scenario and event size: deliveries/s and p99 publish -> receive against the
  publish rate (events/s per channel), one line per server; a hollow point is a step that failed (loss, p99 >= the
  limit, rate not kept, or failed requests). When a cell was run several times the median of its runs is drawn, and
  a point is filled only if every run passed.
- summary.md: per scenario and size, each server's best passing rate (from the steps, and the confirmation when there
  is one), its deliveries/s, p99, server CPU per delivery and the ratio to Soketi; the connect + subscribe figures;
  the idle memory.

The PNGs are drawn by bench/fanout/LineChart.java with the JDK alone (java.awt, headless): matplotlib is not installed
on the benchmark box and PyPI is not reachable from it, while a JDK always is. Needs `java` (17+) on PATH.
"""
import csv
import os
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict

ORDER = ["throng", "soketi", "bun", "node-ws"]
HERE = os.path.dirname(os.path.abspath(__file__))


def read(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def server_key(name):
    return (ORDER.index(name) if name in ORDER else len(ORDER), name)


def scenario_title(scenario):
    channels, subscribers = scenario.split("x")
    if channels == "1":
        return f"1 channel x {int(subscribers):,} subscribers"
    return f"{int(channels):,} channels x {int(subscribers):,} subscribers"


def steps_by_cell(rows):
    """{(scenario, size): {server: {rate: [row, ...]}}}, a list per rate when a cell ran more than once."""
    cells = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for r in rows:
        cells[(r["scenario"], int(r["event_size"]))][r["server"]][num(r["rate_per_channel"])].append(r)
    return cells


def median(rows, field):
    values = [num(r[field]) for r in rows if num(r[field]) is not None]
    return statistics.median(values) if values else None


def chart(scenario, size, servers, out_dir):
    lines = [f"title\tFan-out: {scenario_title(scenario)}, {size}-byte events (one server process each)"]
    panels = [("Deliveries per second", "deliveries_per_s", "deliveries / s", None),
              ("p99 publish -> receive", "p99_ms", "p99 latency (ms)", (1000, "limit: 1 s"))]
    for title, field, ylabel, hline in panels:
        lines.append(f"panel\t{title}\tpublish rate (events / s per channel)\t{ylabel}\t1\t1")
        if hline:
            lines.append(f"hline\t{hline[0]}\t{hline[1]}")
        for server in sorted(servers, key=server_key):
            lines.append(f"series\t{server}")
            for rate in sorted(servers[server]):
                runs = servers[server][rate]
                y = median(runs, field)
                if y is None or y <= 0:
                    continue
                passed = all(r["passed"] == "True" for r in runs)
                lines.append(f"point\t{rate:g}\t{y}\t{1 if passed else 0}")
    png = os.path.join(out_dir, f"fanout-{scenario}-{size}B.png")
    with tempfile.NamedTemporaryFile("w", suffix=".spec", delete=False) as spec:
        spec.write("\n".join(lines) + "\n")
    try:
        subprocess.run(["java", os.path.join(HERE, "fanout", "LineChart.java"), spec.name, png], check=True)
    finally:
        os.unlink(spec.name)
    return png


def fmt(v, places=0):
    return "-" if v is None else f"{v:,.{places}f}"


def summary(cells, confirm_rows, subscribe_rows, idle_rows):
    out = ["# Fan-out benchmark summary", ""]
    confirmed = defaultdict(list)
    for r in confirm_rows:
        confirmed[(r["server"], r["scenario"], int(r["event_size"]))].append(r)
    for (scenario, size), servers in sorted(cells.items()):
        out += [f"## {scenario_title(scenario)}, {size}-byte events", "",
                "| server | best passing rate (events/s per channel) | deliveries/s | p99 (ms) | server CPU per "
                "delivery (µs) | x Soketi | confirmed (rate, s, deliveries/s, p99 ms) |",
                "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
        best = {}
        for server, rates in servers.items():
            passing = [rate for rate, runs in rates.items() if all(r["passed"] == "True" for r in runs)]
            if passing:
                rate = max(passing)
                best[server] = (rate, median(rates[rate], "deliveries_per_s"), median(rates[rate], "p99_ms"),
                                median(rates[rate], "server_cpu_us_per_delivery"))
        soketi = best.get("soketi", (None, None))[1]
        for server in sorted(servers, key=server_key):
            c = confirmed.get((server, scenario, size), [])
            conf = ", ".join(f'{num(r["rate_per_channel"]):g}/s {num(r["seconds"]):g} s '
                             f'{fmt(num(r["deliveries_per_s"]))} {fmt(num(r["p99_ms"]), 1)} '
                             f'{"PASS" if r["passed"] == "True" else "FAIL"}' for r in c) or "-"
            if server not in best:
                out.append(f"| {server} | none passed | - | - | - | - | {conf} |")
                continue
            rate, dps, p99, cpu = best[server]
            ratio = f"{dps / soketi:.1f}" if soketi and dps else "-"
            out.append(f"| {server} | {rate:g} | {fmt(dps)} | {fmt(p99, 1)} | {fmt(cpu, 2)} | {ratio} | {conf} |")
        out.append("")
    if subscribe_rows:
        out += ["## Connect + subscribe", "",
                "| server | scenario | subscribers | failed | seconds | subscribes/s | p50 (ms) | p99 (ms) |",
                "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for r in sorted(subscribe_rows, key=lambda r: (r["scenario"], server_key(r["server"]))):
            out.append(f'| {r["server"]} | {r["scenario"]} ({r["event_size"]} B run) | {fmt(num(r["subscribers"]))} | '
                       f'{fmt(num(r["failed"]))} | {fmt(num(r["seconds"]), 2)} | {fmt(num(r["subscribes_per_s"]))} | '
                       f'{fmt(num(r["subscribe_p50_ms"]), 1)} | {fmt(num(r["subscribe_p99_ms"]), 1)} |')
        out.append("")
    if idle_rows:
        out += ["## Idle subscribed connections", "",
                "| server | subscribers | RSS per connection (B) | live heap per connection (B) | idle CPU (cores) |",
                "| --- | ---: | ---: | ---: | ---: |"]
        for r in sorted(idle_rows, key=lambda r: server_key(r["server"])):
            out.append(f'| {r["server"]} | {fmt(num(r["subscribers"]))} | {fmt(num(r["rss_per_connection_bytes"]))} | '
                       f'{fmt(num(r["live_heap_per_connection_bytes"]))} | {fmt(num(r["idle_cpu_cores"]), 3)} |')
        out.append("")
    return "\n".join(out)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    results = sys.argv[1]
    out_dir = sys.argv[2] if len(sys.argv) == 3 else results
    os.makedirs(out_dir, exist_ok=True)
    steps = read(os.path.join(results, "steps.csv"))
    if not steps:
        sys.exit(f"fanout-charts: no steps.csv in {results}")
    cells = steps_by_cell(steps)
    for (scenario, size), servers in sorted(cells.items()):
        print(chart(scenario, size, servers, out_dir))
    text = summary(cells, read(os.path.join(results, "confirm.csv")), read(os.path.join(results, "subscribe.csv")),
                   read(os.path.join(results, "idle.csv")))
    path = os.path.join(out_dir, "summary.md")
    with open(path, "w") as f:
        f.write(text + "\n")
    print(path)


if __name__ == "__main__":
    main()
