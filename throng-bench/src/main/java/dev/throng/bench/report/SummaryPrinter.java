package dev.throng.bench.report;

import static dev.throng.bench.report.Format.bytes;
import static dev.throng.bench.report.Format.count;
import static dev.throng.bench.report.Format.decimal;
import static dev.throng.bench.report.Format.millis;

import java.io.PrintWriter;
import java.util.Map;
import java.util.stream.Collectors;

/** Prints the human summary of a {@link RunReport}. */
public final class SummaryPrinter {

    private SummaryPrinter() {}

    public static void print(RunReport r, PrintWriter out) {
        RunReport.Connections c = r.connections();
        RunReport.Timing t = r.timing();
        out.println();
        out.printf(
                "connections   attempted %s  established %s  failed %s  lost %s  held %s  closed cleanly %s" + "%s%n",
                count(c.attempted()),
                count(c.established()),
                count(c.failed()),
                count(c.lost()),
                count(c.heldAtEndOfHold()),
                count(c.closedClean()),
                c.closedUnclean() > 0 ? "  closed uncleanly " + count(c.closedUnclean()) : "");
        if (!c.failures().isEmpty()) {
            out.println("  failed by reason   " + reasons(c.failures()));
        }
        if (!c.lostReasons().isEmpty()) {
            out.println("  lost by reason     " + reasons(c.lostReasons()));
            out.println("  lost at second     "
                    + c.lostBySecond().entrySet().stream()
                            .map(e -> e.getKey() + "s: " + count(e.getValue()))
                            .collect(Collectors.joining(", ")));
        }
        out.printf(
                "timing        ramp %ss at %s/s (peak %s/s)  hold %ss  close %ss  total %ss%n",
                decimal(t.rampSeconds(), 1),
                count(Math.round(t.connectRatePerSecond())),
                count(Math.round(t.peakConnectRatePerSecond())),
                decimal(t.holdSeconds(), 1),
                decimal(t.closeSeconds(), 1),
                decimal(t.totalSeconds(), 1));
        if (!r.latencyMillis().isEmpty()) {
            out.printf(
                    "latency (ms)  %-22s %10s %9s %9s %9s %9s %9s%n", "", "count", "p50", "p90", "p99", "p99.9", "max");
            r.latencyMillis()
                    .forEach((name, l) -> out.printf(
                            "              %-22s %10s %9s %9s %9s %9s %9s%n",
                            name,
                            count(l.count()),
                            millis(l.p50()),
                            millis(l.p90()),
                            millis(l.p99()),
                            millis(l.p999()),
                            millis(l.max())));
        }
        RunReport.Messages m = r.messages();
        if (m.sent() + m.received() > 0) {
            out.printf(
                    "messages      sent %s (%s/s)  received %s (%s/s)%n",
                    count(m.sent()),
                    count(Math.round(m.sentPerSecond())),
                    count(m.received()),
                    count(Math.round(m.receivedPerSecond())));
        }
        out.printf(
                "traffic       out %s (%s/s)  in %s (%s/s)  server pings %s  client pings %s  pongs %s%n",
                bytes(m.bytesSent()),
                bytes(m.bytesSentPerSecond()),
                bytes(m.bytesReceived()),
                bytes(m.bytesReceivedPerSecond()),
                count(m.serverPings()),
                count(m.clientPings()),
                count(m.pongs()));
        RunReport.LoadGenerator b = r.loadGenerator();
        out.printf(
                "bench         %d workers  cpu %ss (avg %s cores, peak %s of %d)  rss peak %s  per connection: "
                        + "rss %s, heap %s%n",
                r.workers(),
                decimal(b.cpuSeconds(), 1),
                decimal(b.cpuCoresAverage(), 2),
                decimal(b.cpuCoresPeak(), 2),
                b.cores(),
                bytes(b.rssBytesPeak()),
                bytes(b.rssBytesPerConnection()),
                bytes(b.heapBytesPerConnection()));
        if (r.server() != null) {
            RunReport.Server s = r.server();
            out.printf(
                    "server        rss %s -> %s (peak %s): %s per held connection; cpu %s cores during hold = "
                            + "%s%% of a core per 100k connections%n",
                    bytes(s.rssBytesBefore()),
                    bytes(s.rssBytesHeld()),
                    bytes(s.rssBytesPeak()),
                    bytes(s.rssBytesPerConnection()),
                    decimal(s.cpuCoresDuringHold(), 3),
                    decimal(s.cpuPercentOfCorePer100kConnections(), 2));
            out.printf(
                    "server        pss %s -> %s: %s per held connection, all in%n",
                    bytes(s.pssBytesBefore()), bytes(s.pssBytesHeld()), bytes(s.pssBytesHeldPerConnection()));
        }
        if (r.fanout() != null) {
            printFanout(r.fanout(), out);
        }
        for (String w : r.warnings()) {
            out.println("warning       " + w);
        }
        RunReport.Verdict v = r.verdict();
        out.printf(
                "result        %s: %s failed or lost, --max-failures %s%s%n",
                v.passed() ? "PASS" : "FAIL",
                count(v.failures()),
                v.maxFailures(),
                v.rampCompleted() ? "" : "; the ramp was stopped at its deadline");
        out.flush();
    }

