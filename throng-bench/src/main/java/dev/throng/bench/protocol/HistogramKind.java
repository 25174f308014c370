package dev.throng.bench.protocol;

/** The latencies and intervals a run records, each in its own histogram, in microseconds. */
public enum HistogramKind {
    /** From {@code connect()} to the TCP connection being established. */
    CONNECT("connect"),
    /** From {@code connect()} to a valid 101 response: TCP connect plus the opening handshake. */
    HANDSHAKE("handshake"),
    /** Time between two consecutive pings from the server on one connection. */
    SERVER_PING_INTERVAL("serverPingInterval"),
    /** Echo scenario: from writing a message to reading its echo. */
    ECHO_ROUND_TRIP("echoRoundTrip"),
    /** Idle scenario with client pings: from writing a ping to reading its pong. */
    CLIENT_PING_ROUND_TRIP("clientPingRoundTrip"),
    /** Subscribe scenario: from {@code connect()} to the last {@code pusher_internal:subscription_succeeded}. */
    SUBSCRIBE("subscribe"),
    /** Subscribe scenario: from the publisher stamping an event to a subscriber reading it (all steps). */
    DELIVERY("delivery");

    private final String key;

    HistogramKind(String key) {
        this.key = key;
    }

    /** The key in reports. */
    public String key() {
        return key;
    }
}
