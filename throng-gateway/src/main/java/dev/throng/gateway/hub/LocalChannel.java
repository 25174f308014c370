package dev.throng.gateway.hub;

import dev.throng.core.WebSocketConnection;

import java.util.Arrays;

/**
 * One channel's subscribers on one event loop: an array of connections, confined to the loop (its
 * {@link Shard}). A subscription costs one slot (4 bytes with compressed references, plus the array's slack) and the
 * subscriber's reference to this object; no map per connection.
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
    /** Deliveries in progress on this channel (nested only if a delivery triggers another). */
    private int iterating;
    private boolean holes;

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

    /** Removes {@code connection}; returns whether it was there. O(subscribers): unsubscribing is rarer than delivery. */
    boolean remove(WebSocketConnection connection) {
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
                return true;
            }
        }
        return false;
    }

    /** Subscribers now (holes not counted). */
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

    boolean isEmpty() {
        return size() == 0;
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
