package dev.throng.gateway.broker;

import dev.throng.gateway.app.App;
import dev.throng.gateway.metrics.GatewayMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link Broker} of a single node: everything in this process's memory. A publication is handed straight back
 * to the node, on the publisher's thread; counts, members, caches and quotas are maps per app. Every stage it returns
 * is already complete, so the gateway's callers continue on the same thread with no hop; the paths taken per
 * subscription ({@link #ready}, {@link #subscribed}) allocate nothing.
 */
public final class LocalBroker implements Broker {
    /** What {@link #ready} answers: a local broker has nothing to wait for (shared; a future: callers see it done). */
    private static final CompletionStage<Void> READY = CompletableFuture.completedFuture(null);

    private final ConcurrentHashMap<String, AppState> apps = new ConcurrentHashMap<>();
    private volatile Node node;

    /** One app's shared state. */
    private static final class AppState {
        final ConcurrentHashMap<String, AtomicLong> counts = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, Presence> presence = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();
        /** Cache writes since expired entries were last swept out. */
        final AtomicInteger cacheWrites = new AtomicInteger();

        final AtomicInteger connections = new AtomicInteger();
    }

    /** A presence channel's members: one entry per user, with the connections it has there. Guarded by itself. */
    private static final class Presence {
        final LinkedHashMap<String, Member> members = new LinkedHashMap<>();
        final Map<String, Integer> connections = new HashMap<>();
    }

    private record Entry(String event, String data, long expiresNanos) {}

    private AppState state(App app) {
        return apps.computeIfAbsent(app.id(), id -> new AppState());
    }

    @Override
    public void start(Node node, GatewayMetrics metrics) {
        this.node = node;
    }

    @Override
    public void publish(Publication publication) {
        Node n = node;
        if (n != null) {
            n.deliver(publication);
        }
    }

    @Override
    public void publishCached(Publication publication, Duration ttl) {
        cache(state(publication.app()), publication, ttl);
        publish(publication);
    }

    @Override
    public void interest(App app, String channel, boolean interested) {
        // One node: every publication is delivered to it anyway.
    }

    @Override
    public CompletionStage<Void> ready(App app, String channel) {
        return READY;
    }

    @Override
    public void subscribed(App app, String channel, int delta) {
        state(app).counts.compute(channel, (name, count) -> {
            long before = count == null ? 0 : count.get();
            long after = Math.max(0, before + delta);
            Node n = node;
            if (n != null && (before == 0) != (after == 0)) {
                // In the channel's bin lock: a channel's occupied and vacated reach the node in the order decided.
                n.occupancy(app, channel, after > 0);
            }
            if (after == 0) {
                return null; // vacant channels are not listed
            }
            if (count == null) {
                return new AtomicLong(after);
            }
            count.set(after);
            return count;
        });
    }

    @Override
    public CompletionStage<ChannelInfo> channel(App app, String channel) {
        AppState state = state(app);
        AtomicLong count = state.counts.get(channel);
        return CompletableFuture.completedFuture(
                count == null ? ChannelInfo.VACANT : new ChannelInfo(count.get(), users(state, channel)));
    }

    @Override
    public CompletionStage<Map<String, ChannelInfo>> channels(App app, String prefix) {
        AppState state = state(app);
        Map<String, ChannelInfo> out = new TreeMap<>();
        state.counts.forEach((name, count) -> {
            long n = count.get();
            if (name.startsWith(prefix) && n > 0) {
                out.put(name, new ChannelInfo(n, users(state, name)));
            }
        });
        return CompletableFuture.completedFuture(out);
    }

    private static int users(AppState state, String channel) {
        Presence p = state.presence.get(channel);
        if (p == null) {
            return 0;
        }
        synchronized (p) {
            return p.members.size();
        }
    }

    @Override
    public CompletionStage<Joined> join(App app, String channel, Member member, String socketId, int maxMembers) {
        Presence p = state(app).presence.computeIfAbsent(channel, c -> new Presence());
        Join outcome;
        List<Member> members;
        synchronized (p) {
            Integer connections = p.connections.get(member.id());
            if (connections != null) {
                p.connections.put(member.id(), connections + 1);
                outcome = Join.AGAIN;
            } else if (p.members.size() >= maxMembers) {
                return CompletableFuture.completedFuture(new Joined(Join.FULL, List.of()));
            } else {
                p.members.put(member.id(), member);
                p.connections.put(member.id(), 1);
                outcome = Join.FIRST;
                Node n = node;
                if (n != null) { // in the lock: a user's added and removed are delivered in the order decided
                    n.deliver(Publication.memberAdded(app, channel, member, socketId));
                }
            }
            members = new ArrayList<>(p.members.values());
        }
        Node n = node;
        if (outcome == Join.FIRST && n != null) {
            n.membership(app, channel, member.id(), true);
        }
        return CompletableFuture.completedFuture(new Joined(outcome, members));
    }

    @Override
    public void leave(App app, String channel, Member member, String socketId) {
        ConcurrentHashMap<String, Presence> presence = state(app).presence;
        Presence p = presence.get(channel);
        if (p == null) {
            return;
        }
        String userId = member.id();
        Member removed;
        synchronized (p) {
            Integer connections = p.connections.get(userId);
            if (connections == null) {
                return;
            }
            if (connections > 1) {
                p.connections.put(userId, connections - 1);
                return;
            }
            p.connections.remove(userId);
            removed = p.members.remove(userId);
            if (p.members.isEmpty()) {
                presence.remove(channel, p);
            }
            Node n = node;
            if (n != null) {
                n.deliver(Publication.memberRemoved(app, channel, removed));
            }
        }
        Node n = node;
        if (n != null) {
            n.membership(app, channel, userId, false);
        }
    }

    @Override
    public CompletionStage<List<Member>> members(App app, String channel) {
        Presence p = state(app).presence.get(channel);
        if (p == null) {
            return CompletableFuture.completedFuture(List.of());
        }
        synchronized (p) {
            return CompletableFuture.completedFuture(new ArrayList<>(p.members.values()));
        }
    }

    private static void cache(AppState state, Publication publication, Duration ttl) {
        long now = System.nanoTime();
        state.cache.put(publication.channel(), new Entry(publication.event(), publication.data(), now + ttl.toNanos()));
        // Entries nobody reads again expire only here: a sweep once the writes since the last one reach half the
        // map's size (at least 64) keeps it to the live entries and as many again, at constant cost per write.
        if (state.cacheWrites.incrementAndGet() >= Math.max(64, state.cache.size() / 2)) {
            state.cacheWrites.set(0);
            state.cache.values().removeIf(e -> e.expiresNanos() - now <= 0);
        }
    }

    /** Entries the app's cache holds now, expired or not (for the test that they are swept). */
    int cacheEntries(App app) {
        return state(app).cache.size();
    }

    @Override
    public CompletionStage<Cached> cached(App app, String channel) {
        ConcurrentHashMap<String, Entry> cache = state(app).cache;
        Entry e = cache.get(channel);
        if (e == null) {
            return CompletableFuture.completedFuture(null);
        }
        long left = e.expiresNanos() - System.nanoTime();
        if (left <= 0) {
            cache.remove(channel, e);
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.completedFuture(new Cached(e.event(), e.data(), Duration.ofNanos(left)));
    }

    @Override
    public void terminateUser(App app, String userId) {
        Node n = node;
        if (n != null) {
            n.terminateUser(app, userId);
        }
    }

    @Override
    public boolean admit(App app, int max) {
        AtomicInteger connections = state(app).connections;
        for (; ; ) {
            int now = connections.get();
            if (now >= max) {
                return false;
            }
            if (connections.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    @Override
    public void release(App app) {
        state(app).connections.decrementAndGet();
    }

    @Override
    public void close() {
        node = null;
    }
}
