package dev.throng.core.transport;

import dev.throng.core.ServerConfig;
import dev.throng.core.WebSocketHandler;
import dev.throng.core.handshake.UpgradeValidator;
import dev.throng.core.internal.KeepaliveWheel;
import dev.throng.core.internal.ServerCounters;
import io.netty.util.concurrent.EventExecutor;

import java.util.Map;

/**
 * What every connection of one server shares: configuration, the application's handler, counters and the
 * per-event-loop keepalive wheels. Connections hold one reference to it instead of copies of its fields.
 */
final class ServerContext {
    final ServerConfig config;
    final WebSocketHandler handler;
    final UpgradeValidator validator;
    final ServerCounters counters = new ServerCounters();
    final Admission admission;
    final long closeTimeoutNanos;
    final long idleTimeoutNanos;
    /** Written once at start, before the server accepts; read-only afterwards. */
    private volatile Map<EventExecutor, KeepaliveWheel> wheels = Map.of();

    ServerContext(ServerConfig config, WebSocketHandler handler) {
        this.config = config;
        this.handler = handler;
        this.validator = new UpgradeValidator(config);
        this.admission = new Admission(config);
        this.closeTimeoutNanos = config.closeTimeout().toNanos();
        this.idleTimeoutNanos = config.idleTimeout().toNanos();
    }

    void wheels(Map<EventExecutor, KeepaliveWheel> wheels) {
        this.wheels = Map.copyOf(wheels);
    }

    /** The keepalive wheel (and connection registry) of {@code loop}. */
    KeepaliveWheel wheel(EventExecutor loop) {
        return wheels.get(loop);
    }
}
