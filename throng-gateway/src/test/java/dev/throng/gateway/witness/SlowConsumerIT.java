package dev.throng.gateway.witness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.throng.core.ServerConfig;
import dev.throng.core.ServerStats;
import dev.throng.core.TransportKind;
import dev.throng.gateway.Gateway;
import dev.throng.gateway.GatewayConfig;
import dev.throng.gateway.app.App;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A subscriber that stops reading (Node's ws, its socket paused) on a busy channel: the gateway closes it with a code
 * in 4100-4199 (pusher-js backs off 1 s and reconnects) once {@code maxOutboundBytes} wait for it, while a pusher-js
 * subscriber of the same channel receives every event in order, and the server's bytes in flight stay bounded by the
 * outbound limit however much is published. Run on both transports.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(
        value = TransportKind.class,
        names = {"EPOLL", "NIO"})
class SlowConsumerIT {
    static final App MAIN = App.of("slow-main", "slow-main-key", "slow-main-secret", true);
    static final int MAX_OUTBOUND = 256 * 1024;

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
                        .ioThreads(2)
                        .writeBufferHighWaterMark(64 * 1024)
                        .maxOutboundBytes(MAX_OUTBOUND)
                        .build(),
                GatewayConfig.DEFAULTS.withApps(List.of(MAIN)));
        witness = new Witness(gateway, Map.of("main", MAIN));
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    @Test
    void aSubscriberThatStopsReadingIsClosedWith41xxWhileTheOthersGetEverythingAndMemoryStaysBounded()
            throws Exception {
        JsonNode seen = witness.run(
                "slow.js", "slowConsumerCloses", Map.of("maxPublishBytes", 64 << 20), Duration.ofSeconds(45));
        int code = seen.path("close").path("code").asInt();
        assertThat(code)
                .as("the close code the slow subscriber read (%s)", seen.path("close"))
                .isBetween(4100, 4199);
        assertThat(seen.path("ticksBeforeClose").asInt())
                .as("it got what was queued before its close")
                .isPositive()
                .isLessThanOrEqualTo(seen.path("publishedWhenClosed").asInt());

        JsonNode normal = seen.path("normal");
        assertThat(normal.path("count").asInt())
                .as("the normal subscriber got every event")
                .isEqualTo(seen.path("published").asInt());
        assertThat(normal.path("inOrderOnce").asBoolean())
                .as("once each, in order")
                .isTrue();
        assertThat(normal.path("state").asText()).isEqualTo("connected");
        assertThat(normal.path("errors")).isEmpty();

        ServerStats stats = gateway.server().stats();
        long published = seen.path("publishedBytes").asLong();
        if (transport == TransportKind.EPOLL) {
            // Lean epoll sessions count their outbound queues in the budget; NIO's are Netty's channel buffers, bounded
            // by the same maxOutboundBytes but outside the budget (ChannelSession), so its stats show none of them.
            assertThat(stats.memoryPeak())
                    .as("bytes in flight at most (while %s B were published)", published)
                    .isGreaterThan(0)
                    .isLessThanOrEqualTo(4L * MAX_OUTBOUND);
        }
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(gateway.server().stats().memoryInFlight())
                        .as("bytes in flight once it is over")
                        .isLessThanOrEqualTo(64 * 1024));
    }
}
