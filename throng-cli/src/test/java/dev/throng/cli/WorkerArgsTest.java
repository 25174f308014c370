package dev.throng.cli;

import dev.throng.core.ServerConfig;
import dev.throng.core.TransportKind;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The arguments a supervisor gives a worker carry the whole configuration there and back. */
class WorkerArgsTest {

    /** Every field differs from the builder's default, so a field the arguments drop shows as a difference. */
    private static final ServerConfig EVERY_FIELD_SET = ServerConfig.builder()
        .host("127.0.0.2").port(9123).transport(TransportKind.NIO).ioThreads(3).backlog(100).reusePort(true)
        .path("/ws path?=x").maxFrameSize(4096).maxMessageSize(8192).maxInitialLineLength(1024).maxHeaderSize(2048)
        .handshakeTimeout(Duration.ofMillis(1500)).closeTimeout(Duration.ofSeconds(7))
        .subprotocols(List.of("chat.v2", "chat.v1")).allowedOrigins(Set.of("https://a.example", "https://b.example"))
        .compression(false).compressionThreshold(10).pingInterval(Duration.ofSeconds(45)).skipPingWhenActive(true)
        .idleTimeout(Duration.ofMinutes(5)).writeBufferHighWaterMark(32 * 1024).maxOutboundBytes(200_000)
        .maxConnections(18_000).maxConnectionsPerAddress(50).handshakesPerSecond(700)
        .retryAfter(Duration.ofSeconds(9)).leanConnections(false).memoryBudget(12_345_678)
        .loopStallTimeout(Duration.ofSeconds(3))
        .build();

    @Test
    void everyFieldSurvivesTheTrip() {
        WorkerArgs sent = new WorkerArgs(EVERY_FIELD_SET, Duration.ofSeconds(20));
        WorkerArgs received = WorkerArgs.parse(sent.toArgs().toArray(String[]::new));
        assertThat(received).isEqualTo(sent);
        assertThat(received.config().handshake().subprotocols()).as("preference order").containsExactly("chat.v2", "chat.v1");
    }

    @Test
    void theDefaultsSurviveTheTripToo() {
        WorkerArgs sent = new WorkerArgs(ServerConfig.builder().build(), Duration.ofSeconds(10));
        assertThat(sent.toArgs()).noneMatch(a -> a.startsWith("--path="));
        assertThat(WorkerArgs.parse(sent.toArgs().toArray(String[]::new))).isEqualTo(sent);
    }

    @Test
    void aNewConfigFieldMustBePassedToWorkers() {
        // ServerConfig has 29 settings in 6 groups, plus the drain window: 30 distinct names.
        // If this fails, a field was added: pass it in WorkerArgs, set it in EVERY_FIELD_SET, then update the count.
        assertThat(java.util.Arrays.stream(ServerConfig.class.getRecordComponents())
            .mapToInt(c -> c.getType().getRecordComponents().length).sum()).isEqualTo(29);
        long names = new WorkerArgs(EVERY_FIELD_SET, Duration.ZERO).toArgs().stream()
            .map(a -> a.substring(0, a.indexOf('='))).distinct().count();
        assertThat(names).isEqualTo(30);
    }

    @Test
    void anUnknownOrMalformedArgumentIsRefused() {
        assertThatThrownBy(() -> WorkerArgs.parse(new String[] {"--drain-window=PT1S", "--colour=red"}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--colour=red");
        assertThatThrownBy(() -> WorkerArgs.parse(new String[] {"--drain-window=PT1S", "serve"}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--name=value");
        assertThatThrownBy(() -> WorkerArgs.parse(new String[] {"--drain-window=PT1S", "--compression=yes"}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("yes");
        assertThatThrownBy(() -> WorkerArgs.parse(new String[] {"--port=80"}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--drain-window");
    }
}
