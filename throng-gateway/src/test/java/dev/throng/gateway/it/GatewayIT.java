package dev.throng.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.throng.core.ServerConfig;
import dev.throng.core.TransportKind;
import dev.throng.gateway.Gateway;
import dev.throng.gateway.GatewayConfig;
import dev.throng.gateway.app.App;
import dev.throng.gateway.app.AppLimits;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway over real sockets, seen from the JDK's WebSocket and HTTP clients: the protocol's main paths, as a quick
 * tier under the Node tests where pusher-js and the pusher SDK are the witnesses.
 */
class GatewayIT {
    static final App APP = new App("1", "key1", "secret1", true, 3, true, AppLimits.PUSHER, List.of());
    static final App DISABLED = new App("2", "key2", "secret2", false, 0, false, AppLimits.PUSHER, List.of());

    Gateway gateway;
    int port;
    SignedRest rest;

    @BeforeEach
    void start() {
        gateway = Gateway.start(
                ServerConfig.builder()
                        .host("127.0.0.1")
                        .port(0)
                        .transport(TransportKind.EPOLL)
                        .ioThreads(2)
                        .pingInterval(Duration.ZERO)
                        .build(),
                GatewayConfig.DEFAULTS.withApps(List.of(APP, DISABLED)));
        port = gateway.server().port();
        rest = new SignedRest(port, APP.id(), APP.key(), APP.secret());
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    @Test
    void aClientIsGreetedWithASocketIdAndTheActivityTimeout() throws Exception {
        try (PusherWire wire = PusherWire.connect(port, APP.key())) {
            JsonNode first = wire.next();
            assertThat(first.path("event").asText()).isEqualTo("pusher:connection_established");
            assertThat(first.path("data").isTextual())
                    .as("data is a JSON string")
                    .isTrue();
            JsonNode data = PusherWire.JSON.readTree(first.path("data").asText());
            assertThat(data.path("socket_id").asText()).matches("\\d+\\.\\d+");
            assertThat(data.path("activity_timeout").asInt()).isEqualTo(120);
            wire.send("{\"event\":\"pusher:ping\",\"data\":{}}");
            assertThat(wire.next().toString()).isEqualTo("{\"event\":\"pusher:pong\",\"data\":\"{}\"}");
        }
    }

    @Test
    void aDrainingGatewayClosesItsClientsWith4200SoThatPusherJsReconnectsAtOnce() throws Exception {
        try (PusherWire wire = PusherWire.connect(port, APP.key())) {
            wire.established();
            gateway.server().drain(Duration.ofMillis(100));
            assertThat(wire.closed.get(5, TimeUnit.SECONDS)).isEqualTo(4200);
        }
    }

    @Test
    void anUnknownKeyADisabledAppAndAFullQuotaAreToldAndClosedWithTheirCodes() throws Exception {
        try (PusherWire unknown = PusherWire.connect(port, "nope")) {
            assertThat(unknown.next().path("data").path("code").asInt()).isEqualTo(4001);
            assertThat(unknown.closed.get(5, TimeUnit.SECONDS)).isEqualTo(4001);
        }
        try (PusherWire disabled = PusherWire.connect(port, DISABLED.key())) {
            assertThat(disabled.next().path("data").path("code").asInt()).isEqualTo(4003);
            assertThat(disabled.closed.get(5, TimeUnit.SECONDS)).isEqualTo(4003);
        }
        try (PusherWire a = PusherWire.connect(port, APP.key());
                PusherWire b = PusherWire.connect(port, APP.key());
                PusherWire c = PusherWire.connect(port, APP.key());
                PusherWire d = PusherWire.connect(port, APP.key())) {
            a.established();
            b.established();
            c.established();
            assertThat(d.next().path("data").path("code").asInt())
                    .as("the fourth of a quota of 3")
                    .isEqualTo(4004);
            assertThat(d.closed.get(5, TimeUnit.SECONDS)).isEqualTo(4004);
        }
    }

    @Test
    void aPublicSubscriberReceivesWhatTheRestApiTriggersExceptItsOwnSocketsExclusion() throws Exception {
        try (PusherWire one = PusherWire.connect(port, APP.key());
                PusherWire two = PusherWire.connect(port, APP.key())) {
            String socketOne = one.established();
            two.established();
            for (PusherWire w : List.of(one, two)) {
                w.send("{\"event\":\"pusher:subscribe\",\"data\":{\"auth\":\"\",\"channel\":\"news\"}}");
                JsonNode ok = w.next();
                assertThat(ok.toString())
                        .isEqualTo(
                                "{\"event\":\"pusher_internal:subscription_succeeded\",\"data\":\"{}\",\"channel\":\"news\"}");
            }
            HttpResponse<String> response = rest.post(
                    "/events",
                    "{\"name\":\"flash\",\"channels\":[\"news\"],\"data\":\"{\\\"n\\\":1}\",\"socket_id\":\""
                            + socketOne + "\"}");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("{}");
            JsonNode event = two.next("flash");
            assertThat(event.path("data").asText()).isEqualTo("{\"n\":1}");
            assertThat(event.path("channel").asText()).isEqualTo("news");
            rest.post("/events", "{\"name\":\"second\",\"channel\":\"news\",\"data\":\"x\"}");
            assertThat(one.next("second").path("data").asText())
                    .as("the excluded socket got only the second")
                    .isEqualTo("x");
        }
    }

    @Test
    void privateChannelsNeedAValidSignatureAndRelayClientEventsToOthersOnly() throws Exception {
        try (PusherWire one = PusherWire.connect(port, APP.key());
                PusherWire two = PusherWire.connect(port, APP.key())) {
            String s1 = one.established();
            String s2 = two.established();
            one.send(subscribe("private-room", APP.key() + ":" + "0".repeat(64), null));
            assertThat(one.next("pusher:error").path("data").path("code").isNull())
                    .isTrue();
            one.send(subscribe("private-room", auth(s1, "private-room", null), null));
            one.next("pusher_internal:subscription_succeeded");
            two.send(subscribe("private-room", auth(s2, "private-room", null), null));
            two.next("pusher_internal:subscription_succeeded");
            one.send("{\"event\":\"client-typing\",\"data\":{\"who\":\"one\"},\"channel\":\"private-room\"}");
            JsonNode relayed = two.next("client-typing");
            assertThat(PusherWire.JSON
                            .readTree(relayed.path("data").asText())
                            .path("who")
                            .asText())
                    .isEqualTo("one");
            assertThat(relayed.has("user_id")).isFalse();
            one.send("{\"event\":\"pusher:ping\",\"data\":{}}");
            assertThat(one.next().path("event").asText())
                    .as("the sender did not get its own event")
                    .isEqualTo("pusher:pong");
        }
    }

    @Test
    void presenceMembersAreAnnouncedOncePerUserAndListed() throws Exception {
        try (PusherWire alice = PusherWire.connect(port, APP.key());
                PusherWire bob = PusherWire.connect(port, APP.key())) {
            String sa = alice.established();
            String sb = bob.established();
            String aliceData = "{\"user_id\":\"alice\",\"user_info\":{\"name\":\"Alice\"}}";
            String bobData = "{\"user_id\":7,\"user_info\":{\"name\":\"Bob\"}}";
            alice.send(subscribe("presence-room", auth(sa, "presence-room", aliceData), aliceData));
            JsonNode first = PusherWire.JSON.readTree(alice.next("pusher_internal:subscription_succeeded")
                    .path("data")
                    .asText());
            assertThat(first.path("presence").path("count").asInt()).isEqualTo(1);
            bob.send(subscribe("presence-room", auth(sb, "presence-room", bobData), bobData));
            JsonNode second = PusherWire.JSON.readTree(bob.next("pusher_internal:subscription_succeeded")
                    .path("data")
                    .asText());
            assertThat(second.path("presence").path("count").asInt()).isEqualTo(2);
            assertThat(second.path("presence")
                            .path("hash")
                            .path("alice")
                            .path("name")
                            .asText())
                    .isEqualTo("Alice");
            JsonNode added = PusherWire.JSON.readTree(
                    alice.next("pusher_internal:member_added").path("data").asText());
            assertThat(added.path("user_id").asInt()).isEqualTo(7);
            HttpResponse<String> users = rest.get("/channels/presence-room/users", Map.of());
            assertThat(users.body()).isEqualTo("{\"users\":[{\"id\":\"alice\"},{\"id\":\"7\"}]}");
            bob.send("{\"event\":\"client-move\",\"data\":{\"x\":1},\"channel\":\"presence-room\"}");
            assertThat(alice.next("client-move").path("user_id").asText()).isEqualTo("7");
            bob.close();
            JsonNode removed = PusherWire.JSON.readTree(
                    alice.next("pusher_internal:member_removed").path("data").asText());
            assertThat(removed.path("user_id").asInt()).isEqualTo(7);
        }
    }

    @Test
    void aCacheChannelReplaysItsLastEventOrSaysItMissed() throws Exception {
        try (PusherWire early = PusherWire.connect(port, APP.key())) {
            early.established();
            early.send(subscribe("cache-prices", "", null));
            early.next("pusher_internal:subscription_succeeded");
            assertThat(early.next().path("event").asText()).isEqualTo("pusher:cache_miss");
        }
        rest.post("/events", "{\"name\":\"price\",\"channel\":\"cache-prices\",\"data\":\"42\"}");
        try (PusherWire late = PusherWire.connect(port, APP.key())) {
            late.established();
            late.send(subscribe("cache-prices", "", null));
            late.next("pusher_internal:subscription_succeeded");
            JsonNode replay = late.next();
            assertThat(replay.path("event").asText()).isEqualTo("price");
            assertThat(replay.path("data").asText()).isEqualTo("42");
        }
    }

    @Test
    void aPresenceCacheChannelSendsItsMembersThenItsLastEventOrAMiss() throws Exception {
        String aliceData = "{\"user_id\":\"alice\"}";
        try (PusherWire alice = PusherWire.connect(port, APP.key())) {
            String sa = alice.established();
            alice.send(subscribe("presence-cache-room", auth(sa, "presence-cache-room", aliceData), aliceData));
            JsonNode members =
                    PusherWire.JSON.readTree(alice.next().path("data").asText());
            assertThat(members.path("presence").path("count").asInt()).isEqualTo(1);
            assertThat(alice.next().path("event").asText()).isEqualTo("pusher:cache_miss");
        }
        rest.post("/events", "{\"name\":\"moved\",\"channel\":\"presence-cache-room\",\"data\":\"7\"}");
        String bobData = "{\"user_id\":\"bob\"}";
        try (PusherWire bob = PusherWire.connect(port, APP.key())) {
            String sb = bob.established();
            bob.send(subscribe("presence-cache-room", auth(sb, "presence-cache-room", bobData), bobData));
            assertThat(bob.next().path("event").asText()).isEqualTo("pusher_internal:subscription_succeeded");
            JsonNode replay = bob.next();
            assertThat(replay.path("event").asText()).isEqualTo("moved");
            assertThat(replay.path("data").asText()).isEqualTo("7");
        }
    }

    @Test
    void theRestApiListsChannelsAndCountsAndServesMetrics() throws Exception {
        try (PusherWire one = PusherWire.connect(port, APP.key())) {
            one.established();
            one.send(subscribe("stats", "", null));
            one.next("pusher_internal:subscription_succeeded");
            assertThat(rest.get("/channels", Map.of()).body()).isEqualTo("{\"channels\":{\"stats\":{}}}");
            assertThat(rest.get("/channels/stats", Map.of("info", "subscription_count"))
                            .body())
                    .isEqualTo("{\"occupied\":true,\"subscription_count\":1}");
            assertThat(rest.get("/channels/presence-x", Map.of("info", "user_count"))
                            .body())
                    .isEqualTo("{\"occupied\":false,\"user_count\":0}");
            assertThat(rest.get("/channels/stats", Map.of("info", "user_count")).statusCode())
                    .isEqualTo(400);
            HttpResponse<String> metrics = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(
                                            java.net.URI.create("http://127.0.0.1:" + port + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.body())
                    .contains("throng_connections{app=\"1\"} 1.0")
                    .contains("throng_subscriptions{app=\"1\"} 1.0")
                    .contains("throng_broker_degraded 0.0")
                    .contains("jvm_gc_collections_total{gc=\"")
                    .contains("jvm_gc_collection_seconds_total{gc=\"")
                    .contains("jvm_memory_used_bytes{");
            HttpResponse<String> cluster = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(
                                            java.net.URI.create("http://127.0.0.1:" + port + "/healthz/cluster"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(cluster.statusCode()).as("one node: never degraded").isEqualTo(200);
            assertThat(cluster.body()).isEqualTo("{\"state\":\"ok\"}");
            assertThat(cluster.headers().firstValue("X-Throng-Cluster")).isEmpty();
        }
    }

    static String subscribe(String channel, String auth, String channelData) throws Exception {
        return "{\"event\":\"pusher:subscribe\",\"data\":{\"auth\":\"" + auth + "\""
                + (channelData == null ? "" : ",\"channel_data\":" + quote(channelData)) + ",\"channel\":\"" + channel
                + "\"}}";
    }

    static String auth(String socketId, String channel, String channelData) throws Exception {
        return APP.key() + ":"
                + SignedRest.hmac(
                        APP.secret(), socketId + ":" + channel + (channelData == null ? "" : ":" + channelData));
    }

    static String quote(String s) throws Exception {
        return PusherWire.JSON.writeValueAsString(s);
    }
}
