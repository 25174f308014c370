package dev.throng.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.throng.gateway.GatewayConfig;
import dev.throng.gateway.app.App;
import dev.throng.gateway.app.Apps;
import dev.throng.gateway.broker.Broker;
import dev.throng.gateway.broker.BrokerUnavailableException;
import dev.throng.gateway.broker.LocalBroker;
import dev.throng.gateway.broker.Publication;
import dev.throng.gateway.hub.Hub;
import dev.throng.gateway.metrics.GatewayMetrics;
import dev.throng.gateway.webhook.Webhooks;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The REST API over a broker that answers later (a cluster's): an answer is written when the broker's stage completes,
 * answers leave in request order whatever order the broker answers in, and a degraded broker shows in every answer.
 */
class ApiHandlerTest {
    static final App APP = App.of("1", "key1", "secret1", true);
    static final ObjectMapper JSON = new ObjectMapper();

    /** A local broker whose channel queries wait for the test, and whose degradation the test sets. */
    static final class LateBroker implements Broker {
        final LocalBroker local = new LocalBroker();
        final Queue<CompletableFuture<ChannelInfo>> queries = new ArrayDeque<>();
        volatile String degraded;

        @Override
        public void start(Node node, GatewayMetrics metrics) {
            local.start(node, metrics);
        }

        @Override
        public void publish(Publication publication) {
            local.publish(publication);
        }

        @Override
        public void publishCached(Publication publication, Duration ttl) {
            local.publishCached(publication, ttl);
        }

        @Override
        public void interest(App app, String channel, boolean interested) {}

        @Override
        public CompletionStage<Void> ready(App app, String channel) {
            return local.ready(app, channel);
        }

        @Override
        public void subscribed(App app, String channel, int delta) {
            local.subscribed(app, channel, delta);
        }

        @Override
        public CompletionStage<ChannelInfo> channel(App app, String channel) {
            CompletableFuture<ChannelInfo> later = new CompletableFuture<>();
            queries.add(later);
            return later;
        }

        @Override
        public CompletionStage<Map<String, ChannelInfo>> channels(App app, String prefix) {
            return degraded != null
                    ? CompletableFuture.failedFuture(new BrokerUnavailableException("redis is away"))
                    : local.channels(app, prefix);
        }

        @Override
        public CompletionStage<Joined> join(App app, String channel, Member member, String socketId, int max) {
            return local.join(app, channel, member, socketId, max);
        }

        @Override
        public void leave(App app, String channel, Member member, String socketId) {
            local.leave(app, channel, member, socketId);
        }

        @Override
        public CompletionStage<List<Member>> members(App app, String channel) {
            return local.members(app, channel);
        }

        @Override
        public CompletionStage<Cached> cached(App app, String channel) {
            return local.cached(app, channel);
        }

        @Override
        public void terminateUser(App app, String userId) {
            local.terminateUser(app, userId);
        }

        @Override
        public boolean admit(App app, int max) {
            return local.admit(app, max);
        }

        @Override
        public void release(App app) {
            local.release(app);
        }

        @Override
        public String degradedReason() {
            return degraded;
        }

        @Override
        public void close() {
            local.close();
        }
    }

    LateBroker broker;
    Webhooks webhooks;
    EmbeddedChannel channel;

    @BeforeEach
    void start() {
        Apps apps = new Apps(List.of(APP));
        GatewayConfig config = GatewayConfig.DEFAULTS.withApps(List.of(APP));
        GatewayMetrics metrics = new GatewayMetrics(apps);
        broker = new LateBroker();
        webhooks = new Webhooks(config.webhookSettings());
        Hub hub = new Hub(apps, broker, metrics, webhooks);
        broker.start(hub, metrics);
        channel = new EmbeddedChannel(
                new ApiHandler(apps, config.requestTimestampWindow(), config.cacheTtl(), hub, broker, metrics));
    }

    @AfterEach
    void stop() {
        channel.finishAndReleaseAll();
        webhooks.close();
    }

    @Test
    void answersInRequestOrderWhenTheBrokerAnswersOutOfOrder() throws Exception {
        channel.writeInbound(get("/channels/first", "info=subscription_count"));
        channel.writeInbound(get("/channels/second", "info=subscription_count"));
        assertThat((Object) channel.readOutbound())
                .as("nothing before the broker answers")
                .isNull();
        CompletableFuture<Broker.ChannelInfo> first = broker.queries.poll();
        CompletableFuture<Broker.ChannelInfo> second = broker.queries.poll();

        second.complete(new Broker.ChannelInfo(2, 0));
        assertThat((Object) channel.readOutbound())
                .as("the second waits for the first")
                .isNull();
        first.complete(new Broker.ChannelInfo(1, 0));

        assertThat(body(channel.readOutbound())).isEqualTo("{\"occupied\":true,\"subscription_count\":1}");
        assertThat(body(channel.readOutbound())).isEqualTo("{\"occupied\":true,\"subscription_count\":2}");
    }

    @Test
    void whileTheBrokerIsDegradedEveryAnswerSaysSoAndClusterQueriesAnswer503() throws Exception {
        broker.degraded = "redis at 127.0.0.1:1 is unreachable";

        channel.writeInbound(post("/events", "{\"name\":\"e\",\"channel\":\"news\",\"data\":\"x\"}"));
        FullHttpResponse trigger = channel.readOutbound();
        channel.writeInbound(get("/channels", null));
        FullHttpResponse list = channel.readOutbound();

        try {
            assertThat(trigger.status().code())
                    .as("a trigger is still delivered locally")
                    .isEqualTo(200);
            assertThat(trigger.headers().get("X-Throng-Cluster")).isEqualTo("degraded");
            assertThat(list.status().code()).isEqualTo(503);
            assertThat(list.headers().get("X-Throng-Cluster")).isEqualTo("degraded");
            assertThat(JSON.readTree(list.content().toString(StandardCharsets.UTF_8))
                            .path("error")
                            .asText())
                    .isEqualTo("cluster state unavailable: redis is away");
        } finally {
            trigger.release();
            list.release();
        }
    }

    private static String body(FullHttpResponse response) {
        try {
            assertThat(response.status().code()).isEqualTo(200);
            assertThat(response.headers().contains("X-Throng-Cluster")).isFalse();
            return response.content().toString(StandardCharsets.UTF_8);
        } finally {
            response.release();
        }
    }

    private static FullHttpRequest get(String resource, String params) throws Exception {
        return request(HttpMethod.GET, resource, params, null);
    }

    private static FullHttpRequest post(String resource, String body) throws Exception {
        return request(HttpMethod.POST, resource, null, body);
    }

    /** Signed as Pusher's SDKs sign (auth_key, auth_timestamp, auth_version, body_md5, auth_signature). */
    private static FullHttpRequest request(HttpMethod method, String resource, String params, String body)
            throws Exception {
        String path = "/apps/" + APP.id() + resource;
        java.util.TreeMap<String, String> query = new java.util.TreeMap<>();
        if (params != null) {
            String[] kv = params.split("=", 2);
            query.put(kv[0], kv[1]);
        }
        query.put("auth_key", APP.key());
        query.put("auth_timestamp", Long.toString(System.currentTimeMillis() / 1000));
        query.put("auth_version", "1.0");
        if (body != null) {
            query.put(
                    "body_md5",
                    HexFormat.of()
                            .formatHex(MessageDigest.getInstance("MD5").digest(body.getBytes(StandardCharsets.UTF_8))));
        }
        StringBuilder qs = new StringBuilder();
        query.forEach((k, v) ->
                qs.append(qs.length() == 0 ? "" : "&").append(k).append('=').append(v));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(APP.secret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = HexFormat.of()
                .formatHex(mac.doFinal((method.name() + "\n" + path + "\n" + qs).getBytes(StandardCharsets.UTF_8)));
        return new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                method,
                path + "?" + qs + "&auth_signature=" + signature,
                body == null ? Unpooled.EMPTY_BUFFER : Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    }
}
