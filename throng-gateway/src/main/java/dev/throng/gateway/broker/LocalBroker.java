package dev.throng.gateway.broker;

import dev.throng.gateway.app.App;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link Broker} of a single node: everything in this process's memory. A publication is handed straight back
 * to the node, on the publisher's thread; counts, members, caches and quotas are maps per app.
 */
public final class LocalBroker implements Broker {
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

    /** A presence channel's members: one entry per user, with the connections it has there. */
    private static final class Presence {
        final LinkedHashMap<String, Member> members = new LinkedHashMap<>();
        final Map<String, Integer> connections = new java.util.HashMap<>();
    }

    private record Entry(String event, String data, long expiresNanos) {
    }

    private AppState state(App app) {
        return apps.computeIfAbsent(app.id(), id -> new AppState());
    }

    @Override
    public void start(Node node) {
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
    public void interest(App app, String channel, boolean interested) {
        // One node: every publication is delivered to it anyway.
    }

    @Override
    public long subscribed(App app, String channel, int delta) {
        ConcurrentHashMap<String, AtomicLong> counts = state(app).counts;
        long[] after = new long[1];
        counts.compute(channel, (name, count) -> {
            long value = (count == null ? 0 : count.get()) + delta;
            after[0] = Math.max(0, value);
            if (value <= 0) {
                return null; // vacant channels are not listed
            }
            if (count == null) {
                return new AtomicLong(value);
            }
            count.set(value);
            return count;
        });
        return after[0];
    }

    @Override
    public long subscriptionCount(App app, String channel) {
        AtomicLong count = state(app).counts.get(channel);
        return count == null ? 0 : count.get();
    }

    @Override
    public Map<String, Long> channels(App app, String prefix) {
        Map<String, Long> out = new TreeMap<>();
        state(app).counts.forEach((name, count) -> {
            if (name.startsWith(prefix) && count.get() > 0) {
                out.put(name, count.get());
            }
        });
        return out;
    }

    @Override
    public Join join(App app, String channel, Member member, String socketId, int maxMembers) {
        Presence p = state(app).presence.computeIfAbsent(channel, c -> new Presence());
        synchronized (p) {
            Integer connections = p.connections.get(member.id());
            if (connections != null) {
                p.connections.put(member.id(), connections + 1);
                return Join.AGAIN;
            }
            if (p.members.size() >= maxMembers) {
                return Join.FULL;
            }
            p.members.put(member.id(), member);
            p.connections.put(member.id(), 1);
            return Join.FIRST;
        }
    }

    @Override
    public boolean leave(App app, String channel, String userId, String socketId) {
        ConcurrentHashMap<String, Presence> presence = state(app).presence;
        Presence p = presence.get(channel);
        if (p == null) {
            return false;
        }
        synchronized (p) {
            Integer connections = p.connections.get(userId);
            if (connections == null) {
                return false;
            }
            if (connections > 1) {
                p.connections.put(userId, connections - 1);
                return false;
            }
            p.connections.remove(userId);
            p.members.remove(userId);
            if (p.members.isEmpty()) {
                presence.remove(channel, p);
            }
            return true;
        }
    }

    @Override
    public List<Member> members(App app, String channel) {
        Presence p = state(app).presence.get(channel);
        if (p == null) {
            return List.of();
        }
        synchronized (p) {
            return new ArrayList<>(p.members.values());
        }
    }

    @Override
    public void cache(App app, String channel, String event, String data, Duration ttl) {
        AppState state = state(app);
        long now = System.nanoTime();
        state.cache.put(channel, new Entry(event, data, now + ttl.toNanos()));
        // Entries nobody reads again expire only here: a sweep once the writes since the last one reach half the
        // map's size (at least 64) keeps it to the live entries and as many again, at constant cost per write.
        if (state.cacheWrites.incrementAndGet() >= Math.max(64, state.cache.size() / 2)) {
            state.cacheWrites.set(0);
            state.cache.values().removeIf(e -> e.expiresNanos() - now <= 0);
        }
    }

    @Override
    public Cached cached(App app, String channel) {
        ConcurrentHashMap<String, Entry> cache = state(app).cache;
        Entry e = cache.get(channel);
        if (e == null) {
            return null;
        }
        long left = e.expiresNanos() - System.nanoTime();
        if (left <= 0) {
            cache.remove(channel, e);
            return null;
        }
        return new Cached(e.event(), e.data(), Duration.ofNanos(left));
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
        for (;;) {
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