    private static void printFanout(RunReport.Fanout f, PrintWriter out) {
        RunReport.Subscribe sub = f.subscribe();
        if (sub != null) {
            out.printf(
                    "subscribe     %s connections subscribed to %d of %s channels (%s-%s subscribers each) in "
                            + "%ss: %s/s; %s failed%s%n",
                    count(sub.connections()),
                    f.subscriptionsPerClient(),
                    count(f.channels()),
                    count(f.subscribersPerChannelMin()),
                    count(f.subscribersPerChannelMax()),
                    decimal(sub.seconds(), 1),
                    count(Math.round(sub.connectionsPerSecond())),
                    count(sub.failed()),
                    sub.failures().isEmpty() ? "" : " " + reasons(sub.failures()));
        }
        RunReport.Deliveries d = f.deliveries();
        if (d != null) {
            out.printf(
                    "deliveries    %s received  out of order %s  gaps %s  unknown channel %s  unreadable %s  "
                            + "pusher:ping %s  pusher:error %s%n",
                    count(d.received()),
                    count(d.outOfOrder()),
                    count(d.gaps()),
                    count(d.unknownChannel()),
                    count(d.unreadable()),
                    count(d.pusherPings()),
                    count(d.pusherErrors()));
        }
        if (f.steps().isEmpty()) {
            return;
        }
        out.printf("steps (%d-byte events, %d channels per trigger)%n", f.eventSize(), f.channelsPerTrigger());
        out.printf(
                "  %4s %9s %11s %11s %12s %9s %9s %9s %10s %10s %8s  %s%n",
                "step",
                "rate/ch",
                "events/s",
                "published",
                "deliveries/s",
                "p50 ms",
                "p99 ms",
                "max ms",
                "missing",
                "lost",
                "µs/del",
                "result");
        for (RunReport.Step st : f.steps()) {
            RunReport.Latency l = st.latency();
            out.printf(
                    "  %4d %9s %11s %11s %12s %9s %9s %9s %10s %10s %8s  %s%n",
                    st.step(),
                    decimal(st.ratePerChannel(), 1),
                    decimal(st.targetEventsPerSecond(), 1),
                    decimal(st.eventsPerSecond(), 1),
                    count(Math.round(st.deliveriesPerSecond())),
                    l == null ? "-" : millis(l.p50()),
                    l == null ? "-" : millis(l.p99()),
                    l == null ? "-" : millis(l.max()),
                    count(st.missingAtEvaluation()),
                    count(st.lostFinal()),
                    st.serverCpuMicrosPerDelivery() == null ? "-" : decimal(st.serverCpuMicrosPerDelivery(), 2),
                    st.passed() ? "PASS" : "FAIL: " + String.join(", ", st.failedBecause()));
        }
        RunReport.Step best = f.best();
        out.println(
                best == null
                        ? "best          no step passed"
                        : String.format(
                                "best          %s events/s per channel: %s deliveries/s, p99 %s ms%s",
                                decimal(best.ratePerChannel(), 1),
                                count(Math.round(best.deliveriesPerSecond())),
                                millis(best.latency().p99()),
                                best.serverCpuMicrosPerDelivery() == null
                                        ? ""
                                        : ", " + decimal(best.serverCpuMicrosPerDelivery(), 2)
                                                + " µs of server CPU per delivery"));
    }

    private static String reasons(Map<String, Long> m) {
        return m.entrySet().stream()
                .map(e -> e.getKey() + " " + count(e.getValue()))
                .collect(Collectors.joining(", "));
    }
}
