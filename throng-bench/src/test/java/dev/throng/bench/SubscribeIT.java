package dev.throng.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.throng.bench.run.SubscribeSettings;
import io.netty.util.ResourceLeakDetector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The subscribe scenario end to end against {@link MiniPusherServer}: worker processes subscribe, the coordinator's
 * publisher triggers signed requests through the steps, and the report adds it all up.
 */
class SubscribeIT {

    @TempDir
    Path dir;

    private MiniPusherServer server;
    private ResourceLeakDetector.Level leakLevel;

    @BeforeEach
    void sampleLeaks() {
        leakLevel = ResourceLeakDetector.getLevel(); // as BenchIT: paranoid detection would measure the detector
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        ResourceLeakDetector.setLevel(leakLevel);
    }

    private BenchRun run(int connections, SubscribeSettings.Builder subscribe) throws Exception {
        return BenchRun.run(dir, "simple", BenchRun.subscribe(server.port(), connections, subscribe));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everySubscriberReceivesEveryEventOfItsChannelsInOrder() throws Exception {
        server = new MiniPusherServer(0);
        BenchRun r = run(
                400,
                SubscribeSettings.builder()
                        .channels(4)
                        .subscriptionsPerClient(2)
                        .eventSize(300)
                        .steps(List.of(5.0, 20.0)));

        assertThat(r.exitCode).as(r.err).isZero();
        JsonNode f = r.report.path("fanout");
        assertThat(f.path("subscribe").path("connections").asLong()).isEqualTo(400);
        assertThat(f.path("subscribersPerChannelMin").asLong()).isEqualTo(200);
        assertThat(f.path("subscribersPerChannelMax").asLong()).isEqualTo(200);
        assertThat(f.path("steps")).hasSize(2);
        for (JsonNode step : f.path("steps")) {
            assertThat(step.path("passed").asBoolean()).as(step.toString()).isTrue();
            assertThat(step.path("expectedDeliveries").asLong())
                    .isPositive()
                    .isEqualTo(step.path("receivedFinal").asLong());
        }
        // 2 s at 20 events/s on each of 4 channels of 200 subscribers
        assertThat(f.path("steps").get(1).path("expectedDeliveries").asLong()).isEqualTo(2 * 20 * 4 * 200);
        assertThat(f.path("deliveries").path("outOfOrder").asLong()).isZero();
        assertThat(f.path("deliveries").path("gaps").asLong()).isZero();
        assertThat(f.path("deliveries").path("unreadable").asLong()).isZero();
        assertThat(f.path("best").path("ratePerChannel").asDouble()).isEqualTo(20.0);
        assertThat(server.badSignatures.get()).isZero();
        assertThat(r.report.path("latencyMillis").path("delivery").path("count").asLong())
                .isEqualTo(f.path("deliveries").path("received").asLong());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void publishAfterHoldsTheSubscribersFirstAndTheBrokersCpuIsReportedPerStep() throws Exception {
        server = new MiniPusherServer(0);
        // This JVM stands in for the broker: it runs the coordinator, so it uses some CPU in every step.
        BenchRun r = run(
                50,
                SubscribeSettings.builder()
                        .channels(1)
                        .steps(List.of(10.0))
                        .publishAfter(Duration.ofSeconds(4))
                        .brokerPids(List.of(ProcessHandle.current().pid())));

        assertThat(r.exitCode).as(r.err).isZero();
        JsonNode step = r.report.path("fanout").path("steps").get(0);
        assertThat(step.path("passed").asBoolean()).as(step.toString()).isTrue();
        assertThat(step.path("brokerCpuSeconds").isNumber()).as(step.toString()).isTrue();
        assertThat(step.path("brokerCpuMicrosPerDelivery").isNumber())
                .as(step.toString())
                .isTrue();
        // The hold is the wait, the 1 s warm-up and the 2 s step with their 1 s gaps.
        assertThat(r.report.path("timing").path("holdSeconds").asDouble()).isGreaterThanOrEqualTo(4 + 1 + 2 + 2);
        assertThat(r.out).contains(" hold ]", "broker ");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void withoutPublishAfterTheStepsStartAtOnceAndNoBrokerIsReported() throws Exception {
        server = new MiniPusherServer(0);
        BenchRun r = run(50, SubscribeSettings.builder().channels(1).steps(List.of(10.0)));

        JsonNode step = r.report.path("fanout").path("steps").get(0);
        assertThat(step.path("brokerCpuSeconds").isNull()).as(step.toString()).isTrue();
        assertThat(r.out).doesNotContain(" hold ]");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aChannelsEventsArriveInSequenceWhenTriggersOverlap() throws Exception {
        // 500 triggers a second on one channel keep several requests in flight: they must not race on separate
        // connections (the server processes connections in parallel, one connection's requests in turn).
        server = new MiniPusherServer(0);
        BenchRun r = run(50, SubscribeSettings.builder().channels(1).steps(List.of(500.0)));

        JsonNode f = r.report.path("fanout");
        assertThat(f.path("steps").get(0).path("passed").asBoolean())
                .as(f.toString())
                .isTrue();
        assertThat(f.path("deliveries").path("outOfOrder").asLong()).isZero();
        assertThat(f.path("deliveries").path("gaps").asLong()).isZero();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aServerThatDropsDeliveriesFailsTheStepAndTheRunStopsThere() throws Exception {
        server = new MiniPusherServer(51); // 51: not a divisor of 200, so different subscribers miss out
        BenchRun r = run(200, SubscribeSettings.builder().channels(1).steps(List.of(5.0, 10.0)));

        JsonNode f = r.report.path("fanout");
        assertThat(f.path("steps")).hasSize(1);
        JsonNode step = f.path("steps").get(0);
        assertThat(step.path("passed").asBoolean()).isFalse();
        assertThat(step.path("missingAtEvaluation").asLong()).isPositive();
        assertThat(step.path("lostFinal").asLong())
                .isEqualTo(step.path("missingAtEvaluation").asLong());
        assertThat(step.path("failedBecause").get(0).asText()).startsWith("missing ");
        assertThat(f.path("deliveries").path("gaps").asLong()).isPositive();
        assertThat(f.path("best").isMissingNode() || f.path("best").isNull()).isTrue();
    }
}
