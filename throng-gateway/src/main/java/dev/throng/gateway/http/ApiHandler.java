package dev.throng.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.throng.gateway.GatewayConfig;
import dev.throng.gateway.app.App;
import dev.throng.gateway.app.AppLimits;
import dev.throng.gateway.app.Apps;
import dev.throng.gateway.auth.Hmac;
import dev.throng.gateway.auth.RequestAuth;
import dev.throng.gateway.broker.Broker;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Pusher REST API (pusher.com/docs/channels/library_auth_reference/rest-api; docs/gateway.md): trigger and batch
 * events, channel lists and info, presence users, terminate a user's connections. Every call under {@code /apps/{id}}
 * is authenticated by Pusher's request signature ({@link RequestAuth}, within {@code requestTimestampWindow}); answers
 * are JSON: 200 with an object on success (PHP's SDK, under Laravel, accepts nothing else), and
 * {@code {"error": "..."}} with 400, 401, 403, 404 or 413 otherwise. {@code GET /metrics} answers Prometheus text
 * without authentication.
 *
 * <p>Sharable: it keeps no state per connection. Runs on the event loop of the connection it serves; publishing hands
 * the frame to the other loops ({@link Hub}).
 */
@ChannelHandler.Sharable
public final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SOCKET_ID = Pattern.compile("\\d+\\.\\d+");
    private static final Set<String> TRIGGER_INFO = Set.of("user_count", "subscription_count");

    private final Apps apps;
    private final GatewayConfig config;
    private final Hub hub;
    private final Broker broker;
    private final GatewayMetrics metrics;
    /** Each app's request signature check, by the app's index. */
    private final RequestAuth[] requestAuth;

    public ApiHandler(Apps apps, GatewayConfig config, Hub hub, Broker broker, GatewayMetrics metrics) {
        this.apps = apps;
        this.config = config;
        this.hub = hub;
        this.broker = broker;
        this.metrics = metrics;
        this.requestAuth = new RequestAuth[apps.size()];
        for (App app : apps.all()) {
            requestAuth[apps.indexOf(app)] = new RequestAuth(app.key(), new Hmac(app.secret()),
                config.requestTimestampWindow());
        }
    }

    /** An answer that is not 200. */
    static final class ApiError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final HttpResponseStatus status;

        ApiError(HttpResponseStatus status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private static ApiError bad(String message) {
        return new ApiError(HttpResponseStatus.BAD_REQUEST, message);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        FullHttpResponse response;
        try {
            response = answer(request);
        } catch (ApiError e) {
            response = json(e.status, JSON.createObjectNode().put("error", e.getMessage()));
        } catch (RuntimeException e) {
            LOG.warn("REST {} {} failed", request.method(), request.uri(), e);
            response = json(HttpResponseStatus.INTERNAL_SERVER_ERROR,
                JSON.createObjectNode().put("error", "internal error"));
        }
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

    private FullHttpResponse answer(FullHttpRequest request) {
        String uri = request.uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        String query = q < 0 ? null : uri.substring(q + 1);
        if (path.equals("/metrics")) {
            return text(HttpResponseStatus.OK, metrics.scrape(), "text/plain; version=0.0.4; charset=utf-8");
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
        RequestAuth.Verdict auth = requestAuth[apps.indexOf(app)].verify(request.method().name(), path, query, body,
            Instant.now());
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
        if (resource.equals("users") && parts.length == 6 && parts[5].equals("terminate_connections")
            && method.equals(HttpMethod.POST)) {
            broker.terminateUser(app, decode(parts[4]));
            return ok(JSON.createObjectNode());
        }
        throw new ApiError(HttpResponseStatus.NOT_FOUND, "no such endpoint: " + method + " " + path);
    }

    // ---- events -----------------------------------------------------------------------------------------------

    /** {@code POST /apps/{id}/events}. */
    private ObjectNode trigger(App app, JsonNode body) {
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
        long now = System.nanoTime();
        for (String channel : unique) {
            publish(app, channel, name, data, socketId, now);
        }
        ObjectNode response = JSON.createObjectNode();
        if (!info.isEmpty()) {
            ObjectNode byChannel = response.putObject("channels");
            for (String channel : unique) {
                byChannel.set(channel, attributes(app, channel, info));
            }
        }
        return response;
    }

    /** {@code POST /apps/{id}/batch_events}. */
    private ObjectNode batch(App app, JsonNode body) {
        AppLimits limits = app.limits();
        JsonNode batch = body.get("batch");
        if (batch == null || !batch.isArray()) {
            throw bad("batch must be an array of events");
        }
        if (batch.size() > limits.maxEventsPerBatch()) {
            throw bad("at most " + limits.maxEventsPerBatch() + " events per batch, got " + batch.size());
        }
        record Item(String channel, String name, String data, String socketId, Set<String> info) {
        }
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
            items.add(new Item(channel.asText(), eventName(event, limits), eventData(event, limits), socketId(event),
                info(event, TRIGGER_INFO)));
        }
        long now = System.nanoTime();
        for (Item item : items) { // all checked first: a bad entry publishes nothing
            publish(app, item.channel(), item.name(), item.data(), item.socketId(), now);
        }
        ObjectNode response = JSON.createObjectNode();
        if (items.stream().anyMatch(i -> !i.info().isEmpty())) {
            ArrayNode results = response.putArray("batch");
            for (Item item : items) {
                results.add(item.info().isEmpty() ? JSON.createObjectNode() : attributes(app, item.channel(),
                    item.info()));
            }
        }
        return response;
    }

    private void publish(App app, String channel, String name, String data, String socketId, long now) {
        if (ChannelType.of(channel).isCache()) {
            broker.cache(app, channel, name, data, config.cacheTtl());
        }
        hub.publish(new Publication(app, channel, name, data, socketId, null, now));
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
            throw new ApiError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
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
    private ObjectNode attributes(App app, String channel, Set<String> info) {
        ObjectNode node = JSON.createObjectNode();
        boolean presence = ChannelType.of(channel).isPresence();
        if (info.contains("user_count") && presence) {
            node.put("user_count", broker.members(app, channel).size());
        }
        if (info.contains("subscription_count")) {
            node.put("subscription_count", broker.subscriptionCount(app, channel));
        }
        return node;
    }

    // ---- channels ---------------------------------------------------------------------------------------------

    /** {@code GET /apps/{id}/channels}: occupied channels, optionally by prefix, with user counts of presence ones. */
    private ObjectNode channels(App app, String prefix, String infoParameter) {
        String p = prefix == null ? "" : prefix;
        Set<String> info = infoParameter == null ? Set.of()
            : attributesOf(infoParameter, Set.of("user_count", "subscription_count"));
        if (info.contains("user_count") && !p.startsWith("presence-")) {
            throw bad("user_count needs filter_by_prefix=presence-");
        }
        ObjectNode response = JSON.createObjectNode();
        ObjectNode channels = response.putObject("channels");
        for (Map.Entry<String, Long> e : broker.channels(app, p).entrySet()) {
            if (ChannelType.of(e.getKey()) == ChannelType.SERVER_TO_USER) {
                continue; // internal to sign-in, not a channel the app made
            }
            ObjectNode node = channels.putObject(e.getKey());
            if (info.contains("user_count")) {
                node.put("user_count", broker.members(app, e.getKey()).size());
            }
            if (info.contains("subscription_count")) {
                node.put("subscription_count", e.getValue());
            }
        }
        return response;
    }

    /** {@code GET /apps/{id}/channels/{name}}. */
    private ObjectNode channel(App app, String channel, String infoParameter) {
        checkChannel(channel, app.limits());
        ChannelType type = ChannelType.of(channel);
        Set<String> info = infoParameter == null ? Set.of()
            : attributesOf(infoParameter, Set.of("user_count", "subscription_count", "cache"));
        if (info.contains("user_count") && !type.isPresence()) {
            throw bad("user_count is for presence channels only");
        }
        if (info.contains("cache") && !type.isCache()) {
            throw bad("cache is for cache channels only");
        }
        long count = broker.subscriptionCount(app, channel);
        ObjectNode response = JSON.createObjectNode().put("occupied", count > 0);
        if (info.contains("user_count")) {
            response.put("user_count", broker.members(app, channel).size());
        }
        if (info.contains("subscription_count")) {
            response.put("subscription_count", count);
        }
        if (info.contains("cache")) {
            Broker.Cached cached = broker.cached(app, channel);
            if (cached == null) {
                response.putNull("cache");
            } else {
                response.putObject("cache").put("data", cached.data()).put("ttl", cached.ttl().toSeconds());
            }
        }
        return response;
    }

    /** {@code GET /apps/{id}/channels/{name}/users}: presence channels only. */
    private ObjectNode users(App app, String channel) {
        checkChannel(channel, app.limits());
        if (!ChannelType.of(channel).isPresence()) {
            throw bad("users are listed for presence channels only");
        }
        ObjectNode response = JSON.createObjectNode();
        ArrayNode users = response.putArray("users");
        for (Broker.Member member : broker.members(app, channel)) {
            users.addObject().put("id", member.id());
        }
        return response;
    }

    // ---- plumbing ---------------------------------------------------------------------------------------------

    private static JsonNode parse(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
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

    private static FullHttpResponse ok(ObjectNode body) {
        return json(HttpResponseStatus.OK, body);
    }

    private static FullHttpResponse json(HttpResponseStatus status, JsonNode body) {
        try {
            return response(status, JSON.writeValueAsBytes(body), "application/json");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // a tree of our own always serialises
        }
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body, String type) {
        return response(status, body.getBytes(StandardCharsets.UTF_8), type);
    }

    private static FullHttpResponse response(HttpResponseStatus status, byte[] body, String type) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
            Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        HttpUtil.setContentLength(response, body.length);
        return response;
    }
}
