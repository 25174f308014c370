package dev.throng.bench.protocol;

import java.util.List;
import java.util.Map;

/**
 * A worker's subscribe-scenario counters at one moment (part of {@link WorkerSnapshot}; null in the other
 * scenarios). Cumulative since {@code go}, histograms included.
 *
 * @param subscribedConnections connections that got {@code pusher_internal:subscription_succeeded} for all K channels
 * @param subscriptions {@code subscription_succeeded} messages received
 * @param subscribeFailures connections that did not get there, by reason: {@code timeout} (none within
 *     {@code --connect-timeout} of {@code connect()}), {@code pusher-error} (a {@code pusher:error} came first),
 *     {@code lost} (the connection ended first)
 * @param subscribersPerChannel acknowledged subscriptions per channel index
 * @param delivered benchmark events received
 * @param outOfOrder events whose sequence number was not above the last one of their channel on that connection: a
 *     duplicate, or one overtaken by a later event
 * @param gaps sequence numbers skipped (a later event arrived first); an event lost for good shows here and as a
 *     shortfall of {@code delivered}
 * @param unknownChannel events or acknowledgements for a channel the connection did not ask for
 * @param unreadable benchmark events whose data the bench could not read, or whose step is out of range
 * @param pusherPings {@code pusher:ping} messages received (each answered with {@code pusher:pong})
 * @param pusherErrors {@code pusher:error} messages received
 * @param otherEvents messages with any other event
 * @param steps per publish step: events received and their publish-to-receive latency
 */
public record FanoutSnapshot(
        long subscribedConnections,
        long subscriptions,
        Map<String, Long> subscribeFailures,
        int[] subscribersPerChannel,
        long delivered,
        long outOfOrder,
        long gaps,
        long unknownChannel,
        long unreadable,
        long pusherPings,
        long pusherErrors,
        long otherEvents,
        List<Step> steps) {

    /**
     * @param received benchmark events of this step received
     * @param outOfOrder of those, how many came with a sequence number not above the last of their channel
     * @param latency their publish-to-receive times (HdrHistogram, microseconds, as {@link Histograms#encode}), or
     *     null when none arrived
     */
    public record Step(long received, long outOfOrder, String latency) {}

    public long subscribeFailed() {
        return subscribeFailures.values().stream().mapToLong(Long::longValue).sum();
    }
}
