package dev.throng.redis;

import dev.throng.gateway.app.App;
import dev.throng.gateway.broker.Broker;
import dev.throng.gateway.broker.BrokerUnavailableException;
import dev.throng.gateway.broker.Publication;
import dev.throng.gateway.metrics.GatewayMetrics;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.pubsub.api.async.RedisPubSubAsyncCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's {@link Broker} for a cluster of nodes sharing one Redis (issue #18; docs/cluster.md): each gateway
 * process is a node with its own id; a publication made on any node reaches every subscriber on every node, presence
 * and channel counts are one truth over the cluster, the REST API answers for the whole cluster.
 *
 * <pre>
 * RedisBroker broker = RedisBroker.connect(RedisClusterSettings.of("redis://10.0.0.5:6379/0")); // fails fast
 * Gateway gateway = Gateway.start(serverConfig, gatewayConfig, broker);                       // starts it
 * ...
 * gateway.close();                                                                             // closes it
 * </pre>
 *
 * <p><b>One connection.</b> A node speaks to Redis over a single connection in RESP3, on which commands, scripts and
 * pub/sub messages share one order: a subscription's confirmation, a presence join's answer and the messages that
 * follow them reach the node in Redis's order, which is what lets a subscriber start receiving exactly after its
 * {@code subscription_succeeded}. Lettuce reconnects with backoff; while the connection is down commands are refused
 * at once (never queued) and the node is <em>degraded</em>: it serves its own subscribers (its own publications are
 * delivered locally), refuses presence subscriptions, and cluster queries fail. When Redis is back the node rebuilds
 * its share of the shared state from its own truth and subscribes its channels again.
 *
 * <p><b>Publications.</b> A node subscribes in Redis only to the channels it has local subscribers of, in batches.
 * A publication is delivered on its own node at once, then published once to the channel's Redis channel with the
 * node's id; every other node subscribed receives it once, encodes it once and fans it out; a node ignores its own.
 * A cache channel's event is stored and published in one script, and delivered locally when Redis answers, so that
 * a new subscriber gets it either from the cache or live, never both.
 *
 * <p><b>Threads.</b> Thread-safe. Callers never block: stages complete on Lettuce's I/O thread (one), where messages
 * are also received and handed to the node. The broker's own thread ({@code throng-redis}) sends batched changes,
 * refreshes the lease, reaps dead nodes, syncs quotas and rebuilds.
 */
public final class RedisBroker implements Broker {
    private static final Logger LOG = LoggerFactory.getLogger(RedisBroker.class);
    /** Commands waiting in Lettuce at most; more are refused (counted as errors): memory stays bounded. */
    private static final int REQUEST_QUEUE = 100_000;

    final RedisClusterSettings settings;
    final String nodeId;
    final RedisKeys keys;
    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisPubSubConnection<String, String> connection;
    final RedisPubSubAsyncCommands<String, String> redis;
    private final ScheduledThreadPoolExecutor thread;
    private final String where;

    final ChannelSubscriptions subscriptions;
    final ChannelCounts counts;
    final PresenceBook presence;
    final ConnectionQuota quota;
    private final NodeLease lease;

    /** Apps by id: those the node serves ({@link Node#apps()}) and any used since. */
    private final ConcurrentHashMap<String, App> apps = new ConcurrentHashMap<>();

    volatile BrokerMeters meters = BrokerMeters.unregistered();
    private volatile Node node;
    volatile boolean connected = true;
    private volatile boolean leaseOk = true;
    private volatile String lastFailure;
    private volatile boolean closed;
    /** Something failed whose effect on Redis is unknown: the next lease tick rebuilds. */
    private volatile boolean rebuildNeeded;
    /**
     * What Redis holds of this node is unknown or gone (since a disconnection or a lost lease) until a rebuild replaces
     * it: changes wait for it, since a change sent first (after a reconnection, before the rebuild's replace) would be
     * applied to nothing and announce occupancy that was there all along. A rebuild also reads it as "the lease may
     * have been lost meanwhile": the refresh that found it gone put it back, so the rebuild's own refresh cannot tell.
     */
    private volatile boolean stale;
    /** A rebuild is between its lease refresh and its replace (broker thread only). */
    private boolean rebuildInFlight;
    /** The run id of the Redis last talked to: a new one with no lease of ours means Redis lost its data. */
    private volatile String redisRunId;

