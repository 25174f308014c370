package dev.throng.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.throng.gateway.it.PusherWire;
import dev.throng.gateway.it.SignedRest;
import dev.throng.redis.RedisServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code throng serve --redis}: gateway processes started from the built jar, as an operator starts them, on one
 * {@code redis-server} of the test's own, are one cluster. A client of one node receives what the REST API of another
 * triggered; with {@code --workers 2} the two workers of one {@code serve} are nodes of the cluster too. The client is
 * the JDK's WebSocket client speaking Pusher ({@link PusherWire}) and REST calls are signed from Pusher's documented
 * scheme ({@link SignedRest}): nothing of the gateway's own code is on the test's side of the wire.
 */
class ClusterServeIT {
    private static final String APP_ID = "4242";
    private static final String KEY = "cluster-key";
    private static final String SECRET = "cluster-secret-4242";

    /** The app and the Redis through the environment, as an operator keeps secrets off the command line. */
    private static Map<String, String> environment(RedisServer redis) {
        return Map.of(
                "THRONG_APP_ID",
                APP_ID,
                "THRONG_APP_KEY",
                KEY,
                "THRONG_APP_SECRET",
                SECRET,
                "THRONG_REDIS_URI",
                redis.uri());
    }

    @Test
    void anEventTriggeredThroughOneNodeReachesASubscriberOfAnotherAndAStoppedNodeLeavesAtOnce() throws Exception {
        try (RedisServer redis = RedisServer.start();
                ServeProcess a = ServeProcess.startGateway(environment(redis), "--drain-window", "1s");
                ServeProcess b = ServeProcess.startGateway(environment(redis), "--drain-window", "1s");
                PusherWire client = PusherWire.connect(a.port, KEY)) {
            client.established();
            client.send(subscribe("news"));
            client.next("pusher_internal:subscription_succeeded");

            SignedRest restOfB = new SignedRest(b.port, APP_ID, KEY, SECRET);
            HttpResponse<String> sent = restOfB.post("/events", trigger("news", "greeting", 1));
            assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
            JsonNode event = client.next("greeting");
            assertThat(event.path("channel").asText()).isEqualTo("news");
            assertThat(event.path("data").asText()).isEqualTo("{\"n\":1}");
            // B answers for the cluster: the subscriber is A's (whose counts reach Redis in its next batch).
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(channel(restOfB, "news"))
                            .isEqualTo("{\"occupied\":true,\"subscription_count\":1}"));

            // SIGTERM: A drains and takes its counts out of Redis as it leaves, not a lease (30 s) later.
            a.process.destroy();
            assertThat(a.process.waitFor(20, TimeUnit.SECONDS))
                    .as("A exits after its drain")
                    .isTrue();
            assertThat(a.process.exitValue()).as(a.output()).isZero();
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(channel(restOfB, "news"))
                            .isEqualTo("{\"occupied\":false,\"subscription_count\":0}"));
            assertThat(a.output()).contains("cluster node").doesNotContain("ERROR", "LEAK");
        }
    }

    @Test
    void theTwoWorkersOfOneServeAreNodesOfOneCluster() throws Exception {
        try (RedisServer redis = RedisServer.start();
                ServeProcess serve =
                        ServeProcess.startGateway(environment(redis), "--workers", "2", "--drain-window", "1s")) {
            List<ProcessHandle> workers = serve.process.children().toList();
            assertThat(workers).hasSize(2);
            for (ProcessHandle worker : workers) {
                assertThat(worker.info().commandLine().orElseThrow())
                        .as("a worker's command line, which ps shows")
                        .contains(ServerProcess.class.getName())
                        .doesNotContain(SECRET, redis.uri(), "--gateway.", Supervisor.ECHO_WORKER_JAR);
            }

            // Clients until both workers hold some (the kernel spreads them; the second worker may bind a little
            // later): a socket id starts with its node's own prefix.
            Map<String, List<PusherWire>> byNode = new LinkedHashMap<>();
            List<PusherWire> clients = new ArrayList<>();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while ((byNode.size() < 2 || clients.size() < 8) && System.nanoTime() < deadline) {
                    PusherWire client = PusherWire.connect(serve.port, KEY);
                    clients.add(client);
                    String socketId = client.established();
                    byNode.computeIfAbsent(socketId.substring(0, socketId.indexOf('.')), k -> new ArrayList<>())
                            .add(client);
                    client.send(subscribe("news"));
                    client.next("pusher_internal:subscription_succeeded");
                }
                assertThat(byNode).as("clients by node").hasSize(2);

                SignedRest rest = new SignedRest(serve.port, APP_ID, KEY, SECRET);
                await().atMost(Duration.ofSeconds(5))
                        .untilAsserted(() -> assertThat(channel(rest, "news"))
                                .as("counts over both nodes")
                                .isEqualTo("{\"occupied\":true,\"subscription_count\":" + clients.size() + "}"));
                // Each trigger lands on one worker; both hold subscribers, so each crosses Redis to the other.
                for (int n = 1; n <= 3; n++) {
                    HttpResponse<String> sent = rest.post("/events", trigger("news", "tick", n));
                    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
                }
                for (PusherWire client : clients) {
                    for (int n = 1; n <= 3; n++) {
                        assertThat(client.next("tick").path("data").asText()).isEqualTo("{\"n\":" + n + "}");
                    }
                }
            } finally {
                clients.forEach(PusherWire::close);
            }

            serve.process.destroy(); // SIGTERM to the supervisor, forwarded to both workers
            assertThat(serve.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(serve.process.exitValue()).as(serve.output()).isZero();
            assertThat(serve.output())
                    .contains("worker 0 (pid", "worker 1 (pid")
                    .doesNotContain("ERROR", "LEAK");
        }
    }

    private static String subscribe(String channel) {
        return "{\"event\":\"pusher:subscribe\",\"data\":{\"auth\":\"\",\"channel\":\"" + channel + "\"}}";
    }

    private static String trigger(String channel, String name, int n) {
        return "{\"name\":\"" + name + "\",\"channel\":\"" + channel + "\",\"data\":\"{\\\"n\\\":" + n + "}\"}";
    }

    /** {@code GET /apps/{id}/channels/{channel}?info=subscription_count}'s body, which must be a 200. */
    private static String channel(SignedRest rest, String channel) throws Exception {
        HttpResponse<String> answer = rest.get("/channels/" + channel, Map.of("info", "subscription_count"));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return answer.body();
    }
}
