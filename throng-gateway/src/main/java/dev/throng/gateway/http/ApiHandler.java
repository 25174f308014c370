package dev.throng.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.throng.gateway.app.App;
import dev.throng.gateway.app.AppLimits;
import dev.throng.gateway.app.Apps;
import dev.throng.gateway.auth.Hmac;
import dev.throng.gateway.auth.RequestAuth;
import dev.throng.gateway.broker.Broker;
import dev.throng.gateway.broker.BrokerUnavailableException;
import dev.throng.gateway.broker.Publication;
import dev.throng.gateway.hub.Hub;
import dev.throng.gateway.metrics.GatewayMetrics;
import dev.throng.gateway.protocol.ChannelNames;
import dev.throng.gateway.protocol.ChannelType;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Pusher REST API (pusher.com/docs/channels/library_auth_reference/rest-api; docs/gateway.md): trigger and batch
 * events, channel lists and info, presence users, terminate a user's connections. Every call under {@code /apps/{id}}
 * is authenticated by Pusher's request signature ({@link RequestAuth}, within {@code requestTimestampWindow}); answers
 * are JSON: 200 with an object on success (PHP's SDK, under Laravel, accepts nothing else), and
 * {@code {"error": "..."}} with 400, 401, 403, 404, 413 or 429 otherwise (429, with {@code Retry-After}: a trigger
 * while the publications waiting for the event loops are at {@code maxPendingPublicationBytes}; {@link Hub}).
 * {@code GET /metrics} answers Prometheus text without authentication.
 *
 * <p><b>Cluster answers.</b> Channel counts, users and cache entries come from the {@link Broker}, which may have to
 * ask the cluster's shared state: the answer is written when the broker's stage completes, on the connection's loop,
 * and never blocks it. Responses on one kept-alive connection leave in the order of their requests. While the broker
 * is degraded (a cluster node that cannot reach Redis) every answer carries {@code X-Throng-Cluster: degraded}, and a
 * query that needs the shared state answers 503 {@code {"error": "cluster state unavailable: ..."}}; a trigger is
 * still delivered to this node's subscribers and answered 200 (docs/cluster.md, "Degraded mode").
 * {@code GET /healthz/cluster} answers 200 or, while degraded, 503 (no authentication, as {@code /metrics}).
 *
 * <p>Sharable: it keeps no state per connection beyond the tail of its pending responses (an attribute, set only
 * while an answer waits). Runs on the event loop of the connection it serves; publishing hands the frame to the other
 * loops ({@link Hub}).
 */
@ChannelHandler.Sharable
public final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    /**
     * Jackson's tree mapper, made on the first request that needs it: most workers of a cluster never serve the REST
     * API (the balancer sends it to a few), and an ObjectMapper with its date format's locale data is ~0.7 MiB of heap
     * and a few hundred classes in each of them (docs/benchmarks.md sections 24 and 29).
     */
    private static final class Mapper {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    private static final Pattern SOCKET_ID = Pattern.compile("\\d+\\.\\d+");
    private static final Set<String> TRIGGER_INFO = Set.of("user_count", "subscription_count");
    /** The header every answer carries while the broker is degraded. */
    static final String CLUSTER_HEADER = "X-Throng-Cluster";
    /**
     * The last response of a kept-alive connection still waiting for the broker: a later one is written after it
     * (HTTP/1.1 answers in request order). Absent while nothing waits.
     */
    private static final AttributeKey<CompletableFuture<Void>> PENDING =
            AttributeKey.valueOf(ApiHandler.class, "pending");

    private final Apps apps;
    private final Duration cacheTtl;
    private final Hub hub;
    private final Broker broker;
    private final GatewayMetrics metrics;
    /** Each app's request signature check, by the app's index. */
    private final RequestAuth[] requestAuth;

    /**
     * @param requestTimestampWindow how far a request's {@code auth_timestamp} may be from the clock (GatewayConfig's)
     * @param cacheTtl how long a cache channel keeps its last event (GatewayConfig's)
     */
    public ApiHandler(
            Apps apps,
            Duration requestTimestampWindow,
            Duration cacheTtl,
            Hub hub,
            Broker broker,
            GatewayMetrics metrics) {
        this.apps = apps;
        this.cacheTtl = cacheTtl;
        this.hub = hub;
        this.broker = broker;
        this.metrics = metrics;
        this.requestAuth = new RequestAuth[apps.size()];
        for (App app : apps.all()) {
            requestAuth[apps.indexOf(app)] = new RequestAuth(app.key(), new Hmac(app.secret()), requestTimestampWindow);
        }
    }

    /**
     * The {@code Retry-After} of a 429, in seconds: the least the header can say in whole seconds. A loop writes a
     * backlog at the limit in well under a second unless it is stuck; a client that comes back too early is told 429
     * again, which costs one small request.
     */
    static final int RETRY_AFTER_SECONDS = 1;

    /** An answer that is not 200. */
    static final class ApiError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final HttpResponseStatus status;
        /** Seconds for a {@code Retry-After} header; 0: none. */
        final int retryAfter;

        ApiError(HttpResponseStatus status, String message) {
            this(status, message, 0);
        }

        ApiError(HttpResponseStatus status, String message, int retryAfter) {
            super(message, null, false, false);
            this.status = status;
            this.retryAfter = retryAfter;
        }
    }

    private static ApiError bad(String message) {
        return new ApiError(HttpResponseStatus.BAD_REQUEST, message);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String method = request.method().name();
        String uri = request.uri();
        CompletionStage<FullHttpResponse> answer = answerOrFailure(request);
        CompletableFuture<Void> before = ctx.channel().attr(PENDING).get();
        if (before == null && answer.toCompletableFuture().isDone()) { // the usual path (a local broker): at once
            write(ctx, keepAlive, outcome(answer, method, uri));
            return;
        }
        CompletableFuture<Void> written = new CompletableFuture<>();
        ctx.channel().attr(PENDING).set(written);
        CompletionStage<FullHttpResponse> inOrder = before == null ? answer : before.thenCompose(v -> answer);
        inOrder.whenComplete((ignored, failure) -> {
            Runnable task = () -> {
                if (ctx.channel().attr(PENDING).get() == written) {
                    ctx.channel().attr(PENDING).set(null);
                }
                write(ctx, keepAlive, outcome(answer, method, uri));
                written.complete(null);
            };
            if (ctx.executor().inEventLoop()) {
                task.run();
            } else {
                try {
                    ctx.executor().execute(task);
                } catch (RejectedExecutionException stopped) {
                    written.complete(null); // the server has stopped
                }
            }
        });
    }

    private CompletionStage<FullHttpResponse> answerOrFailure(FullHttpRequest request) {
        try {
            return answer(request);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The response of a completed answer: its value, or the error it failed with as JSON. */
    private FullHttpResponse outcome(CompletionStage<FullHttpResponse> answer, String method, String uri) {
        FullHttpResponse response;
        try {
            response = answer.toCompletableFuture().join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            response = failure(e.getCause() == null ? e : e.getCause(), method, uri);
        } catch (RuntimeException e) {
            response = failure(e, method, uri);
        }
        String degraded = broker.degradedReason();
        if (degraded != null) {
            response.headers().set(CLUSTER_HEADER, "degraded");
        }
        return response;
    }

    private static FullHttpResponse failure(Throwable e, String method, String uri) {
        if (e instanceof ApiError api) {
            FullHttpResponse response =
                    json(api.status, Mapper.JSON.createObjectNode().put("error", api.getMessage()));
            if (api.retryAfter > 0) {
                response.headers().set(HttpHeaderNames.RETRY_AFTER, api.retryAfter);
            }
            return response;
        }
        if (e instanceof BrokerUnavailableException unavailable) {
            return json(
                    HttpResponseStatus.SERVICE_UNAVAILABLE,
                    Mapper.JSON
                            .createObjectNode()
                            .put("error", "cluster state unavailable: " + unavailable.getMessage()));
        }
        LOG.warn("REST {} {} failed", method, uri, e);
        return json(
                HttpResponseStatus.INTERNAL_SERVER_ERROR,
                Mapper.JSON.createObjectNode().put("error", "internal error"));
    }

    private static void write(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
        HttpUtil.setKeepAlive(response, keepAlive);
        var written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("REST connection {} failed", ctx.channel(), cause);
        ctx.close();
    }

    private CompletionStage<FullHttpResponse> answer(FullHttpRequest request) {
        String uri = request.uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        String query = q < 0 ? null : uri.substring(q + 1);
        if (path.equals("/metrics")) {
            return done(text(HttpResponseStatus.OK, metrics.scrape(), "text/plain; version=0.0.4; charset=utf-8"));
        }
        if (path.equals(ApiService.CLUSTER_HEALTH_PATH)) {
            String degraded = broker.degradedReason();
            return done(
                    degraded == null
                            ? json(
                                    HttpResponseStatus.OK,
                                    Mapper.JSON.createObjectNode().put("state", "ok"))
                            : json(
                                    HttpResponseStatus.SERVICE_UNAVAILABLE,
                                    Mapper.JSON
                                            .createObjectNode()
                                            .put("state", "degraded")
                                            .put("reason", degraded)));
        }
        String[] parts = path.split("/", -1); // "", "apps", id, ...
        if (parts.length < 4 || !parts[1].equals("apps")) {
            throw new ApiError(HttpResponseStatus.NOT_FOUND, "not found: " + path);
        }
        App app = apps.byId(decode(parts[2]));
        if (app == null) {
            throw new ApiError(HttpResponseStatus.NOT_FOUND, "unknown app id: " + parts[2]);
        }
        byte[] body = ByteBufUtil.getBytes(request.content());
        RequestAuth.Verdict auth =
                requestAuth[apps.indexOf(app)].verify(request.method().name(), path, query, body, Instant.now());
        if (!auth.ok()) {
            throw new ApiError(HttpResponseStatus.valueOf(auth.status()), auth.message());
        }
        if (!app.enabled()) {
            throw new ApiError(HttpResponseStatus.FORBIDDEN, "app " + app.id() + " is disabled");
        }
        QueryStringDecoder params = new QueryStringDecoder(uri);
        HttpMethod method = request.method();
        String resource = parts[3];
        if (resource.equals("events") && parts.length == 4 && method.equals(HttpMethod.POST)) {
            return ok(trigger(app, parse(body)));
        }
        if (resource.equals("batch_events") && parts.length == 4 && method.equals(HttpMethod.POST)) {
            return ok(batch(app, parse(body)));
        }
        if (resource.equals("channels") && method.equals(HttpMethod.GET)) {
            if (parts.length == 4) {
                return ok(channels(app, param(params, "filter_by_prefix"), param(params, "info")));
            }
            String channel = decode(parts[4]);
            if (parts.length == 5) {
                return ok(channel(app, channel, param(params, "info")));
            }
            if (parts.length == 6 && parts[5].equals("users")) {
                return ok(users(app, channel));
            }
        }
        if (resource.equals("users")
                && parts.length == 6
                && parts[5].equals("terminate_connections")
                && method.equals(HttpMethod.POST)) {
            broker.terminateUser(app, decode(parts[4]));
            return done(ok(Mapper.JSON.createObjectNode()));
        }
        throw new ApiError(HttpResponseStatus.NOT_FOUND, "no such endpoint: " + method + " " + path);
    }

    // ---- events -----------------------------------------------------------------------------------------------

    /** {@code POST /apps/{id}/events}. */
    private CompletionStage<ObjectNode> trigger(App app, JsonNode body) {
        AppLimits limits = app.limits();
        String name = eventName(body, limits);
        String data = eventData(body, limits);
        List<String> channels = new ArrayList<>();
        if (body.hasNonNull("channels")) {
            JsonNode list = body.get("channels");
            if (!list.isArray()) {
                throw bad("channels must be an array of channel names");
            }
            for (JsonNode c : list) {
                channels.add(c.isTextual() ? c.asText() : null);
            }
        } else if (body.hasNonNull("channel")) {
            channels.add(body.get("channel").isTextual() ? body.get("channel").asText() : null);
        }
        if (channels.isEmpty()) {
            throw bad("name a channel (channel) or channels (channels)");
        }
        if (channels.size() > limits.maxChannelsPerTrigger()) {
            throw bad("at most " + limits.maxChannelsPerTrigger() + " channels per trigger, got " + channels.size());
        }
        Set<String> unique = new LinkedHashSet<>();
        for (String channel : channels) {
            checkChannel(channel, limits);
            unique.add(channel);
        }
        if (unique.size() > 1 && unique.stream().anyMatch(c -> ChannelType.of(c).isEncrypted())) {
            throw bad("an event for an encrypted channel must name that channel alone");
        }
        String socketId = socketId(body);
        Set<String> info = info(body, TRIGGER_INFO);
        checkBacklog(app);
        long now = System.nanoTime();
        for (String channel : unique) {
            publish(app, channel, name, data, socketId, now);
        }
        ObjectNode response = Mapper.JSON.createObjectNode();
        if (info.isEmpty()) {
            return CompletableFuture.completedFuture(response);
        }
        ObjectNode byChannel = response.putObject("channels");
        List<CompletionStage<ObjectNode>> answers = new ArrayList<>();
        for (String channel : unique) {
            answers.add(attributes(app, channel, info));
        }
        return all(answers).thenApply(nodes -> {
            int i = 0;
            for (String channel : unique) {
                byChannel.set(channel, nodes.get(i++));
            }
            return response;
        });
    }

    /** {@code POST /apps/{id}/batch_events}. */
    private CompletionStage<ObjectNode> batch(App app, JsonNode body) {
        AppLimits limits = app.limits();
        JsonNode batch = body.get("batch");
        if (batch == null || !batch.isArray()) {
            throw bad("batch must be an array of events");
        }
        if (batch.size() > limits.maxEventsPerBatch()) {
            throw bad("at most " + limits.maxEventsPerBatch() + " events per batch, got " + batch.size());
        }
        record Item(String channel, String name, String data, String socketId, Set<String> info) {}
        List<Item> items = new ArrayList<>();
        for (JsonNode event : batch) {
            if (!event.isObject()) {
                throw bad("every batch entry must be an object");
            }
            JsonNode channel = event.get("channel");
            if (channel == null || !channel.isTextual()) {
                throw bad("every batch event names one channel (channel)");
            }
            checkChannel(channel.asText(), limits);
            items.add(new Item(
                    channel.asText(),
                    eventName(event, limits),
                    eventData(event, limits),
                    socketId(event),
                    info(event, TRIGGER_INFO)));
        }
        checkBacklog(app);
        long now = System.nanoTime();
        for (Item item : items) { // all checked first: a bad entry publishes nothing
            publish(app, item.channel(), item.name(), item.data(), item.socketId(), now);
        }
        ObjectNode response = Mapper.JSON.createObjectNode();
        if (items.stream().allMatch(i -> i.info().isEmpty())) {
            return CompletableFuture.completedFuture(response);
        }
        List<CompletionStage<ObjectNode>> answers = new ArrayList<>();
        for (Item item : items) {
            answers.add(
                    item.info().isEmpty()
                            ? CompletableFuture.completedFuture(Mapper.JSON.createObjectNode())
                            : attributes(app, item.channel(), item.info()));
        }
        return all(answers).thenApply(nodes -> {
            ArrayNode results = response.putArray("batch");
            nodes.forEach(results::add);
            return response;
        });
    }

    /**
     * Refuses a request that would publish while the loops' backlog is at its limit: 429 with {@code Retry-After}
     * (issue #17 item 7). Checked after the request is found valid (a bad request is told so, not to come back) and
     * before anything is published, so a request publishes all of its events or none.
     */
    private void checkBacklog(App app) {
        if (hub.backlogged()) {
            metrics.restThrottled(app);
            throw new ApiError(
                    HttpResponseStatus.TOO_MANY_REQUESTS,
                    "too many publications waiting to be delivered: "
                            + hub.backlogBytes() + " bytes, the limit is " + hub.maxBacklogBytes()
                            + " (gateway.maxPendingPublicationBytes); retry after " + RETRY_AFTER_SECONDS + " s",
                    RETRY_AFTER_SECONDS);
        }
    }

    private void publish(App app, String channel, String name, String data, String socketId, long now) {
        Publication publication = new Publication(app, channel, name, data, socketId, null, now);
        if (ChannelType.of(channel).isCache()) {
            hub.publishCached(publication, cacheTtl);
        } else {
            hub.publish(publication);
        }
    }

    private static String eventName(JsonNode body, AppLimits limits) {
        JsonNode name = body.get("name");
        if (name == null || !name.isTextual() || name.asText().isEmpty()) {
            throw bad("name must be a non-empty string");
        }
        String n = name.asText();
        if (n.length() > limits.maxEventNameLength()) {
            throw bad("event name too long: " + n.length() + " characters, at most " + limits.maxEventNameLength());
        }
        if (n.startsWith("pusher:") || n.startsWith("pusher_internal:")) {
            throw bad("event names starting with pusher: are reserved: " + n);
        }
        return n;
    }

    private static String eventData(JsonNode body, AppLimits limits) {
        JsonNode data = body.get("data");
        if (data == null || !data.isTextual()) {
            throw bad("data must be a string (the SDKs send JSON-encoded data as a string)");
        }
        String d = data.asText();
        int bytes = ByteBufUtil.utf8Bytes(d);
        if (bytes > limits.maxEventDataBytes()) {
            throw new ApiError(
                    HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "event data too large: " + bytes + " bytes, at most " + limits.maxEventDataBytes());
        }
        return d;
    }

    private static void checkChannel(String channel, AppLimits limits) {
        if (channel == null || !ChannelNames.isValid(channel, limits.maxChannelNameLength())) {
            throw bad("invalid channel name: " + channel);
        }
    }

    private static String socketId(JsonNode body) {
        JsonNode socketId = body.get("socket_id");
        if (socketId == null || socketId.isNull()) {
            return null;
        }
        if (!socketId.isTextual() || !SOCKET_ID.matcher(socketId.asText()).matches()) {
            throw bad("socket_id must look like 123.456, got " + socketId);
        }
        return socketId.asText();
    }

    private static Set<String> info(JsonNode body, Set<String> allowed) {
        JsonNode info = body.get("info");
        if (info == null || info.isNull()) {
            return Set.of();
        }
        if (!info.isTextual()) {
            throw bad("info must be a comma-separated string");
        }
        return attributesOf(info.asText(), allowed);
    }

    private static Set<String> attributesOf(String info, Set<String> allowed) {
        Set<String> out = new LinkedHashSet<>();
        for (String a : info.split(",")) {
            String attribute = a.trim();
            if (attribute.isEmpty()) {
                continue;
            }
            if (!allowed.contains(attribute)) {
                throw bad("unknown info attribute: " + attribute + " (known: " + allowed + ")");
            }
            out.add(attribute);
        }
        return out;
    }

    /** {@code user_count} (presence channels only) and {@code subscription_count}, as asked. */
    private CompletionStage<ObjectNode> attributes(App app, String channel, Set<String> info) {
        boolean presence = ChannelType.of(channel).isPresence();
        return broker.channel(app, channel).thenApply(counts -> {
            ObjectNode node = Mapper.JSON.createObjectNode();
            if (info.contains("user_count") && presence) {
                node.put("user_count", counts.userCount());
            }
            if (info.contains("subscription_count")) {
                node.put("subscription_count", counts.subscriptionCount());
            }
            return node;
        });
    }

    /** The values of {@code stages}, in order, once all are complete (failing with the first failure). */
    private static <T> CompletionStage<List<T>> all(List<CompletionStage<T>> stages) {
        CompletableFuture<?>[] futures =
                stages.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(futures).thenApply(v -> {
            List<T> values = new ArrayList<>(stages.size());
            for (CompletionStage<T> stage : stages) {
                values.add(stage.toCompletableFuture().join());
            }
            return values;
        });
    }

    // ---- channels ---------------------------------------------------------------------------------------------

    /** {@code GET /apps/{id}/channels}: occupied channels, optionally by prefix, with user counts of presence ones. */
    private CompletionStage<ObjectNode> channels(App app, String prefix, String infoParameter) {
        String p = prefix == null ? "" : prefix;
        Set<String> info = infoParameter == null
                ? Set.of()
                : attributesOf(infoParameter, Set.of("user_count", "subscription_count"));
        if (info.contains("user_count") && !p.startsWith("presence-")) {
            throw bad("user_count needs filter_by_prefix=presence-");
        }
        return broker.channels(app, p).thenApply(occupied -> {
            ObjectNode response = Mapper.JSON.createObjectNode();
            ObjectNode channels = response.putObject("channels");
            for (Map.Entry<String, Broker.ChannelInfo> e : occupied.entrySet()) {
                if (ChannelType.of(e.getKey()) == ChannelType.SERVER_TO_USER) {
                    continue; // internal to sign-in, not a channel the app made
                }
                ObjectNode node = channels.putObject(e.getKey());
                if (info.contains("user_count")) {
                    node.put("user_count", e.getValue().userCount());
                }
                if (info.contains("subscription_count")) {
                    node.put("subscription_count", e.getValue().subscriptionCount());
                }
            }
            return response;
        });
    }

    /** {@code GET /apps/{id}/channels/{name}}. */
    private CompletionStage<ObjectNode> channel(App app, String channel, String infoParameter) {
        checkChannel(channel, app.limits());
        ChannelType type = ChannelType.of(channel);
        Set<String> info = infoParameter == null
                ? Set.of()
                : attributesOf(infoParameter, Set.of("user_count", "subscription_count", "cache"));
        if (info.contains("user_count") && !type.isPresence()) {
            throw bad("user_count is for presence channels only");
        }
        if (info.contains("cache") && !type.isCache()) {
            throw bad("cache is for cache channels only");
        }
        CompletionStage<Broker.Cached> cache =
                info.contains("cache") ? broker.cached(app, channel) : CompletableFuture.completedFuture(null);
        return broker.channel(app, channel).thenCombine(cache, (counts, cached) -> {
            ObjectNode response = Mapper.JSON.createObjectNode().put("occupied", counts.subscriptionCount() > 0);
            if (info.contains("user_count")) {
                response.put("user_count", counts.userCount());
            }
            if (info.contains("subscription_count")) {
                response.put("subscription_count", counts.subscriptionCount());
            }
            if (info.contains("cache")) {
                if (cached == null) {
                    response.putNull("cache");
                } else {
                    response.putObject("cache")
                            .put("data", cached.data())
                            .put("ttl", cached.ttl().toSeconds());
                }
            }
            return response;
        });
    }

    /** {@code GET /apps/{id}/channels/{name}/users}: presence channels only. */
    private CompletionStage<ObjectNode> users(App app, String channel) {
        checkChannel(channel, app.limits());
        if (!ChannelType.of(channel).isPresence()) {
            throw bad("users are listed for presence channels only");
        }
        return broker.members(app, channel).thenApply(members -> {
            ObjectNode response = Mapper.JSON.createObjectNode();
            ArrayNode users = response.putArray("users");
            for (Broker.Member member : members) {
                users.addObject().put("id", member.id());
            }
            return response;
        });
    }

    // ---- plumbing ---------------------------------------------------------------------------------------------

    private static JsonNode parse(byte[] body) {
        try {
            JsonNode node = Mapper.JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw bad("the body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw bad("the body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw bad("the body could not be read");
        }
    }

    private static String param(QueryStringDecoder params, String name) {
        List<String> values = params.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static String decode(String component) {
        return QueryStringDecoder.decodeComponent(component);
    }

    private static CompletionStage<FullHttpResponse> ok(CompletionStage<ObjectNode> body) {
        return body.thenApply(ApiHandler::ok);
    }

    private static FullHttpResponse ok(ObjectNode body) {
        return json(HttpResponseStatus.OK, body);
    }

    private static CompletionStage<FullHttpResponse> done(FullHttpResponse response) {
        return CompletableFuture.completedFuture(response);
    }

    private static FullHttpResponse json(HttpResponseStatus status, JsonNode body) {
        try {
            return response(status, Mapper.JSON.writeValueAsBytes(body), "application/json");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // a tree of our own always serialises
        }
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body, String type) {
        return response(status, body.getBytes(StandardCharsets.UTF_8), type);
    }

    private static FullHttpResponse response(HttpResponseStatus status, byte[] body, String type) {
        FullHttpResponse response =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        HttpUtil.setContentLength(response, body.length);
        return response;
    }
}
