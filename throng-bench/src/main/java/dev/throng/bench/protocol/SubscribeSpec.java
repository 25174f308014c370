package dev.throng.bench.protocol;

import dev.throng.bench.pusher.ChannelPlan;

/**
 * What a worker's connections do in the subscribe scenario (part of {@link WorkerSpec}; null in the others).
 *
 * @param channels {@code C}: channels {@code channelPrefix + 0 … C-1}
 * @param perClient {@code K}: subscriptions per connection, spread by {@link ChannelPlan}
 * @param channelPrefix the channels' common prefix, e.g. {@code bench-}
 * @param eventName the name of the benchmark events, e.g. {@code bench}
 * @param steps how many step numbers events may carry (0 to steps - 1): one per publish step, plus the warm-up's
 */
public record SubscribeSpec(int channels, int perClient, String channelPrefix, String eventName, int steps) {

    public ChannelPlan plan() {
        return new ChannelPlan(channels, perClient);
    }
}
