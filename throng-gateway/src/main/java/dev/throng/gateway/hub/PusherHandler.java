package dev.throng.gateway.hub;

import dev.throng.core.IoLoop;
import dev.throng.core.PreparedMessage;
import dev.throng.core.UpgradeDecision;
import dev.throng.core.UpgradeRequest;
import dev.throng.core.WebSocketConnection;
import dev.throng.core.WebSocketHandler;
import dev.throng.gateway.app.App;
import dev.throng.gateway.app.AppLimits;
import dev.throng.gateway.app.Apps;
import dev.throng.gateway.broker.Broker;
import dev.throng.gateway.broker.Publication;
import dev.throng.gateway.metrics.GatewayMetrics;
import dev.throng.gateway.protocol.ChannelNames;
import dev.throng.gateway.protocol.ChannelType;
import dev.throng.gateway.protocol.ClientMessage;
import dev.throng.gateway.protocol.ErrorReply;
import dev.throng.gateway.protocol.PresenceMember;
import dev.throng.gateway.protocol.PusherError;
import dev.throng.gateway.protocol.ServerFrames;
import dev.throng.gateway.webhook.Webhooks;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Every Pusher connection's protocol (issue #17 items 2-5): the connection path and its refusals, the handshake,
 * {@code pusher:ping}, subscriptions with their signatures, presence, cache replay, client events and sign-in. It
 * runs on each connection's event loop (the engine's {@link WebSocketHandler} contract); channels and fan-out are the
 * {@link Hub}'s, what nodes share the {@link Broker}'s. Where the broker must answer first (a presence join, a cache
 * lookup, a cluster subscription being set up) the subscription waits pending and the answer is taken back to the
 * connection's loop ({@link Stages}); the local broker answers at once, so a single node runs straight through.
 *
 * <p>Refusals follow what pusher-js does with them (docs/gateway.md): an unknown or disabled app, a quota, or an
 * unsupported protocol is accepted as a WebSocket and then told with {@code pusher:error} and the close code, since a
 * refused upgrade would make pusher-js retry forever; errors that concern one request (a subscription, a client
 * event) are a {@code pusher:error} only.
 */
public final class PusherHandler implements WebSocketHandler {
    /** {@code /app/{key}}: where Pusher clients connect. */
    private static final String PATH_PREFIX = "/app/";
    /** The answer to {@code pusher:ping}, encoded once for every connection (never released). */
    private static final PreparedMessage PONG = PreparedMessage.text(ServerFrames.pong());

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    /** Pusher's watchlist limit: the first 100 user ids are watched, and the client is told (4302). */
    private static final int MAX_WATCHLIST = 100;

    private final Hub hub;
    private final Broker broker;
    private final Apps apps;
    private final Webhooks webhooks;
    private final GatewayMetrics metrics;
    private final int activityTimeoutSeconds;

    /** What a connection that is accepted only to be told why it cannot stay carries until it is opened. */
    record Rejection(PusherError error) {}

    /** @param activityTimeout what {@code pusher:connection_established} tells clients (GatewayConfig's) */
    public PusherHandler(
            Hub hub, Broker broker, Apps apps, Duration activityTimeout, Webhooks webhooks, GatewayMetrics metrics) {
        this.hub = hub;
        this.broker = broker;
        this.apps = apps;
        this.webhooks = webhooks;
        this.metrics = metrics;
        this.activityTimeoutSeconds = (int) activityTimeout.toSeconds();
    }

    // ---- the connection's life --------------------------------------------------------------------------------

    @Override
    public UpgradeDecision onUpgrade(UpgradeRequest request) {
        String path = request.path();
        if (!path.startsWith(PATH_PREFIX)) {
            return rejection(PusherError.PATH_NOT_FOUND); // Pusher clients connect to /app/{key}
        }
        App app = apps.byKey(path.substring(PATH_PREFIX.length()));
        if (app == null) {
            return rejection(PusherError.APP_NOT_FOUND);
        }
        if (!app.enabled()) {
            return rejection(PusherError.APP_DISABLED);
        }
        PusherError protocol = checkProtocol(request.query());
        if (protocol != null) {
            return rejection(protocol);
        }
        if (app.maxConnections() > 0 && !broker.admit(app, app.maxConnections())) {
            return rejection(PusherError.OVER_CONNECTION_QUOTA);
        }
        return UpgradeDecision.accept(new ClientState(hub.app(app), hub.newSocket()));
    }

