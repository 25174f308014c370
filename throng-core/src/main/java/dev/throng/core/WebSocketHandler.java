package dev.throng.core;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The application's side of every connection of a server. One instance serves all connections.
 *
 * <p><b>Threading.</b> Every method is called on the connection's event loop thread and never concurrently for the
 * same connection; different connections may be served by different threads at once, so state shared between
 * connections must be thread-safe. Methods must not block: a blocked event loop stalls every connection it owns.
 *
 * <p><b>Order.</b> {@link #onOpen} first; then messages in the order they were received; {@link #onClose} exactly
 * once, last. {@link #onError} may come before {@code onClose} when the handler itself threw.
 *
 * <p><b>Exceptions.</b> If a method throws, the connection is closed with 1011 (internal error) and
 * {@link #onError} is called with the exception.
 */
public interface WebSocketHandler {

    /**
     * A valid upgrade request passed the server's checks and admission: accept it (optionally attaching the
     * application's object to the connection, set before {@link #onOpen}) or refuse it with an HTTP status. Called on
     * the event loop that will own the connection, before the {@code 101}; must not block. Default: accept.
     */
    default UpgradeDecision onUpgrade(UpgradeRequest request) {
        return UpgradeDecision.accept();
    }

    /**
     * The close code a peer that missed the server's keepalive (silent for a whole ping interval after a ping) is
     * told, in a close frame written just before the TCP connection is closed; 0 (the default) writes none, as RFC
     * 6455 expects for a peer taken for dead (the application then sees 1006). A protocol whose clients act on close
     * codes sets its own (the Pusher gateway: 4201, on which pusher-js reconnects at once). Read once per such close.
     */
    default int deadPeerCloseCode() {
        return 0;
    }

    /**
     * The close code every connection is told when the server drains ({@link ThrongServer#drain}): 1001 "going
     * away" by default, as RFC 6455 names it. A protocol whose clients act on close codes sets its own (the Pusher
     * gateway: 4200, on which pusher-js reconnects at once, to another node behind the balancer). Read once per
     * drain.
     */
    default int shutdownCloseCode() {
        return 1001;
    }

    /** The opening handshake completed; the connection can send. */
    default void onOpen(WebSocketConnection connection) {}

    /** A complete text message, validated as UTF-8 (and inflated, when compressed). */
    default void onText(WebSocketConnection connection, String text) {}

    /**
     * A complete text message as its UTF-8 bytes (validated, and inflated when compressed); what the server calls.
     * This default decodes them and calls {@link #onText(WebSocketConnection, String)}; a handler that passes text on
     * or parses it from bytes overrides this one instead and makes no String ({@link EchoHandler}).
     *
     * <p><b>Buffer ownership:</b> as {@link #onBinary}'s: {@code utf8} is borrowed.
     */
    default void onText(WebSocketConnection connection, ByteBuf utf8) {
        onText(connection, utf8.toString(StandardCharsets.UTF_8));
    }

    /**
     * A complete binary message (inflated, when compressed).
     *
     * <p><b>Buffer ownership:</b> {@code data} is borrowed: it is released after this method returns. Call
     * {@code data.retain()} (and release it later) to keep it, or pass it to {@code sendBinary} after a
     * {@code retain()} (send takes one reference).
     */
    default void onBinary(WebSocketConnection connection, ByteBuf data) {}

    /**
     * The connection closed. Called exactly once, after the TCP connection is closed.
     *
     * @param code the close code received from the peer; if none was received, the code the server sent; else
     *     1006 (closed without a close frame)
     * @param reason the peer's close reason, or the server's, or empty
     */
    default void onClose(WebSocketConnection connection, int code, String reason) {}

    /** The handler threw while handling an event of this connection; the connection is being closed with 1011. */
    default void onError(WebSocketConnection connection, Throwable cause) {}
}
