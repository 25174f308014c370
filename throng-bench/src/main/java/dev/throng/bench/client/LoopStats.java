package dev.throng.bench.client;

import dev.throng.bench.protocol.HistogramKind;
import dev.throng.bench.protocol.Histograms;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The counters and histograms of one event loop. Written only by that loop's thread, so plain fields suffice;
 * another thread reads them by running {@link #copy} on the loop (see {@code Worker}).
 *
 * <p>Every histogram is kept twice: for the whole run, and for the interval since the last {@link #copy} that
 * reset it (the per-second progress line shows interval percentiles).
 */
public final class LoopStats {

    public long attempted;
    public long established;
    public long open;
    public long closedClean;
    public long closedUnclean;
    public long portsSkipped;
    public long messagesSent;
    public long messagesReceived;
    public long bytesSent;
    public long bytesReceived;
    public long sendsSkipped;
    public long serverPings;
    public long clientPings;
    public long pongs;
    public final Map<String, Long> failures = new HashMap<>();
    public final Map<String, Long> lost = new HashMap<>();
    public final Map<Integer, Long> lostBySecond = new TreeMap<>();
    /** Subscribe scenario only, else null. */
    public FanoutStats fanout;

    private final Histogram[] total = new Histogram[HistogramKind.values().length];
    private final Histogram[] interval = new Histogram[HistogramKind.values().length];

    public LoopStats() {
        for (int i = 0; i < total.length; i++) {
            total[i] = Histograms.create();
            interval[i] = Histograms.create();
        }
    }

    /** Counts a failed attempt. */
    public void fail(String reason) {
        failures.merge(reason, 1L, Long::sum);
    }

    /** Counts an established connection lost {@code second} whole seconds after the start. */
    public void lose(String reason, int second) {
        lost.merge(reason, 1L, Long::sum);
        lostBySecond.merge(second, 1L, Long::sum);
    }

    public void record(HistogramKind kind, long nanos) {
        Histograms.recordNanos(total[kind.ordinal()], nanos);
        Histograms.recordNanos(interval[kind.ordinal()], nanos);
    }

    public Histogram total(HistogramKind kind) {
        return total[kind.ordinal()];
    }

    public Histogram interval(HistogramKind kind) {
        return interval[kind.ordinal()];
    }

    public long failed() {
        return failures.values().stream().mapToLong(Long::longValue).sum();
    }

    public long lostTotal() {
        return lost.values().stream().mapToLong(Long::longValue).sum();
    }

    /** A deep copy; when {@code resetInterval}, this object's interval histograms start over. */
    public LoopStats copy(boolean resetInterval) {
        LoopStats c = new LoopStats();
        addTo(c);
        if (resetInterval) {
            for (Histogram h : interval) {
                h.reset();
            }
        }
        return c;
    }

    /** Adds every counter and histogram of this object to {@code into}. */
    public void addTo(LoopStats into) {
        into.attempted += attempted;
        into.established += established;
        into.open += open;
        into.closedClean += closedClean;
        into.closedUnclean += closedUnclean;
        into.portsSkipped += portsSkipped;
        into.messagesSent += messagesSent;
        into.messagesReceived += messagesReceived;
        into.bytesSent += bytesSent;
        into.bytesReceived += bytesReceived;
        into.sendsSkipped += sendsSkipped;
        into.serverPings += serverPings;
        into.clientPings += clientPings;
        into.pongs += pongs;
        failures.forEach((k, v) -> into.failures.merge(k, v, Long::sum));
        lost.forEach((k, v) -> into.lost.merge(k, v, Long::sum));
        lostBySecond.forEach((k, v) -> into.lostBySecond.merge(k, v, Long::sum));
        if (fanout != null) {
            if (into.fanout == null) {
                into.fanout = new FanoutStats(fanout.subscribersPerChannel.length, fanout.stepCount());
            }
            fanout.addTo(into.fanout);
        }
        for (int i = 0; i < total.length; i++) {
            into.total[i].add(total[i]);
            into.interval[i].add(interval[i]);
        }
    }
}
