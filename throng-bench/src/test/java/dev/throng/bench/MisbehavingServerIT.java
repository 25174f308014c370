package dev.throng.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.throng.bench.plan.FailureBudget;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench against servers that fail in every way it classifies: half the connections go to a port where nothing
 * listens, the other half to {@link MisbehavingServer}. Every failure is counted under its reason, nothing hangs,
 * and the exit status follows {@code --max-failures}.
 */
class MisbehavingServerIT {

    @TempDir
    Path dir;

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort(); // closed again: connecting to it is refused
        }
    }

    private static Map<String, Long> map(JsonNode node) {
        Map<String, Long> m = new TreeMap<>();
        node.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asLong()));
        return m;
    }

    private BenchRun runAgainst(MisbehavingServer server, int refusedPort, String maxFailures) throws Exception {
        return BenchRun.run(
                dir,
                "paranoid",
                BenchRun.settings(40, 2, "ws://127.0.0.1:" + refusedPort + "/", "ws://127.0.0.1:" + server.port() + "/")
                        .rate(200)
                        // Long enough that only the server that never answers times out, even on a busy box.
                        .connectTimeout(Duration.ofSeconds(5))
                        .closeTimeout(Duration.ofSeconds(5))
                        .hold(Duration.ofSeconds(1))
                        .maxFailures(FailureBudget.parse(maxFailures)));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void countsEachFailureUnderItsReasonAndExitsWithOne() throws Exception {
        try (MisbehavingServer server = new MisbehavingServer()) {
            BenchRun run = runAgainst(server, closedPort(), "0");

            assertThat(run.exitCode).as(run.out + run.err).isEqualTo(1);
            JsonNode c = run.report.path("connections");
            assertThat(c.path("attempted").asLong()).isEqualTo(40);
            // 20 to the closed port; 20 to the misbehaving server, 4 of each of its 5 kinds.
            assertThat(map(c.path("failures")))
                    .isEqualTo(Map.of("refused", 20L, "reset", 4L, "http-503", 4L, "timeout", 4L));
            assertThat(c.path("established").asLong()).isEqualTo(8);
            assertThat(map(c.path("lostReasons"))).isEqualTo(Map.of("closed", 4L));
            assertThat(c.path("closedClean").asLong()).isEqualTo(4);
            assertThat(run.report.path("verdict").path("failures").asLong()).isEqualTo(36);
            assertThat(run.out).contains("FAIL", "refused 20", "http-503 4");
            // The bench left nothing open behind it.
            await().atMost(Duration.ofSeconds(5)).until(() -> server.openConnections() == 0);
            assertThat(run.err).doesNotContain("LEAK");
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void exitsWithZeroWhenTheFailuresAreWithinTheBudget() throws Exception {
        try (MisbehavingServer server = new MisbehavingServer()) {
            BenchRun run = runAgainst(server, closedPort(), "100%");
            assertThat(run.exitCode).as(run.out + run.err).isZero();
            assertThat(run.report.path("verdict").path("failures").asLong()).isEqualTo(36);
            assertThat(run.report.path("verdict").path("passed").asBoolean()).isTrue();
        }
    }
}
