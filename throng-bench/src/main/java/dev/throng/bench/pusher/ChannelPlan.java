package dev.throng.bench.pusher;

/**
 * Which channels each connection subscribes to: connection {@code j} (its run-wide index) takes the {@code K}
 * consecutive channels from {@code j * K mod C}, wrapping. Over {@code N} connections each channel gets
 * {@code N * K / C} subscribers (exactly, when {@code C} divides {@code N * K}; otherwise the first ones get one more),
 * and no connection subscribes to a channel twice as long as {@code K <= C}.
 *
 * @param channels {@code C}, the channel count; channels are named {@code prefix + index}
 * @param perClient {@code K}, subscriptions per connection
 */
public record ChannelPlan(int channels, int perClient) {

    public ChannelPlan {
        if (channels < 1) {
            throw new IllegalArgumentException("--channels must be at least 1, got " + channels);
        }
        if (perClient < 1 || perClient > channels) {
            throw new IllegalArgumentException("--subscriptions-per-client must be 1-" + channels
                    + " (no more than --channels), got " + perClient);
        }
    }

    /** The first channel of connection {@code index}. */
    public int firstChannel(long index) {
        return (int) (index * perClient % channels);
    }

    /** The {@code i}-th channel ({@code 0 <= i < K}) of a connection whose first channel is {@code first}. */
    public int channel(int first, int i) {
        int c = first + i;
        return c >= channels ? c - channels : c;
    }

    /** Which of its subscriptions {@code channel} is for a connection starting at {@code first}, or -1: not one. */
    public int slot(int first, int channel) {
        int i = channel - first;
        if (i < 0) {
            i += channels;
        }
        return i < perClient ? i : -1;
    }

    /** How many of {@code connections} subscribe to {@code channel}. */
    public long subscribers(long connections, int channel) {
        long total = connections * perClient;
        return total / channels + (channel < total % channels ? 1 : 0);
    }
}
