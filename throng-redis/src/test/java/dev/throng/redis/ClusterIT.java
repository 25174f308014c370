package dev.throng.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.throng.core.ServerConfig;
import dev.throng.gateway.Gateway;
import dev.throng.gateway.GatewayConfig;
import dev.throng.gateway.app.App;
import dev.throng.gateway.app.AppLimits;
import dev.throng.gateway.app.Webhook;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three gateway nodes sharing one Redis, seen by independent witnesses (issue #18, "Tests that must exist"): pusher-js
 * clients on different nodes and the pusher SDK triggering on one. Delivery to all exactly once and in order,
 * presence with one user's tabs on two nodes, REST answers for the whole cluster, cache channels, webhooks once per
 * cluster, the connection quota over the cluster.
 */
class ClusterIT {
    static RedisServer redis;
    static WebhookLog webhooks;
    static ControlEndpoint control;
    static App main;
    static final App QUOTA = new App(
            "cluster-quota", "cluster-quota-key", "cluster-quota-secret", true, 3, false, AppLimits.PUSHER, List.of());
    static final Duration QUOTA_SYNC = Duration.ofMillis(100);
    static final List<Gateway> nodes = new ArrayList<>();
    static ClusterWitness witness;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        webhooks = new WebhookLog();
        control = new ControlEndpoint(Map.of());
        main = new App(
                "cluster",
                "cluster-key",
                "cluster-secret",
                true,
                0,
                true,
                AppLimits.PUSHER,
                List.of(new Webhook(webhooks.url(), Set.of())));
        // Webhooks at once (no vacancy delay, a short batch): what is counted is what the cluster decided.
        GatewayConfig config = new GatewayConfig(
                List.of(main, QUOTA),
                Duration.ofSeconds(120),
                Duration.ofSeconds(600),
                256 * 1024,
                Duration.ofMinutes(30),
                Duration.ofMillis(20),
                Duration.ZERO,
                Duration.ofMinutes(5),
                10_000);
        for (int i = 0; i < 3; i++) {
            RedisClusterSettings settings = RedisClusterSettings.builder(redis.uri())
                    .keyPrefix("cluster")
                    .quotaSync(QUOTA_SYNC)
                    .build();
            nodes.add(Gateway.start(
                    ServerConfig.builder()
                            .host("127.0.0.1")
                            .port(0)
                            .ioThreads(2)
                            .build(),
                    config,
                    RedisBroker.connect(settings)));
        }
        witness = new ClusterWitness(Map.of("main", main, "quota", QUOTA), control.port());
    }

    @AfterAll
    static void stop() throws Exception {
        nodes.forEach(Gateway::close);
        control.close();
        webhooks.close();
        redis.stop();
    }

    static List<Integer> ports() {
        return nodes.stream().map(g -> g.server().port()).toList();
    }

    static JsonNode run(String scenario, Map<String, ?> extra) throws Exception {
        return witness.run(scenario, ports(), extra, Duration.ofSeconds(30));
    }

    @Test
    void everySubscriberOnEveryNodeGetsEveryEventOnceAndInOrder() throws Exception {
        int events = 40;
        JsonNode seen = run("fanout", Map.of("perNode", 2, "events", events));

        List<String> rest = new ArrayList<>();
        List<String> talker = new ArrayList<>();
        for (int s = 0; s < events; s++) {
            rest.add("rest:" + s);
        }
        for (int s = 0; s < 9; s++) {
            talker.add("talker:" + s);
        }
        assertThat(seen.path("subscribers")).hasSize(6);
        for (JsonNode subscriber : seen.path("subscribers")) {
            String who = "subscriber on node " + subscriber.path("node").asInt();
            List<String> news = texts(subscriber.path("got").path("cluster-news"));
            List<String> chat = texts(subscriber.path("got").path("private-cluster"));
            assertThat(news)
                    .as(who + ", cluster-news: every REST event once, in order")
                    .isEqualTo(rest);
            assertThat(chat)
                    .as(who + ", private-cluster: REST and client events once each")
                    .hasSize(events + 9);
            assertThat(chat.stream().filter(e -> e.startsWith("rest:")))
                    .as(who + ": the REST events in order")
                    .containsExactlyElementsOf(rest);
            assertThat(chat.stream().filter(e -> e.startsWith("talker:")))
                    .as(who + ": the client events in order")
                    .containsExactlyElementsOf(talker);
        }
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(webhooks.about("cluster-news")).contains("channel_occupied"));
        Thread.sleep(300);
        assertThat(webhooks.about("cluster-news"))
                .as("occupied once for the cluster, not once per node")
                .containsOnlyOnce("channel_occupied");
    }

    @Test
    void aUserWithTabsOnTwoNodesIsOneMemberEverywhere() throws Exception {
        JsonNode seen = run("presence", Map.of());

        assertThat(seen.path("observerFirst").path("count").asInt()).isEqualTo(1);
        assertThat(seen.path("secondTab").path("count").asInt())
                .as("alice's second tab, on another node, sees two")
                .isEqualTo(2);
        assertThat(texts(seen.path("secondTab").path("ids"))).containsExactly("alice", "observer");
        assertThat(seen.path("addedWhileJoining").findValuesAsText("id"))
                .as("member_added once for alice (two tabs, two nodes), then bob")
                .containsExactly("alice", "bob");
        assertThat(seen.path("bobSawAdded"))
                .as("bob joined after alice: nothing about her second tab")
                .isEmpty();
        assertThat(seen.path("users").path("users").findValuesAsText("id"))
                .containsExactlyInAnyOrder("alice", "bob", "observer");
        assertThat(seen.path("info").path("user_count").asInt()).isEqualTo(3);
        assertThat(seen.path("info").path("subscription_count").asInt())
                .as("4 connections over 3 nodes")
                .isEqualTo(4);
        assertThat(seen.path("afterFirstTabLeft").path("removed"))
                .as("alice still has a tab")
                .isEmpty();
        assertThat(seen.path("afterFirstTabLeft").path("count").asInt()).isEqualTo(3);
        assertThat(seen.path("removedAtObserver").findValuesAsText("id")).containsExactly("alice");
        assertThat(seen.path("removedAtBob").findValuesAsText("id")).containsExactly("alice");
        assertThat(texts(seen.path("observerLast").path("ids"))).containsExactly("bob", "observer");

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(
                        () -> assertThat(webhooks.about("presence-cluster")).contains("member_removed alice"));
        Thread.sleep(300);
        List<String> hooks = webhooks.about("presence-cluster");
        assertThat(hooks)
                .as("once per cluster")
                .containsOnlyOnce(
                        "channel_occupied",
                        "member_added alice",
                        "member_added bob",
                        "member_added observer",
                        "member_removed alice");
    }

    @Test
    void theRestApiOfANodeWithoutSubscribersAnswersForTheCluster() throws Exception {
        JsonNode seen = run("rest", Map.of());

        assertThat(seen.path("channels")
                        .path("channels")
                        .path("rest-cluster")
                        .path("subscription_count")
                        .asInt())
                .isEqualTo(3);
        assertThat(seen.path("presenceList")
                        .path("channels")
                        .path("presence-rest")
                        .path("user_count")
                        .asInt())
                .isEqualTo(2);
        assertThat(seen.path("users").path("users").findValuesAsText("id")).containsExactlyInAnyOrder("p1", "p2");
        assertThat(seen.path("triggered")
                        .path("channels")
                        .path("rest-cluster")
                        .path("subscription_count")
                        .asInt())
                .isEqualTo(3);
        assertThat(seen.path("userEvents").findValuesAsText("event")).contains("hello");
        assertThat(seen.path("terminatedStatus").asInt()).isEqualTo(200);
        for (String term : List.of("term1", "term2")) {
            assertThat(seen.path(term).path("state").asText()).as(term).isEqualTo("disconnected");
            assertThat(seen.path(term).path("errors").toString())
                    .as(term + ": told 4009")
                    .contains("4009");
        }
        assertThat(seen.path("receiverState").asText()).as("another user stays").isEqualTo("connected");
    }

    @Test
    void aCacheChannelsLastEventReachesASubscriberOfAnotherNodeAndAPresenceCacheMember() throws Exception {
        JsonNode seen = run("cache", Map.of());

        assertThat(seen.path("late").findValuesAsText("event"))
                .containsExactly("pusher:subscription_succeeded", "last");
        assertThat(seen.path("empty").findValuesAsText("event"))
                .containsExactly("pusher:subscription_succeeded", "pusher:cache_miss");
        assertThat(seen.path("presence").findValuesAsText("event"))
                .as("presence-cache-: the members, then the event")
                .containsExactly("pusher:subscription_succeeded", "last");
        assertThat(seen.path("count").asInt()).isEqualTo(1);
    }

    @Test
    void theConnectionQuotaHoldsOverTheCluster() throws Exception {
        JsonNode seen = run("quota", Map.of("syncMs", QUOTA_SYNC.toMillis()));

        assertThat(seen.path("admitted").findValuesAsText("event"))
                .containsOnly("pusher:connection_established")
                .hasSize(3);
        for (JsonNode fourth : seen.path("fourth")) {
            assertThat(fourth.path("code").asInt())
                    .as("the fourth connection, on either node")
                    .isEqualTo(4004);
            assertThat(fourth.path("closeCode").asInt()).isEqualTo(4004);
        }
        assertThat(seen.path("again").path("event").asText())
                .as("a slot freed on node 0 is taken on node 1")
                .isEqualTo("pusher:connection_established");
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
