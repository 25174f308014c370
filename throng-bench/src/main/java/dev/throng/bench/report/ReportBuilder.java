package dev.throng.bench.report;

import dev.throng.bench.plan.FailureBudget;
import dev.throng.bench.protocol.HistogramKind;
import dev.throng.bench.protocol.Histograms;
import dev.throng.bench.protocol.WorkerSnapshot;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;
import org.HdrHistogram.Histogram;

/** Merges the workers' reports and the coordinator's observations into a {@link RunReport}. Pure. */
public final class ReportBuilder {

    /** Above this share of the machine's cores the bench itself may be what limits the run. */
    static final double BUSY_SHARE_OF_CORES = 0.7;

    private ReportBuilder() {}

    /** Everything the workers counted, summed; histograms merged. */
    public record Totals(WorkerSnapshot counters, Map<HistogramKind, Histogram> histograms) {}

    /** Sums the workers' counters and merges their histograms. */
    public static Totals merge(List<WorkerSnapshot> snapshots) {
        Map<String, Long> failures = new TreeMap<>();
        Map<String, Long> lost = new TreeMap<>();
        Map<Integer, Long> lostBySecond = new TreeMap<>();
        Map<HistogramKind, Histogram> histograms = new EnumMap<>(HistogramKind.class);
        for (WorkerSnapshot s : snapshots) {
            s.failures().forEach((k, v) -> failures.merge(k, v, Long::sum));
            s.lost().forEach((k, v) -> lost.merge(k, v, Long::sum));
            s.lostBySecond().forEach((k, v) -> lostBySecond.merge(k, v, Long::sum));
            s.histograms().forEach((key, encoded) -> {
                for (HistogramKind kind : HistogramKind.values()) {
                    if (kind.key().equals(key)) {
                        histograms
                                .computeIfAbsent(kind, k -> Histograms.create())
                                .add(Histograms.decode(encoded));
                    }
                }
            });
        }
        WorkerSnapshot sum = new WorkerSnapshot(
                -1,
                0,
                sum(snapshots, WorkerSnapshot::attempted),
                sum(snapshots, WorkerSnapshot::established),
                sum(snapshots, WorkerSnapshot::open),
                failures,
                lost,
                lostBySecond,
                sum(snapshots, WorkerSnapshot::closedClean),
                sum(snapshots, WorkerSnapshot::closedUnclean),
                sum(snapshots, WorkerSnapshot::portsSkipped),
                sum(snapshots, WorkerSnapshot::messagesSent),
                sum(snapshots, WorkerSnapshot::messagesReceived),
                sum(snapshots, WorkerSnapshot::bytesSent),
                sum(snapshots, WorkerSnapshot::bytesReceived),
                sum(snapshots, WorkerSnapshot::sendsSkipped),
                sum(snapshots, WorkerSnapshot::serverPings),
                sum(snapshots, WorkerSnapshot::clientPings),
                sum(snapshots, WorkerSnapshot::pongs),
                snapshots.stream().mapToLong(WorkerSnapshot::rampMillis).max().orElse(0),
                sum(snapshots, WorkerSnapshot::cpuNanos),
                sum(snapshots, WorkerSnapshot::rssBytes),
                sum(snapshots, WorkerSnapshot::heapUsedBytes),
                Map.of(),
                null);
        return new Totals(sum, histograms);
    }

    static long sum(List<WorkerSnapshot> snapshots, ToLongFunction<WorkerSnapshot> f) {
        return snapshots.stream().mapToLong(f).sum();
    }

    /** The latency summary of a histogram in microseconds, converted to milliseconds. */
    public static RunReport.Latency latency(Histogram h) {
        return new RunReport.Latency(
                h.getTotalCount(),
                ms(h.getMean()),
                ms(h.getValueAtPercentile(50)),
                ms(h.getValueAtPercentile(90)),
                ms(h.getValueAtPercentile(99)),
                ms(h.getValueAtPercentile(99.9)),
                ms(h.getMaxValue()));
    }

    private static double ms(double micros) {
        return Math.round(micros) / 1000.0;
    }

    /** Builds the report of a run of a scenario without fan-out. */
    public static RunReport build(RunDescription run, Observations o) {
        return build(run, o, null);
    }

