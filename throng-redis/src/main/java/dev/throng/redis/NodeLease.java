package dev.throng.redis;

import dev.throng.gateway.app.App;
import io.lettuce.core.ScriptOutputType;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's lease in Redis, and the reaper of dead nodes' (issue #18 items 3 and 6). Every {@code leaseRefresh} the
 * node pushes its lease's expiry to {@code leaseTtl} from now, on Redis's clock ({@code PREFIX:nodes}, a sorted set:
 * no clock of a node's is compared with another's), then removes every node whose lease expired ({@code reap.lua}):
 * their subscription counts (a channel they alone held becomes vacant: {@code channel_vacated} once, from the reaping
 * node), presence connections ({@code member_removed} for users they alone held) and connection counts. A node killed
 * with SIGKILL thus loses its members within {@code leaseTtl + leaseRefresh}.
 *
 * <p>If the refresh finds no lease of this node (Redis restarted and lost it, or the node was away longer than its
 * lease and was reaped), the node rebuilds its state in Redis from its own truth. A closing node reaps itself, so
 * that nothing of it waits for the expiry.
 */
final class NodeLease {
    private static final Logger LOG = LoggerFactory.getLogger(NodeLease.class);
    /** Dead nodes removed per run at most: one script stays short even after a mass failure. */
    private static final int REAP_BATCH = 16;

    private final RedisBroker broker;

    NodeLease(RedisBroker broker) {
        this.broker = broker;
    }

    /** Refreshes the lease; completes with whether the lease had gone (then the node must rebuild). */
    CompletionStage<Boolean> refresh() {
        broker.meters.command(BrokerMeters.Op.LEASE);
        CompletionStage<Long> reply = Scripts.LEASE.run(
                broker.redis,
                ScriptOutputType.INTEGER,
                List.of(
                        broker.keys.prefix,
                        broker.nodeId,
                        Long.toString(broker.settings.leaseTtl().toMillis())));
        return reply.handle((added, failure) -> {
            if (failure != null) {
                broker.meters.error(BrokerMeters.Op.LEASE);
                broker.leaseFailed(failure);
                throw broker.unavailable("lease refresh", failure);
            }
            broker.meters.leaseRefreshes.increment();
            broker.leaseRefreshed();
            return added == 1;
        });
    }

    /** Removes expired nodes (or, with {@code node}, that one now) and tells this node what changed. */
    CompletionStage<?> reap(String node) {
        broker.meters.command(BrokerMeters.Op.REAP);
        CompletionStage<List<Object>> reply = Scripts.REAP.run(
                broker.redis,
                ScriptOutputType.MULTI,
                List.of(broker.keys.prefix, broker.nodeId, node == null ? "" : node, Integer.toString(REAP_BATCH)));
        return reply.whenComplete((changes, failure) -> {
            if (failure != null) {
                broker.meters.error(BrokerMeters.Op.REAP);
                return;
            }
            for (int i = 0; i + 4 < changes.size(); i += 5) {
                String kind = (String) changes.get(i);
                String appOrNode = (String) changes.get(i + 1);
                if (kind.equals("node")) {
                    if (!appOrNode.equals(broker.nodeId)) {
                        broker.meters.reapedNodes.increment();
                        LOG.info("reaped node {}: its lease expired; its members and counts are removed", appOrNode);
                    }
                    continue;
                }
                App app = broker.app(appOrNode);
                if (app == null) {
                    continue; // an app this node does not serve: nobody here to tell
                }
                String channel = (String) changes.get(i + 2);
                if (kind.equals("vacated")) {
                    broker.occupancy(app, channel, false);
                } else {
                    broker.presence.announced(
                            app, kind, channel, (String) changes.get(i + 3), (String) changes.get(i + 4));
                }
            }
        });
    }
}
