package dev.throng.core;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import java.net.SocketAddress;

/**
 * One open WebSocket connection, handed to the {@link WebSocketHandler}.
 *
 * <p><b>Threading.</b> The send methods, {@link #close}, {@link #isOpen} and {@link #isWritable} may be called from any
 * thread. Sends from the connection's own event loop (for example from inside a handler method) are encoded at once;
 * sends from other threads are handed to the event loop and keep their order relative to each other per calling
 * thread. {@link #isOpen} and {@link #isWritable} are snapshots, exact only on the event loop. {@link #path},
 * {@link #subprotocol}, {@link #compressionEnabled}, {@link #remoteAddress} and {@link #loop} never change once
 * {@link WebSocketHandler#onOpen} is called, so any thread that was handed the connection may read them.
 * {@link #offer}, {@link #attachment} and {@link #attach} are for the event loop only (handler methods, and tasks
 * run by {@link #loop()}): the attachment is a plain field, for the event loop's state of this connection.
 *
 * <p><b>Outcome.</b> Each send returns a future that succeeds once the frame is written to the socket, or fails (for
 * example with {@link java.nio.channels.ClosedChannelException} once the connection is closing or closed, or with
 * {@link SlowConsumerException} when the outbound limit was hit). Nothing is queued without bound: see
 * {@link ServerConfig.Limits#maxOutboundBytes()}.
 */
public interface WebSocketConnection {

    /** Sends {@code text} as one text message (compressed when negotiated and worthwhile). */
    Future<Void> sendText(CharSequence text);

    /**
     * Sends the readable bytes of {@code utf8}, which the caller vouches are valid UTF-8, as one text message, without
     * making a String of them: an echo, or text passed on as it came (see {@link WebSocketHandler}'s byte-level
     * {@code onText}).
     *
     * <p><b>Buffer ownership:</b> as {@link #sendBinary}: this method takes over one reference and releases it.
     */
    Future<Void> sendText(ByteBuf utf8);

    /**
     * Writes {@code message}, encoded once for many connections, now: its compressed form when permessage-deflate
     * was negotiated and compression makes it smaller, else its plain frame; each straight from the shared memory to
     * the socket. On the event loop only; the message stays owned by the caller (a connection that cannot write the
     * whole frame at once keeps what it needs itself).
     *
     * @return {@code false}, without writing, when {@link ServerConfig.Limits#maxOutboundBytes()} are already waiting
     *     for the socket (the caller decides what to do with such a slow consumer, e.g. close it); {@code true}
     *     otherwise, including when the connection is closing (the message is then dropped)
     * @throws IllegalStateException when called off the connection's event loop
     */
    boolean offer(PreparedMessage message);

    /**
     * As {@link #offer(PreparedMessage)} for {@code messages[0..count)}, in that order, with one gathering write where
     * the transport can: a subscriber's share of several publications costs one system call instead of
     * {@code count}. All or nothing: {@code false}, writing none of them, when {@link ServerConfig#maxOutboundBytes()}
     * are already waiting.
     *
     * @throws IllegalStateException when called off the connection's event loop
     */
    boolean offer(PreparedMessage[] messages, int count);

    /**
     * As {@link #offer}, from any thread: hops onto the event loop (retaining {@code message} until then). The future
     * succeeds once the message is handed to the socket, and fails as {@link #sendText}'s does (a slow consumer is
     * closed with 1013 here, as by the other sends).
     */
    Future<Void> send(PreparedMessage message);

    /** This connection's event loop. */
    IoLoop loop();

    /**
     * Sends the readable bytes of {@code data} as one binary message.
     *
     * <p><b>Buffer ownership:</b> this method takes over one reference to {@code data} and releases it, whatever
     * the outcome.
     */
    Future<Void> sendBinary(ByteBuf data);

    /**
     * Starts the closing handshake (RFC 6455 §7.1.2): sends a close frame with {@code code} and {@code reason}, then
     * closes the TCP connection when the peer answers, or after {@link ServerConfig.Keepalive#closeTimeout()}.
     * Idempotent.
     *
     * @param code a code the server may send: 1000-1003, 1007-1014, 3000-4999
     * @param reason a reason; truncated to fit the 123 bytes a close frame has room for
     */
    Future<Void> close(int code, String reason);

    /** Whether the connection is open and no close frame has been sent or received. */
    boolean isOpen();

    /**
     * Whether the outbound buffer is below its high-water mark
     * ({@link ServerConfig.Limits#writeBufferHighWaterMark()}). A sender that respects it never hits
     * {@link ServerConfig.Limits#maxOutboundBytes()}.
     */
    boolean isWritable();

    /** The peer's address. */
    SocketAddress remoteAddress();

    /** The request path of the opening handshake, with its query string. */
    String path();

    /** The negotiated subprotocol, or {@code null} when none was. */
    String subprotocol();

    /** Whether permessage-deflate was negotiated. */
    boolean compressionEnabled();

    /** The application's object for this connection, or {@code null}. On the event loop only. */
    <T> T attachment();

    /** Sets the application's object for this connection. On the event loop only. */
    void attach(Object attachment);
}
