package dev.throng.gateway.hub;

import dev.throng.core.WebSocketConnection;
import java.util.Arrays;

/**
 * One channel's subscribers on one event loop: an array of connections, confined to the loop (its
 * {@link Shard}). A subscription costs one slot (4 bytes with compressed references, plus the array's slack) and the
 * subscriber's reference to this object; no map per connection.
 *
 * <p>A subscription that waits for the broker's answer (a presence join, a cache lookup, a cluster subscription being
 * set up) is <em>pending</em>: it holds the channel (and its loop's interest) but receives nothing until it is
 * {@linkplain #confirm confirmed}, on the loop, just before its {@code subscription_succeeded} is written. So what it
 * receives starts exactly after that frame. Pending subscribers wait in a second array, made on first use and kept.
 *
 * <p>A delivery iterates the array while connections may leave it (a slow consumer closed in the middle of a
 * delivery unsubscribes at once): removals during an iteration leave a hole that the iteration skips and the next
 * change compacts, so an iteration never sees a connection twice or skips one that stays.
 */
final class LocalChannel {
    private static final WebSocketConnection[] NONE = new WebSocketConnection[0];

    final AppHub app;
    final String name;
    private WebSocketConnection[] subscribers = NONE;
    private int size;
    /** Subscriptions waiting for the broker (usually none; a few for milliseconds). */
    private WebSocketConnection[] pending = NONE;

    private int pendingSize;
    /** Deliveries in progress on this channel (nested only if a delivery triggers another). */
    private int iterating;

    private boolean holes;
    /** The drain that last saw this channel ({@link Inbox}: its publications are grouped by channel in one pass). */
    long drainStamp;
    /** In that drain: the index of this channel's last publication so far. */
    int drainLast;

    LocalChannel(AppHub app, String name) {
        this.app = app;
        this.name = name;
    }

    void add(WebSocketConnection connection) {
        compactIfIdle();
        if (size == subscribers.length) {
            subscribers = Arrays.copyOf(subscribers, Math.max(2, size + (size >> 1) + 1));
        }
        subscribers[size++] = connection;
    }

    /** Adds {@code connection} as a pending subscriber: it holds the channel but receives nothing yet. */
    void addPending(WebSocketConnection connection) {
        if (pendingSize == pending.length) {
            pending = Arrays.copyOf(pending, Math.max(2, pendingSize * 2));
        }
        pending[pendingSize++] = connection;
    }

    /** Whether {@code connection} is a pending subscriber. */
    boolean isPending(WebSocketConnection connection) {
        return indexOfPending(connection) >= 0;
    }

    /** Makes pending {@code connection} a subscriber; false when it is not pending (it left meanwhile). */
    boolean confirm(WebSocketConnection connection) {
        if (!removePending(connection)) {
            return false;
        }
        add(connection);
        return true;
    }

    private int indexOfPending(WebSocketConnection connection) {
        for (int i = 0; i < pendingSize; i++) {
            if (pending[i] == connection) {
                return i;
            }
        }
        return -1;
    }

    private boolean removePending(WebSocketConnection connection) {
        int i = indexOfPending(connection);
        if (i < 0) {
            return false;
        }
        pending[i] = pending[--pendingSize];
        pending[pendingSize] = null;
        return true;
    }

    /** What {@link #remove} found. */
    enum Removed {
        NONE,
        PENDING,
        SUBSCRIBED
    }

    /**
     * Removes {@code connection}, subscribed or pending; says which it was. O(subscribers): unsubscribing is rarer than
     * delivery.
     */
    Removed remove(WebSocketConnection connection) {
        if (pendingSize > 0 && removePending(connection)) {
            return Removed.PENDING;
        }
        for (int i = 0; i < size; i++) {
            if (subscribers[i] == connection) {
                if (iterating > 0) {
                    subscribers[i] = null;
                    holes = true;
                } else {
                    subscribers[i] = subscribers[--size];
                    subscribers[size] = null;
                    shrinkIfSparse();
                }
                return Removed.SUBSCRIBED;
            }
        }
        return Removed.NONE;
    }

    /** Subscribers now (holes and pending ones not counted). */
    int size() {
        if (!holes) {
            return size;
        }
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (subscribers[i] != null) {
                n++;
            }
        }
        return n;
    }

    /** Whether nobody holds the channel on this loop, subscribed or pending. */
    boolean isEmpty() {
        return pendingSize == 0 && size() == 0;
    }

    /** What a delivery does for each subscriber. */
    interface Visitor {
        void visit(WebSocketConnection connection);
    }

    /** Visits every subscriber once; removals during the visit are safe. */
    void forEach(Visitor visitor) {
        iterating++;
        try {
            WebSocketConnection[] subs = subscribers;
            int n = size; // connections added during the visit are not visited (they subscribed after it began)
            for (int i = 0; i < n; i++) {
                WebSocketConnection c = subs[i];
                if (c != null) {
                    visitor.visit(c);
                }
            }
        } finally {
            iterating--;
        }
        compactIfIdle();
    }

    private void compactIfIdle() {
        if (!holes || iterating > 0) {
            return;
        }
        int j = 0;
        for (int i = 0; i < size; i++) {
            if (subscribers[i] != null) {
                subscribers[j++] = subscribers[i];
            }
        }
        Arrays.fill(subscribers, j, size, null);
        size = j;
        holes = false;
        shrinkIfSparse();
    }

    /** Gives back memory after a crowd left: a channel that had 15,000 subscribers and keeps 10 holds 10 slots. */
    private void shrinkIfSparse() {
        if (subscribers.length > 16 && size < subscribers.length / 4) {
            subscribers = Arrays.copyOf(subscribers, Math.max(2, size * 2));
        }
    }
}
