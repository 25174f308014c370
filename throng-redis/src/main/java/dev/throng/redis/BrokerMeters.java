package dev.throng.redis;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The Redis broker's meters ({@code throng_broker_*}, on the gateway's registry: {@code GET /metrics}): commands sent
 * to Redis (round trips) and their failures by operation, publications sent and received, resubscriptions, lease
 * refreshes, reaped nodes and rebuilds; gauges for the connection and the channels subscribed. Counters are found
 * once, never looked up by tags on a hot path.
 */
final class BrokerMeters {
    /** What a Redis command was for: the {@code op} tag. */
    enum Op {
        PUBLISH,
        PUBLISH_CACHED,
        SUBSCRIBE,
        UNSUBSCRIBE,
        COUNTS,
        PRESENCE,
        QUERY,
        LEASE,
        REAP,
        QUOTA,
        CONTROL
    }

    private final Map<Op, Counter> commands = new EnumMap<>(Op.class);
    private final Map<Op, Counter> errors = new EnumMap<>(Op.class);
    final Counter published;
    final Counter received;
    final Counter echoesIgnored;
    final Counter resubscriptions;
    final Counter leaseRefreshes;
    final Counter reapedNodes;
    final Counter rebuilds;

    BrokerMeters(MeterRegistry registry, Supplier<Boolean> connected, Supplier<Integer> channels) {
        for (Op op : Op.values()) {
            String tag = op.name().toLowerCase(java.util.Locale.ROOT);
            commands.put(
                    op,
                    Counter.builder("throng_broker_redis_commands")
                            .tag("op", tag)
                            .description("Commands sent to Redis (each a round trip, pipelined), by operation")
                            .register(registry));
            errors.put(
                    op,
                    Counter.builder("throng_broker_redis_errors")
                            .tag("op", tag)
                            .description(
                                    "Redis commands that failed (rejected while disconnected, timed out, refused), by "
                                            + "operation")
                            .register(registry));
        }
        published = Counter.builder("throng_broker_published")
                .description("Publications sent to Redis for the other nodes")
                .register(registry);
        received = Counter.builder("throng_broker_received")
                .description("Publications received from other nodes through Redis")
                .register(registry);
        echoesIgnored = Counter.builder("throng_broker_echoes_ignored")
                .description("This node's own publications coming back from Redis, ignored (delivered already)")
                .register(registry);
        resubscriptions = Counter.builder("throng_broker_resubscriptions")
                .description("Channels subscribed again in Redis after a reconnection")
                .register(registry);
        leaseRefreshes = Counter.builder("throng_broker_lease_refreshes")
                .description("Refreshes of this node's lease")
                .register(registry);
        reapedNodes = Counter.builder("throng_broker_reaped_nodes")
                .description("Dead nodes whose state this node removed after their lease expired")
                .register(registry);
        rebuilds = Counter.builder("throng_broker_rebuilds")
                .description(
                        "Times this node rewrote its state in Redis from its own (after a reconnection, or after it "
                                + "found its lease gone)")
                .register(registry);
        // Strong references: the suppliers are lambdas nobody else holds (Micrometer keeps gauges' objects weakly).
        Gauge.builder("throng_broker_connected", connected, c -> c.get() ? 1 : 0)
                .strongReference(true)
                .description("1 while the node's Redis connection is up")
                .register(registry);
        Gauge.builder("throng_broker_channels", channels, c -> c.get())
                .strongReference(true)
                .description("Channels this node subscribes to in Redis (those it has subscribers of)")
                .register(registry);
    }

    /** Meters nobody reads (before the gateway starts the broker). */
    static BrokerMeters unregistered() {
        return new BrokerMeters(new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), () -> false, () -> 0);
    }

    void command(Op op) {
        commands.get(op).increment();
    }

    void error(Op op) {
        errors.get(op).increment();
    }
}
