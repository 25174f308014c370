package dev.throng.redis;

import dev.throng.gateway.app.App;
import io.lettuce.core.ScriptOutputType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Connection quotas over the cluster, without a round trip per handshake (issue #18 item 4; a node takes 39k
 * handshakes/s): each node counts its own connections of each app exactly, and every {@code quotaSync} it reports
 * them to Redis ({@code PREFIX:{app}:conns}, node → count) and reads the others' sum ({@code quota.lua}). A handshake
 * is admitted while this node's count plus the others' last read is below the quota.
 *
 * <p><b>Error bound</b> (docs/cluster.md, "Connection quotas"): the others' sum is at most one sync interval (plus
 * a round trip) old, so the cluster can exceed the quota by at most the connections the other nodes accepted in the
 * last {@code quotaSync}; it never refuses while the cluster (as last read) has room. A node that dies keeps counting
 * until it is reaped (its lease, {@link RedisClusterSettings#expiryBound()}). While Redis is unreachable a node keeps
 * admitting against the others' last known sum.
 *
 * <p>Thread-safe: admit and release from any loop (lock-free), sync on the broker's thread.
 */
final class ConnectionQuota {
    private final RedisBroker broker;
    private final ConcurrentHashMap<String, AppQuota> byApp = new ConcurrentHashMap<>();

    /** One app's counts on this node. */
    static final class AppQuota {
        final App app;
        final AtomicInteger mine = new AtomicInteger();
        /** The other nodes' connections as last read. */
        volatile int others;

        AppQuota(App app) {
            this.app = app;
        }
    }

    ConnectionQuota(RedisBroker broker) {
        this.broker = broker;
    }

    private AppQuota of(App app) {
        AppQuota q = byApp.get(app.id());
        if (q == null) {
            broker.know(app);
            q = byApp.computeIfAbsent(app.id(), id -> new AppQuota(app));
        }
        return q;
    }

    /** Makes {@code app} one whose counts are synced (before its first connection: the start's first sync). */
    void track(App app) {
        of(app);
    }

    boolean admit(App app, int max) {
        AppQuota q = of(app);
        for (; ; ) {
            int mine = q.mine.get();
            if (mine + q.others >= max) {
                return false;
            }
            if (q.mine.compareAndSet(mine, mine + 1)) {
                return true;
            }
        }
    }

    void release(App app) {
        of(app).mine.decrementAndGet();
    }

    /** Reports this node's counts and reads the others' (on the broker's thread); null when no app has a quota. */
    CompletionStage<?> sync() {
        if (byApp.isEmpty()) {
            return null;
        }
        List<AppQuota> quotas = new ArrayList<>(byApp.values());
        List<String> args = new ArrayList<>();
        args.add(broker.keys.prefix);
        args.add(broker.nodeId);
        for (AppQuota q : quotas) {
            args.add(q.app.id());
            args.add(Integer.toString(Math.max(0, q.mine.get())));
        }
        broker.meters.command(BrokerMeters.Op.QUOTA);
        CompletionStage<List<Object>> reply = Scripts.QUOTA.run(broker.redis, ScriptOutputType.MULTI, args);
        return reply.whenComplete((others, failure) -> {
            if (failure != null) {
                broker.meters.error(BrokerMeters.Op.QUOTA);
                return; // the last known sums stay
            }
            for (int i = 0; i < quotas.size() && i < others.size(); i++) {
                quotas.get(i).others = (int) ((Number) others.get(i)).longValue();
            }
        });
    }

    /** This node's connections and the others' last read, by app id (tests, logs). */
    Map<String, int[]> snapshot() {
        Map<String, int[]> out = new java.util.TreeMap<>();
        byApp.forEach((id, q) -> out.put(id, new int[] {q.mine.get(), q.others}));
        return out;
    }
}
