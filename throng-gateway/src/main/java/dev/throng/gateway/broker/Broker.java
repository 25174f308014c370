package dev.throng.gateway.broker;

import dev.throng.gateway.app.App;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the gateway's nodes share (issue #17 item 11): publications, channel counts (and with them the occupied and
 * vacated decisions of webhooks), presence members, the last event of cache channels, user terminations and
 * connection quotas. The hub of each node calls it; an in-process implementation serves one node
 * ({@link LocalBroker}), a Redis one a cluster (throng-redis), and both pass one contract test suite.
 *
 * <p>Thread-safe: called from every event loop and the REST path at once. Calls return without blocking on the
 * network (a cluster implementation answers from what it has and settles in the background, or blocks only briefly
 * where noted). Deliveries to this node go to the {@link Node} given to {@link #start}.
 */
public interface Broker extends AutoCloseable {

    /** Starts; from now on publications for channels this node is {@linkplain #interest interested} in reach node. */
    void start(Node node);

    // ---- publications -----------------------------------------------------------------------------------------

    /**
     * Publishes to every subscriber of the channel on every node, this one included ({@link Node#deliver}).
     * Publications of one publisher to one channel are delivered in the order published, at most once per node.
     */
    void publish(Publication publication);

    /**
     * Whether this node has local subscribers of {@code channel}: it is told when the first one subscribes and when the
     * last one leaves, so that a node receives only the traffic of channels it serves.
     */
    void interest(App app, String channel, boolean interested);

    // ---- channel counts ---------------------------------------------------------------------------------------

    /**
     * A connection of this node subscribed ({@code delta} 1) to or unsubscribed ({@code delta} -1) from
     * {@code channel}. Returns the channel's subscription count over all nodes after the change: 1 after a subscribe
     * means the channel became occupied, 0 after an unsubscribe that it became vacant (the webhooks' decisions).
     */
    long subscribed(App app, String channel, int delta);

    /** The channel's subscription count over all nodes. */
    long subscriptionCount(App app, String channel);

    /** Every occupied channel of {@code app} whose name starts with {@code prefix} ("" for all), with its count. */
    Map<String, Long> channels(App app, String prefix);

    // ---- presence ---------------------------------------------------------------------------------------------

    /** A presence channel's member: its user id as the JSON value received, its string form, its info as JSON. */
    record Member(String idJson, String id, String infoJson) {
    }

    /** What {@link #join} did. */
    enum Join {
        /** The user's first connection in the channel: announce {@code member_added}. */
        FIRST,
        /** Another connection of a user already present: nothing to announce. */
        AGAIN,
        /** The channel has its maximum of members: the subscription is refused. */
        FULL
    }

    /** A connection ({@code socketId}) of {@code member}'s user joins a presence channel of at most maxMembers. */
    Join join(App app, String channel, Member member, String socketId, int maxMembers);

    /** That connection leaves; returns whether it was the user's last (announce {@code member_removed}). */
    boolean leave(App app, String channel, String userId, String socketId);

    /** The channel's members, one per user, in the order they joined. */
    List<Member> members(App app, String channel);

    // ---- cache channels ---------------------------------------------------------------------------------------

    /** The last event of a cache channel, and how long it is kept. */
    record Cached(String event, String data, Duration ttl) {
    }

    /** Keeps {@code event} as the channel's last for {@code ttl}. */
    void cache(App app, String channel, String event, String data, Duration ttl);

    /** The channel's last event while it is kept, or {@code null}. */
    Cached cached(App app, String channel);

    // ---- users and quotas -------------------------------------------------------------------------------------

    /** Closes every connection signed in as {@code userId}, on every node ({@link Node#terminateUser}). */
    void terminateUser(App app, String userId);

    /** Takes a connection slot of the app's quota ({@code max} > 0); false when the quota is full. */
    boolean admit(App app, int max);

    /** Gives a slot back. */
    void release(App app);

    /** What the broker delivers to this node. Called from broker threads or the publisher's thread. */
    interface Node {
        /** A publication for a channel this node is interested in. */
        void deliver(Publication publication);

        /** Close the connections of this node signed in as {@code userId}. */
        void terminateUser(App app, String userId);
    }

    @Override
    void close();
}
