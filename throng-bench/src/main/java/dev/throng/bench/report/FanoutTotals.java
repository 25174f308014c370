package dev.throng.bench.report;

import dev.throng.bench.protocol.FanoutSnapshot;
import dev.throng.bench.protocol.Histograms;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/** The subscribe-scenario counters of several workers, summed, with each step's latency histograms merged. */
public final class FanoutTotals {

    public long subscribedConnections;
    public long subscriptions;
    public final Map<String, Long> subscribeFailures = new TreeMap<>();
    public long[] subscribersPerChannel = new long[0];
    public long delivered;
    public long outOfOrder;
    public long gaps;
    public long unknownChannel;
    public long unreadable;
    public long pusherPings;
    public long pusherErrors;
    public long otherEvents;
    public final List<Long> stepReceived = new ArrayList<>();
    public final List<Long> stepOutOfOrder = new ArrayList<>();
    public final List<Histogram> stepLatency = new ArrayList<>();

    /** Sums {@code snapshots}, skipping nulls; null when there is none. */
    public static FanoutTotals merge(List<FanoutSnapshot> snapshots) {
        FanoutTotals t = null;
        for (FanoutSnapshot s : snapshots) {
            if (s == null) {
                continue;
            }
            if (t == null) {
                t = new FanoutTotals();
                t.subscribersPerChannel = new long[s.subscribersPerChannel().length];
                for (int i = 0; i < s.steps().size(); i++) {
                    t.stepReceived.add(0L);
                    t.stepOutOfOrder.add(0L);
                    t.stepLatency.add(Histograms.create());
                }
            }
            t.subscribedConnections += s.subscribedConnections();
            t.subscriptions += s.subscriptions();
            for (Map.Entry<String, Long> e : s.subscribeFailures().entrySet()) {
                t.subscribeFailures.merge(e.getKey(), e.getValue(), Long::sum);
            }
            for (int i = 0; i < Math.min(t.subscribersPerChannel.length, s.subscribersPerChannel().length); i++) {
                t.subscribersPerChannel[i] += s.subscribersPerChannel()[i];
            }
            t.delivered += s.delivered();
            t.outOfOrder += s.outOfOrder();
            t.gaps += s.gaps();
            t.unknownChannel += s.unknownChannel();
            t.unreadable += s.unreadable();
            t.pusherPings += s.pusherPings();
            t.pusherErrors += s.pusherErrors();
            t.otherEvents += s.otherEvents();
            for (int i = 0; i < Math.min(t.stepReceived.size(), s.steps().size()); i++) {
                FanoutSnapshot.Step step = s.steps().get(i);
                t.stepReceived.set(i, t.stepReceived.get(i) + step.received());
                t.stepOutOfOrder.set(i, t.stepOutOfOrder.get(i) + step.outOfOrder());
                if (step.latency() != null) {
                    t.stepLatency.get(i).add(Histograms.decode(step.latency()));
                }
            }
        }
        return t;
    }

    public long subscribeFailed() {
        return subscribeFailures.values().stream().mapToLong(Long::longValue).sum();
    }
}
