package dev.throng.bench.hsload;

import dev.throng.bench.client.FailureReason;
import dev.throng.bench.protocol.FanoutSnapshot;
import dev.throng.bench.protocol.HistogramKind;
import dev.throng.bench.protocol.Histograms;
import dev.throng.bench.protocol.WorkerSnapshot;
import dev.throng.bench.protocol.WorkerSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Turns hsload's statistics ({@link HsloadStats}) into the snapshots a worker reports ({@link WorkerSnapshot} with its
 * {@link FanoutSnapshot}), as the Java worker counts the same things: handshake failures under {@link FailureReason}'s
 * ids, per-step deliveries, out-of-order events and latency histograms, subscriptions per channel. hsload's buckets
 * become HdrHistogram values at each bucket's middle ({@code recordValueWithCount}), so a percentile is within half a
 * bucket (0.8 % with 64 sub-buckets) of hsload's. What hsload does not count (bytes, close handshakes, client pings,
 * {@code pusher:ping}s: it answers WebSocket pings and sends no {@code pusher:ping}) is 0.
 *
 * <p>Interval histograms ({@code progress}) are the difference from the counts of the previous interval call, so one
 * instance follows one hsload process, called from one thread.
 */
public final class HsloadSnapshots {

    /** What the worker adds to hsload's own counts. */
    public record Extras(
            long pid, long cpuNanos, long rssBytes, long subscribeTimeouts, long rampMillis, boolean closed) {}

    private final WorkerSpec spec;
    /** Per step, the cumulative bucket counts at the last interval snapshot. */
    private final Map<Integer, Map<Long, Long>> stepsSeen = new HashMap<>();

    private Map<Long, Long> handshakesSeen = new HashMap<>();

    public HsloadSnapshots(WorkerSpec spec) {
        this.spec = spec;
    }

    /**
     * The snapshot of {@code stats} (null: hsload has written nothing yet, all counts 0).
     *
     * @param interval histograms since the previous interval snapshot ({@code progress}); else the whole run
     */
    public WorkerSnapshot snapshot(HsloadStats stats, Extras extras, boolean interval) {
        HsloadStats s = stats != null ? stats : HsloadStats.parse("hsload-stats 1\nend");
        Map<String, Long> failures = new TreeMap<>();
        put(failures, FailureReason.REFUSED.id(), s.get("fails", "connect"));
        put(failures, FailureReason.RESET.id(), s.get("fails", "reset"));
        put(failures, FailureReason.CLOSED.id(), s.get("fails", "eof"));
        put(failures, FailureReason.HANDSHAKE_INVALID.id(), s.get("fails", "accept"));
        put(failures, FailureReason.TIMEOUT.id(), s.get("fails", "timeout"));
        put(failures, FailureReason.OTHER.id(), s.get("fails", "other"));
        put(failures, FailureReason.ABORTED.id(), s.get("handshakes", "unfinished"));
        s.statuses().forEach((code, n) -> put(failures, FailureReason.httpStatus(code), n));
        Map<String, Long> lost = new TreeMap<>();
        long resets = s.get("handshakes", "resets");
        put(lost, FailureReason.RESET.id(), resets);
        put(lost, FailureReason.CLOSED.id(), s.get("handshakes", "dropped") - resets);

        Map<String, String> histograms = new LinkedHashMap<>();
        Histogram handshakes = histogram(s.handshakes(), s.handshakeSubBits(), interval ? handshakesSeen : Map.of());
        if (interval) {
            handshakesSeen = counts(s.handshakes());
        }
        if (handshakes.getTotalCount() > 0) {
            histograms.put(HistogramKind.HANDSHAKE.key(), Histograms.encode(handshakes));
        }
        Histogram deliveries = Histograms.create();
        for (Map.Entry<Integer, HsloadStats.Step> e : s.steps().entrySet()) {
            List<HsloadStats.Bucket> buckets = e.getValue().latency();
            deliveries.add(histogram(
                    buckets, s.latencySubBits(), interval ? stepsSeen.getOrDefault(e.getKey(), Map.of()) : Map.of()));
            if (interval) {
                stepsSeen.put(e.getKey(), counts(buckets));
            }
        }
        if (deliveries.getTotalCount() > 0) {
            histograms.put(HistogramKind.DELIVERY.key(), Histograms.encode(deliveries));
        }

        return new WorkerSnapshot(
                spec.worker(),
                extras.pid(),
                s.get("handshakes", "attempted"),
                s.get("handshakes", "ok"),
                extras.closed() ? 0 : s.get("handshakes", "held"),
                failures,
                lost,
                Map.of(),
                0,
                0,
                s.get("handshakes", "skipped"),
                s.get("pusher", "subscribes"),
                s.get("frames", "texts"),
                0,
                0,
                0,
                s.get("frames", "pings"),
                0,
                0,
                extras.rampMillis(),
                extras.cpuNanos(),
                extras.rssBytes(),
                0,
                histograms,
                spec.subscribe() == null ? null : fanout(s, extras));
    }