    /**
     * Builds the report of a run; {@code fanout} is the subscribe scenario's part as far as the coordinator knows it
     * (its steps evaluated during the run), or null. Each step gets what had arrived by the end from the reports.
     */
    public static RunReport build(RunDescription run, Observations o, RunReport.Fanout fanout) {
        Totals totals = merge(o.reports());
        WorkerSnapshot t = totals.counters();
        double rampSeconds = t.rampMillis() / 1000.0;
        double holdSeconds = seconds(o.holdEndNanos() - o.holdStartNanos());
        double activeSeconds = seconds(o.holdEndNanos() - o.goNanos());
        double totalSeconds = seconds(o.endNanos() - o.goNanos());
        long failed = t.failed();
        long lost = t.lostTotal();

        RunReport.Connections connections = new RunReport.Connections(
                run.requested(),
                t.attempted(),
                t.established(),
                failed,
                t.failures(),
                lost,
                t.lost(),
                t.lostBySecond(),
                o.heldAtEndOfHold(),
                t.closedClean(),
                t.closedUnclean(),
                t.portsSkipped());
        RunReport.Timing timing = new RunReport.Timing(
                round(rampSeconds),
                round(rampSeconds > 0 ? t.established() / rampSeconds : 0),
                round(o.peakConnectRate()),
                round(holdSeconds),
                round(seconds(o.endNanos() - o.holdEndNanos())),
                round(totalSeconds));
        Map<String, RunReport.Latency> latencies = new LinkedHashMap<>();
        for (HistogramKind kind : HistogramKind.values()) {
            Histogram h = totals.histograms().get(kind);
            if (h != null && h.getTotalCount() > 0) {
                latencies.put(kind.key(), latency(h));
            }
        }
        RunReport.Messages messages = new RunReport.Messages(
                t.messagesSent(),
                t.messagesReceived(),
                perSecond(t.messagesSent(), activeSeconds),
                perSecond(t.messagesReceived(), activeSeconds),
                t.bytesSent(),
                t.bytesReceived(),
                perSecond(t.bytesSent(), activeSeconds),
                perSecond(t.bytesReceived(), activeSeconds),
                t.sendsSkipped(),
                t.serverPings(),
                t.clientPings(),
                t.pongs());

        long cpuBaseline = sum(o.ready(), WorkerSnapshot::cpuNanos);
        double benchCpuSeconds = Math.max(0, t.cpuNanos() - cpuBaseline) / 1e9;
        long heldAtRamp = sum(o.ramped(), WorkerSnapshot::open);
        long rssGrowth = sum(o.ramped(), WorkerSnapshot::rssBytes) - sum(o.ready(), WorkerSnapshot::rssBytes);
        long heapGrowth =
                sum(o.ramped(), WorkerSnapshot::heapUsedBytes) - sum(o.ready(), WorkerSnapshot::heapUsedBytes);
        RunReport.LoadGenerator bench = new RunReport.LoadGenerator(
                round(benchCpuSeconds),
                round(totalSeconds > 0 ? benchCpuSeconds / totalSeconds : 0),
                round(o.benchCpuCoresPeak()),
                o.benchRssPeak(),
                heldAtRamp > 0 ? Math.max(0, rssGrowth) / heldAtRamp : 0,
                heldAtRamp > 0 ? Math.max(0, heapGrowth) / heldAtRamp : 0,
                run.cores());

        RunReport.Server server = null;
        if (o.server() != null) {
            Observations.ServerObservations s = o.server();
            double cores = holdSeconds > 0 ? (s.cpuAtHoldEnd() - s.cpuAtHoldStart()) / 1e9 / holdSeconds : 0;
            long held = o.heldAtEndOfHold();
            server = new RunReport.Server(
                    s.pids(),
                    s.rssBefore(),
                    s.rssHeld(),
                    s.rssPeak(),
                    held > 0 ? Math.max(0, s.rssHeld() - s.rssBefore()) / held : 0,
                    s.pssBefore(),
                    s.pssHeld(),
                    held > 0 ? s.pssHeld() / held : 0,
                    round(cores),
                    held > 0 ? round(cores * 100 * 100_000 / held) : 0);
        }

        List<String> warnings = new ArrayList<>();
        if (o.benchCpuCoresPeak() > BUSY_SHARE_OF_CORES * run.cores()) {
            warnings.add(String.format(
                    "the load generator used up to %.1f of %d cores: it may have been the "
                            + "bottleneck (the server shares this machine)",
                    o.benchCpuCoresPeak(), run.cores()));
        }
        if (t.sendsSkipped() > 0) {
            warnings.add(t.sendsSkipped() + " sends were skipped because the server did not read fast enough");
        }
        if (t.established() > 0 && t.messagesSent() > t.messagesReceived() && run.echo()) {
            warnings.add((t.messagesSent() - t.messagesReceived()) + " echo messages never came back");
        }
        if (o.rampStopped()) {
            warnings.add(String.format(
                    "the ramp fell behind and was stopped at its deadline: %d of %d connections "
                            + "attempted; lower --rate or add cores",
                    t.attempted(), run.requested()));
        }
        if (o.closeCutShort()) {
            warnings.add("closing passed its deadline: the connections still open were dropped without the closing "
                    + "handshake (counted in closedUnclean); lower --close-rate or raise --close-timeout");
        }
        long subscribeFailed = 0;
        if (fanout != null) {
            FanoutTotals ft = FanoutTotals.merge(
                    o.reports().stream().map(WorkerSnapshot::fanout).toList());
            fanout = finish(fanout, ft, rampSeconds);
            subscribeFailed = fanout.subscribe().failed();
            if (subscribeFailed > 0) {
                warnings.add(subscribeFailed + " connections did not subscribe: "
                        + fanout.subscribe().failures());
            }
            RunReport.Deliveries d = fanout.deliveries();
            if (d.outOfOrder() + d.unknownChannel() + d.unreadable() > 0) {
                warnings.add(String.format(
                        "deliveries out of order %d, for unknown channels %d, unreadable %d",
                        d.outOfOrder(), d.unknownChannel(), d.unreadable()));
            }
        }
        long failures = failed + lost + subscribeFailed;
        RunReport.Verdict verdict = new RunReport.Verdict(
                failures,
                run.maxFailures().toString(),
                !o.rampStopped(),
                run.maxFailures().allows(failures, t.attempted()) && !o.rampStopped());
        return new RunReport(
                run.scenario(),
                o.reports().size(),
                run.urls(),
                run.sources(),
                connections,
                timing,
                latencies,
                messages,
                bench,
                server,
                warnings,
                verdict,
                fanout);
    }

