package dev.throng.redis;

import dev.throng.gateway.app.App;
import dev.throng.gateway.broker.Broker;
import dev.throng.gateway.broker.BrokerUnavailableException;
import dev.throng.gateway.broker.Publication;
import io.lettuce.core.ScriptOutputType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Presence over the cluster (issue #18 item 3). This node keeps its own truth: per presence channel, each user it has
 * connections of and how many. Redis keeps each node's share ({@code PREFIX:{app}:node:ID:presence}), the per-user sums
 * over nodes and the member records; {@code presence.lua} changes a node's share of one user and, atomically,
 * decides whether the user joined or left the cluster, publishing {@code member_added} or {@code member_removed} from
 * the script: so a member's events and every join's member list are in one order, Redis's.
 *
 * <p>Values sent are absolute (this node has n connections of the user), sent in the channel's lock in the order the
 * local truth changed, so a repeat changes nothing and a rebuild replaces this node's share with its truth. A dead
 * node's share is removed by the reaper ({@link NodeLease}); the member limit is checked in the script, over the
 * cluster.
 *
 * <p>What the scripts announce is delivered here on the I/O thread, in reply order: this node ignores its own messages
 * coming back from Redis, so it delivers them itself, then tells the node (webhooks).
 */
final class PresenceBook {
    private final RedisBroker broker;
    /** App id → channel → its users here. */
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Room>> byApp = new ConcurrentHashMap<>();
    /**
     * Joins and leaves send under the read lock, a rebuild under the write lock: a rebuild's snapshot and its send are
     * one step, so no join or leave read before it reaches Redis after it.
     */
    private final ReentrantReadWriteLock order = new ReentrantReadWriteLock();
    /**
     * Users whose last connection here left while Redis was away (their leave could not be told): if Redis comes back
     * having lost its data, the quiet rebuild cannot see them leave, so they are announced gone afterwards
     * ({@link #gone}) unless another node still has them. Key: app id, channel, user id.
     */
    private final ConcurrentHashMap<List<String>, Broker.Member> leftWhileAway = new ConcurrentHashMap<>();

    /** One presence channel's users on this node; guarded by itself. */
    static final class Room {
        final App app;
        final String channel;
        final HashMap<String, Local> users = new HashMap<>();
        boolean removed;

        Room(App app, String channel) {
            this.app = app;
            this.channel = channel;
        }
    }

    /** A user's connections on this node in one channel. */
    static final class Local {
        final Broker.Member member;
        int connections;

        Local(Broker.Member member) {
            this.member = member;
        }
    }

    PresenceBook(RedisBroker broker) {
        this.broker = broker;
    }

    CompletionStage<Broker.Joined> join(
            App app, String channel, Broker.Member member, String socketId, int maxMembers) {
        CompletionStage<List<Object>> reply;
        order.readLock().lock();
        try {
            Room room = room(app, channel);
            synchronized (room) {
                leftWhileAway.remove(List.of(app.id(), channel, member.id()));
                Local local = room.users.computeIfAbsent(member.id(), id -> new Local(member));
                int connections = ++local.connections;
                List<String> args = header(app, "join", socketId, maxMembers);
                group(args, channel, member.id(), connections, local.member);
                broker.meters.command(BrokerMeters.Op.PRESENCE);
                reply = Scripts.PRESENCE.run(broker.redis, ScriptOutputType.MULTI, args);
            }
        } finally {
            order.readLock().unlock();
        }
        return reply.handle((result, failure) -> {
            if (failure != null) {
                broker.meters.error(BrokerMeters.Op.PRESENCE);
                undo(app, channel, member.id());
                broker.rebuildLater(failure); // whether the script ran is unknown: the rebuild settles it
                throw broker.unavailable("presence join", failure);
            }
            String outcome = (String) result.get(0);
            if (outcome.equals("FULL")) {
                undo(app, channel, member.id());
                return new Broker.Joined(Broker.Join.FULL, List.of());
            }
            List<Broker.Member> members = new ArrayList<>((result.size() - 1) / 2);
            for (int i = 1; i + 1 < result.size(); i += 2) {
                members.add(member((String) result.get(i), (String) result.get(i + 1)));
            }
            if (outcome.equals("FIRST")) {
                broker.deliverLocally(Publication.memberAdded(app, channel, member, socketId));
                broker.membership(app, channel, member.id(), true);
                return new Broker.Joined(Broker.Join.FIRST, members);
            }
            return new Broker.Joined(Broker.Join.AGAIN, members);
        });
    }

    void leave(App app, String channel, Broker.Member member) {
        order.readLock().lock();
        try {
            ConcurrentHashMap<String, Room> rooms = byApp.get(app.id());
            Room room = rooms == null ? null : rooms.get(channel);
            if (room == null) {
                return;
            }
            synchronized (room) {
                Local local = room.users.get(member.id());
                if (local == null) {
                    return;
                }
                int connections = --local.connections;
                if (connections <= 0) {
                    room.users.remove(member.id());
                    removeIfEmpty(room);
                    if (!broker.connected) {
                        leftWhileAway.put(List.of(app.id(), channel, member.id()), local.member);
                    }
                }
                List<String> args = header(app, "set", "", 0);
                group(args, channel, member.id(), Math.max(0, connections), local.member);
                send(app, args);
            }
        } finally {
            order.readLock().unlock();
        }
    }

    /**
     * Replaces this node's share in Redis with its truth, app by app (a rebuild): users that left meanwhile are
     * removed, users Redis lost are added again. {@code quiet} after Redis lost its data: members put back are not
     * announced (everyone knew them; Laravel Echo would say "joined" again), and those that left meanwhile are
     * announced by {@link #gone} once every node has had its rebuild. On the broker's thread.
     */
    void rebuild(List<CompletionStage<?>> sent, boolean quiet) {
        order.writeLock().lock();
        try {
            if (!quiet) {
                leftWhileAway.clear(); // the replace sees them leave
            }
            byApp.forEach((appId, rooms) -> {
                App app = broker.app(appId);
                if (app == null) {
                    return;
                }
                List<String> args = header(app, quiet ? "quiet" : "replace", "", 0);
                for (Room room : rooms.values()) {
                    synchronized (room) {
                        for (Local local : room.users.values()) {
                            group(args, room.channel, local.member.id(), local.connections, local.member);
                        }
                    }
                }
                sent.add(send(app, args));
            });
        } finally {
            order.writeLock().unlock();
        }
    }

    /**
     * After a quiet rebuild: the users that left here while Redis was away and are now nowhere in the cluster are
     * announced gone ({@code gone.lua}, once over the cluster). Adds to {@code args} by app. On the broker's thread.
     */
    void gone(java.util.Map<String, List<String>> argsByApp) {
        leftWhileAway.forEach((key, member) -> {
            List<String> args = argsByApp.computeIfAbsent(key.get(0), id -> new ArrayList<>());
            args.add("member");
            args.add(key.get(1));
            args.add(key.get(2));
            args.add(record(member));
        });
        leftWhileAway.clear();
    }

    /** The members Redis holds for {@code channel}. */
    CompletionStage<List<Broker.Member>> members(App app, String channel) {
        broker.meters.command(BrokerMeters.Op.QUERY);
        return broker.redis.hgetall(broker.keys.members(app, channel)).handle((all, failure) -> {
            if (failure != null) {
                broker.meters.error(BrokerMeters.Op.QUERY);
                throw broker.unavailable("presence members", failure);
            }
            List<Broker.Member> members = new ArrayList<>(all.size());
            all.forEach((id, record) -> members.add(member(id, record)));
            return members;
        });
    }

    private CompletionStage<?> send(App app, List<String> args) {
        broker.meters.command(BrokerMeters.Op.PRESENCE);
        CompletionStage<List<Object>> reply = Scripts.PRESENCE.run(broker.redis, ScriptOutputType.MULTI, args);
        return reply.whenComplete((events, failure) -> {
            if (failure != null) {
                broker.meters.error(BrokerMeters.Op.PRESENCE);
                broker.rebuildLater(failure);
                return;
            }
            for (int i = 0; i + 3 < events.size(); i += 4) {
                announced(app, (String) events.get(i), (String) events.get(i + 1), (String) events.get(i + 2), (String)
                        events.get(i + 3));
            }
        });
    }

    /** A script added or removed a member and published it to the others: delivered here, and the node told. */
    void announced(App app, String kind, String channel, String userId, String data) {
        boolean added = kind.equals("added");
        broker.deliverLocally(new Publication(
                app,
                channel,
                added ? "pusher_internal:member_added" : "pusher_internal:member_removed",
                data,
                null,
                null,
                System.nanoTime()));
        broker.membership(app, channel, userId, added);
    }

    private Room room(App app, String channel) {
        broker.know(app);
        ConcurrentHashMap<String, Room> rooms = byApp.computeIfAbsent(app.id(), id -> new ConcurrentHashMap<>());
        for (; ; ) {
            Room room = rooms.computeIfAbsent(channel, c -> new Room(app, channel));
            synchronized (room) {
                if (!room.removed) {
                    return room; // callers lock it again: reentrant
                }
            }
        }
    }

    private void undo(App app, String channel, String userId) {
        ConcurrentHashMap<String, Room> rooms = byApp.get(app.id());
        Room room = rooms == null ? null : rooms.get(channel);
        if (room == null) {
            return;
        }
        synchronized (room) {
            Local local = room.users.get(userId);
            if (local != null && --local.connections <= 0) {
                room.users.remove(userId);
                removeIfEmpty(room);
            }
        }
    }

    private void removeIfEmpty(Room room) {
        if (room.users.isEmpty() && !room.removed) {
            room.removed = true;
            ConcurrentHashMap<String, Room> rooms = byApp.get(room.app.id());
            if (rooms != null) {
                rooms.remove(room.channel, room);
            }
        }
    }

    private List<String> header(App app, String mode, String excluded, int maxMembers) {
        List<String> args = new ArrayList<>();
        args.add(broker.keys.prefix);
        args.add(app.id());
        args.add(broker.nodeId);
        args.add(mode);
        args.add(excluded == null ? "" : excluded);
        args.add(Integer.toString(maxMembers));
        return args;
    }

    private static void group(List<String> args, String channel, String userId, int connections, Broker.Member member) {
        args.add(channel);
        args.add(userId);
        args.add(Integer.toString(connections));
        args.add(record(member));
    }

    /** A member as Redis keeps it: its id as JSON, then a newline and its user_info JSON if it has one. */
    static String record(Broker.Member member) {
        return member.infoJson() == null ? member.idJson() : member.idJson() + "\n" + member.infoJson();
    }

    static Broker.Member member(String id, String record) {
        int nl = record.indexOf('\n');
        return nl < 0
                ? new Broker.Member(record, id, null)
                : new Broker.Member(record.substring(0, nl), id, record.substring(nl + 1));
    }

    /** This node's connections of {@code userId} in {@code channel} (tests). */
    int local(App app, String channel, String userId) {
        ConcurrentHashMap<String, Room> rooms = byApp.get(app.id());
        Room room = rooms == null ? null : rooms.get(channel);
        if (room == null) {
            return 0;
        }
        synchronized (room) {
            Local local = room.users.get(userId);
            return local == null ? 0 : local.connections;
        }
    }

    static CompletionStage<Broker.Joined> unavailable() {
        return CompletableFuture.failedFuture(new BrokerUnavailableException("redis is unreachable"));
    }
}
