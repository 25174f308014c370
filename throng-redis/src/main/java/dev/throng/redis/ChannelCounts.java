package dev.throng.redis;

import dev.throng.gateway.app.App;
import io.lettuce.core.ScriptOutputType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * This node's subscription count of each channel (its own truth), and its share of the cluster's counts in Redis.
 * A subscribe or unsubscribe changes the local count at once and queues the channel; the broker's flush sends the
 * queued channels' counts, one script per app, as absolute values ({@code counts.lua}): a count sent twice changes
 * nothing, and a rebuild simply sends them all. The script keeps the cluster's sums and answers which channels became
 * occupied or vacant over the cluster: the webhooks' decisions, told to the node once per cluster.
 *
 * <p>Changes within one flush are merged: a channel subscribed and unsubscribed between two flushes sends nothing.
 * Thread-safe: {@link #subscribed} from any loop; flush and rebuild on the broker's thread (so counts reach Redis in
 * the order they were read); each channel's count is guarded by its {@link Count}.
 */
final class ChannelCounts {
    private final RedisBroker broker;
    /** App id → channel → count. */
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Count>> byApp = new ConcurrentHashMap<>();

    private final ConcurrentLinkedQueue<Count> changed = new ConcurrentLinkedQueue<>();
    /** Channels that lost their last subscriber here while Redis was away (see {@link #gone}): app id, channel. */
    private final java.util.Set<List<String>> vacatedWhileAway = ConcurrentHashMap.newKeySet();

    /** One channel's local count; guarded by itself. */
    static final class Count {
        final App app;
        final String channel;
        int local;
        /** The last value Redis acknowledged (-1: unknown). */
        int flushed;

        boolean queued;
        boolean removed;

        Count(App app, String channel) {
            this.app = app;
            this.channel = channel;
        }
    }

    ChannelCounts(RedisBroker broker) {
        this.broker = broker;
    }

    void subscribed(App app, String channel, int delta) {
        ConcurrentHashMap<String, Count> counts = byApp.computeIfAbsent(app.id(), id -> new ConcurrentHashMap<>());
        for (; ; ) {
            Count count = counts.computeIfAbsent(channel, c -> new Count(app, channel));
            synchronized (count) {
                if (count.removed) {
                    continue;
                }
                count.local = Math.max(0, count.local + delta);
                if (!broker.connected) {
                    if (count.local == 0) {
                        vacatedWhileAway.add(List.of(app.id(), channel));
                    } else {
                        vacatedWhileAway.remove(List.of(app.id(), channel));
                    }
                }
                if (!count.queued) {
                    count.queued = true;
                    changed.add(count);
                }
            }
            broker.requestFlush();
            return;
        }
    }

    /** Sends the queued channels' counts (on the broker's thread); adds what it sent to {@code sent}. */
    void flush(List<CompletionStage<?>> sent) {
        Map<App, List<String>> argsByApp = new HashMap<>();
        Map<App, List<Count>> countsByApp = new HashMap<>();
        Map<Count, Integer> values = new HashMap<>();
        Count count;
        while ((count = changed.poll()) != null) {
            int value;
            synchronized (count) {
                count.queued = false;
                value = count.local;
                if (value == count.flushed) {
                    removeIfIdle(count);
                    continue;
                }
            }
            argsByApp.computeIfAbsent(count.app, a -> header(a, "0")).add(count.channel);
            argsByApp.get(count.app).add(Integer.toString(value));
            countsByApp.computeIfAbsent(count.app, a -> new ArrayList<>()).add(count);
            values.put(count, value);
        }
        argsByApp.forEach((app, args) -> sent.add(send(app, args, countsByApp.get(app), values)));
    }

    /**
     * Sends every count of this node, replacing what Redis holds for it (a rebuild); {@code quiet} after Redis lost its
     * data (no occupancy decisions: the channels were occupied all along; those vacated meanwhile are told by
     * {@link #gone}). On the broker's thread.
     */
    void rebuild(List<CompletionStage<?>> sent, boolean quiet) {
        if (!quiet) {
            vacatedWhileAway.clear();
        }
        byApp.forEach((appId, counts) -> {
            List<Count> all = new ArrayList<>();
            Map<Count, Integer> values = new HashMap<>();
            App app = null;
            List<String> args = null;
            for (Count count : counts.values()) {
                int value;
                synchronized (count) {
                    value = count.local;
                }
                if (args == null) {
                    app = count.app;
                    args = header(app, quiet ? "q" : "1");
                }
                if (value > 0) {
                    args.add(count.channel);
                    args.add(Integer.toString(value));
                }
                all.add(count);
                values.put(count, value);
            }
            if (args != null) {
                sent.add(send(app, args, all, values));
            }
        });
    }

    /** The script's arguments before the counts; {@code mode}: "0" changes, "1" replace, "q" replace quietly. */
    private List<String> header(App app, String mode) {
        List<String> args = new ArrayList<>();
        args.add(broker.keys.prefix);
        args.add(app.id());
        args.add(broker.nodeId);
        args.add(mode);
        return args;
    }

    /** After a quiet rebuild: the channels vacated here while Redis was away, to be checked ({@code gone.lua}). */
    void gone(Map<String, List<String>> argsByApp) {
        for (List<String> key : vacatedWhileAway) {
            List<String> args = argsByApp.computeIfAbsent(key.get(0), id -> new ArrayList<>());
            args.add("channel");
            args.add(key.get(1));
            args.add("");
            args.add("");
        }
        vacatedWhileAway.clear();
    }

    private CompletionStage<?> send(App app, List<String> args, List<Count> counts, Map<Count, Integer> values) {
        broker.meters.command(BrokerMeters.Op.COUNTS);
        CompletionStage<List<Object>> done = Scripts.COUNTS.run(broker.redis, ScriptOutputType.MULTI, args);
        return done.whenComplete((changes, failure) -> {
            if (failure != null) {
                broker.meters.error(BrokerMeters.Op.COUNTS);
                broker.rebuildLater(failure); // absolute values: the rebuild sends them all again
                return;
            }
            for (Count count : counts) {
                synchronized (count) {
                    count.flushed = values.get(count);
                    removeIfIdle(count);
                }
            }
            for (int i = 0; i + 1 < changes.size(); i += 2) {
                broker.occupancy(app, (String) changes.get(i), ((Number) changes.get(i + 1)).longValue() == 1);
            }
        });
    }

    /** Takes {@code count} out when it is 0 here and in Redis and nothing is queued. In its lock. */
    private void removeIfIdle(Count count) {
        if (count.local == 0 && count.flushed == 0 && !count.queued && !count.removed) {
            count.removed = true;
            ConcurrentHashMap<String, Count> counts = byApp.get(count.app.id());
            if (counts != null) {
                counts.remove(count.channel, count);
            }
        }
    }

    /** The disconnection lost what was in flight: what Redis holds is unknown until the rebuild. */
    void disconnected() {
        byApp.values()
                .forEach(counts -> counts.values().forEach(count -> {
                    synchronized (count) {
                        count.flushed = -1;
                    }
                }));
    }

    /** This node's count of {@code channel} (tests). */
    int local(App app, String channel) {
        Map<String, Count> counts = byApp.get(app.id());
        Count count = counts == null ? null : counts.get(channel);
        if (count == null) {
            return 0;
        }
        synchronized (count) {
            return count.local;
        }
    }
}
