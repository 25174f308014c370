package dev.throng.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.throng.core.ServerConfig;
import dev.throng.gateway.Gateway;
import dev.throng.gateway.GatewayConfig;
import dev.throng.gateway.app.App;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * Redis stopped and started again (empty) under two nodes with pusher-js clients on each (issue #18 item 6): while it
 * is away each node delivers its own publications to its own subscribers, the REST API says the cluster is degraded
 * (cluster queries 503, triggers marked), {@code /healthz/cluster} answers 503, presence subscriptions are refused;
 * when it is back the nodes reconnect, rebuild their state and subscribe their channels again (one subscribed during
 * the outage too), and publications cross nodes again.
 */
class ClusterOutageIT {
    static final App MAIN = App.of("outage", "outage-key", "outage-secret", true);

    @Test
    void nodesServeTheirOwnWhileRedisIsAwayAndTheClusterWhenItIsBack() throws Exception {
        List<Gateway> nodes = new ArrayList<>();
        try (RedisServer redis = RedisServer.start();
                ControlEndpoint control = new ControlEndpoint(Map.of(
                        "/redis/stop",
                                (Callable<Void>) () -> {
                                    redis.stop();
                                    return null;
                                },
                        "/redis/start",
                                (Callable<Void>) () -> {
                                    redis.start(Duration.ofSeconds(10));
                                    return null;
                                }))) {
            for (int i = 0; i < 2; i++) {
                RedisClusterSettings settings = RedisClusterSettings.builder(redis.uri())
                        .keyPrefix("outage")
                        .reconnectMaxDelay(Duration.ofMillis(500))
                        .build();
                nodes.add(Gateway.start(
                        ServerConfig.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .ioThreads(1)
                                .build(),
                        GatewayConfig.DEFAULTS.withApps(List.of(MAIN)),
                        RedisBroker.connect(settings)));
            }
            List<Integer> ports = nodes.stream().map(g -> g.server().port()).toList();

            JsonNode seen = new ClusterWitness(Map.of("main", MAIN), control.port())
                    .run("outage", ports, Map.of(), Duration.ofSeconds(40));

            assertThat(seen.path("before").path("degraded").isNull())
                    .as("no mark while Redis is there")
                    .isTrue();
            assertThat(seen.path("during").path("status").asInt())
                    .as("a trigger is still accepted")
                    .isEqualTo(200);
            assertThat(seen.path("during").path("degraded").asText()).isEqualTo("degraded");
            assertThat(seen.path("listDuring").path("status").asInt())
                    .as("a cluster query cannot be answered")
                    .isEqualTo(503);
            assertThat(seen.path("listDuring").path("body").path("error").asText())
                    .startsWith("cluster state unavailable");
            assertThat(seen.path("health").get(0).asInt())
                    .as("/healthz/cluster, node 0")
                    .isEqualTo(503);
            assertThat(seen.path("health").get(1).asInt())
                    .as("/healthz/cluster, node 1")
                    .isEqualTo(503);
            assertThat(seen.path("presenceErrors").toString()).contains("unavailable");
            assertThat(ClusterIT.texts(seen.path("c0")))
                    .as("node 0's subscriber: everything, its own node's included")
                    .startsWith("pusher:subscription_succeeded", "before", "during")
                    .contains("after");
            assertThat(ClusterIT.texts(seen.path("c1")))
                    .as("node 1's subscriber: not what node 0 published alone")
                    .startsWith("pusher:subscription_succeeded", "before")
                    .doesNotContain("during")
                    .contains("after");
            assertThat(ClusterIT.texts(seen.path("late")))
                    .as("subscribed while Redis was away, resubscribed after")
                    .contains("after");
            assertThat(seen.path("after").path("degraded").isNull()).isTrue();
            assertThat(seen.path("presenceAgainCount").asInt()).isEqualTo(1);

            String metrics = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(1) + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            assertThat(metrics).contains("throng_broker_connected 1.0", "throng_broker_degraded 0.0");
            assertThat(sample(metrics, "throng_broker_rebuilds_total"))
                    .as("rebuilt after the reconnection")
                    .isGreaterThanOrEqualTo(1);
            assertThat(sample(metrics, "throng_broker_resubscriptions_total")).isGreaterThanOrEqualTo(1);
            assertThat(sample(metrics, "throng_broker_received_total")).isGreaterThanOrEqualTo(2);
        } finally {
            nodes.forEach(Gateway::close);
        }
    }

    /** The value of an untagged sample in Prometheus text. */
    static double sample(String metrics, String name) {
        return metrics.lines()
                .filter(l -> l.startsWith(name + " "))
                .mapToDouble(
                        l -> Double.parseDouble(l.substring(name.length() + 1).trim()))
                .findFirst()
                .orElse(-1);
    }
}
