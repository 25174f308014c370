package dev.throng.gateway.hub;

import dev.throng.core.IoLoop;
import dev.throng.core.PreparedMessage;
import dev.throng.core.WebSocketConnection;
import dev.throng.gateway.GatewayConfig;
import dev.throng.gateway.app.App;
import dev.throng.gateway.app.Apps;
import dev.throng.gateway.broker.Broker;
import dev.throng.gateway.broker.Publication;
import dev.throng.gateway.metrics.GatewayMetrics;
import dev.throng.gateway.protocol.PusherError;
import dev.throng.gateway.protocol.ServerFrames;
import dev.throng.gateway.webhook.Webhooks;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The channel index of this node and its fan-out (issue #17 item 9). Subscriptions live per event loop
 * ({@link Shard}, {@link LocalChannel}); each channel's {@link ChannelGroup} knows which loops have subscribers. A
 * publication is encoded into one frame on the publisher's thread, then handed to those loops only, one task each,
 * in the same order on every loop (the group's lock); each loop writes it to its subscribers from the shared frame,
 * without an allocation or a copy per subscriber ({@link WebSocketConnection#offer}). A subscriber that has
 * {@code maxOutboundBytes} waiting is a slow consumer and is closed with {@link PusherError#SLOW_CONSUMER}, so it
 * never grows the server's memory or delays the others.
 *
 * <p>A subscription that needs the broker's answer first (a presence join, a cache lookup, a cluster subscription
 * being set up) is added pending and confirmed on its loop when the answer is in ({@link LocalChannel}): deliveries
 * reach it from its {@code subscription_succeeded} on.
 *
 * <p><b>Backlog.</b> What waits in the inboxes is counted, in bytes of frames, once per loop it waits on, across
 * the process ({@link #backlogBytes}); the REST API refuses new publications with 429 while it is at or over
 * {@code maxPendingPublicationBytes} ({@link #backlogged}), so publishing faster than the loops write cannot grow the
 * server's memory without bound (issue #17 item 7). What was handed over is never dropped: the bound is checked before
 * a request is accepted, and a request that is accepted delivers all it carries.
 *
 * <p>As the broker's {@link Broker.Node} it also turns the cluster's decisions into webhooks (occupied, vacated,
 * member added and removed), once per cluster.
 *
 * <p>Thread-safe. Subscribe and unsubscribe run on the subscriber's loop; publish and deliver on any thread.
 */
public final class Hub implements Broker.Node {
    private final Broker broker;
    private final AppHub[] apps;
    private final Apps configured;
    private final GatewayMetrics metrics;
    private final Webhooks webhooks;
    /** The socket ids of this node are {@code prefix.n}: a random prefix per process, so nodes do not collide. */
    private final String socketPrefix;

    private final AtomicLong sockets = new AtomicLong();
    /** Bytes of frames waiting in the inboxes, each once per loop it waits on: added here, taken off by a drain. */
    private final AtomicLong backlog = new AtomicLong();

    private final long maxBacklogBytes;
    /** GatewayConfig.writeDelay, for the inboxes. */
    private final long writeDelayNanos;
    /**
     * The inboxes of the loops that have had subscribers, at their {@link IoLoop#index()}: learned from the
     * subscriptions themselves (a loop joins before its first channel bit is set), so that nothing needs to be told the
     * server's loops before it accepts connections. Copy on write; grows to the server's loop count at most.
     */
    private volatile Inbox[] inboxes = new Inbox[0];

    /** A hub whose backlog limit is the default {@link GatewayConfig#MAX_PENDING_PUBLICATION_BYTES}. */
    public Hub(Apps configured, Broker broker, GatewayMetrics metrics, Webhooks webhooks) {
        this(configured, broker, metrics, webhooks, GatewayConfig.MAX_PENDING_PUBLICATION_BYTES, Duration.ZERO);
    }

    /**
     * @param maxBacklogBytes the backlog at which {@link #backlogged} says so (GatewayConfig's setting)
     * @param writeDelay how long a loop lets publications gather before writing them (GatewayConfig's setting)
     */
    public Hub(
            Apps configured,
            Broker broker,
            GatewayMetrics metrics,
            Webhooks webhooks,
            long maxBacklogBytes,
            Duration writeDelay) {
        this.maxBacklogBytes = maxBacklogBytes;
        this.writeDelayNanos = writeDelay.toNanos();
        this.configured = configured;
        this.broker = broker;
        this.metrics = metrics;
        this.webhooks = webhooks;
        this.apps = new AppHub[configured.size()];
        for (App app : configured.all()) {
            int i = configured.indexOf(app);
            apps[i] = new AppHub(app, i);
        }
        // 1 to 2^31: socket ids look like Pusher's ("123456.7891011", two unsigned decimals).
        this.socketPrefix = Long.toString(1 + (new SecureRandom().nextLong() & 0x7FFF_FFFFL));
    }

    AppHub app(App app) {
        return apps[configured.indexOf(app)];
    }

    /** Every app's hub, for counters. */
    AppHub[] appHubs() {
        return apps;
    }

    long newSocket() {
        return sockets.incrementAndGet();
    }

    String socketId(long seq) {
        return socketPrefix + "." + seq;
    }

    /** The number of this node's socket id {@code socketId}, or -1 when it is another node's (or malformed). */
    long seqOf(String socketId) {
        if (socketId == null
                || !socketId.startsWith(socketPrefix)
                || socketId.length() <= socketPrefix.length() + 1
                || socketId.charAt(socketPrefix.length()) != '.') {
            return -1;
        }
        try {
            return Long.parseLong(socketId, socketPrefix.length() + 1, socketId.length(), 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    // ---- subscriptions (on the subscriber's loop) -------------------------------------------------------------

    /**
     * Adds {@code connection} to {@code channel}'s subscribers on its loop (it is not subscribed yet): pending when
     * {@code awaitAnswer} or while the broker is not {@linkplain Broker#ready ready} for the channel (then
     * {@link #confirm} it on the loop when the answer is in), subscribed at once otherwise.
     */
    LocalChannel subscribe(WebSocketConnection connection, ClientState state, String channel, boolean awaitAnswer) {
        IoLoop loop = connection.loop();
        Shard shard = Shard.of(loop, apps.length);
        boolean[] created = new boolean[1];
        LocalChannel lc = shard.getOrCreate(state.app, channel, created);
        if (created[0]) {
            joinGroup(state.app, channel, loop); // interest first: ready() answers for it
        }
        if (awaitAnswer || !Stages.isDone(broker.ready(state.app.app, channel))) {
            lc.addPending(connection);
        } else {
            lc.add(connection);
        }
        state.addChannel(lc);
        state.app.subscriptions.increment();
        return lc;
    }

    /** Makes {@code connection}'s pending subscription to {@code lc} a subscription; false if it left meanwhile. */
    boolean confirm(WebSocketConnection connection, LocalChannel lc) {
        return lc.confirm(connection);
    }

    /** Removes {@code connection} from {@code lc}, subscribed or pending; says which it was. */
    LocalChannel.Removed unsubscribe(WebSocketConnection connection, ClientState state, LocalChannel lc) {
        LocalChannel.Removed removed = lc.remove(connection);
        if (removed == LocalChannel.Removed.NONE) {
            return removed;
        }
        state.removeChannel(lc);
        state.app.subscriptions.decrement();
        if (lc.isEmpty()) {
            IoLoop loop = connection.loop();
            Shard.of(loop, apps.length).remove(lc);
            leaveGroup(state.app, lc.name, loop.index());
        }
        return removed;
    }

    /** Makes {@code loop} one that deliveries go to; before its first channel bit is set (the group's lock publishes). */
    private void know(IoLoop loop) {
        Inbox[] known = inboxes;
        int i = loop.index();
        if (i < known.length && known[i] != null && known[i].loop() == loop) {
            return;
        }
        synchronized (this) {
            known = inboxes;
            if (i < known.length && known[i] != null && known[i].loop() == loop) {
                return;
            }
            Inbox[] grown = Arrays.copyOf(known, Math.max(known.length, i + 1));
            grown[i] = new Inbox(this, loop, apps.length, writeDelayNanos);
            inboxes = grown;
        }
    }

    private void joinGroup(AppHub app, String channel, IoLoop loop) {
        know(loop);
        int loopIndex = loop.index();
        for (; ; ) {
            ChannelGroup g = app.groups.computeIfAbsent(channel, c -> new ChannelGroup());
            synchronized (g) {
                if (g.removed) {
                    continue; // emptied and removed meanwhile: take the new one
                }
                boolean first = g.loops == 0;
                g.loops |= ChannelGroup.bit(loopIndex);
                if (first) {
                    broker.interest(app.app, channel, true); // in the lock: interest changes keep their order
                }
                return;
            }
        }
    }

    private void leaveGroup(AppHub app, String channel, int loopIndex) {
        ChannelGroup g = app.groups.get(channel);
        if (g == null) {
            return;
        }
        synchronized (g) {
            if (loopIndex < 63) {
                g.loops &= ~ChannelGroup.bit(loopIndex);
            } else if (!anyLoopFrom63Has(app, channel)) {
                g.loops &= ~ChannelGroup.bit(63);
            }
            if (g.loops == 0) {
                g.removed = true;
                app.groups.remove(channel, g);
                broker.interest(app.app, channel, false);
            }
        }
    }

    /** Loops 63 and up share one bit: it stays while any of them still has the channel (called rarely: >63 loops). */
    private boolean anyLoopFrom63Has(AppHub app, String channel) {
        // Each loop's shard is confined to its loop; reading sizes from here is a racy hint. Keep the bit (a
        // delivery to a loop without the channel is a no-op) unless every such loop is certainly without it.
        return inboxes.length > 63;
    }

    // ---- publishing -------------------------------------------------------------------------------------------

    /** Publishes through the broker: to every subscriber on every node. */
    public void publish(Publication publication) {
        metrics.published(publication.app());
        broker.publish(publication);
    }

    /** As {@link #publish}, keeping it as the cache channel's last event for {@code ttl}. */
    public void publishCached(Publication publication, Duration ttl) {
        metrics.published(publication.app());
        broker.publishCached(publication, ttl);
    }

    /**
     * A publication for this node (from the broker): encoded once here, then handed to the inbox of each loop with
     * subscribers ({@link Inbox}: one drain task writes each subscriber its share of what waits, in the channel's
     * order).
     */
    @Override
    public void deliver(Publication p) {
        AppHub app = app(p.app());
        ChannelGroup g = app.groups.get(p.channel());
        if (g == null) {
            return; // nobody here
        }
        PreparedMessage message =
                PreparedMessage.text(ServerFrames.channelEvent(p.event(), p.channel(), p.data(), p.userId()));
        long excluded = seqOf(p.excludedSocketId());
        long bytes = message.frame().readableBytes();
        try {
            synchronized (g) {
                long mask = g.loops;
                Inbox[] all = inboxes; // read after the mask: every loop with a bit in it is known
                int loops = 0;
                for (int i = 0; i < all.length; i++) {
                    if ((mask & ChannelGroup.bit(i)) != 0 && all[i] != null) {
                        loops++;
                    }
                }
                backlog.addAndGet(bytes * loops); // before any loop can drain it: the count never goes below 0
                for (int i = 0; i < all.length; i++) {
                    if ((mask & ChannelGroup.bit(i)) != 0 && all[i] != null) {
                        message.retain();
                        all[i].add(new Inbox.Delivery(app, p, message, excluded));
                    }
                }
            }
        } finally {
            message.release();
        }
    }

    /** A loop's drain took {@code bytes} of frames out of its inbox (written, or nobody left to write them to). */
    void drained(long bytes) {
        backlog.addAndGet(-bytes);
    }

    /** Bytes of frames waiting in the loops' inboxes, each once per loop it waits on. */
    public long backlogBytes() {
        return backlog.get();
    }

    /**
     * Whether the backlog is at or over its limit: the REST API then answers 429 rather than publish (a check, not a
     * reservation: an accepted request may take the backlog past the limit by what it carries).
     */
    public boolean backlogged() {
        return backlog.get() >= maxBacklogBytes;
    }

    /** The backlog's limit, in bytes. */
    public long maxBacklogBytes() {
        return maxBacklogBytes;
    }

    /** A loop finished delivering {@code d}: to {@code count} subscribers. */
    void delivered(Inbox.Delivery d, int count) {
        metrics.delivered(
                d.app().app,
                count,
                d.message().frame().readableBytes(),
                d.publication().publishedNanos());
    }

    /**
     * Closes a subscriber that does not read fast enough (pusher-js reconnects after its 1 s backoff). Only the close
     * frame: a {@code pusher:error} would be refused by the full queue it is about (and count as a send over the limit).
     */
    void slowConsumer(WebSocketConnection connection, ClientState state) {
        metrics.slowConsumer(state.app.app);
        connection.close(PusherError.SLOW_CONSUMER.closeCode(), PusherError.SLOW_CONSUMER.message());
    }

    @Override
    public void terminateUser(App app, String userId) {
        Set<WebSocketConnection> connections = app(app).users.get(userId);
        if (connections == null) {
            return;
        }
        for (WebSocketConnection connection : connections) {
            connection.loop().execute(() -> {
                connection.sendText(PusherError.TERMINATED.frame());
                connection.close(PusherError.TERMINATED.closeCode(), PusherError.TERMINATED.message());
            });
        }
    }

    @Override
    public List<App> apps() {
        return configured.all();
    }

    @Override
    public void occupancy(App app, String channel, boolean occupied) {
        if (occupied) {
            webhooks.channelOccupied(app, channel);
        } else {
            webhooks.channelVacated(app, channel);
        }
    }

    @Override
    public void membership(App app, String channel, String userId, boolean present) {
        metrics.published(app); // the member_added or member_removed the broker announced
        if (present) {
            webhooks.memberAdded(app, channel, userId);
        } else {
            webhooks.memberRemoved(app, channel, userId);
        }
    }

    /** Connections of {@code app} on this node. */
    public long connections(App app) {
        return app(app).connections.sum();
    }

    /** Subscriptions of {@code app} on this node. */
    public long subscriptions(App app) {
        return app(app).subscriptions.sum();
    }

    /** Channels of {@code app} with subscribers on this node. */
    public int channels(App app) {
        return app(app).groups.size();
    }
}
