package dev.throng.gateway.witness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.throng.core.ServerConfig;
import dev.throng.core.TransportKind;
import dev.throng.gateway.Gateway;
import dev.throng.gateway.GatewayConfig;
import dev.throng.gateway.app.App;
import dev.throng.gateway.hub.HubProbe;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Fan-out under concurrency, seen by pusher-js: subscribers on every event loop (40 per loop), several channels, three
 * pusher SDK instances publishing at once (single-channel triggers, batches, multi-channel triggers) while two
 * pusher-js clients send client events. Each subscriber gets every event of its channels exactly once and, per
 * publisher and channel, in the order published (the Broker's contract; docs of {@code Hub}). Run on both transports.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(
        value = TransportKind.class,
        names = {"EPOLL", "NIO"})
class FanoutIT {
    static final App MAIN = App.of("fan-main", "fan-main-key", "fan-main-secret", true);
    static final int IO_THREADS = 4;
    static final int SUBSCRIBERS_PER_LOOP = 40;

    @Parameter
    TransportKind transport;

    Gateway gateway;
    Witness witness;

    @BeforeEach
    void start() {
        gateway = Gateway.start(
                ServerConfig.builder()
                        .host("127.0.0.1")
                        .port(0)
                        .transport(transport)
                        .ioThreads(IO_THREADS)
                        .build(),
                GatewayConfig.DEFAULTS.withApps(List.of(MAIN)));
        witness = new Witness(gateway, Map.of("main", MAIN));
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private static int sum(List<Integer> counts) {
        return counts.stream().mapToInt(Integer::intValue).sum();
    }

    @Test
    void everySubscriberOnEveryLoopGetsEveryEventOfItsChannelsOnceAndInOrderWhilePublishersRace() throws Exception {
        CompletableFuture<JsonNode> run = CompletableFuture.supplyAsync(() -> {
            try {
                return witness.run(
                        "fanout.js",
                        "fanout",
                        Map.of("subscribers", IO_THREADS * SUBSCRIBERS_PER_LOOP, "perPublisher", 40, "channelCount", 3),
                        Duration.ofSeconds(40));
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        // While the witnesses run: the most subscribers one channel had at once, loop by loop.
        List<Integer> spread = List.of();
        while (!run.isDone()) {
            List<Integer> now = HubProbe.subscribersPerLoop(gateway, MAIN, 0, "private-fan-0");
            if (sum(now) > sum(spread)) {
                spread = now;
            }
            Thread.sleep(50);
        }
        JsonNode seen = run.join();
        assertThat(spread)
                .as("subscribers of private-fan-0 per loop")
                .hasSize(IO_THREADS)
                .allMatch(n -> n > 0);
        assertThat(seen.path("subscribers").asInt()).isEqualTo(IO_THREADS * SUBSCRIBERS_PER_LOOP + 2);
        assertThat(seen.path("violations"))
                .as(
                        "streams missing, duplicated or reordered (%s of %s)",
                        seen.path("violationCount"), seen.path("streams"))
                .isEmpty();
        assertThat(seen.path("receivedTotal").asLong())
                .isEqualTo(seen.path("expectedTotal").asLong());
        assertThat(seen.path("errors")).isEmpty();
        assertThat(seen.path("disconnected").asInt()).isZero();
    }
}
