package dev.throng.gateway.broker;

import dev.throng.gateway.app.App;
import dev.throng.gateway.metrics.GatewayMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * What the gateway's nodes share (issue #17 item 11, issue #18): publications, channel counts (and with them the
 * occupied and vacated decisions of webhooks), presence members, the last event of cache channels, user terminations
 * and connection quotas. The hub of each node calls it; an in-process implementation serves one node
 * ({@link LocalBroker}), a Redis one a cluster ({@code throng-redis}), and both pass one contract test suite
 * ({@code BrokerContract} in the gateway's test sources).
 *
 * <p><b>Threads.</b> Thread-safe: called from every event loop and the REST path at once. <b>No method blocks</b>:
 * the gateway calls them on its event loops. Where the caller needs an answer before it can reply (a presence join,
 * a cache lookup, a REST query) the method returns a {@link CompletionStage}; a local implementation returns it
 * completed, a cluster one completes it on its own I/O thread, and the caller hops back to its event loop. Where the
 * answer only drives side effects (webhooks, {@code member_added}), the method returns nothing and the broker calls
 * the {@link Node} back when it has decided, once per cluster.
 *
 * <pre>
 * broker.start(hub, metrics);
 * hub.subscribe(...);                                 // interest(app, channel, true) on the node's first subscriber
 * broker.ready(app, channel).whenComplete(...)        // then subscription_succeeded: later publications arrive
 * broker.subscribed(app, channel, 1);                 // Node.occupancy(app, channel, true) if the cluster's first
 * broker.join(app, "presence-x", member, socketId, 100)
 *     .whenComplete((joined, failure) -&gt; loop.execute(...));   // FULL, or the members to send
 * </pre>
 *
 * <p><b>Failures.</b> A stage fails with {@link BrokerUnavailableException} when the shared state cannot be reached;
 * the fire-and-forget methods then act on this node alone and the broker repairs the shared state from this node's
 * own when it is reachable again. {@link #degradedReason()} says whether that is the case now.
 */
public interface Broker extends AutoCloseable {

    /**
     * Starts; from now on publications for channels this node is {@linkplain #interest interested} in reach
     * {@code node}. The broker registers its own meters (if any) on {@code metrics}' registry. Called once, before
     * any other method.
     */
    void start(Node node, GatewayMetrics metrics);

    // ---- publications -----------------------------------------------------------------------------------------

    /**
     * Publishes to every subscriber of the channel on every node, this one included ({@link Node#deliver}, on this
     * node at once, on the calling thread). Publications of one publisher (one thread, in call order) to one channel
     * are delivered in that order, at most once per node.
     */
    void publish(Publication publication);

    /**
     * As {@link #publish}, and keeps the publication as the channel's last event for {@code ttl} (cache channels):
     * a subscription whose {@link #cached} lookup is answered after this publication reached the shared state gets
     * it from the cache, one answered before gets it delivered, never both (on this node the delivery may wait for
     * the shared state's answer so that the two are ordered).
     */
    void publishCached(Publication publication, Duration ttl);

    /**
     * Whether this node has local subscribers of {@code channel}: it is told when the first one subscribes and when the
     * last one leaves (in that order for one channel: the hub calls it under the channel's lock), so that a node
     * receives only the traffic of channels it serves.
     */
    void interest(App app, String channel, boolean interested);

    /**
     * Completes once publications to {@code channel} from anywhere reach this node, after {@link #interest} said so:
     * a subscriber told {@code subscription_succeeded} after it receives everything published from then on. Completes
     * at once where nothing is to wait for (a local broker; a channel the node already receives). Fails when the
     * shared state cannot be reached (the node then serves the channel locally, and receives the others' publications
     * once it is reachable again).
     */
    CompletionStage<Void> ready(App app, String channel);

    // ---- channel counts ---------------------------------------------------------------------------------------

    /**
     * A connection of this node subscribed ({@code delta} 1) to or unsubscribed ({@code delta} -1) from
     * {@code channel}. When the channel's count over all nodes goes from 0 to more, or back to 0, the broker calls
     * {@link Node#occupancy} on one node (the webhooks' decisions), once per cluster; a cluster broker may merge
     * changes made within a few milliseconds, so a subscribe and unsubscribe in quick succession may decide nothing.
     */
    void subscribed(App app, String channel, int delta);

    /** What the REST API tells about a channel. */
    record ChannelInfo(long subscriptionCount, int userCount) {
        /** An unoccupied channel. */
        public static final ChannelInfo VACANT = new ChannelInfo(0, 0);
    }

    /** The channel's subscription count over all nodes and, for presence channels, its number of users. */
    CompletionStage<ChannelInfo> channel(App app, String channel);

    /**
     * Every occupied channel of {@code app} whose name starts with {@code prefix} ("" for all), with its counts, sorted
     * by name.
     */
    CompletionStage<Map<String, ChannelInfo>> channels(App app, String prefix);

    // ---- presence ---------------------------------------------------------------------------------------------

    /** A presence channel's member: its user id as the JSON value received, its string form, its info as JSON. */
    record Member(String idJson, String id, String infoJson) {}

    /** What {@link #join} did. */
    enum Join {
        /** The user's first connection in the channel over the cluster: {@code member_added} was announced. */
        FIRST,
        /** Another connection of a user already present: nothing to announce. */
        AGAIN,
        /** The channel has its maximum of members: the subscription is refused, nothing changed. */
        FULL
    }

    /**
     * What a join answers: its outcome and, unless {@link Join#FULL}, the channel's members with the joining user
     * among them (one per user, order unspecified).
     */
    record Joined(Join outcome, List<Member> members) {}

    /**
     * A connection ({@code socketId}) of {@code member}'s user joins a presence channel of at most {@code maxMembers}
     * users over the cluster. On {@link Join#FIRST} the broker has announced {@code pusher_internal:member_added} to
     * every subscriber but {@code socketId} (delivered to this node through {@link Node#deliver}) and called
     * {@link Node#membership}. A failed stage joined nothing. Each join not {@link Join#FULL} is ended by one
     * {@link #leave}.
     */
    CompletionStage<Joined> join(App app, String channel, Member member, String socketId, int maxMembers);

    /**
     * That connection leaves. If it was the user's last in the channel over the cluster, the broker announces
     * {@code pusher_internal:member_removed} and calls {@link Node#membership}.
     */
    void leave(App app, String channel, Member member, String socketId);

    /** The channel's members, one per user (order unspecified). */
    CompletionStage<List<Member>> members(App app, String channel);

    // ---- cache channels ---------------------------------------------------------------------------------------

    /** The last event of a cache channel, and how long it is still kept. */
    record Cached(String event, String data, Duration ttl) {}

    /** The channel's last event while it is kept; completes with {@code null} when there is none. */
    CompletionStage<Cached> cached(App app, String channel);

    // ---- users and quotas -------------------------------------------------------------------------------------

    /** Closes every connection signed in as {@code userId}, on every node ({@link Node#terminateUser}). */
    void terminateUser(App app, String userId);

    /**
     * Takes a connection slot of the app's quota ({@code max} > 0); false when the quota is full. Answers from what the
     * node knows, without a round trip (it runs for every handshake): a cluster broker may be off by a bound it
     * documents.
     */
    boolean admit(App app, int max);

    /** Gives a slot back. */
    void release(App app);

    // ---- state ------------------------------------------------------------------------------------------------

    /**
     * Null while the shared state is reachable; otherwise one line saying why not (the node then serves its own
     * connections only: the REST API says so, and cluster queries fail).
     */
    default String degradedReason() {
        return null;
    }

    /**
     * What the broker tells this node. Called from broker threads or the caller's thread, never while the broker holds
     * a lock the node could need; each method returns at once.
     */
    interface Node {
        /** The apps this node serves (fixed for its life). */
        List<App> apps();

        /** A publication for a channel this node is interested in (or one this node published). */
        void deliver(Publication publication);

        /** Close the connections of this node signed in as {@code userId}. */
        void terminateUser(App app, String userId);

        /** {@code channel} became occupied (its first subscriber in the cluster) or vacant (its last left). */
        void occupancy(App app, String channel, boolean occupied);

        /**
         * {@code userId} became a member of presence {@code channel} (its first connection in the cluster) or stopped
         * being one (its last left, or its node died); the {@code pusher_internal} event is already announced.
         */
        void membership(App app, String channel, String userId, boolean present);
    }

    @Override
    void close();
}