    /** {@code fanout} completed with the final counters: subscriptions, deliveries, and each step's final count. */
    static RunReport.Fanout finish(RunReport.Fanout fanout, FanoutTotals t, double rampSeconds) {
        if (t == null) {
            return fanout;
        }
        long min = Long.MAX_VALUE;
        long max = 0;
        for (long n : t.subscribersPerChannel) {
            min = Math.min(min, n);
            max = Math.max(max, n);
        }
        RunReport.Subscribe subscribe = new RunReport.Subscribe(
                t.subscribedConnections,
                t.subscriptions,
                t.subscribeFailed(),
                t.subscribeFailures,
                round(rampSeconds),
                round(rampSeconds > 0 ? t.subscribedConnections / rampSeconds : 0));
        RunReport.Deliveries deliveries = new RunReport.Deliveries(
                t.delivered, t.outOfOrder, t.gaps, t.unknownChannel, t.unreadable, t.pusherPings, t.pusherErrors);
        List<RunReport.Step> steps = new ArrayList<>();
        RunReport.Step best = null;
        for (RunReport.Step s : fanout.steps()) {
            RunReport.Step done = s.withFinal(s.step() < t.stepReceived.size() ? t.stepReceived.get(s.step()) : 0);
            steps.add(done);
            if (done.passed() && (best == null || done.ratePerChannel() > best.ratePerChannel())) {
                best = done;
            }
        }
        return new RunReport.Fanout(
                fanout.channels(),
                fanout.subscriptionsPerClient(),
                min == Long.MAX_VALUE ? 0 : min,
                max,
                fanout.eventSize(),
                fanout.channelsPerTrigger(),
                subscribe,
                deliveries,
                steps,
                best);
    }

    /** The parts of the settings the report repeats. */
    public record RunDescription(
            String scenario,
            boolean echo,
            long requested,
            List<String> urls,
            List<String> sources,
            FailureBudget maxFailures,
            int cores) {}

    private static double seconds(long nanos) {
        return Math.max(0, nanos) / 1e9;
    }

    private static double perSecond(long count, double seconds) {
        return seconds > 0 ? round(count / seconds) : 0;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
