package dev.throng.gateway;

import dev.throng.core.ServerConfig;
import dev.throng.core.ThrongServer;

import java.time.Duration;

/**
 * A running Pusher gateway: the engine's server with the Pusher protocol on every connection and the REST API on the
 * same port. Made with {@link #start}; thread-safe.
 *
 * <pre>
 * try (Gateway gateway = Gateway.start(ServerConfig.builder().port(6001).build(), GatewayConfig.DEFAULTS)) {
 *     gateway.server().awaitClose();
 * }
 * </pre>
 */
public final class Gateway implements AutoCloseable {
    private final ThrongServer server;

    private Gateway(ThrongServer server) {
        this.server = server;
    }

    /**
     * Starts serving {@code config}'s apps on the address {@code serverConfig} names; returns once the port is bound.
     *
     * @throws IllegalStateException when the server cannot start
     */
    public static Gateway start(ServerConfig serverConfig, GatewayConfig config) {
        throw new UnsupportedOperationException("the gateway's hub is being written: this entry point is its API");
    }

    /** The engine's server under the gateway (its address, counters, loops). */
    public ThrongServer server() {
        return server;
    }

    /** As {@link ThrongServer#drain}: no new connections, open ones closed spread over {@code window}, then stop. */
    public void drain(Duration window) {
        server.drain(window);
    }

    @Override
    public void close() {
        server.close();
    }
}
