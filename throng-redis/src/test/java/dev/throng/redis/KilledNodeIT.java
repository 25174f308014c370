package dev.throng.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.throng.core.ServerConfig;
import dev.throng.gateway.Gateway;
import dev.throng.gateway.GatewayConfig;
import dev.throng.gateway.app.App;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A node in a process of its own ({@link ClusterNodeMain}) killed with SIGKILL while a pusher-js presence member is on
 * it: a pusher-js observer on a live node sees the member removed once the dead node's lease expires (here 2 s, and a
 * 0.6 s refresh), and the REST API stops listing its member and channels. The live node keeps its own clients.
 */
class KilledNodeIT {
    static final App MAIN = App.of("killed", "killed-key", "killed-secret", true);
    static final Duration LEASE = Duration.ofSeconds(2);
    static final Duration REFRESH = Duration.ofMillis(600);

    @Test
    void aKilledNodesMembersExpireAndTheOthersCarryOn() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            RedisClusterSettings settings = RedisClusterSettings.builder(redis.uri())
                    .keyPrefix("killed")
                    .leaseTtl(LEASE)
                    .leaseRefresh(REFRESH)
                    .build();
            Process victim = startNode(redis.uri());
            try (Gateway live = Gateway.start(
                            ServerConfig.builder()
                                    .host("127.0.0.1")
                                    .port(0)
                                    .ioThreads(1)
                                    .build(),
                            GatewayConfig.DEFAULTS.withApps(List.of(MAIN)),
                            RedisBroker.connect(settings));
                    ControlEndpoint control = new ControlEndpoint(Map.of("/node/kill", (Callable<Boolean>) () -> {
                        victim.destroyForcibly(); // SIGKILL: no close, no goodbye to Redis
                        return victim.waitFor(5, TimeUnit.SECONDS);
                    }))) {
                int victimPort = portOf(victim);
                JsonNode seen = new ClusterWitness(Map.of("main", MAIN), control.port())
                        .run(
                                "killed",
                                List.of(live.server().port(), victimPort),
                                Map.of("expiryMs", settings.expiryBound().toMillis()),
                                Duration.ofSeconds(30));

                System.out.printf(
                        "the killed node's member was removed after %d ms (bound %d ms)%n",
                        seen.path("removedAfterMs").asLong(),
                        settings.expiryBound().toMillis());
                assertThat(seen.path("usersBefore").path("users").findValuesAsText("id"))
                        .containsExactlyInAnyOrder("observer", "victim");
                assertThat(seen.path("channelsBefore").path("channels").has("killed-news"))
                        .isTrue();
                assertThat(seen.path("removed").findValuesAsText("id"))
                        .as("member_removed once")
                        .containsExactly("victim");
                assertThat(seen.path("removedAfterMs").asLong())
                        .as("within the lease and a refresh, with slack")
                        .isLessThanOrEqualTo(settings.expiryBound().toMillis() + 2000);
                assertThat(seen.path("usersAfter").path("users").findValuesAsText("id"))
                        .containsExactly("observer");
                assertThat(seen.path("channelsAfter").path("channels").has("killed-news"))
                        .isFalse();
                assertThat(seen.path("observerCount").asInt()).isEqualTo(1);
            } finally {
                victim.destroyForcibly();
            }
        }
    }

    /** Starts {@link ClusterNodeMain} in a JVM of its own (the test's class path). */
    private static Process startNode(String redisUri) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(
                java,
                "-Xmx128m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dio.netty.leakDetection.level=disabled",
                "-cp",
                classpath,
                ClusterNodeMain.class.getName(),
                redisUri,
                "killed",
                Long.toString(LEASE.toMillis()),
                Long.toString(REFRESH.toMillis())));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static int portOf(Process node) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith("PORT ")) {
                Thread drain = new Thread(
                        () -> {
                            try {
                                while (out.readLine() != null) {
                                    // the node's log, unread
                                }
                            } catch (IOException closed) {
                                // killed
                            }
                        },
                        "victim-log");
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(line.substring(5).trim());
            }
            seen.append(line).append('\n');
        }
        throw new IOException("the node exited before printing its port:\n" + seen);
    }
}