    private FanoutSnapshot fanout(HsloadStats s, Extras extras) {
        int channels = spec.subscribe().channels();
        int stepCount = spec.subscribe().steps();
        int[] perChannel = new int[channels];
        long unknown = s.get("pusher", "unknown_channel");
        for (Map.Entry<Integer, Long> e : s.channelAcks().entrySet()) {
            if (e.getKey() < channels) {
                perChannel[e.getKey()] += (int) (long) e.getValue();
            } else {
                unknown += e.getValue();
            }
        }
        Map<String, Long> subscribeFailures = new HashMap<>();
        put(subscribeFailures, "pusher-error", s.get("pusher", "sub_errors"));
        put(subscribeFailures, "lost", s.get("pusher", "sub_lost"));
        put(subscribeFailures, "timeout", extras.subscribeTimeouts());
        long delivered = 0;
        long outOfOrder = 0;
        long gaps = 0;
        long unreadable = s.get("pusher", "unreadable");
        List<FanoutSnapshot.Step> steps = new ArrayList<>(stepCount);
        for (int k = 0; k < stepCount; k++) {
            steps.add(new FanoutSnapshot.Step(0, 0, null));
        }
        for (Map.Entry<Integer, HsloadStats.Step> e : s.steps().entrySet()) {
            HsloadStats.Step st = e.getValue();
            gaps += st.gaps();
            if (e.getKey() >= stepCount) { // a step number the run does not use, as the Java worker counts it
                unreadable += st.received();
                continue;
            }
            delivered += st.received();
            outOfOrder += st.outOfOrder();
            Histogram h = histogram(st.latency(), s.latencySubBits(), Map.of());
            steps.set(
                    e.getKey(),
                    new FanoutSnapshot.Step(
                            st.received(), st.outOfOrder(), h.getTotalCount() == 0 ? null : Histograms.encode(h)));
        }
        return new FanoutSnapshot(
                s.get("pusher", "subscribed"),
                s.get("pusher", "acks"),
                subscribeFailures,
                perChannel,
                delivered,
                outOfOrder,
                gaps,
                unknown,
                unreadable,
                0,
                s.get("pusher", "errors"),
                0,
                steps);
    }

    /**
     * A histogram of {@code buckets} less the counts in {@code seen} (by low bound), each bucket recorded at its
     * middle, clamped as {@link Histograms} clamps.
     */
    static Histogram histogram(List<HsloadStats.Bucket> buckets, int subBits, Map<Long, Long> seen) {
        Histogram h = Histograms.create();
        for (HsloadStats.Bucket b : buckets) {
            long n = b.count() - seen.getOrDefault(b.low(), 0L);
            if (n > 0) {
                h.recordValueWithCount(Math.min(middle(b.low(), subBits), Histograms.HIGHEST_MICROS), n);
            }
        }
        return h;
    }

    /**
     * The middle of the bucket whose low bound is {@code low} in a log-linear histogram of {@code 2^subBits}
     * sub-buckets per power of two: below {@code 2^subBits} buckets are one wide, above they are
     * {@code 2^(floor(log2 low) - subBits)}.
     */
    static long middle(long low, int subBits) {
        if (low < 1L << subBits) {
            return low;
        }
        int msb = 63 - Long.numberOfLeadingZeros(low);
        long width = 1L << (msb - subBits);
        return low + (width - 1) / 2;
    }

    private static Map<Long, Long> counts(List<HsloadStats.Bucket> buckets) {
        Map<Long, Long> m = new HashMap<>();
        for (HsloadStats.Bucket b : buckets) {
            m.put(b.low(), b.count());
        }
        return m;
    }

    private static void put(Map<String, Long> m, String key, long n) {
        if (n > 0) {
            m.put(key, n);
        }
    }
}