    private final AtomicBoolean flushRequested = new AtomicBoolean();
    /** Broker thread only. */
    private boolean flushInFlight;

    private boolean flushAgain;

    private RedisBroker(RedisClusterSettings settings, ClientResources resources, RedisClient client) {
        this.settings = settings;
        this.resources = resources;
        this.client = client;
        byte[] id = new byte[8];
        new SecureRandom().nextBytes(id);
        this.nodeId = HexFormat.of().formatHex(id);
        this.keys = new RedisKeys(settings.keyPrefix());
        RedisURI uri = RedisURI.create(settings.uri());
        this.where = uri.getSocket() != null ? uri.getSocket() : uri.getHost() + ":" + uri.getPort();
        this.subscriptions = new ChannelSubscriptions(this);
        this.counts = new ChannelCounts(this);
        this.presence = new PresenceBook(this);
        this.quota = new ConnectionQuota(this);
        this.lease = new NodeLease(this);
        this.thread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "throng-redis");
            t.setDaemon(true);
            return t;
        });
        thread.setRemoveOnCancelPolicy(true);
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> c, SocketAddress address) {
                reconnected();
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> c) {
                disconnected();
            }

            @Override
            public void onRedisExceptionCaught(RedisChannelHandler<?, ?> c, Throwable cause) {
                lastFailure = String.valueOf(cause);
            }
        });
        try {
            this.connection = client.connectPubSub(StringCodec.UTF8);
        } catch (RuntimeException e) {
            shutdownClient();
            throw new IllegalStateException(
                    "cannot reach Redis at " + where + " (" + settings.maskedUri() + "): " + e.getMessage(), e);
        }
        this.redis = connection.async();
        connection.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                received(channel, message);
            }

            @Override
            public void subscribed(String channel, long count) {
                subscriptions.confirmed(channel);
            }

            @Override
            public void unsubscribed(String channel, long count) {
                subscriptions.unconfirmed(channel);
            }
        });
    }

    /** {@link #connect(RedisClusterSettings)} with the defaults for Redis at {@code uri}. */
    public static RedisBroker connect(String uri) {
        return connect(RedisClusterSettings.of(uri));
    }

    /**
     * Connects to Redis; the gateway starts the broker ({@link dev.throng.gateway.Gateway#start}). Blocks for the connection (at most the
     * command timeout): call it before starting the gateway, not on an event loop.
     *
     * @throws IllegalStateException when Redis cannot be reached now (a node does not start without its cluster;
     *     later outages are ridden out)
     */
    public static RedisBroker connect(RedisClusterSettings settings) {
        ClientResources resources = DefaultClientResources.builder()
                .ioThreadPoolSize(1) // one connection: one I/O thread
                .computationThreadPoolSize(1)
                .reconnectDelay(Delay.exponential(
                        Duration.ofMillis(100), settings.reconnectMaxDelay(), 2, TimeUnit.MILLISECONDS))
                .build();
        RedisClient client = new AsyncOnlyRedisClient(resources, RedisURI.create(settings.uri()));
        client.setOptions(ClientOptions.builder()
                .protocolVersion(ProtocolVersion.RESP3) // commands and pub/sub on one connection, in one order
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS) // never queue while down
                .requestQueueSize(REQUEST_QUEUE)
                .timeoutOptions(TimeoutOptions.enabled(settings.commandTimeout()))
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(settings.commandTimeout())
                        .keepAlive(true)
                        .build())
                .build());
        return new RedisBroker(settings, resources, client);
    }

    /** This node's id in the cluster (its lease, its messages' origin). */
    public String nodeId() {
        return nodeId;
    }

    /** The settings it runs with. */
    public RedisClusterSettings settings() {
        return settings;
    }

    // ---- life -------------------------------------------------------------------------------------------------

    @Override
    public void start(Node node, GatewayMetrics metrics) {
        this.meters = new BrokerMeters(metrics.registry(), () -> connected, subscriptions::confirmedCount);
        for (App app : node.apps()) {
            apps.put(app.id(), app);
            if (app.maxConnections() > 0) {
                quota.track(app);
            }
        }
        this.node = node;
        // The first lease, the control channel and the quotas' first read, before the server accepts anyone.
        List<CompletionStage<?>> first = new ArrayList<>();
        meters.command(BrokerMeters.Op.SUBSCRIBE);
        first.add(redis.subscribe(keys.control()));
        first.add(lease.refresh());
        first.add(serverRunId().thenAccept(id -> redisRunId = id));
        CompletionStage<?> quotas = quota.sync();
        if (quotas != null) {
            first.add(quotas);
        }
        try {
            CompletableFuture.allOf(first.stream()
                            .map(CompletionStage::toCompletableFuture)
                            .toArray(CompletableFuture[]::new))
                    .get(settings.commandTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warn(
                    "cluster node {}: Redis at {} did not answer the start in time ({}); retrying in the background",
                    nodeId,
                    where,
                    e.toString());
            rebuildNeeded = true;
        }
        long refresh = settings.leaseRefresh().toMillis();
        thread.scheduleWithFixedDelay(this::leaseTick, refresh, refresh, TimeUnit.MILLISECONDS);
        long sync = settings.quotaSync().toMillis();
        thread.scheduleWithFixedDelay(this::quotaTick, sync, sync, TimeUnit.MILLISECONDS);
        LOG.info(
                "cluster node {} on Redis at {} (key prefix {}; a dead node's members expire within {} ms)",
                nodeId,
                where,
                settings.keyPrefix(),
                settings.expiryBound().toMillis());
    }

    /**
     * Leaves the cluster: this node's counts, members and connections are removed from Redis at once (the others
     * announce nothing twice: the removal is one script), then the connection closes. Blocks for at most twice the
     * command timeout. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        thread.shutdownNow();
        if (connected && node != null) {
            try {
                flushNow();
                lease.reap(nodeId)
                        .toCompletableFuture()
                        .get(settings.commandTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.warn(
                        "cluster node {} could not remove its state from Redis at close ({}); it expires with its "
                                + "lease",
                        nodeId,
                        e.toString());
            }
        }
        node = null;
        try {
            connection.close();
        } catch (RuntimeException e) {
            LOG.debug("closing the Redis connection failed", e);
        }
        shutdownClient();
    }

    private void shutdownClient() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    // ---- publications -----------------------------------------------------------------------------------------

    @Override
    public void publish(Publication p) {
        deliverLocally(p);
        if (!connected) {
            return; // degraded: this node's subscribers only
        }
        meters.command(BrokerMeters.Op.PUBLISH);
        meters.published.increment();
        redis.publish(
                        keys.channel(p.app(), p.channel()),
                        Envelope.encode(nodeId, p.excludedSocketId(), p.userId(), p.event(), p.data()))
                .whenComplete((receivers, failure) -> {
                    if (failure != null) {
                        meters.error(BrokerMeters.Op.PUBLISH);
                    }
                });
    }

    @Override
    public void publishCached(Publication p, Duration ttl) {
        if (!connected) {
            deliverLocally(p);
            return;
        }
        meters.command(BrokerMeters.Op.PUBLISH_CACHED);
        meters.published.increment();
        CompletionStage<Long> stored = Scripts.PUBLISH_CACHED.run(
                redis,
                ScriptOutputType.INTEGER,
                List.of(
                        keys.prefix,
                        p.app().id(),
                        p.channel(),
                        Envelope.encode(nodeId, p.excludedSocketId(), p.userId(), p.event(), p.data()),
                        Envelope.cacheEntry(p.event(), p.data()),
                        Long.toString(Math.max(1, ttl.toMillis()))));
        // Delivered here when Redis has it (or has failed): in order with the cache lookups of new subscribers.
        stored.whenComplete((receivers, failure) -> {
            if (failure != null) {
                meters.error(BrokerMeters.Op.PUBLISH_CACHED);
            }
            deliverLocally(p);
        });
    }

    @Override
    public void interest(App app, String channel, boolean interested) {
        know(app);
        subscriptions.interest(app, channel, interested);
    }

    @Override
    public CompletionStage<Void> ready(App app, String channel) {
        return subscriptions.ready(app, channel);
    }

    /** A message from Redis (the I/O thread). */
    private void received(String redisChannel, String message) {
        if (redisChannel.equals(keys.control())) {
            control(message);
            return;
        }
        ChannelSubscriptions.Sub sub = subscriptions.byRedisChannel(redisChannel);
        if (sub == null) {
            return; // unsubscribed meanwhile
        }
        Envelope e = Envelope.decode(message);
        if (e == null) {
            LOG.debug("not a Throng message on {}: {}", redisChannel, message);
            return;
        }
        if (e.origin().equals(nodeId)) {
            meters.echoesIgnored.increment(); // delivered here when published
            return;
        }
        meters.received.increment();
        deliverLocally(
                new Publication(sub.app, sub.channel, e.event(), e.data(), e.excluded(), e.user(), System.nanoTime()));
    }

    void deliverLocally(Publication p) {
        Node n = node;
        if (n != null) {
            n.deliver(p);
        }
    }

    // ---- channel counts ---------------------------------------------------------------------------------------

    @Override
    public void subscribed(App app, String channel, int delta) {
        know(app);
        counts.subscribed(app, channel, delta);
    }

    @Override
    public CompletionStage<ChannelInfo> channel(App app, String channel) {
        return query(app, "channel", channel)
                .thenApply(
                        r -> new ChannelInfo(((Number) r.get(0)).longValue(), (int) ((Number) r.get(1)).longValue()));
    }

    @Override
    public CompletionStage<Map<String, ChannelInfo>> channels(App app, String prefix) {
        return query(app, "channels", prefix).thenApply(r -> {
            Map<String, ChannelInfo> out = new TreeMap<>();
            for (int i = 0; i + 2 < r.size(); i += 3) {
                out.put((String) r.get(i), new ChannelInfo(((Number) r.get(i + 1)).longValue(), (int)
                        ((Number) r.get(i + 2)).longValue()));
            }
            return out;
        });
    }

    private CompletionStage<List<Object>> query(App app, String mode, String name) {
        if (!connected) {
            return CompletableFuture.failedFuture(unavailable(mode, null));
        }
        meters.command(BrokerMeters.Op.QUERY);
        CompletionStage<List<Object>> reply =
                Scripts.QUERY.run(redis, ScriptOutputType.MULTI, List.of(keys.prefix, app.id(), mode, name));
        return reply.handle((r, failure) -> {
            if (failure != null) {
                meters.error(BrokerMeters.Op.QUERY);
                throw unavailable(mode, failure);
            }
            return r;
        });
    }

    // ---- presence ---------------------------------------------------------------------------------------------

    @Override
    public CompletionStage<Joined> join(App app, String channel, Member member, String socketId, int maxMembers) {
        if (!connected) {
            return PresenceBook.unavailable();
        }
        return presence.join(app, channel, member, socketId, maxMembers);
    }

    @Override
    public void leave(App app, String channel, Member member, String socketId) {
        presence.leave(app, channel, member);
    }

    @Override
    public CompletionStage<List<Member>> members(App app, String channel) {
        if (!connected) {
            return CompletableFuture.failedFuture(unavailable("members", null));
        }
        return presence.members(app, channel);
    }

    // ---- cache channels ---------------------------------------------------------------------------------------

    @Override
    public CompletionStage<Cached> cached(App app, String channel) {
        return query(app, "cached", channel).thenApply(r -> {
            if (r.isEmpty()) {
                return null;
            }
            String[] entry = Envelope.readCacheEntry((String) r.get(0));
            long left = ((Number) r.get(1)).longValue();
            return entry == null || left <= 0 ? null : new Cached(entry[0], entry[1], Duration.ofMillis(left));
        });
    }

    // ---- users and quotas -------------------------------------------------------------------------------------

    @Override
    public void terminateUser(App app, String userId) {
        Node n = node;
        if (n != null) {
            n.terminateUser(app, userId);
        }
        if (!connected) {
            return;
        }
        meters.command(BrokerMeters.Op.CONTROL);
        redis.publish(keys.control(), nodeId + "|terminate|" + app.id() + "|" + userId)
                .whenComplete((r, failure) -> {
                    if (failure != null) {
                        meters.error(BrokerMeters.Op.CONTROL);
                    }
                });
    }

    /** A control message: {@code origin|terminate|appId|userId}. */
    private void control(String message) {
        String[] parts = message.split("\\|", 4);
        if (parts.length != 4 || parts[0].equals(nodeId) || !parts[1].equals("terminate")) {
            return;
        }
        App app = apps.get(parts[2]);
        Node n = node;
        if (app != null && n != null) {
            n.terminateUser(app, parts[3]);
        }
    }

    @Override
    public boolean admit(App app, int max) {
        return quota.admit(app, max);
    }

    @Override
    public void release(App app) {
        quota.release(app);
    }

    // ---- state ------------------------------------------------------------------------------------------------

    @Override
    public String degradedReason() {
        if (!connected) {
            return "redis at " + where + " is unreachable" + (lastFailure == null ? "" : " (" + lastFailure + ")");
        }
        if (!leaseOk) {
            return "redis at " + where + " does not answer in time"
                    + (lastFailure == null ? "" : " (" + lastFailure + ")");
        }
        return null;
    }

    /** The failure a stage fails with. */
    BrokerUnavailableException unavailable(String what, Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof BrokerUnavailableException e) {
            return e;
        }
        if (cause instanceof io.lettuce.core.RedisCommandExecutionException) {
            LOG.warn("a Redis script failed ({}): {}", what, cause.getMessage()); // a bug of ours, not an outage
        }
        String reason = degradedReason();
        return new BrokerUnavailableException(
                what + ": " + (reason != null ? reason : "redis at " + where + " failed: " + cause), cause);
    }

    // ---- what the broker tells the node ----------------------------------------------------------------------

    void occupancy(App app, String channel, boolean occupied) {
        Node n = node;
        if (n != null) {
            n.occupancy(app, channel, occupied);
        }
    }

    void membership(App app, String channel, String userId, boolean present) {
        Node n = node;
        if (n != null) {
            n.membership(app, channel, userId, present);
        }
    }

    /** Remembers {@code app} (by id) for what comes back by id: control messages, reaps, rebuilds. */
    void know(App app) {
        apps.putIfAbsent(app.id(), app);
    }

    App app(String id) {
        return apps.get(id);
    }

    // ---- the broker's thread ----------------------------------------------------------------------------------

    void onBrokerThread(Runnable task) {
        try {
            thread.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.warn("cluster node {}: a broker task failed", nodeId, e);
                }
            });
        } catch (RejectedExecutionException closing) {
            // closed: nothing more to send
        }
    }

    /** Asks for the queued changes (interest, counts) to be sent: at most one flush in flight; the next takes all. */
    void requestFlush() {
        if (flushRequested.compareAndSet(false, true)) {
            onBrokerThread(this::flush);
        }
    }

    private void flush() {
        flushRequested.set(false);
        if (flushInFlight) {
            flushAgain = true;
            return;
        }
        if (!connected || stale) {
            return; // kept queued: the rebuild sends everything when Redis is back
        }
        List<CompletionStage<?>> sent = new ArrayList<>();
        subscriptions.flush(sent);
        counts.flush(sent);
        whenAllDone(sent);
    }

    private void whenAllDone(List<CompletionStage<?>> sent) {
        if (sent.isEmpty()) {
            return;
        }
        flushInFlight = true;
        CompletableFuture.allOf(
                        sent.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new))
                .whenComplete((v, failure) -> onBrokerThread(() -> {
                    flushInFlight = false;
                    if (flushAgain) {
                        flushAgain = false;
                        flush();
                    }
                }));
    }

    /** Sends what is queued now and waits for it (at close). */
    private void flushNow() throws Exception {
        List<CompletionStage<?>> sent = new ArrayList<>();
        subscriptions.flush(sent);
        counts.flush(sent);
        CompletableFuture.allOf(
                        sent.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new))
                .get(settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void leaseTick() {
        if (!connected) {
            return;
        }
        lease.refresh().whenComplete((gone, failure) -> {
            if (failure != null) {
                return;
            }
            if (gone && node != null) {
                LOG.warn(
                        "cluster node {} found its lease gone (Redis lost it, or the node was away longer than {}): "
                                + "rebuilding its state from its own",
                        nodeId,
                        settings.leaseTtl());
                rebuildNeeded = true;
                stale = true;
            }
            onBrokerThread(() -> {
                if (rebuildNeeded) {
                    rebuild();
                }
                lease.reap(null);
            });
        });
    }

    private void quotaTick() {
        if (connected) {
            quota.sync();
        }
    }

    /**
     * Rewrites this node's share of the shared state from its own truth (issue #18 item 6): lease, control channel,
     * every wanted channel subscribed again, counts and presence replaced, quotas reported. Idempotent. On the broker's
     * thread.
     *
     * <p>Whether the replace announces what it changes depends on what Redis kept: if it still has this node's lease,
     * or lost it while running on (this node was reaped: the others announced its members gone), the changes are real
     * and announced; if it restarted without its data (a new run id and no lease), everything put back was there all
     * along, so it is put back quietly, and what left this node meanwhile is announced once the others have had time to
     * rebuild too (reconnectMaxDelay and a lease refresh later).
     */
    private void rebuild() {
        if (!connected || node == null || closed) {
            return;
        }
        if (rebuildInFlight) {
            // One at a time: a second one started now (the reconnection's and a lease tick's, say) would find the run
            // id the first just recorded and replace loudly what the first puts back quietly. The next tick runs it.
            rebuildNeeded = true;
            return;
        }
        rebuildInFlight = true;
        rebuildNeeded = false;
        meters.rebuilds.increment();
        meters.command(BrokerMeters.Op.SUBSCRIBE);
        redis.subscribe(keys.control());
        CompletionStage<String> runId = serverRunId();
        lease.refresh()
                .thenCombine(runId, (gone, id) -> {
                    String before = redisRunId;
                    boolean lostData = (gone || stale) && before != null && !id.equals(before);
                    redisRunId = id;
                    onBrokerThread(() -> {
                        rebuildInFlight = false;
                        replace(lostData);
                    });
                    return null;
                })
                .exceptionally(failure -> {
                    onBrokerThread(() -> rebuildInFlight = false);
                    rebuildNeeded = true; // the next lease tick tries again
                    return null;
                });
    }

    private void replace(boolean quiet) {
        if (!connected || closed) {
            rebuildNeeded = true;
            return;
        }
        stale = false; // what follows puts this node's state back; changes after it are sent as changes again
        int channels = subscriptions.resubscribeAll();
        meters.resubscriptions.increment(channels);
        List<CompletionStage<?>> sent = new ArrayList<>();
        subscriptions.flush(sent);
        counts.rebuild(sent, quiet);
        presence.rebuild(sent, quiet);
        CompletionStage<?> quotas = quota.sync();
        if (quotas != null) {
            sent.add(quotas);
        }
        requestFlush();
        if (quiet) {
            // The others reconnect within reconnectMaxDelay of Redis being back (Lettuce's backoff) and then rebuild
            // at once: a lease refresh more is their time to subscribe again, so that they hear the announcement.
            // One lease refresh alone was not enough when it is not above reconnectMaxDelay (RedisBrokerFaultsIT,
            // 500 ms each, failed once in five on a busy box: the other node missed member_removed).
            long goneAfter =
                    settings.reconnectMaxDelay().plus(settings.leaseRefresh()).toMillis();
            thread.schedule(this::announceGone, goneAfter, TimeUnit.MILLISECONDS);
        }
        LOG.info(
                "cluster node {} rebuilt its state in Redis at {}{}: {} channel(s) subscribed again",
                nodeId,
                where,
                quiet ? " (Redis had lost its data: put back quietly)" : "",
                channels);
    }

    /** After a quiet rebuild: what left this node while Redis was away, and is nowhere now, is announced gone. */
    private void announceGone() {
        Map<String, List<String>> argsByApp = new TreeMap<>();
        presence.gone(argsByApp);
        counts.gone(argsByApp);
        argsByApp.forEach((appId, groups) -> {
            App app = apps.get(appId);
            if (app == null) {
                return;
            }
            List<String> args = new ArrayList<>(List.of(keys.prefix, appId, nodeId));
            args.addAll(groups);
            meters.command(BrokerMeters.Op.PRESENCE);
            Scripts.GONE.<List<Object>>run(redis, ScriptOutputType.MULTI, args).whenComplete((events, failure) -> {
                if (failure != null) {
                    meters.error(BrokerMeters.Op.PRESENCE);
                    return;
                }
                for (int i = 0; i + 3 < events.size(); i += 4) {
                    String kind = (String) events.get(i);
                    String channel = (String) events.get(i + 1);
                    if (kind.equals("vacated")) {
                        occupancy(app, channel, false);
                    } else {
                        presence.announced(app, kind, channel, (String) events.get(i + 2), (String) events.get(i + 3));
                    }
                }
            });
        });
    }

    /** Redis's run id (it changes when Redis restarts): from {@code INFO server}. */
    private CompletionStage<String> serverRunId() {
        meters.command(BrokerMeters.Op.LEASE);
        return redis.info("server").thenApply(info -> {
            for (String line : info.split("\\r?\\n")) {
                if (line.startsWith("run_id:")) {
                    return line.substring("run_id:".length()).trim();
                }
            }
            return "";
        });
    }

    /** Something failed whose effect on Redis is unknown: the state is rebuilt at the next lease tick (or reconnect). */
    void rebuildLater(Throwable failure) {
        rebuildNeeded = true;
        lastFailure = String.valueOf(failure instanceof CompletionException ? failure.getCause() : failure);
    }

    void leaseFailed(Throwable failure) {
        leaseOk = false;
        lastFailure = String.valueOf(failure instanceof CompletionException ? failure.getCause() : failure);
    }

    void leaseRefreshed() {
        leaseOk = true;
    }

    private void disconnected() {
        if (closed) {
            return;
        }
        boolean was = connected;
        stale = true;
        connected = false;
        subscriptions.disconnected();
        counts.disconnected();
        if (was) {
            LOG.warn(
                    "cluster node {} lost Redis at {}: serving its own connections only until it is back",
                    nodeId,
                    where);
        }
    }

    private void reconnected() {
        if (closed) {
            return;
        }
        boolean was = connected;
        connected = true;
        if (!was) {
            LOG.info("cluster node {} reconnected to Redis at {}", nodeId, where);
            rebuildNeeded = true;
            onBrokerThread(this::rebuild);
        }
    }

    // ---- for tests ----------------------------------------------------------------------------------------------

    /**
     * Test only: stops as a killed process would, seen from the cluster: no more lease refreshes, the connection
     * dropped, nothing removed from Redis (the others reap it when its lease expires).
     */
    void crash() {
        closed = true;
        node = null;
        thread.shutdownNow();
        connection.close();
        shutdownClient();
    }

    /** Test only: removes {@code node}'s state now, as the reaper does when its lease has expired. */
    CompletionStage<?> reap(String node) {
        return lease.reap(node);
    }

    /** This node's own view: its subscription count of {@code channel} (tests). */
    int localCount(App app, String channel) {
        return counts.local(app, channel);
    }
}
