package dev.throng.bench;

/** What each connection does once it is open. */
public enum Scenario {
    /** Hold the connection: answer the server's pings, optionally send client pings ({@code --client-ping}). */
    IDLE,
    /** Send a message every {@code --interval} and time its echo. */
    ECHO,
    /** Subscribe to a channel and time publications; needs the gateway, which does not exist yet. */
    SUBSCRIBE
}