    private UpgradeDecision rejection(PusherError error) {
        metrics.refused(error);
        return UpgradeDecision.accept(new Rejection(error));
    }

    /**
     * The {@code protocol} query parameter: 4 to 7 are served alike (the Android client still sends 5); a missing one
     * is 4008 and anything else 4007, as Pusher answers (every Pusher client sends it).
     */
    static PusherError checkProtocol(String query) {
        String value = queryParameter(query, "protocol");
        if (value == null) {
            return PusherError.NO_PROTOCOL;
        }
        try {
            int protocol = Integer.parseInt(value);
            return protocol >= 4 && protocol <= 7 ? null : PusherError.UNSUPPORTED_PROTOCOL;
        } catch (NumberFormatException e) {
            return PusherError.UNSUPPORTED_PROTOCOL;
        }
    }

    private static String queryParameter(String query, String name) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.regionMatches(0, name, 0, eq) && eq == name.length()) {
                return pair.substring(eq + 1);
            }
        }
        return null;
    }

    @Override
    public void onOpen(WebSocketConnection connection) {
        Object attachment = connection.attachment();
        if (attachment instanceof Rejection rejection) {
            PusherError error = rejection.error();
            connection.sendText(error.frame());
            connection.close(error.closeCode(), error.message());
            return;
        }
        ClientState state = (ClientState) attachment;
        state.app.connections.increment();
        connection.sendText(ServerFrames.connectionEstablished(hub.socketId(state.seq), activityTimeoutSeconds));
    }

    @Override
    public void onClose(WebSocketConnection connection, int code, String reason) {
        if (!(connection.attachment() instanceof ClientState state)) {
            return;
        }
        for (LocalChannel lc : state.channels()) {
            leave(connection, state, lc);
        }
        ClientState.Extras extras = state.extras;
        if (extras != null && extras.userId != null) {
            state.app.signedOut(extras.userId, connection);
        }
        App app = state.app.app;
        if (app.maxConnections() > 0) {
            broker.release(app);
        }
        state.app.connections.decrement();
    }

    /** A client that missed the server's keepalive is told 4201 "Pong reply not received": pusher-js reconnects at once. */
    @Override
    public int deadPeerCloseCode() {
        return PusherError.PONG_NOT_RECEIVED.closeCode();
    }

    /** On shutdown, 4200 "Server shutting down, reconnect": pusher-js reconnects at once (1001 would wait 1 s). */
    @Override
    public int shutdownCloseCode() {
        return PusherError.SHUTTING_DOWN.closeCode();
    }

    @Override
    public void onBinary(WebSocketConnection connection, ByteBuf data) {
        // The Pusher protocol is text: binary frames carry nothing a client sends; ignored, as Pusher does.
    }

    // ---- messages ---------------------------------------------------------------------------------------------

    @Override
    public void onText(WebSocketConnection connection, String text) {
        if (!(connection.attachment() instanceof ClientState state)) {
            return; // told why it cannot stay, and closing
        }
        ClientMessage message = state.app.parser.parse(text);
        if (message instanceof ClientMessage.Ping) {
            connection.offer(PONG);
        } else if (message instanceof ClientMessage.Subscribe subscribe) {
            subscribe(connection, state, subscribe);
        } else if (message instanceof ClientMessage.Unsubscribe unsubscribe) {
            unsubscribe(connection, state, unsubscribe.channel());
        } else if (message instanceof ClientMessage.ClientEvent event) {
            clientEvent(connection, state, event);
        } else if (message instanceof ClientMessage.Signin signin) {
            signin(connection, state, signin);
        } else if (message instanceof ClientMessage.Invalid invalid) {
            error(connection, invalid.reply());
        } else if (message instanceof ClientMessage.Unknown unknown) {
            error(connection, PusherError.UNSUPPORTED_EVENT, unknown.event());
        }
        // pusher:pong: nothing to do
    }

    private void error(WebSocketConnection connection, PusherError error, Object... args) {
        error(connection, error.reply(args));
    }

    private void error(WebSocketConnection connection, ErrorReply reply) {
        metrics.error(reply.error());
        connection.sendText(reply.frame());
    }

    private void subscribe(WebSocketConnection connection, ClientState state, ClientMessage.Subscribe m) {
        App app = state.app.app;
        AppLimits limits = app.limits();
        String channel = m.channel();
        if (!ChannelNames.isValid(channel, limits.maxChannelNameLength())) {
            error(connection, PusherError.INVALID_CHANNEL_NAME, channel);
            return;
        }
        if (state.channel(channel) != null) { // subscribed, or waiting for the broker's answer
            error(connection, PusherError.EXISTING_SUBSCRIPTION, channel);
            return;
        }
        if (state.subscriptionCount() >= limits.maxSubscriptionsPerConnection()) {
            error(connection, PusherError.TOO_MANY_SUBSCRIPTIONS, limits.maxSubscriptionsPerConnection());
            return;
        }
        ChannelType type = ChannelType.of(channel);
        Broker.Member member = null;
        if (type == ChannelType.SERVER_TO_USER) {
            ClientState.Extras extras = state.extras;
            String user = channel.substring(channel.indexOf("#server-to-user-") + "#server-to-user-".length());
            if (extras == null || !user.equals(extras.userId)) {
                error(connection, PusherError.NOT_SIGNED_IN_AS_USER, channel);
                return;
            }
        } else if (type.requiresSignature()) {
            ErrorReply refused =
                    state.app.channelAuth.verify(hub.socketId(state.seq), channel, m.auth(), m.channelData());
            if (refused != null) {
                metrics.authFailed(app);
                error(connection, refused);
                return;
            }
            if (type.isPresence()) {
                member = presenceMember(connection, state, m.channelData(), limits);
                if (member == null) {
                    return; // told why
                }
            }
        }
        // Subscribed first, pending: the loop's interest is registered (a cluster node subscribes to the channel), and
        // the subscription receives what is published from its confirmation on (Hub). The answers it waits for come
        // after the channel is ready, so that nothing published after them is missed.
        boolean answerNeeded = member != null || type.isCache();
        LocalChannel lc = hub.subscribe(connection, state, channel, answerNeeded);
        CompletionStage<Void> ready = broker.ready(app, channel);
        IoLoop loop = connection.loop();
        if (member != null) {
            Broker.Member joining = member;
            String socketId = hub.socketId(state.seq);
            CompletionStage<Broker.Joined> join =
                    ready.thenCompose(v -> broker.join(app, channel, joining, socketId, limits.maxPresenceMembers()));
            // presence-cache-: the cache is read after the join, before the subscription is confirmed (as for cache-)
            CompletionStage<Joining> answer = type.isCache()
                    ? join.thenCompose(joined -> joined.outcome() == Broker.Join.FULL
                            ? CompletableFuture.completedFuture(new Joining(joined, true, null, null))
                            : broker.cached(app, channel).handle((cached, f) -> new Joining(joined, true, cached, f)))
                    : join.thenApply(joined -> new Joining(joined, false, null, null));
            Stages.onLoop(
                    loop, answer, (joinAnswer, failure) -> joined(connection, state, lc, joining, joinAnswer, failure));
        } else if (type.isCache()) {
            Stages.onLoop(
                    loop,
                    ready.thenCompose(v -> broker.cached(app, channel)),
                    (cached, failure) -> cacheAnswered(connection, state, lc, cached, failure));
        } else if (!lc.isPending(connection)) {
            succeeded(connection, type, app, channel); // the usual path: no answer to wait for
        } else {
            // Waiting for the cluster to deliver the channel here; if it cannot, the channel is served locally.
            Stages.onLoop(loop, ready, (v, failure) -> {
                if (hub.confirm(connection, lc)) {
                    succeeded(connection, type, app, channel);
                }
            });
        }
    }

    /** A confirmed subscription of a non-presence channel: counted (webhooks), and told. */
    private void succeeded(WebSocketConnection connection, ChannelType type, App app, String channel) {
        // A user's own channel is no occupancy: not counted, no webhooks (pusher-spec 4.5).
        if (type != ChannelType.SERVER_TO_USER) {
            broker.subscribed(app, channel, 1);
        }
        connection.sendText(ServerFrames.subscriptionSucceeded(channel));
    }

    /** A presence join's answer: the join, and for {@code presence-cache-} channels the cache lookup's. */
    private record Joining(Broker.Joined joined, boolean cache, Broker.Cached cached, Throwable cacheFailure) {}

    /** A presence join answered, on the connection's loop. */
    private void joined(
            WebSocketConnection connection,
            ClientState state,
            LocalChannel lc,
            Broker.Member member,
            Joining answer,
            Throwable failure) {
        App app = state.app.app;
        String channel = lc.name;
        boolean wanted = lc.isPending(connection); // not unsubscribed or closed meanwhile
        Broker.Joined joined = answer == null ? null : answer.joined();
        if (failure != null || joined.outcome() == Broker.Join.FULL) {
            if (wanted) {
                hub.unsubscribe(connection, state, lc);
                if (failure != null) {
                    error(connection, PusherError.PRESENCE_UNAVAILABLE, channel);
                } else {
                    error(
                            connection,
                            PusherError.PRESENCE_FULL,
                            channel,
                            app.limits().maxPresenceMembers());
                }
            }
            return;
        }
        if (!wanted) {
            broker.leave(app, channel, member, hub.socketId(state.seq)); // the join is undone
            return;
        }
        hub.confirm(connection, lc);
        state.presence().put(channel, member);
        broker.subscribed(app, channel, 1);
        connection.sendText(ServerFrames.presenceSubscriptionSucceeded(channel, presenceMembers(joined.members())));
        if (answer.cache()) {
            replay(connection, app, channel, answer.cached(), answer.cacheFailure());
        }
    }

    /** A cache channel's lookup answered, on the connection's loop: subscribed, then its last event or a miss. */
    private void cacheAnswered(
            WebSocketConnection connection,
            ClientState state,
            LocalChannel lc,
            Broker.Cached cached,
            Throwable failure) {
        if (!hub.confirm(connection, lc)) {
            return; // left meanwhile
        }
        App app = state.app.app;
        succeeded(connection, ChannelType.of(lc.name), app, lc.name);
        replay(connection, app, lc.name, cached, failure);
    }

    private void replay(
            WebSocketConnection connection, App app, String channel, Broker.Cached cached, Throwable failure) {
        if (failure != null) {
            return; // the cluster's cache cannot be read now: neither the event nor a miss can be told
        }
        if (cached != null) {
            connection.sendText(ServerFrames.channelEvent(cached.event(), channel, cached.data(), null));
        } else {
            connection.sendText(ServerFrames.cacheMiss(channel));
            webhooks.cacheMiss(app, channel);
        }
    }

    /**
     * The member a presence subscription joins as: its auth's {@code channel_data}, or the signed-in user when the
     * auth carried none (pusher-js then signs {@code socket_id:channel} only). Null, after telling the client, when
     * neither names a valid user.
     */
    private Broker.Member presenceMember(
            WebSocketConnection connection, ClientState state, String channelData, AppLimits limits) {
        MemberData data;
        if (channelData != null) {
            data = MemberData.ofChannelData(channelData);
        } else {
            ClientState.Extras extras = state.extras;
            data = extras == null || extras.userData == null ? null : MemberData.ofUserData(extras.userData);
        }
        if (data == null) {
            if (channelData == null) {
                error(connection, PusherError.CHANNEL_DATA_REQUIRED);
            } else {
                error(connection, PusherError.INVALID_CHANNEL_DATA, "an object with a string or number user_id");
            }
            return null;
        }
        if (data.id().length() > limits.maxUserIdLength()) {
            error(connection, PusherError.USER_ID_TOO_LONG, limits.maxUserIdLength());
            return null;
        }
        if (data.infoJson() != null && ByteBufUtil.utf8Bytes(data.infoJson()) > limits.maxUserInfoBytes()) {
            error(connection, PusherError.USER_INFO_TOO_LARGE, limits.maxUserInfoBytes());
            return null;
        }
        return new Broker.Member(data.idJson(), data.id(), data.infoJson());
    }

    private static List<PresenceMember> presenceMembers(List<Broker.Member> members) {
        List<PresenceMember> out = new ArrayList<>(members.size());
        for (Broker.Member member : members) {
            out.add(new PresenceMember(member.idJson(), member.infoJson()));
        }
        return out;
    }

    private void unsubscribe(WebSocketConnection connection, ClientState state, String channel) {
        LocalChannel lc = state.channel(channel);
        if (lc == null) {
            error(connection, PusherError.NO_SUBSCRIPTION, channel);
            return;
        }
        leave(connection, state, lc);
    }

    /**
     * Ends a subscription: the hub's, the presence membership's and the channel count's. A pending one is only taken
     * out of the hub: its answer, when it comes, undoes what it did in the broker.
     */
    private void leave(WebSocketConnection connection, ClientState state, LocalChannel lc) {
        App app = state.app.app;
        String channel = lc.name;
        if (hub.unsubscribe(connection, state, lc) != LocalChannel.Removed.SUBSCRIBED) {
            return;
        }
        ClientState.Extras extras = state.extras;
        Broker.Member member = extras == null || extras.presence == null ? null : extras.presence.remove(channel);
        if (member != null) {
            broker.leave(app, channel, member, hub.socketId(state.seq));
        }
        if (ChannelType.of(channel) != ChannelType.SERVER_TO_USER) {
            broker.subscribed(app, channel, -1);
        }
    }

    private void clientEvent(WebSocketConnection connection, ClientState state, ClientMessage.ClientEvent m) {
        App app = state.app.app;
        AppLimits limits = app.limits();
        String channel = m.channel();
        if (!app.clientEvents()) {
            error(connection, PusherError.CLIENT_EVENTS_DISABLED);
            return;
        }
        if (!ChannelType.of(channel).allowsClientEvents()) {
            error(connection, PusherError.CLIENT_EVENT_CHANNEL_TYPE, channel);
            return;
        }
        LocalChannel subscription = state.channel(channel);
        if (subscription == null || subscription.isPending(connection)) {
            error(connection, PusherError.CLIENT_EVENT_NOT_SUBSCRIBED, channel);
            return;
        }
        if (m.event().length() > limits.maxEventNameLength()
                || ByteBufUtil.utf8Bytes(m.data()) > limits.maxEventDataBytes()) {
            error(connection, PusherError.CLIENT_EVENT_TOO_LARGE, limits.maxEventDataBytes());
            return;
        }
        ClientState.Extras extras = state.extras();
        long now = System.nanoTime();
        if (now - extras.rateWindowNanos >= SECOND) {
            extras.rateWindowNanos = now;
            extras.rateCount = 0;
        }
        if (++extras.rateCount > limits.clientEventsPerSecond()) {
            metrics.rateLimited(app);
            error(connection, PusherError.CLIENT_EVENT_RATE_LIMIT);
            return;
        }
        Broker.Member member = extras.presence == null ? null : extras.presence.get(channel);
        String userId = member == null ? null : member.id();
        String socketId = hub.socketId(state.seq);
        metrics.clientEvent(app);
        hub.publish(new Publication(app, channel, m.event(), m.data(), socketId, userId, now));
        webhooks.clientEvent(app, channel, m.event(), m.data(), socketId, userId);
    }

    private void signin(WebSocketConnection connection, ClientState state, ClientMessage.Signin m) {
        App app = state.app.app;
        String socketId = hub.socketId(state.seq);
        ErrorReply refused = state.app.userAuth.verify(socketId, m.auth(), m.userData());
        if (refused != null) {
            metrics.authFailed(app);
            error(connection, refused);
            return;
        }
        MemberData user = MemberData.ofUserData(m.userData());
        if (user == null) {
            error(connection, PusherError.INVALID_USER_DATA, "an object with a non-empty string id");
            return;
        }
        if (user.id().length() > app.limits().maxUserIdLength()) {
            error(connection, PusherError.USER_ID_TOO_LONG, app.limits().maxUserIdLength());
            return;
        }
        ClientState.Extras extras = state.extras();
        if (extras.userId != null && !extras.userId.equals(user.id())) {
            error(connection, PusherError.ALREADY_SIGNED_IN);
            return;
        }
        if (extras.userId == null) {
            state.app.signedIn(user.id(), connection);
        }
        extras.userId = user.id();
        extras.userData = m.userData();
        connection.sendText(ServerFrames.signinSuccess(m.userData()));
        if (user.watchlist().size() > MAX_WATCHLIST) {
            error(connection, PusherError.WATCHLIST_LIMIT, MAX_WATCHLIST);
        }
    }
}
