package dev.throng.core.transport;

import dev.throng.core.ServerConfig;
import dev.throng.core.WebSocketHandler;
import dev.throng.core.codec.FrameParser;
import dev.throng.core.handshake.HttpReplyReason;
import dev.throng.core.handshake.UpgradeOutcome;
import dev.throng.core.handshake.UpgradeValidator;
import dev.throng.core.internal.KeepaliveWheel;
import dev.throng.core.internal.ServerCounters;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;

import java.net.InetAddress;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

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
    final long handshakeTimeoutNanos;
    final long idleTimeoutNanos;
    /** Request targets seen so far, so the many connections opened on one URL share one String. */
    private final ConcurrentHashMap<String, String> targets = new ConcurrentHashMap<>();
    /** Bound on {@link #targets}: distinct URLs (e.g. with tokens in the query) beyond it are kept per connection. */
    private static final int MAX_SHARED_TARGETS = 256;
    /**
     * Each event loop's parser for connections between messages: a connection borrows it for one read and keeps
     * it only when the read ends inside a message or frame ({@link WebSocketSession}), so an idle connection holds
     * no parser. Empty while lent out, so a read that somehow nests in another gets a parser of its own. Static,
     * so that servers started and stopped in one JVM do not each take a thread-local slot for good.
     */
    private static final FastThreadLocal<FrameParser> IDLE_PARSERS = new FastThreadLocal<>();

    /** Written once at start, before the server accepts; read-only afterwards. */
    private volatile Map<EventExecutor, KeepaliveWheel> wheels = Map.of();
    /** As {@link #wheels}: the handshakes in progress on each loop (lean sessions only). */
    private volatile Map<EventExecutor, HandshakeTimeouts> handshakeTimeouts = Map.of();

    ServerContext(ServerConfig config, WebSocketHandler handler) {
        this.config = config;
        this.handler = handler;
        this.validator = new UpgradeValidator(config);
        this.admission = new Admission(config);
        this.closeTimeoutNanos = config.closeTimeout().toNanos();
        this.handshakeTimeoutNanos = config.handshakeTimeout().toNanos();
        this.idleTimeoutNanos = config.idleTimeout().toNanos();
    }

    /** The shared instance equal to {@code target}, when one is kept. */
    String sharedTarget(String target) {
        String shared = targets.get(target);
        if (shared != null) {
            return shared;
        }
        if (targets.size() >= MAX_SHARED_TARGETS) {
            return target;
        }
        shared = targets.putIfAbsent(target, target);
        return shared == null ? target : shared;
    }

    /**
     * Answers an opening handshake from {@code peer}: the {@link UpgradeValidator}'s verdict, then admission (caps,
     * handshake rate, draining), which refuses with 503 or 429 and a spread Retry-After. Counts the refusals. An
     * {@link UpgradeOutcome.Accept} has taken an admission slot, which the connection gives back when it closes.
     */
    UpgradeOutcome judge(HttpRequest request, InetAddress peer) {
        UpgradeOutcome outcome = validator.validate(request);
        if (outcome instanceof UpgradeOutcome.Reply) {
            if (((UpgradeOutcome.Reply) outcome).reason() != HttpReplyReason.HEALTHY) {
                counters.rejected.increment();
            }
            return outcome;
        }
        HttpReplyReason refused = admission.admit(peer);
        if (refused == null) {
            return outcome;
        }
        counters.rejected.increment();
        counters.shed.increment();
        long base = config.retryAfter().toSeconds();
        long retryAfter = base + ThreadLocalRandom.current().nextLong(base + 1); // spread the returns
        return new UpgradeOutcome.Reply(refused, Map.of("Retry-After", Long.toString(Math.max(1, retryAfter))));
    }

    /** The calling loop's idle parser (it is the caller's until {@link #returnParser}), or a new one. */
    FrameParser borrowParser() {
        FrameParser parser = IDLE_PARSERS.get();
        if (parser == null || !parser.limits().equals(config.frameLimits())) {
            return new FrameParser(config.frameLimits()); // lent out, or another server's on this thread
        }
        IDLE_PARSERS.set(null);
        return parser;
    }

    /** Gives an {@linkplain FrameParser#isIdle() idle} parser back to the calling loop. */
    void returnParser(FrameParser parser) {
        if (IDLE_PARSERS.get() == null) {
            IDLE_PARSERS.set(parser);
        }
    }

    void wheels(Map<EventExecutor, KeepaliveWheel> wheels) {
        this.wheels = Map.copyOf(wheels);
    }

    void handshakeTimeouts(Map<EventExecutor, HandshakeTimeouts> timeouts) {
        this.handshakeTimeouts = Map.copyOf(timeouts);
    }

    /** The handshakes in progress on {@code loop}. */
    HandshakeTimeouts handshakeTimeouts(EventExecutor loop) {
        return handshakeTimeouts.get(loop);
    }

    /** The keepalive wheel (and connection registry) of {@code loop}. */
    KeepaliveWheel wheel(EventExecutor loop) {
        return wheels.get(loop);
    }
}
