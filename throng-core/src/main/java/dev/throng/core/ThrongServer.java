package dev.throng.core;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * A running WebSocket server.
 *
 * <pre>
 * try (ThrongServer server = ThrongServer.start(ServerConfig.builder().port(8080).build(), new EchoHandler())) {
 *     server.awaitClose();
 * }
 * </pre>
 *
 * <p>Thread-safe. {@link #close()} stops at once; {@link #drain(Duration)} closes connections gracefully first.
 */
public interface ThrongServer extends AutoCloseable {

    /**
     * Binds and starts serving; returns once the port is bound.
     *
     * @throws IllegalStateException when the transport cannot start or the address cannot be bound
     */
    static ThrongServer start(ServerConfig config, WebSocketHandler handler) {
        return start(config, handler, null);
    }

    /**
     * As {@link #start(ServerConfig, WebSocketHandler)}, with plain HTTP requests that {@code httpService} claims
     * handed to it on the same port ({@link HttpService}). The server comes from the transport's
     * {@link ServerProvider}, found on the class path when the first server starts.
     */
    static ThrongServer start(ServerConfig config, WebSocketHandler handler, HttpService httpService) {
        return ServerProviders.PROVIDER.start(config, handler, httpService);
    }

    /** The bound address (with the real port when 0 was configured). */
    InetSocketAddress localAddress();

    /** The bound port. */
    default int port() {
        return localAddress().getPort();
    }

    /** The transport the server runs on: {@link TransportKind#EPOLL} or {@link TransportKind#NIO}. */
    TransportKind transport();

    /** The configuration the server runs with. */
    ServerConfig config();

    /** The server's event loops, in a fixed order ({@link IoLoop#index()}), each with its share of connections. */
    List<IoLoop> loops();

    /** A snapshot of the counters, summed over event loops. */
    ServerStats stats();

    /**
     * Registers {@code listener} to be told, once, when the server turns unhealthy: an event loop did not run for
     * {@link ServerConfig.Keepalive#loopStallTimeout()} (or ended), so the connections it owns are no longer served and
     * {@code /healthz} answers 503. The listener runs on the watchdog thread with a one-line reason; a process that
     * runs one server typically logs and exits non-zero so that its supervisor restarts it. Never called when the
     * stall timeout is zero.
     */
    void onUnhealthy(Consumer<String> listener);

    /**
     * Graceful shutdown (issue #4): stops accepting, then closes every connection with 1001 (going away) in
     * batches spread evenly over {@code window} so clients do not reconnect in one stampede, waits for their close
     * handshakes, and stops. Returns when stopped, at the latest after {@code window} plus the close timeout.
     */
    void drain(Duration window);

    /** Blocks until the server is closed. */
    void awaitClose() throws InterruptedException;

    /** Stops at once: closes the listening socket and every connection without a closing handshake. */
    @Override
    void close();
}
