package dev.throng.redis;

import dev.throng.gateway.app.App;
import dev.throng.gateway.broker.BrokerUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Which channels this node subscribes to in Redis: exactly those it has local subscribers of (issue #18 item 2), so a
 * node with no subscriber of a channel receives none of its traffic. The hub's interest changes are queued and sent
 * in batches ({@code SUBSCRIBE a b c ...}, pipelined with everything else on the node's one connection) by the
 * broker's flush; Redis's confirmations (one push per channel) make a channel ready.
 *
 * <p>A channel's {@link #ready} stage completes on the confirmation, on Lettuce's I/O thread, before any message of
 * the channel is handed on (they follow it on the same connection): a subscriber confirmed then misses nothing
 * published after. It fails at once while Redis is unreachable, and after the command timeout if Redis does not
 * confirm: the hub then serves the channel locally.
 *
 * <p>Thread-safe: interest from the hub (any loop), flush and rebuild on the broker's thread, confirmations on the I/O
 * thread; each channel's state is guarded by its {@link Sub}.
 */
final class ChannelSubscriptions {
    /** What {@link #ready} answers for a channel Redis has confirmed (shared; a future: callers see it done). */
    static final CompletionStage<Void> READY = CompletableFuture.completedFuture(null);
    /** What it answers while Redis is unreachable (shared). */
    static final CompletionStage<Void> UNREACHABLE =
            CompletableFuture.failedFuture(new BrokerUnavailableException("redis is unreachable"));
    /** Channels per SUBSCRIBE or UNSUBSCRIBE command: bounded, so that one command stays a small write. */
    private static final int BATCH = 512;

    private final RedisBroker broker;
    private final ConcurrentHashMap<String, Sub> byRedisChannel = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Sub> changed = new ConcurrentLinkedQueue<>();

    /** One channel this node wants or wanted; its fields are guarded by itself. */
    static final class Sub {
        final App app;
        final String channel;
        final String redisChannel;
        /** The hub has local subscribers. */
        boolean wanted;
        /** A SUBSCRIBE was sent since the last UNSUBSCRIBE (or disconnection). */
        boolean sent;
        /** Redis confirmed the subscription (and no UNSUBSCRIBE followed). */
        boolean confirmed;

        int unsubscribesInFlight;
        /** Subscribers waiting for the confirmation, or null. */
        CompletableFuture<Void> ready;

        boolean queued;
        /** Out of the map: interest must make a new one. */
        boolean removed;

        Sub(App app, String channel, String redisChannel) {
            this.app = app;
            this.channel = channel;
            this.redisChannel = redisChannel;
        }
    }

    ChannelSubscriptions(RedisBroker broker) {
        this.broker = broker;
    }

    /** The hub gained its first or lost its last subscriber of {@code channel}. */
    void interest(App app, String channel, boolean interested) {
        String redisChannel = broker.keys.channel(app, channel);
        for (; ; ) {
            Sub sub = interested
                    ? byRedisChannel.computeIfAbsent(redisChannel, rc -> new Sub(app, channel, rc))
                    : byRedisChannel.get(redisChannel);
            if (sub == null) {
                return;
            }
            synchronized (sub) {
                if (sub.removed) {
                    if (!interested) {
                        return;
                    }
                    continue; // taken out meanwhile: make a new one
                }
                sub.wanted = interested;
                queue(sub);
            }
            broker.requestFlush();
            return;
        }
    }

    private void queue(Sub sub) {
        if (!sub.queued) {
            sub.queued = true;
            changed.add(sub);
        }
    }

    /** Completes once Redis delivers the channel here (see the class comment). */
    CompletionStage<Void> ready(App app, String channel) {
        if (!broker.connected) {
            return UNREACHABLE;
        }
        Sub sub = byRedisChannel.get(broker.keys.channel(app, channel));
        if (sub == null) {
            return READY; // nobody here wants it (no interest was registered): nothing to wait for
        }
        synchronized (sub) {
            if (sub.confirmed && sub.unsubscribesInFlight == 0) {
                return READY;
            }
            if (sub.ready == null) {
                CompletableFuture<Void> ready = new CompletableFuture<>();
                sub.ready = ready;
                ready.orTimeout(broker.settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS)
                        .whenComplete((v, failure) -> {
                            synchronized (sub) {
                                if (sub.ready == ready) {
                                    sub.ready = null;
                                }
                            }
                        });
            }
            return sub.ready;
        }
    }

    /** The channel a message arrived on, or null when this node does not want it (any more). */
    Sub byRedisChannel(String redisChannel) {
        return byRedisChannel.get(redisChannel);
    }

    /**
     * Sends what changed: SUBSCRIBE for channels wanted and not sent, UNSUBSCRIBE for those no longer wanted. On the
     * broker's thread. Adds what it sent to {@code sent}.
     */
    void flush(List<CompletionStage<?>> sent) {
        List<String> subscribe = new ArrayList<>();
        List<String> unsubscribe = new ArrayList<>();
        Sub sub;
        while ((sub = changed.poll()) != null) {
            synchronized (sub) {
                sub.queued = false;
                if (sub.wanted && !sub.sent) {
                    sub.sent = true;
                    subscribe.add(sub.redisChannel);
                } else if (!sub.wanted && sub.sent) {
                    sub.sent = false;
                    sub.confirmed = false;
                    sub.unsubscribesInFlight++;
                    unsubscribe.add(sub.redisChannel);
                } else {
                    removeIfIdle(sub);
                }
            }
        }
        for (int i = 0; i < subscribe.size(); i += BATCH) {
            String[] batch =
                    subscribe.subList(i, Math.min(subscribe.size(), i + BATCH)).toArray(String[]::new);
            broker.meters.command(BrokerMeters.Op.SUBSCRIBE);
            CompletionStage<Void> done = broker.redis.subscribe(batch);
            done.whenComplete((v, failure) -> {
                if (failure != null) {
                    subscribeFailed(batch, failure);
                }
            });
            sent.add(done);
        }
        for (int i = 0; i < unsubscribe.size(); i += BATCH) {
            String[] batch = unsubscribe
                    .subList(i, Math.min(unsubscribe.size(), i + BATCH))
                    .toArray(String[]::new);
            broker.meters.command(BrokerMeters.Op.UNSUBSCRIBE);
            CompletionStage<Void> done = broker.redis.unsubscribe(batch);
            done.whenComplete((v, failure) -> {
                if (failure != null) {
                    broker.meters.error(BrokerMeters.Op.UNSUBSCRIBE);
                    broker.rebuildLater(failure);
                }
            });
            sent.add(done);
        }
    }

    private void subscribeFailed(String[] channels, Throwable failure) {
        broker.meters.error(BrokerMeters.Op.SUBSCRIBE);
        for (String channel : channels) {
            Sub sub = byRedisChannel.get(channel);
            if (sub == null) {
                continue;
            }
            CompletableFuture<Void> ready;
            synchronized (sub) {
                sub.sent = false; // the rebuild sends it again
                ready = takeReady(sub);
            }
            fail(ready, failure);
        }
        broker.rebuildLater(failure);
    }

    /** Redis confirmed a subscription (the I/O thread). */
    void confirmed(String redisChannel) {
        Sub sub = byRedisChannel.get(redisChannel);
        if (sub == null) {
            if (!redisChannel.equals(broker.keys.control())) {
                // Subscribed again by Lettuce's own resubscription after a reconnection, though nobody wants it:
                // unsubscribed from the broker's thread, which re-checks (a subscriber arriving meanwhile wins).
                broker.onBrokerThread(() -> {
                    if (byRedisChannel.get(redisChannel) == null) {
                        broker.meters.command(BrokerMeters.Op.UNSUBSCRIBE);
                        broker.redis.unsubscribe(redisChannel);
                    }
                });
            }
            return;
        }
        CompletableFuture<Void> ready = null;
        synchronized (sub) {
            if (!sub.wanted) {
                // Subscribed again by Lettuce's own resubscription after a reconnection, though no longer wanted.
                sub.sent = true;
                queue(sub);
            } else {
                sub.confirmed = true;
                if (sub.unsubscribesInFlight == 0 && sub.ready != null) {
                    ready = sub.ready;
                    sub.ready = null;
                }
            }
        }
        if (ready != null) {
            ready.complete(null); // outside the lock: what waited runs now (a presence join is sent, say)
        } else {
            broker.requestFlush();
        }
    }

    /** Redis confirmed an unsubscription (the I/O thread). */
    void unconfirmed(String redisChannel) {
        Sub sub = byRedisChannel.get(redisChannel);
        if (sub == null) {
            return;
        }
        synchronized (sub) {
            if (sub.unsubscribesInFlight > 0) {
                sub.unsubscribesInFlight--;
            }
            sub.confirmed = false;
            removeIfIdle(sub);
        }
    }

    /** The connection is gone: Redis dropped every subscription with it. */
    void disconnected() {
        BrokerUnavailableException failure = new BrokerUnavailableException("redis connection lost");
        for (Sub sub : byRedisChannel.values()) {
            CompletableFuture<Void> ready;
            synchronized (sub) {
                sub.sent = false;
                sub.confirmed = false;
                sub.unsubscribesInFlight = 0;
                ready = takeReady(sub);
                removeIfIdle(sub);
            }
            fail(ready, failure);
        }
    }

    /** Queues every wanted channel to be subscribed again (a rebuild); returns how many. On the broker's thread. */
    int resubscribeAll() {
        int n = 0;
        for (Sub sub : byRedisChannel.values()) {
            synchronized (sub) {
                if (sub.wanted && !sub.confirmed) {
                    sub.sent = false;
                    queue(sub);
                    n++;
                }
            }
        }
        return n;
    }

    /** Channels Redis confirmed (a gauge). */
    int confirmedCount() {
        int n = 0;
        for (Sub sub : byRedisChannel.values()) {
            if (sub.confirmed) { // a racy read is fine for a gauge
                n++;
            }
        }
        return n;
    }

    /** Takes the waiting subscribers' future out (in the lock), to complete it outside. */
    private static CompletableFuture<Void> takeReady(Sub sub) {
        CompletableFuture<Void> ready = sub.ready;
        sub.ready = null;
        return ready;
    }

    /** Fails what waited (outside any lock: the waiting subscriptions go on at once, served locally). */
    private static void fail(CompletableFuture<Void> ready, Throwable failure) {
        if (ready != null) {
            ready.completeExceptionally(
                    failure instanceof BrokerUnavailableException
                            ? failure
                            : new BrokerUnavailableException("redis did not subscribe: " + failure, failure));
        }
    }

    /** Takes {@code sub} out of the map if nothing is left to do for it. In its lock. */
    private void removeIfIdle(Sub sub) {
        if (!sub.wanted && !sub.sent && !sub.queued && sub.unsubscribesInFlight == 0 && !sub.removed) {
            sub.removed = true;
            byRedisChannel.remove(sub.redisChannel, sub);
        }
    }

    /** Applies {@code action} to every channel wanted (for tests and logs). */
    void forEachWanted(Consumer<Sub> action) {
        byRedisChannel.values().forEach(sub -> {
            if (sub.wanted) {
                action.accept(sub);
            }
        });
    }
}
