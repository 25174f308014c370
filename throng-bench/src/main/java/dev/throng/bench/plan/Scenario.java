package dev.throng.bench.plan;

/** What each connection does once it is open. */
public enum Scenario {
    /** Hold the connection: answer the server's pings, optionally send client pings ({@code --client-ping}). */
    IDLE,
    /** Send a message every {@code --interval} and time its echo. */
    ECHO,
    /**
     * Pusher channels: connect to {@code /app/{key}}, subscribe to K of C public channels, then count and time the
     * events a publisher triggers through the server's HTTP API, step by step ({@code run.SubscribeSettings},
     * bench/fanout.md).
     */
    SUBSCRIBE
}
