package dev.throng.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.throng.bench.plan.Loader;
import dev.throng.bench.run.SubscribeSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The subscribe scenario with hsload as the subscribers ({@code --loader hsload}) against {@link MiniPusherServer}:
 * the same verdicts as with the Java workers ({@link SubscribeIT}). Skipped unless bench/hsload/build.sh has built
 * hsload.
 */
class HsloadSubscribeIT {

    private static final Path HSLOAD = Path.of("..", "bench", "hsload", "target", "hsload");

    @TempDir
    Path dir;

    private MiniPusherServer server;

    @BeforeEach
    void needsHsload() {
        assumeTrue(Files.isExecutable(HSLOAD), "hsload not built (bench/hsload/build.sh)");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private BenchRun run(int connections, SubscribeSettings.Builder subscribe) throws Exception {
        return BenchRun.run(
                dir,
                "disabled",
                BenchRun.subscribe(server.port(), connections, subscribe)
                        .loader(Loader.HSLOAD)
                        .hsload(HSLOAD));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everySubscriberReceivesEveryEventOfItsChannelInOrder() throws Exception {
        server = new MiniPusherServer(0);
        BenchRun r =
                run(400, SubscribeSettings.builder().channels(4).eventSize(300).steps(List.of(5.0, 20.0)));

        assertThat(r.exitCode).as(r.err).isZero();
        JsonNode f = r.report.path("fanout");
        assertThat(f.path("subscribe").path("connections").asLong()).isEqualTo(400);
        assertThat(f.path("subscribersPerChannelMin").asLong()).isEqualTo(100);
        assertThat(f.path("subscribersPerChannelMax").asLong()).isEqualTo(100);
        assertThat(f.path("steps")).hasSize(2);
        for (JsonNode step : f.path("steps")) {
            assertThat(step.path("passed").asBoolean()).as(step.toString()).isTrue();
            assertThat(step.path("expectedDeliveries").asLong())
                    .isPositive()
                    .isEqualTo(step.path("receivedFinal").asLong());
            assertThat(step.path("latency").path("p99").asDouble()).isPositive().isLessThan(1000);
        }
        // 2 s at 20 events/s on each of 4 channels of 100 subscribers
        assertThat(f.path("steps").get(1).path("expectedDeliveries").asLong()).isEqualTo(2 * 20 * 4 * 100);
        assertThat(f.path("deliveries").path("outOfOrder").asLong()).isZero();
        assertThat(f.path("deliveries").path("gaps").asLong()).isZero();
        assertThat(f.path("deliveries").path("unreadable").asLong()).isZero();
        assertThat(r.report.path("latencyMillis").path("delivery").path("count").asLong())
                .isEqualTo(f.path("deliveries").path("received").asLong());
        assertThat(r.report.path("connections").path("established").asLong()).isEqualTo(400);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aServerThatDropsDeliveriesFailsTheStepAndShowsTheGaps() throws Exception {
        server = new MiniPusherServer(51);
        BenchRun r = run(200, SubscribeSettings.builder().channels(1).steps(List.of(5.0, 10.0)));

        JsonNode f = r.report.path("fanout");
        assertThat(f.path("steps")).hasSize(1);
        JsonNode step = f.path("steps").get(0);
        assertThat(step.path("passed").asBoolean()).isFalse();
        assertThat(step.path("missingAtEvaluation").asLong()).isPositive();
        assertThat(step.path("failedBecause").get(0).asText()).startsWith("missing ");
        assertThat(f.path("deliveries").path("gaps").asLong()).isPositive();
    }
}
