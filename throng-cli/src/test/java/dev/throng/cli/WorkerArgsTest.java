package dev.throng.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.throng.cli.config.RecordMapping;
import dev.throng.cli.config.SettingException;
import dev.throng.cli.config.Variations;
import dev.throng.core.ServerConfig;
import dev.throng.gateway.GatewayConfig;
import dev.throng.gateway.app.App;
import dev.throng.gateway.app.AppLimits;
import dev.throng.gateway.app.Webhook;
import dev.throng.redis.RedisClusterSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

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
        assertThat(received.config().handshake().subprotocols())
                .as("preference order")
                .containsExactly("chat.v2", "chat.v1");
    }

    @Test
    void theDefaultsSurviveTheTripToo() {
        WorkerArgs sent = new WorkerArgs(DEFAULTS, Duration.ofSeconds(10));
        assertThat(sent.toArgs())
                .noneMatch(a -> a.startsWith("--handshake.path="))
                .contains(
                        "--listen.port=8080",
                        "--limits.maxFrameSize=1m",
                        "--keepalive.pingInterval=30s",
                        "--listen.transport=auto",
                        "--drainWindow=10s");
        assertThat(WorkerArgs.parse(sent.toArgs().toArray(String[]::new))).isEqualTo(sent);
    }

    @Test
    void anUnknownOrMalformedArgumentIsRefused() {
        assertThatThrownBy(() -> WorkerArgs.parse(new String[] {"--drainWindow=1s", "--listen.colour=red"}))
                .isInstanceOf(SettingException.class)
                .hasMessage("listen.colour: unknown setting");
        assertThatThrownBy(() -> WorkerArgs.parse(new String[] {"--drainWindow=1s", "serve"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--path=value");
        assertThatThrownBy(() -> WorkerArgs.parse(new String[] {"--drainWindow=1s", "--compression.enabled=yes"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("compression.enabled: expected true or false, got 'yes'");
        assertThatThrownBy(
                        () -> WorkerArgs.parse(new String[] {"--drainWindow=1s", "--listen.port=1", "--listen.port=2"}))
                .hasMessage("listen.port: given twice");
        assertThatThrownBy(() -> WorkerArgs.parse(new String[] {"--listen.port=80"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--drainWindow");
    }

    @Test
    void aMissingSettingIsNamed() {
        String[] withoutPort = new WorkerArgs(DEFAULTS, Duration.ofSeconds(1))
                .toArgs().stream().filter(a -> !a.startsWith("--listen.port=")).toArray(String[]::new);
        assertThatThrownBy(() -> WorkerArgs.parse(withoutPort))
                .isInstanceOf(SettingException.class)
                .hasMessage("listen.port: missing");
        String[] withoutHost = new WorkerArgs(DEFAULTS, Duration.ofSeconds(1))
                .toArgs().stream().filter(a -> !a.startsWith("--listen.host=")).toArray(String[]::new);
        assertThatThrownBy(() -> WorkerArgs.parse(withoutHost))
                .isInstanceOf(SettingException.class)
                .hasMessage("listen.host: listen.host must be given");
    }

    // ---- a gateway's worker: a cluster node --------------------------------------------------------------------

    private static final GatewayConfig GATEWAY = GatewayConfig.DEFAULTS.withApps(List.of(
            new App(
                    "1",
                    "key1",
                    "s3cret%0A",
                    false,
                    500,
                    true,
                    AppLimits.PUSHER,
                    List.of(new Webhook(URI.create("https://hooks.example/p?a=1&b=%20"), Set.of("member_added")))),
            App.of("2", "key2", "other-secret", false)));
    private static final RedisClusterSettings REDIS = RedisClusterSettings.builder("redis://:hunter2@10.0.0.5:6379/2")
            .keyPrefix("chat")
            .leaseTtl(Duration.ofMillis(4500))
            .quotaSync(Duration.ofMillis(250))
            .build();

    @Test
    void aGatewayWorkerGetsTheGatewayAndTheClusterThroughItsEnvironmentNotItsCommandLine() {
        WorkerArgs sent = new WorkerArgs(DEFAULTS, Duration.ofSeconds(3), Path.of("/tmp/w-1"), GATEWAY, REDIS);
        assertThat(String.join(" ", sent.toArgs()))
                .doesNotContain("s3cret", "other-secret", "hunter2", "redis", "apps");
        Map<String, String> environment = sent.environment();
        assertThat(environment).containsOnlyKeys(WorkerArgs.ENVIRONMENT);
        assertThat(environment.get(WorkerArgs.ENVIRONMENT))
                .contains(
                        "--redis.uri=redis://:hunter2@10.0.0.5:6379/2",
                        "--gateway.apps[1].secret=other-secret",
                        "--redis.leaseRefresh=1500ms");

        WorkerArgs received = WorkerArgs.parse(sent.toArgs().toArray(String[]::new), environment);
        assertThat(received).isEqualTo(sent);
        assertThat(received.gateway().apps().get(0).secret()).isEqualTo("s3cret%0A");
        assertThat(received.redis().leaseRefresh()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void aGatewayWorkerWithoutRedisAndAnEchoWorkerTravelToo() {
        WorkerArgs alone = new WorkerArgs(DEFAULTS, Duration.ofSeconds(3), null, GatewayConfig.DEFAULTS, null);
        assertThat(WorkerArgs.parse(alone.toArgs().toArray(String[]::new), alone.environment()))
                .isEqualTo(alone);
        WorkerArgs echo = new WorkerArgs(DEFAULTS, Duration.ofSeconds(3));
        assertThat(echo.environment()).isEmpty();
        assertThat(WorkerArgs.parse(echo.toArgs().toArray(String[]::new), Map.of("OTHER", "x")))
                .isEqualTo(echo);
    }

    @Test
    void aSecretWithALineBreakSurvivesTheEnvironment() {
        GatewayConfig odd = GatewayConfig.DEFAULTS.withApps(List.of(App.of("1", "k", "line\nbreak\r%25", false)));
        WorkerArgs sent = new WorkerArgs(DEFAULTS, Duration.ofSeconds(3), null, odd, REDIS);
        assertThat(sent.environment().get(WorkerArgs.ENVIRONMENT)).doesNotContain("line\n");
        assertThat(WorkerArgs.parse(sent.toArgs().toArray(String[]::new), sent.environment()))
                .isEqualTo(sent);
    }

    @Test
    void aBadGatewaySettingInTheEnvironmentIsNamed() {
        WorkerArgs sent = new WorkerArgs(DEFAULTS, Duration.ofSeconds(3), null, GATEWAY, REDIS);
        String[] args = sent.toArgs().toArray(String[]::new);
        String refreshTooSlow = sent.environment()
                .get(WorkerArgs.ENVIRONMENT)
                .replace("--redis.leaseRefresh=1500ms", "--redis.leaseRefresh=1h");
        assertThatThrownBy(() -> WorkerArgs.parse(args, Map.of(WorkerArgs.ENVIRONMENT, refreshTooSlow)))
                .isInstanceOf(SettingException.class)
                .hasMessageStartingWith(
                        "redis.leaseRefresh: redis leaseRefresh must " + "be positive and at most a third of leaseTtl");
        assertThatThrownBy(() -> WorkerArgs.parse(args, Map.of(WorkerArgs.ENVIRONMENT, "--gateway.colour=red")))
                .isInstanceOf(SettingException.class)
                .hasMessage("gateway.colour: unknown setting");
    }
}
