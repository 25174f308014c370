package dev.throng.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.throng.bench.protocol.Json;
import dev.throng.bench.pusher.RestSigner;
import dev.throng.core.HttpService;
import dev.throng.core.ServerConfig;
import dev.throng.core.ThrongServer;
import dev.throng.core.WebSocketConnection;
import dev.throng.core.WebSocketHandler;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Just enough of the Pusher protocol for the subscribe scenario's tests, on the engine: connection_established,
 * ping/pong, public subscriptions, and {@code POST /apps/app-id/events} whose signature it checks with the scheme of
 * the spec (query sorted, {@code body_md5}); it can be told to drop every n-th delivery, to prove the bench notices.
 */
final class MiniPusherServer implements AutoCloseable {

    private static final String EVENTS_PATH = "/apps/app-id/events";
    private final Map<String, Set<WebSocketConnection>> channels = new ConcurrentHashMap<>();
    private final AtomicLong deliveries = new AtomicLong();
    final AtomicLong badSignatures = new AtomicLong();
    final AtomicLong triggers = new AtomicLong();
    private final long dropEvery;
    private final ThrongServer server;

    /** @param dropEvery drop every n-th delivery; 0: drop none */
    MiniPusherServer(long dropEvery) {
        this.dropEvery = dropEvery;
        WebSocketHandler pusher = new WebSocketHandler() {
            @Override
            public void onOpen(WebSocketConnection c) {
                c.sendText("{\"event\":\"pusher:connection_established\",\"data\":\"{\\\"socket_id\\\":\\\"1.2\\\","
                        + "\\\"activity_timeout\\\":120}\"}");
            }

            @Override
            public void onText(WebSocketConnection c, String text) {
                JsonNode m = read(text);
                String event = m.path("event").asText();
                if (event.equals("pusher:ping")) {
                    c.sendText("{\"event\":\"pusher:pong\",\"data\":\"{}\"}");
                } else if (event.equals("pusher:subscribe")) {
                    String channel = m.path("data").path("channel").asText();
                    channels.computeIfAbsent(channel, k -> ConcurrentHashMap.newKeySet())
                            .add(c);
                    c.sendText("{\"event\":\"pusher_internal:subscription_succeeded\",\"data\":\"{}\",\"channel\":\""
                            + channel + "\"}");
                }
            }

            @Override
            public void onClose(WebSocketConnection c, int code, String reason) {
                channels.values().forEach(s -> s.remove(c));
            }
        };
        HttpService api = new HttpService() {
            @Override
            public boolean serves(HttpRequest request) {
                return request.uri().startsWith("/apps/");
            }

            @Override
            public void initChannel(Channel channel) {
                channel.pipeline()
                        .addLast(
                                new HttpServerCodec(),
                                new HttpObjectAggregator(1 << 20),
                                new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                                        ctx.writeAndFlush(trigger(request));
                                    }
                                });
            }
        };
        this.server = ThrongServer.start(
                ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(2).build(), pusher, api);
    }

    int port() {
        return server.port();
    }

    private FullHttpResponse trigger(FullHttpRequest request) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        byte[] body = ByteBufUtil.getBytes(request.content());
        if (!uri.path().equals(EVENTS_PATH)) {
            return response(HttpResponseStatus.NOT_FOUND, "{}");
        }
        Map<String, String> params = new TreeMap<>();
        uri.parameters().forEach((k, v) -> params.put(k, v.get(0)));
        String signature = params.remove("auth_signature");
        String expected = new RestSigner("app-key", "app-secret")
                .signature(
                        "POST",
                        EVENTS_PATH,
                        String.join(
                                "&",
                                params.entrySet().stream()
                                        .map(e -> e.getKey() + "=" + e.getValue())
                                        .toList()));
        String md5 = new RestSigner("app-key", "app-secret").bodyMd5(body);
        if (!expected.equals(signature) || !md5.equals(params.get("body_md5"))) {
            badSignatures.incrementAndGet();
            return response(HttpResponseStatus.UNAUTHORIZED, "{\"error\":\"bad signature\"}");
        }
        triggers.incrementAndGet();
        JsonNode event = read(new String(body, StandardCharsets.UTF_8));
        for (JsonNode channel : event.path("channels")) {
            String frame = "{\"event\":\"" + event.path("name").asText() + "\",\"data\":"
                    + quote(event.path("data").asText()) + ",\"channel\":\"" + channel.asText() + "\"}";
            for (WebSocketConnection c : channels.getOrDefault(channel.asText(), Set.of())) {
                if (dropEvery > 0 && deliveries.incrementAndGet() % dropEvery == 0) {
                    continue;
                }
                c.sendText(frame);
            }
        }
        return response(HttpResponseStatus.OK, "{}");
    }

    private static FullHttpResponse response(HttpResponseStatus status, String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        return r;
    }

    private static JsonNode read(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String quote(String s) {
        try {
            return Json.MAPPER.writeValueAsString(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
