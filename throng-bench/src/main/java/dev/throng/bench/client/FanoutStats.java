package dev.throng.bench.client;

import dev.throng.bench.protocol.FanoutSnapshot;
import dev.throng.bench.protocol.Histograms;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The subscribe scenario's counters of one event loop ({@link FanoutSnapshot} explains each). Part of
 * {@link LoopStats}, with the same threading: written by the loop's thread only, copied on it.
 */
public final class FanoutStats {

    public long subscribedConnections;
    public long subscriptions;
    public final Map<String, Long> subscribeFailures = new HashMap<>();
    public final int[] subscribersPerChannel;
    public long delivered;
    public long outOfOrder;
    public long gaps;
    public long unknownChannel;
    public long unreadable;
    public long pusherPings;
    public long pusherErrors;
    public long otherEvents;
    private final long[] stepReceived;
    private final long[] stepOutOfOrder;
    private final Histogram[] stepLatency;

    public FanoutStats(int channels, int steps) {
        this.subscribersPerChannel = new int[channels];
        this.stepReceived = new long[steps];
        this.stepOutOfOrder = new long[steps];
        this.stepLatency = new Histogram[steps];
        for (int i = 0; i < steps; i++) {
            stepLatency[i] = Histograms.create();
        }
    }

    int stepCount() {
        return stepReceived.length;
    }

    /** Counts a benchmark event of {@code step} received {@code micros} after it was published. */
    void deliver(long step, long micros) {
        if (step < 0 || step >= stepReceived.length) {
            unreadable++;
            return;
        }
        delivered++;
        stepReceived[(int) step]++;
        stepLatency[(int) step].recordValue(Math.min(Math.max(micros, 0), Histograms.HIGHEST_MICROS));
    }

    /** Counts an event of {@code step} that came out of sequence (already counted by {@link #deliver}). */
    void outOfOrder(long step) {
        outOfOrder++;
        if (step >= 0 && step < stepOutOfOrder.length) {
            stepOutOfOrder[(int) step]++;
        }
    }

    void failSubscribe(String reason) {
        subscribeFailures.merge(reason, 1L, Long::sum);
    }

    /** Adds everything to {@code into}, which has as many channels and steps. */
    void addTo(FanoutStats into) {
        into.subscribedConnections += subscribedConnections;
        into.subscriptions += subscriptions;
        subscribeFailures.forEach((k, v) -> into.subscribeFailures.merge(k, v, Long::sum));
        for (int i = 0; i < subscribersPerChannel.length; i++) {
            into.subscribersPerChannel[i] += subscribersPerChannel[i];
        }
        into.delivered += delivered;
        into.outOfOrder += outOfOrder;
        into.gaps += gaps;
        into.unknownChannel += unknownChannel;
        into.unreadable += unreadable;
        into.pusherPings += pusherPings;
        into.pusherErrors += pusherErrors;
        into.otherEvents += otherEvents;
        for (int i = 0; i < stepReceived.length; i++) {
            into.stepReceived[i] += stepReceived[i];
            into.stepOutOfOrder[i] += stepOutOfOrder[i];
            into.stepLatency[i].add(stepLatency[i]);
        }
    }

    /** What goes to the coordinator. */
    public FanoutSnapshot snapshot() {
        List<FanoutSnapshot.Step> steps = new ArrayList<>(stepReceived.length);
        for (int i = 0; i < stepReceived.length; i++) {
            steps.add(new FanoutSnapshot.Step(
                    stepReceived[i],
                    stepOutOfOrder[i],
                    stepLatency[i].getTotalCount() == 0 ? null : Histograms.encode(stepLatency[i])));
        }
        return new FanoutSnapshot(
                subscribedConnections,
                subscriptions,
                new HashMap<>(subscribeFailures),
                subscribersPerChannel.clone(),
                delivered,
                outOfOrder,
                gaps,
                unknownChannel,
                unreadable,
                pusherPings,
                pusherErrors,
                otherEvents,
                steps);
    }
}
