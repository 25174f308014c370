package dev.throng.gateway.hub;

import dev.throng.core.WebSocketConnection;
import dev.throng.gateway.app.App;
import dev.throng.gateway.auth.ChannelAuth;
import dev.throng.gateway.auth.Hmac;
import dev.throng.gateway.auth.UserAuth;
import dev.throng.gateway.protocol.ClientMessageParser;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * One app on this node: its channel directory (which loops have subscribers of each channel), its signed-in users'
 * connections (for {@code terminate_connections} and server-to-user delivery), its counts, and what reads and checks
 * its clients' messages (a parser with the app's limits, its subscription and sign-in signatures). Thread-safe.
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
    final ClientMessageParser parser;
    final ChannelAuth channelAuth;
    final UserAuth userAuth;

    AppHub(App app, int index) {
        this.app = app;
        this.index = index;
        this.parser = new ClientMessageParser(ClientMessageParser.Limits.of(app.limits()));
        Hmac hmac = new Hmac(app.secret());
        this.channelAuth = new ChannelAuth(app.key(), hmac);
        this.userAuth = new UserAuth(app.key(), hmac);
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
