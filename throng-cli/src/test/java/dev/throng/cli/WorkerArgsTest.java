package dev.throng.cli;

import dev.throng.cli.config.RecordMapping;
import dev.throng.cli.config.SettingException;
import dev.throng.cli.config.Variations;
import dev.throng.core.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The arguments a supervisor gives a worker carry the whole configuration there and back. Every setting is found by
 * reflection, so a setting added to ServerConfig is covered here without a change.
 */
class WorkerArgsTest {
    private static final ServerConfig DEFAULTS = ServerConfig.builder().build();

    static Stream<String> everySetting() {
        return RecordMapping.leafPaths(ServerConfig.class).stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everySetting")
    void aSettingChangedFromItsDefaultSurvivesTheTrip(String path) {
        WorkerArgs sent = new WorkerArgs(Variations.changed(DEFAULTS, path), Duration.ofSeconds(20));
        assertThat(WorkerArgs.parse(sent.toArgs().toArray(String[]::new))).isEqualTo(sent);
    }

    @Test
    void everySettingChangedAtOnceSurvivesTheTrip() {
        ServerConfig every = Variations.everySettingChanged(DEFAULTS);
        WorkerArgs sent = new WorkerArgs(every, Duration.ofMillis(20_250), Path.of("/tmp/throng-workers/worker-3"));
        WorkerArgs received = WorkerArgs.parse(sent.toArgs().toArray(String[]::new));
        assertThat(received).isEqualTo(sent);
        assertThat(received.config().handshake().subprotocols()).as("preference order")
            .containsExactly("chat.v2", "chat.v1");
    }

    @Test
    void theDefaultsSurviveTheTripToo() {
        WorkerArgs sent = new WorkerArgs(DEFAULTS, Duration.ofSeconds(10));
        assertThat(sent.toArgs()).noneMatch(a -> a.startsWith("--handshake.path="))
            .contains("--listen.port=8080", "--limits.maxFrameSize=1m", "--keepalive.pingInterval=30s",
                "--listen.transport=auto", "--drainWindow=10s");
        assertThat(WorkerArgs.parse(sent.toArgs().toArray(String[]::new))).isEqualTo(sent);
    }

    @Test
    void anUnknownOrMalformedArgumentIsRefused() {
        assertThatThrownBy(() -> WorkerArgs.parse(new String[] {"--drainWindow=1s", "--listen.colour=red"}))
            .isInstanceOf(SettingException.class).hasMessage("listen.colour: unknown setting");
        assertThatThrownBy(() -> WorkerArgs.parse(new String[] {"--drainWindow=1s", "serve"}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--path=value");
        assertThatThrownBy(() -> WorkerArgs.parse(new String[] {"--drainWindow=1s", "--compression.enabled=yes"}))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("compression.enabled: expected true or false, got 'yes'");
        assertThatThrownBy(() -> WorkerArgs.parse(new String[] {"--drainWindow=1s", "--listen.port=1",
            "--listen.port=2"})).hasMessage("listen.port: given twice");
        assertThatThrownBy(() -> WorkerArgs.parse(new String[] {"--listen.port=80"}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--drainWindow");
    }

    @Test
    void aMissingSettingIsNamed() {
        String[] withoutPort = new WorkerArgs(DEFAULTS, Duration.ofSeconds(1)).toArgs().stream()
            .filter(a -> !a.startsWith("--listen.port=")).toArray(String[]::new);
        assertThatThrownBy(() -> WorkerArgs.parse(withoutPort)).isInstanceOf(SettingException.class)
            .hasMessage("listen.port: missing");
        String[] withoutHost = new WorkerArgs(DEFAULTS, Duration.ofSeconds(1)).toArgs().stream()
            .filter(a -> !a.startsWith("--listen.host=")).toArray(String[]::new);
        assertThatThrownBy(() -> WorkerArgs.parse(withoutHost)).isInstanceOf(SettingException.class)
            .hasMessage("listen.host: listen.host must be given");
    }
}
