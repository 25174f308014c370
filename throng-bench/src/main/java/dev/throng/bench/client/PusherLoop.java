package dev.throng.bench.client;

import dev.throng.bench.protocol.SubscribeSpec;
import dev.throng.bench.pusher.ChannelPlan;
import dev.throng.bench.pusher.MessageScanner;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * What the subscribe scenario's connections of one event loop share, so that each holds only its own few fields:
 * the channel plan, the message scanner, and the payloads of the messages they send. Event-loop thread only.
 */
final class PusherLoop {

    /** pusher-js's activity timeout, used until a server's {@code connection_established} says otherwise. */
    private static final long DEFAULT_ACTIVITY_NANOS = TimeUnit.SECONDS.toNanos(120);
    /** {@code pusher:pong}, as pusher-js answers {@code pusher:ping}. */
    static final byte[] PONG = ascii("{\"event\":\"pusher:pong\",\"data\":{}}");
    /** {@code pusher:ping}, as pusher-js sends it after {@code activity_timeout} without receiving anything. */
    static final byte[] PING = ascii("{\"event\":\"pusher:ping\",\"data\":{}}");

    final ChannelPlan plan;
    final MessageScanner scanner;
    /** Where a message is copied to be scanned ({@link MessageScanner} explains why). */
    final byte[] scratch = new byte[ServerFrameParser.MAX_WHOLE_TEXT];
    /** How long after {@code connect()} a connection must have all its subscriptions acknowledged. */
    final long subscribeTimeoutNanos;
    /** The {@code activity_timeout} servers announce (the first one read), as nanoseconds. */
    long activityNanos = DEFAULT_ACTIVITY_NANOS;

    private boolean activityKnown;
    private final String channelPrefix;

    PusherLoop(SubscribeSpec spec, long subscribeTimeoutNanos) {
        this.plan = spec.plan();
        this.scanner = new MessageScanner(spec.eventName(), spec.channelPrefix());
        this.subscribeTimeoutNanos = subscribeTimeoutNanos;
        this.channelPrefix = spec.channelPrefix();
    }

    /** {@code pusher:subscribe} to public channel {@code channel}, as the bench sends it (pusher-js adds "auth":""). */
    byte[] subscribe(int channel) {
        return ascii("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channelPrefix + channel + "\"}}");
    }

    /** Notes a server's {@code activity_timeout} in seconds (all connections of a run talk to one kind of server). */
    void activityTimeout(long seconds) {
        if (!activityKnown && seconds > 0) {
            activityKnown = true;
            activityNanos = TimeUnit.SECONDS.toNanos(seconds);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
