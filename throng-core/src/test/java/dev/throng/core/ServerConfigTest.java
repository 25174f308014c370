package dev.throng.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The builder's flat setters land in their groups; every refusal names the setting by its path. */
class ServerConfigTest {

    @Test
    void theBuilderPutsEachSettingInItsGroup() {
        ServerConfig config = ServerConfig.builder()
                .host("127.0.0.1")
                .port(9000)
                .ioThreads(3)
                .leanConnections(false)
                .path("/ws")
                .handshakeTimeout(Duration.ofSeconds(3))
                .subprotocols(List.of("chat"))
                .maxFrameSize(4096)
                .maxMessageSize(8192)
                .memoryBudget(1 << 20)
                .compression(false)
                .compressionThreshold(10)
                .pingInterval(Duration.ofSeconds(20))
                .closeTimeout(Duration.ofSeconds(2))
                .maxConnections(100)
                .retryAfter(Duration.ofSeconds(7))
                .build();

        assertThat(config.listen())
                .isEqualTo(new ServerConfig.Listen("127.0.0.1", 9000, TransportKind.AUTO, 3, 4096, false, false));
        assertThat(config.handshake())
                .isEqualTo(new ServerConfig.Handshake(
                        "/ws", 4096, 8192, Duration.ofSeconds(3), List.of("chat"), Set.of()));
        assertThat(config.limits()).isEqualTo(new ServerConfig.Limits(4096, 8192, 1 << 20, 64 * 1024, 1 << 20));
        assertThat(config.compression()).isEqualTo(new ServerConfig.Compression(false, 10));
        assertThat(config.keepalive())
                .isEqualTo(new ServerConfig.Keepalive(
                        Duration.ofSeconds(20), false, Duration.ZERO, Duration.ofSeconds(2), Duration.ofSeconds(10)));
        assertThat(config.admission()).isEqualTo(new ServerConfig.Admission(100, 0, 0, Duration.ofSeconds(7)));
        assertThat(config.limits().maxCompressedFrameSize())
                .as("zlib's bound of 4096")
                .isEqualTo(4096 + 1 + 13);
    }

    @Test
    void toBuilderCarriesEverySetting() {
        ServerConfig config = ServerConfig.builder()
                .port(9001)
                .allowedOrigins(Set.of("https://a.example"))
                .writeBufferHighWaterMark(2048)
                .skipPingWhenActive(true)
                .handshakesPerSecond(5)
                .build();
        assertThat(config.toBuilder().build()).isEqualTo(config);
        assertThat(config.toBuilder().port(9002).build().listen().port()).isEqualTo(9002);
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                refusal(b -> b.port(70000), "listen.port must be 0-65535, got 70000"),
                refusal(b -> b.ioThreads(0), "listen.ioThreads must be at least 1"),
                refusal(b -> b.host(null), "listen.host must be given"),
                refusal(b -> b.path("ws"), "handshake.path must start with '/'"),
                refusal(b -> b.handshakeTimeout(Duration.ZERO), "handshake.timeout must be positive"),
                refusal(b -> b.subprotocols(List.of("a b")), "handshake.subprotocols must each be an HTTP token"),
                refusal(b -> b.maxFrameSize(100), "limits.maxFrameSize must be at least 125"),
                refusal(
                        b -> b.maxFrameSize(2 << 20),
                        "limits.maxMessageSize (1048576) must be at least limits.maxFrameSize (2097152)"),
                refusal(b -> b.maxOutboundBytes(1024), "limits.maxOutboundBytes (1024) must be at least"),
                refusal(b -> b.compressionThreshold(-1), "compression.threshold must be >= 0"),
                refusal(b -> b.pingInterval(Duration.ofSeconds(-1)), "keepalive.pingInterval must be zero (off) or"),
                refusal(b -> b.closeTimeout(null), "keepalive.closeTimeout must be positive, got null"),
                refusal(b -> b.maxConnections(-1), "admission.maxConnections must be >= 0"),
                refusal(b -> b.retryAfter(Duration.ZERO), "admission.retryAfter must be positive"));
    }

    private static Arguments refusal(UnaryOperator<ServerConfig.Builder> change, String message) {
        return Arguments.of(change, message);
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("refusals")
    void aBadValueIsRefusedNamingItsPath(UnaryOperator<ServerConfig.Builder> change, String message) {
        assertThatThrownBy(() -> change.apply(ServerConfig.builder()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
