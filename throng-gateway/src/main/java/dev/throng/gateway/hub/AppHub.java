package dev.throng.gateway.hub;

import dev.throng.core.WebSocketConnection;
import dev.throng.gateway.app.App;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * One app on this node: its channel directory (which loops have subscribers of each channel), its signed-in users'
 * connections (for {@code terminate_connections} and server-to-user delivery), and its counts. Thread-safe.
 */
final class AppHub {
    final App app;
    /** The app's position among the configured apps: the index of its channel maps in each {@link Shard}. */
    final int index;
    final ConcurrentHashMap<String, ChannelGroup> groups = new ConcurrentHashMap<>();
    /** Signed-in user id → its connections on this node. */
    final ConcurrentHashMap<String, Set<WebSocketConnection>> users = new ConcurrentHashMap<>();
    final LongAdder connections = new LongAdder();
    final LongAdder subscriptions = new LongAdder();

    AppHub(App app, int index) {
        this.app = app;
        this.index = index;
    }

    void signedIn(String userId, WebSocketConnection connection) {
        users.computeIfAbsent(userId, u -> ConcurrentHashMap.newKeySet()).add(connection);
    }

    void signedOut(String userId, WebSocketConnection connection) {
        users.computeIfPresent(userId, (u, set) -> {
            set.remove(connection);
            return set.isEmpty() ? null : set;
        });
    }
}
