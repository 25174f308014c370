package dev.throng.core.transport;

import dev.throng.core.HttpService;
import dev.throng.core.ServerConfig;
import dev.throng.core.ServerStats;
import dev.throng.core.UpgradeDecision;
import dev.throng.core.UpgradeRequest;
import dev.throng.core.WebSocketHandler;
import dev.throng.core.codec.FrameLimits;
import dev.throng.core.handshake.HttpReplyReason;
import dev.throng.core.handshake.UpgradeOutcome;
import dev.throng.core.handshake.UpgradeValidator;
import dev.throng.core.internal.FailureLog;
import dev.throng.core.internal.MemoryBudget;
import dev.throng.core.internal.ServerCounters;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.PlatformDependent;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What every connection of one server shares: configuration, the application's handler, counters, the memory budget
 * and the per-loop {@link ServerLoop}s. Connections reach it through their loop instead of holding copies.
 */
final class ServerContext {
    final ServerConfig config;
    final WebSocketHandler handler;
    final UpgradeValidator validator;
    final ServerCounters counters = new ServerCounters();
    final FailureLog failures = new FailureLog();
    final MemoryBudget budget;
    final Admission admission;
    final long closeTimeoutNanos;
    final long handshakeTimeoutNanos;
    final long idleTimeoutNanos;
    /** The limits every frame parser of this server shares. */
    final FrameLimits frameLimits;
    /** Request targets seen so far, so the many connections opened on one URL share one String. */
    private final ConcurrentHashMap<String, String> targets = new ConcurrentHashMap<>();
    /** Bound on {@link #targets}: distinct URLs (e.g. with tokens in the query) beyond it are kept per connection. */
    private static final int MAX_SHARED_TARGETS = 256;

    /** Written once at start, before the server accepts; read-only afterwards. */
    private volatile List<ServerLoop> loops = List.of();

    private volatile Map<EventExecutor, ServerLoop> loopsByExecutor = Map.of();
    /** Set by the watchdog when a loop stalls; never cleared (the process is expected to exit). */
    private volatile String unhealthy;

    /** The application's plain-HTTP service on this port, or {@code null}. */
    final HttpService httpService;

    ServerContext(ServerConfig config, WebSocketHandler handler, HttpService httpService) {
        this.config = config;
        this.handler = handler;
        this.httpService = httpService;
        this.validator = new UpgradeValidator(config);
        this.admission = new Admission(config);
        long budget = config.limits().memoryBudget();
        this.budget = new MemoryBudget(budget > 0 ? budget : derivedMemoryBudget());
        this.closeTimeoutNanos = config.keepalive().closeTimeout().toNanos();
        this.handshakeTimeoutNanos = config.handshake().timeout().toNanos();
        this.idleTimeoutNanos = config.keepalive().idleTimeout().toNanos();
        this.frameLimits =
                new FrameLimits(config.limits().maxFrameSize(), config.limits().maxMessageSize());
    }

    /**
     * The budget when none is configured: half of the smaller of the heap and direct-memory limits. Bytes in flight
     * live in direct buffers (reads, frames, inflated messages) and, for text, briefly as Strings on the heap; the
     * other half leaves room for the connections themselves, the allocator's pools and read buffers in use.
     */
    static long derivedMemoryBudget() {
        long direct = PlatformDependent.maxDirectMemory();
        long heap = Runtime.getRuntime().maxMemory();
        long smaller = Math.min(direct > 0 ? direct : heap, heap == Long.MAX_VALUE ? direct : heap);
        return Math.max(1 << 20, smaller / 2);
    }

    void loops(List<ServerLoop> loops) {
        this.loops = List.copyOf(loops);
        Map<EventExecutor, ServerLoop> byExecutor = new java.util.HashMap<>();
        loops.forEach(loop -> byExecutor.put(loop.executor, loop));
        this.loopsByExecutor = Map.copyOf(byExecutor);
    }

    /** Every loop of this server. */
    List<ServerLoop> loops() {
        return loops;
    }

    /** The loop state of {@code executor} (channel transports, which learn their executor from the channel). */
    ServerLoop loop(EventExecutor executor) {
        return loopsByExecutor.get(executor);
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

    /** Marks the server unhealthy for {@code reason} (the watchdog); returns whether it was healthy until now. */
    boolean markUnhealthy(String reason) {
        synchronized (this) {
            if (unhealthy != null) {
                return false;
            }
            unhealthy = reason;
            return true;
        }
    }

    boolean healthy() {
        return unhealthy == null;
    }

    ServerStats stats() {
        return counters.snapshot(budget, failures, healthy());
    }

    /**
     * Whether {@code request} goes to the application's {@link HttpService}: a plain request (no WebSocket upgrade),
     * not the health check, that the service claims.
     */
    boolean handsOver(HttpRequest request) {
        if (httpService == null
                || request.decoderResult().isFailure()
                || request.headers().containsValue(HttpHeaderNames.UPGRADE, "websocket", true)
                || UpgradeValidator.HEALTH_PATH.equals(pathOf(request.uri()))) {
            return false;
        }
        return httpService.serves(request);
    }

    private static String pathOf(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    /**
     * Answers an opening handshake from {@code peer}: the {@link UpgradeValidator}'s verdict, then admission (caps,
     * handshake rate, draining), which refuses with 503 or 429 and a spread Retry-After, then the application's
     * upgrade hook ({@link WebSocketHandler#onUpgrade}). Counts the refusals. An {@link UpgradeOutcome.Accept} has
     * taken an admission slot, which the connection gives back when it closes.
     */
    UpgradeOutcome judge(HttpRequest request, SocketAddress peer) {
        UpgradeOutcome outcome = validator.validate(request);
        if (outcome instanceof UpgradeOutcome.Reply) {
            HttpReplyReason reason = ((UpgradeOutcome.Reply) outcome).reason();
            if (reason == HttpReplyReason.HEALTHY) {
                return healthy() ? outcome : new UpgradeOutcome.Reply(HttpReplyReason.UNHEALTHY);
            }
            counters.rejected.increment();
            return outcome;
        }
        InetAddress address = WebSocketSession.addressOf(peer);
        HttpReplyReason refused = admission.admit(address);
        if (refused != null) {
            counters.rejected.increment();
            counters.shed.increment();
            long base = config.admission().retryAfter().toSeconds();
            long retryAfter = base + ThreadLocalRandom.current().nextLong(base + 1); // spread the returns
            return new UpgradeOutcome.Reply(refused, Map.of("Retry-After", Long.toString(Math.max(1, retryAfter))));
        }
        UpgradeDecision decision;
        try {
            decision = handler.onUpgrade(new UpgradeRequest(request, peer));
        } catch (Throwable t) {
            WebSocketSession.LOG.warn("onUpgrade threw for {}; answering 500", peer, t);
            decision = UpgradeDecision.refuse(500, "the handler failed");
        }
        if (!decision.accepted()) {
            admission.release(address);
            counters.rejected.increment();
            return new UpgradeOutcome.Reply(
                    HttpReplyReason.REFUSED_BY_HANDLER, Map.of(), decision.status(), decision.message());
        }
        return decision.attachment() == null
                ? outcome
                : ((UpgradeOutcome.Accept) outcome).withAttachment(decision.attachment());
    }
}
