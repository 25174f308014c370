package dev.throng.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.throng.cli.config.Shape;
import dev.throng.core.ServerConfig;
import dev.throng.core.TransportKind;
import dev.throng.gateway.GatewayConfig;
import dev.throng.gateway.app.App;
import dev.throng.gateway.app.AppLimits;
import dev.throng.gateway.app.Webhook;
import dev.throng.redis.RedisClusterSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * {@code throng serve}'s configuration from its four sources: flags over environment variables over the file over the
 * defaults, for every kind of setting; the names of the variables; the file's checks; the printed configuration.
 */
class ServeSettingsTest {
    private static final long OPEN_FILES = 20_000;

    @TempDir
    Path dir;

    private static ServeSettings load(Map<String, String> environment, String... args) {
        ServeCommand serve = new ServeCommand(environment);
        new CommandLine(serve).parseArgs(args);
        return serve.settings();
    }

    private Path file(String yaml) throws IOException {
        return Files.writeString(dir.resolve("throng.yaml"), yaml);
    }

    // ---- precedence ---------------------------------------------------------------------------------------------

    /**
     * One setting of each kind, given by the file, then also by an environment variable, then also by a flag.
     *
     * @param path the setting
     * @param yaml a file that sets it to {@code inFile}
     * @param variable the environment variable, set to {@code inEnvironment}
     * @param flag the flag's arguments, which set it to {@code byFlag}
     */
    static Stream<Arguments> oneOfEachKind() {
        return Stream.of(
                kind(
                        "limits.maxFrameSize",
                        "limits:\n  maxFrameSize: 64k\n",
                        "64k",
                        "THRONG_LIMITS_MAX_FRAME_SIZE",
                        "128k",
                        List.of("--max-frame-size", "256k"),
                        "256k"),
                kind(
                        "limits.memoryBudget",
                        "limits:\n  memoryBudget: 32m\n",
                        "32m",
                        "THRONG_LIMITS_MEMORY_BUDGET",
                        "auto",
                        List.of("--memory-budget", "64m"),
                        "64m"),
                kind(
                        "keepalive.pingInterval",
                        "keepalive:\n  pingInterval: 10s\n",
                        "10s",
                        "THRONG_KEEPALIVE_PING_INTERVAL",
                        "PT20S",
                        List.of("--ping-interval", "40s"),
                        "40s"),
                kind(
                        "keepalive.closeTimeout",
                        "keepalive:\n  closeTimeout: 1s\n",
                        "1s",
                        "THRONG_KEEPALIVE_CLOSE_TIMEOUT",
                        "2s",
                        List.of("--set", "keepalive.closeTimeout=3s"),
                        "3s"),
                kind(
                        "listen.port",
                        "listen:\n  port: 9001\n",
                        "9001",
                        "THRONG_LISTEN_PORT",
                        "9002",
                        List.of("--port", "9003"),
                        "9003"),
                kind(
                        "listen.ioThreads",
                        "listen:\n  ioThreads: 3\n",
                        "3",
                        "THRONG_LISTEN_IO_THREADS",
                        "auto",
                        List.of("--io-threads", "5"),
                        "5"),
                kind(
                        "compression.enabled",
                        "compression:\n  enabled: false\n",
                        "false",
                        "THRONG_COMPRESSION_ENABLED",
                        "true",
                        List.of("--no-compression"),
                        "false"),
                kind(
                        "listen.transport",
                        "listen:\n  transport: nio\n",
                        "nio",
                        "THRONG_LISTEN_TRANSPORT",
                        "EPOLL",
                        List.of("--transport", "auto"),
                        "auto"),
                kind(
                        "handshake.path",
                        "handshake:\n  path: /a\n",
                        "/a",
                        "THRONG_HANDSHAKE_PATH",
                        "/b",
                        List.of("--path", "/c"),
                        "/c"),
                kind(
                        "handshake.subprotocols",
                        "handshake:\n  subprotocols: [a, b]\n",
                        "[a, b]",
                        "THRONG_HANDSHAKE_SUBPROTOCOLS",
                        "c, d",
                        List.of("--subprotocol", "e", "--subprotocol", "f"),
                        "[e, f]"),
                kind(
                        "handshake.allowedOrigins",
                        "handshake:\n  allowedOrigins:\n    - https://a.example\n",
                        "[https://a.example]",
                        "THRONG_HANDSHAKE_ALLOWED_ORIGINS",
                        "https://b.example",
                        List.of("--origin", "https://c.example"),
                        "[https://c.example]"),
                kind(
                        "workers",
                        "workers: 2\nmode: echo\n",
                        "2",
                        "THRONG_WORKERS",
                        "auto",
                        List.of("--workers", "3"),
                        "3"),
                kind("mode", "mode: echo\n", "echo", "THRONG_MODE", "gateway", List.of("--mode", "echo"), "echo"),
                kind(
                        "drainWindow",
                        "drainWindow: 1m\n",
                        "1m",
                        "THRONG_DRAIN_WINDOW",
                        "2m",
                        List.of("--drain-window", "3m"),
                        "3m"),
                kind(
                        "gateway.activityTimeout",
                        "gateway:\n  activityTimeout: 60s\n",
                        "1m",
                        "THRONG_GATEWAY_ACTIVITY_TIMEOUT",
                        "90s",
                        List.of("--set", "gateway.activityTimeout=100s"),
                        "100s"),
                kind(
                        "gateway.maxPendingPublicationBytes",
                        "gateway:\n  maxPendingPublicationBytes: 8m\n",
                        "8m",
                        "THRONG_GATEWAY_MAX_PENDING_PUBLICATION_BYTES",
                        "16m",
                        List.of("--set", "gateway.maxPendingPublicationBytes=1m"),
                        "1m"),
                kind(
                        "apps[0].secret",
                        "apps:\n  - id: a1\n    key: k1\n    secret: from-file\n",
                        "from-file",
                        "THRONG_APP_SECRET",
                        "from-env",
                        List.of("--set", "apps[0].secret=from-flag"),
                        "from-flag"),
                kind(
                        "redis.uri",
                        "redis:\n  uri: redis://file.internal:6379\n",
                        "redis://file.internal:6379",
                        "THRONG_REDIS_URI",
                        "redis://env.internal:6380/1",
                        List.of("--redis", "rediss://flag.internal:6381"),
                        "rediss://flag.internal:6381"),
                kind(
                        "redis.leaseRefresh",
                        "redis:\n  leaseRefresh: 5s\n",
                        "5s",
                        "THRONG_REDIS_LEASE_REFRESH",
                        "auto",
                        List.of("--set", "redis.leaseRefresh=2s"),
                        "2s"),
                kind(
                        "apps[0].limits.maxEventDataBytes",
                        "apps:\n  - {id: a1, key: k1, secret: s, limits: " + "{maxEventDataBytes: 20k}}\n",
                        "20k",
                        "THRONG_APPS_0_LIMITS_MAX_EVENT_DATA_BYTES",
                        "30720",
                        List.of("--set", "apps[0].limits.maxEventDataBytes=40k"),
                        "40k"));
    }

    private static Arguments kind(
            String path,
            String yaml,
            String inFile,
            String variable,
            String inEnvironment,
            List<String> flag,
            String byFlag) {
        return Arguments.of(path, yaml, inFile, variable, inEnvironment, flag, byFlag);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("oneOfEachKind")
    void aFlagBeatsTheEnvironmentWhichBeatsTheFileWhichBeatsTheDefault(
            String path,
            String yaml,
            String inFile,
            String variable,
            String inEnvironment,
            List<String> flag,
            String byFlag)
            throws IOException {
        ServeSettings defaults = load(Map.of());
        assertThat(defaults.source(path)).isEqualTo(ServeSettings.Source.DEFAULT);

        String config = file(yaml).toString();
        ServeSettings fromFile = load(Map.of(), "--config", config);
        assertThat(text(fromFile, path)).isEqualTo(inFile).isNotEqualTo(text(defaults, path));
        assertThat(fromFile.source(path).name()).startsWith(config + " line ");

        ServeSettings fromEnvironment = load(Map.of(variable, inEnvironment), "--config", config);
        assertThat(fromEnvironment.value(path)).isNotEqualTo(fromFile.value(path));
        assertThat(fromEnvironment.source(path).name()).isEqualTo(variable);

        List<String> args = new ArrayList<>(List.of("--config", config));
        args.addAll(flag);
        ServeSettings fromFlag = load(Map.of(variable, inEnvironment), args.toArray(String[]::new));
        assertThat(text(fromFlag, path)).isEqualTo(byFlag);
        assertThat(fromFlag.value(path)).isNotEqualTo(fromEnvironment.value(path));
        assertThat(fromFlag.source(path).name()).isEqualTo(flag.get(0));
    }

    /** The value at {@code path} as --print-config writes it (a list as [a, b]). */
    private static String text(ServeSettings settings, String path) {
        Object value = settings.value(path);
        if (value instanceof Set<?> set) {
            value = new java.util.TreeSet<>(set);
        }
        if (value instanceof java.util.Collection<?> c) {
            return c.toString();
        }
        Shape shape = dev.throng.cli.config.Trees.shapeAt(
                ServeSettings.SHAPE, dev.throng.cli.config.SettingPath.segments(path));
        return (String) ((Shape.Leaf) shape).kind().write(value);
    }

    @Test
    void withoutAnySourceServeRunsTheGatewayWithTheDevelopmentApp() {
        ServeSettings settings = load(Map.of());
        assertThat(settings.mode()).isEqualTo(ServeSettings.Mode.GATEWAY);
        assertThat(settings.gateway()).isEqualTo(GatewayConfig.DEFAULTS);
        assertThat(settings.gateway().apps()).singleElement().matches(App::isDevelopment);
        assertThat(settings.drainWindow()).isEqualTo(Duration.ofSeconds(10));
        ServerConfig config = settings.serverConfig(1, OPEN_FILES);
        ServerConfig defaults = ServerConfig.builder().build();
        assertThat(config.handshake()).isEqualTo(defaults.handshake());
        assertThat(config.keepalive()).isEqualTo(defaults.keepalive());
        assertThat(config.compression()).isEqualTo(defaults.compression());
        assertThat(config.listen().port()).isEqualTo(defaults.listen().port());
    }

    // ---- environment variables ------------------------------------------------------------------------------------

    @Test
    void everySettingHasAnEnvironmentVariableNamedByItsPath() {
        for (String leaf : Shape.leafPaths(ServeSettings.SHAPE)) {
            String path = leaf.replace("[]", "[0]");
            String name = ServeSettings.environmentName(leaf).replace("<n>", "0");
            assertThat(dev.throng.cli.config.SettingPath.text(ServeSettings.environmentPath(name)))
                    .as(name)
                    .isEqualTo(path);
        }
        assertThat(ServeSettings.environmentName("admission.maxConnectionsPerAddress"))
                .isEqualTo("THRONG_ADMISSION_MAX_CONNECTIONS_PER_ADDRESS");
        assertThat(ServeSettings.environmentName("apps[].webhooks[].url"))
                .isEqualTo("THRONG_APPS_<n>_WEBHOOKS_<n>_URL");
        assertThat(ServeSettings.environmentPath("THRONG_APP_KEY")).containsExactly("apps", 0, "key");
        assertThat(ServeSettings.environmentPath("THRONG_APPS_12_WEBHOOKS_3_EVENTS"))
                .containsExactly("apps", 12, "webhooks", 3, "events");
    }

    @Test
    void variablesThatAreNotSettingsAreLeftAlone() {
        ServeSettings settings = load(Map.of(
                "THRONG_JAVA_OPTS",
                "-Xmx1g",
                "THRONG_WORKER_JAVA_OPTS",
                "-Dx=y",
                "THRONG_CACHE_DIR",
                "/tmp",
                "THRONG_FUZZ_BUILD_DIR",
                "target-fuzz",
                "PATH",
                "/bin"));
        assertThat(settings.yaml()).isEqualTo(load(Map.of()).yaml());
    }

    static Stream<Arguments> badVariables() {
        return Stream.of(
                Arguments.of(
                        Map.of("THRONG_LIMITS_MAX_FRAM_SIZE", "1m"),
                        "THRONG_LIMITS_MAX_FRAM_SIZE: no such setting "
                                + "(LIMITS settings are THRONG_LIMITS_MAX_FRAME_SIZE, THRONG_LIMITS_MAX_MESSAGE_SIZE"),
                Arguments.of(
                        Map.of("THRONG_LIMITS_MAX_FRAME_SIZE", "100"),
                        "limits.maxFrameSize from "
                                + "THRONG_LIMITS_MAX_FRAME_SIZE: must be at least 125 (a control frame), got 100"),
                Arguments.of(
                        Map.of("THRONG_LIMITS_MAX_FRAME_SIZE", "lots"),
                        "limits.maxFrameSize from "
                                + "THRONG_LIMITS_MAX_FRAME_SIZE: not a size: 'lots' (use e.g. 65536, 64k, 1m)"),
                Arguments.of(
                        Map.of("THRONG_KEEPALIVE_PING_INTERVAL", "5x"),
                        "keepalive.pingInterval from " + "THRONG_KEEPALIVE_PING_INTERVAL: not a duration: '5x'"),
                Arguments.of(
                        Map.of("THRONG_COMPRESSION_ENABLED", "yes"),
                        "compression.enabled from " + "THRONG_COMPRESSION_ENABLED: expected true or false, got 'yes'"),
                Arguments.of(
                        Map.of("THRONG_APP_SECRET", "s"),
                        "apps[0].id from THRONG_APP_SECRET: missing: every app " + "needs an id, a key and a secret"),
                Arguments.of(
                        Map.of("THRONG_APP_KEY", "k", "THRONG_APPS_0_KEY", "k"),
                        "apps[0].key from THRONG_APP_KEY: " + "also set by THRONG_APPS_0_KEY"),
                Arguments.of(
                        Map.of("THRONG_APPS_1_ID", "a"),
                        "apps[1].id from THRONG_APPS_1_ID: apps has 0 item(s), so " + "the next index is 0"),
                Arguments.of(
                        Map.of("THRONG_APP_ID", "a b", "THRONG_APP_KEY", "k", "THRONG_APP_SECRET", "s"),
                        "apps[0].id from THRONG_APP_ID: must be 1-128 of [A-Za-z0-9_-.], got a b"),
                Arguments.of(
                        Map.of("THRONG_MODE", "chat"), "mode from THRONG_MODE: expected gateway, echo; got 'chat'"),
                Arguments.of(
                        Map.of("THRONG_WORKERS", "0"),
                        "workers from THRONG_WORKERS: expected a whole number above " + "0, or auto; got '0'"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badVariables")
    void aBadVariableIsNamedWithItsSetting(Map<String, String> environment, String message) {
        assertThatThrownBy(() -> load(environment).serverConfig(1, OPEN_FILES))
                .isInstanceOf(ServeSettings.Invalid.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void theSingleAppFormMakesTheOnlyApp() {
        ServeSettings settings = load(Map.of(
                "THRONG_APP_ID",
                "42",
                "THRONG_APP_KEY",
                "key42",
                "THRONG_APP_SECRET",
                "secret42",
                "THRONG_APP_CLIENT_EVENTS",
                "true"));
        assertThat(settings.gateway().apps())
                .containsExactly(new App("42", "key42", "secret42", true, 0, true, AppLimits.PUSHER, List.of()));
    }

    // ---- the file -------------------------------------------------------------------------------------------------

    private static final String TWO_APPS = """
        mode: gateway
        drainWindow: 20s
        listen:
          host: 127.0.0.1
          port: 6001
          transport: epoll
        limits:
          maxMessageSize: 256k
          maxFrameSize: 64k
        keepalive:
          pingInterval: 25s
        admission:
          maxConnections: 10000
        gateway:
          activityTimeout: 60s
          webhookBatchWindow: 500ms
        apps:
          - id: "1001"
            key: chat-key
            secret: chat-secret
            clientEvents: true
            maxConnections: 5000
            limits:
              maxPresenceMembers: 500
            webhooks:
              - url: https://example.com/pusher/webhooks
                events: [channel_occupied, channel_vacated]
          - id: "1002"
            key: feed-key
            secret: feed-secret
            enabled: false
        """;

    @Test
    void aFileWithTwoAppsAndWebhooksBindsToTheRecords() throws IOException {
        ServeSettings settings = load(Map.of(), "--config", file(TWO_APPS).toString());
        assertThat(settings.gateway().apps())
                .containsExactly(
                        new App(
                                "1001",
                                "chat-key",
                                "chat-secret",
                                true,
                                5000,
                                true,
                                new AppLimits(10 * 1024, 200, 164, 100, 10, 500, 1024, 128, 10, 100),
                                List.of(new Webhook(
                                        URI.create("https://example.com/pusher/webhooks"),
                                        Set.of("channel_occupied", "channel_vacated")))),
                        new App("1002", "feed-key", "feed-secret", false, 0, false, AppLimits.PUSHER, List.of()));
        assertThat(settings.gateway().activityTimeout()).hasSeconds(60);
        assertThat(settings.gateway().webhookBatchWindow()).hasMillis(500);
        assertThat(settings.gateway().cacheTtl()).isEqualTo(GatewayConfig.DEFAULTS.cacheTtl());
        assertThat(settings.drainWindow()).hasSeconds(20);
        ServerConfig config = settings.serverConfig(1, OPEN_FILES);
        assertThat(config.listen().host()).isEqualTo("127.0.0.1");
        assertThat(config.listen().transport()).isEqualTo(TransportKind.EPOLL);
        assertThat(config.limits().maxMessageSize()).isEqualTo(256 * 1024);
        assertThat(config.admission().maxConnections()).isEqualTo(10_000);
    }

    @Test
    void docsConfigurationMdHoldsAFileThatLoads() throws IOException {
        String docs = Files.readString(Path.of("..", "docs", "configuration.md"));
        int start = docs.indexOf("```yaml\n");
        assertThat(start).as("a ```yaml example in docs/configuration.md").isPositive();
        String yaml = docs.substring(start + 8, docs.indexOf("```", start + 8));
        ServeSettings settings = load(Map.of(), "--config", file(yaml).toString());
        assertThat(settings.gateway().apps()).hasSize(2);
        assertThat(settings.gateway().apps().get(0).webhooks()).isNotEmpty();
        settings.serverConfig(settings.workerCount(OPEN_FILES), OPEN_FILES);
    }

    @Test
    void docsConfigurationMdNamesEverySetting() throws IOException {
        String docs = Files.readString(Path.of("..", "docs", "configuration.md"));
        for (String path : Shape.leafPaths(ServeSettings.SHAPE)) {
            assertThat(docs).as("docs/configuration.md documents " + path).contains("`" + path + "`");
        }
    }

    static Stream<Arguments> badFiles() {
        return Stream.of(
                Arguments.of(
                        "listen:\n  prot: 80\n",
                        "line 2: listen.prot: unknown setting; listen has host, port, "
                                + "transport, ioThreads, backlog, reusePort, leanConnections"),
                Arguments.of(
                        "colour: red\n",
                        "line 1: colour: unknown setting; the settings are mode, workers, "
                                + "drainWindow, listen, handshake, limits, compression, keepalive, admission, gateway, apps, redis"),
                Arguments.of(
                        "gateway:\n  apps: []\n",
                        "line 2: gateway.apps: unknown setting; gateway has " + "activityTimeout"),
                Arguments.of(
                        "apps:\n  - id: a\n    key: k\n    secret: s\n    sekret: t\n",
                        "line 5: apps[0].sekret: "
                                + "unknown setting; apps[0] has id, key, secret, enabled, maxConnections, clientEvents, limits, "
                                + "webhooks"),
                Arguments.of(
                        "limits:\n  maxFrameSize: 12q\n",
                        "line 2: limits.maxFrameSize: not a size: '12q' (use e.g. " + "65536, 64k, 1m)"),
                Arguments.of(
                        "limits:\n  maxFrameSize: 100\n",
                        "line 2: limits.maxFrameSize: must be at least 125 (a " + "control frame), got 100"),
                Arguments.of(
                        "limits:\n  maxFrameSize: 2m\n",
                        "line 2: limits.maxFrameSize: limits.maxMessageSize "
                                + "(1048576) must be at least limits.maxFrameSize (2097152)"),
                Arguments.of("listen: 80\n", "line 1: listen: expected a group of settings (host, port"),
                Arguments.of(
                        "handshake:\n  subprotocols: {a: b}\n",
                        "line 2: handshake.subprotocols: expected a list, " + "not a group of settings"),
                Arguments.of("apps: {id: a}\n", "line 1: apps: expected a list"),
                Arguments.of(
                        "apps:\n  - id: a\n    key: k\n",
                        "line 2: apps[0].secret: missing: every app needs an id, " + "a key and a secret"),
                Arguments.of(
                        "apps:\n  - {id: a, key: 'k k', secret: s}\n",
                        "line 2: apps[0].key: apps.key of app a must " + "be 1-128 of [A-Za-z0-9_-.]"),
                Arguments.of(
                        "apps:\n  - {id: a, key: k, secret: s}\n  - {id: b, key: k, secret: t}\n",
                        "line 1: apps: " + "two apps have the key k"),
                Arguments.of(
                        "apps:\n  - id: a\n    key: k\n    secret: s\n    webhooks:\n      - url: ftp://x/\n",
                        "line 6: apps[0].webhooks[0].url: webhooks.url must be an http or https URL, got ftp://x/"),
                Arguments.of(
                        "apps:\n  - id: a\n    key: k\n    secret: s\n    webhooks:\n      - url: https://x/\n"
                                + "        events: [channel_ocupied]\n",
                        "line 7: apps[0].webhooks[0].events: webhooks.events: " + "unknown event 'channel_ocupied'"),
                Arguments.of(
                        "gateway:\n  activityTimeout: 0\n", "line 2: gateway.activityTimeout: must be at least 1 s"),
                Arguments.of(
                        "gateway:\n  maxPendingPublicationBytes: 1k\n",
                        "line 2: gateway.maxPendingPublicationBytes: " + "must be at least 64k"),
                Arguments.of(
                        "workers: 2\n",
                        "line 1: workers: the gateway's workers need Redis to share their " + "channels"),
                Arguments.of(
                        "redis:\n  uri: localhost:6379\n",
                        "line 2: redis.uri: must be a Redis URI " + "(redis://[[user]:password@]host[:port][/db]"),
                Arguments.of(
                        "redis:\n  uri: redis://h\n  keyPrefix: a b\n",
                        "line 3: redis.keyPrefix: must be 1-64 of " + "[A-Za-z0-9_-.:], got a b"),
                Arguments.of(
                        "redis:\n  uri: redis://h\n  leaseTtl: 6s\n  leaseRefresh: 3s\n",
                        "line 4: " + "redis.leaseRefresh: must be positive and at most a third of leaseTtl"),
                Arguments.of(
                        "mode: echo\nredis:\n  uri: redis://h\n",
                        "line 3: redis.uri: echo mode has nothing to share " + "through Redis"),
                Arguments.of("listen:\n  port: 1\n  port: 2\n", "line 3: listen.port is given twice"),
                Arguments.of("listen:\n  port: [1\n", "line 2: not valid YAML: while parsing a flow sequence"),
                Arguments.of("- a\n- b\n", "line 1: expected settings (name: value)"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badFiles")
    void aBadFileIsReportedInOneLineWithItsLine(String yaml, String message) throws IOException {
        Path config = file(yaml);
        assertThatThrownBy(() -> {
                    ServeSettings settings = load(Map.of(), "--config", config.toString());
                    settings.serverConfig(settings.workerCount(OPEN_FILES), OPEN_FILES);
                })
                .isInstanceOf(ServeSettings.Invalid.class)
                .hasMessageStartingWith("in " + config + " " + message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aMissingFileIsNamed() {
        assertThatThrownBy(() ->
                        load(Map.of(), "--config", dir.resolve("nope.yaml").toString()))
                .isInstanceOf(ServeSettings.Invalid.class)
                .hasMessage("--config " + dir.resolve("nope.yaml") + ": no such file");
        assertThatThrownBy(() ->
                        load(Map.of("THRONG_CONFIG", dir.resolve("gone.yaml").toString())))
                .hasMessageContaining("gone.yaml: no such file");
    }

    @Test
    void anEmptyFileOrGroupChangesNothing() throws IOException {
        String defaults = load(Map.of()).yaml();
        assertThat(load(Map.of(), "--config", file("").toString()).yaml()).isEqualTo(defaults);
        assertThat(load(Map.of(), "--config", file("limits:\n# nothing yet\n").toString())
                        .yaml())
                .isEqualTo(defaults);
    }

    @Test
    void aFileSetsTheListWholeAndASingleValueIsAListOfOne() throws IOException {
        ServeSettings settings = load(
                Map.of(),
                "--config",
                file("handshake:\n  subprotocols: chat.v1\n").toString());
        assertThat(settings.serverConfig(1, OPEN_FILES).handshake().subprotocols())
                .containsExactly("chat.v1");
    }

    // ---- resolution per process -----------------------------------------------------------------------------------

    @Test
    void totalsAreSplitOverWorkersAndAutoIsResolvedPerProcess() {
        ServeSettings settings = load(
                Map.of(),
                "--mode",
                "echo",
                "--workers",
                "4",
                "--max-connections",
                "40000",
                "--handshakes-per-second",
                "1000",
                "--max-message-size",
                "8m",
                "--max-frame-size",
                "8m");
        int cores = Runtime.getRuntime().availableProcessors();
        ServerConfig config = settings.serverConfig(settings.workerCount(1_000_000), 1_000_000);
        assertThat(config.admission().maxConnections()).isEqualTo(WorkerPlan.workerCap(40_000, 4, 1_000_000));
        assertThat(config.admission().handshakesPerSecond()).isEqualTo(250);
        assertThat(config.listen().ioThreads()).isEqualTo(Math.max(1, cores / 4));
        assertThat(config.listen().reusePort()).isTrue();
        assertThat(config.limits().memoryBudget()).isEqualTo(WorkerPlan.memoryBudget(8 << 20));
    }

    @Test
    void theGatewayRunsSeveralWorkersOnlyWhenTheyShareRedis() {
        assertThatThrownBy(() -> load(Map.of(), "--workers", "3").workerCount(OPEN_FILES))
                .hasMessage(
                        "workers from --workers: the gateway's workers need Redis to share their channels: without it "
                                + "a publication on one worker would not reach the clients of the others (give --redis "
                                + "redis://host:port, run one process, or --mode echo)");
        assertThatThrownBy(() -> load(Map.of(), "--workers", "auto", "--max-connections", "100000")
                        .workerCount(OPEN_FILES))
                .hasMessageStartingWith(
                        "workers from --workers: auto comes to 6 workers, but " + "the gateway's workers need Redis");
        assertThatThrownBy(() ->
                        load(Map.of("THRONG_REDIS_URI", " "), "--workers", "2").workerCount(OPEN_FILES))
                .as("a blank URI is none")
                .hasMessageContaining("need Redis");
        assertThat(load(Map.of(), "--workers", "3", "--redis", "redis://127.0.0.1:6379")
                        .workerCount(OPEN_FILES))
                .isEqualTo(3);
        assertThat(load(
                                Map.of("THRONG_REDIS_URI", "redis://127.0.0.1:6379"),
                                "--workers",
                                "auto",
                                "--max-connections",
                                "100000")
                        .workerCount(OPEN_FILES))
                .isEqualTo(6);
        assertThat(load(Map.of(), "--mode", "echo", "--workers", "3").workerCount(OPEN_FILES))
                .isEqualTo(3);
        assertThat(load(Map.of("THRONG_MODE", "echo"), "--workers", "auto", "--max-connections", "100000")
                        .workerCount(OPEN_FILES))
                .isEqualTo(6);
    }

    // ---- redis ------------------------------------------------------------------------------------------------------

    @Test
    void withoutARedisUriTheGatewayIsOnItsOwn() {
        ServeSettings settings = load(Map.of());
        assertThat(settings.redis()).isNull();
        assertThat(settings.value("redis.uri")).isNull();
        assertThat(load(Map.of("THRONG_REDIS_URI", ""), "--set", "redis.leaseTtl=1m")
                        .redis())
                .isNull();
    }

    @Test
    void theClusterSettingsDefaultAsRedisClusterSettingsDoes() {
        RedisClusterSettings defaults = RedisClusterSettings.of("redis://10.0.0.5:6379/2");
        assertThat(load(Map.of(), "--redis", "redis://10.0.0.5:6379/2").redis()).isEqualTo(defaults);
        assertThat(ServeSettings.defaultText("redis.leaseRefresh")).isEqualTo("auto");
        assertThat(ServeSettings.defaultText("redis.leaseTtl")).isEqualTo("30s");
    }

    @Test
    void everyClusterSettingIsReadAndALeaseTtlAloneBringsItsRefreshAlong() throws IOException {
        String yaml = """
            redis:
              uri: redis://:pw@redis.internal:6380/3
              keyPrefix: chat
              leaseTtl: 45s
              quotaSync: 2s
              commandTimeout: 500ms
              reconnectMaxDelay: 10s
            """;
        RedisClusterSettings redis =
                load(Map.of(), "--config", file(yaml).toString()).redis();
        assertThat(redis)
                .isEqualTo(RedisClusterSettings.builder("redis://:pw@redis.internal:6380/3")
                        .keyPrefix("chat")
                        .leaseTtl(Duration.ofSeconds(45))
                        .quotaSync(Duration.ofSeconds(2))
                        .commandTimeout(Duration.ofMillis(500))
                        .reconnectMaxDelay(Duration.ofSeconds(10))
                        .build());
        assertThat(redis.leaseRefresh()).isEqualTo(Duration.ofSeconds(15));
        assertThat(load(
                                Map.of("THRONG_REDIS_LEASE_REFRESH", "4s"),
                                "--config",
                                file(yaml).toString())
                        .redis()
                        .leaseRefresh())
                .isEqualTo(Duration.ofSeconds(4));
    }

    static Stream<Arguments> badClusterSettings() {
        return Stream.of(
                Arguments.of(
                        List.of("--redis", "http://redis.internal"),
                        "redis.uri from --redis: must be a Redis URI "
                                + "(redis://[[user]:password@]host[:port][/db], rediss:// for TLS, redis-socket:///path), got "
                                + "http://redis.internal (Scheme http not supported)"),
                Arguments.of(
                        List.of("--redis", "redis://:hunter2@h:63x9"),
                        "redis.uri from --redis: must be a Redis "
                                + "URI (redis://[[user]:password@]host[:port][/db], rediss:// for TLS, redis-socket:///path), got "
                                + "redis://***@h:63x9 (its host and port do not parse: a port that is not a number, or a host name "
                                + "with '_' and a port)"),
                Arguments.of(
                        List.of("--redis", "redis://h", "--set", "redis.leaseTtl=100ms"),
                        "redis.leaseTtl from " + "--set: must be at least 300 ms, got PT0.1S"),
                Arguments.of(
                        List.of("--redis", "redis://h", "--set", "redis.quotaSync=0"),
                        "redis.quotaSync from --set: " + "must be positive, got PT0S"),
                Arguments.of(
                        List.of("--redis", "redis://h", "--set", "redis.commandTimeout=soon"),
                        "redis.commandTimeout "
                                + "from --set: not a duration: 'soon' (use e.g. 500ms, 30s, 2m, 1h or 0)"),
                Arguments.of(
                        List.of("--set", "redis.leaseRefresh=often"),
                        "redis.leaseRefresh from --set: not a " + "duration: 'often'"),
                Arguments.of(
                        List.of("--mode", "echo", "--redis", "redis://h"),
                        "redis.uri from --redis: echo mode has "
                                + "nothing to share through Redis: a cluster node is the gateway's (--mode gateway)"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badClusterSettings")
    void aBadClusterSettingIsOneLineNamingItAndItsSource(List<String> args, String message) {
        assertThatThrownBy(() -> load(Map.of(), args.toArray(String[]::new)))
                .isInstanceOf(ServeSettings.Invalid.class)
                .hasMessageStartingWith(message)
                .hasMessageNotContaining("hunter2")
                .hasMessageNotContaining("\n");
    }

    // ---- --print-config ---------------------------------------------------------------------------------------------

    @Test
    void thePrintedConfigurationMasksTheRedisPasswordAndReadsBackTheSame() throws IOException {
        ServeSettings settings = load(
                Map.of("THRONG_REDIS_URI", "rediss://user:hunter2@redis.internal:6380/1"),
                "--set",
                "redis.leaseTtl=60s");
        String yaml = settings.yaml();
        assertThat(yaml)
                .contains("redis:\n  uri: rediss://***@redis.internal:6380/1\n  keyPrefix: throng\n"
                        + "  leaseTtl: 1m\n  leaseRefresh: auto\n")
                .doesNotContain("hunter2");

        Path printed = Files.writeString(dir.resolve("printed.yaml"), yaml);
        assertThat(load(Map.of(), "--config", printed.toString()).yaml()).isEqualTo(yaml);
    }

    @Test
    void thePrintedConfigurationMasksSecretsAndReadsBackTheSame() throws IOException {
        ServeSettings settings = load(
                Map.of("THRONG_APPS_1_SECRET", "rotated-secret"),
                "--config",
                file(TWO_APPS).toString(),
                "--max-outbound",
                "2m");
        String yaml = settings.yaml();
        assertThat(yaml)
                .contains(
                        "secret: '***'",
                        "maxOutboundBytes: 2m",
                        "port: 6001",
                        "pingInterval: 25s",
                        "ioThreads: auto",
                        "memoryBudget: auto",
                        "mode: gateway",
                        "transport: epoll",
                        "id: \"1001\"",
                        "url: https://example.com/pusher/webhooks")
                .doesNotContain("chat-secret", "feed-secret", "rotated-secret");
        assertThat(yaml.split("secret: '\\*\\*\\*'", -1)).hasSize(3);

        Path printed = Files.writeString(dir.resolve("printed.yaml"), yaml);
        assertThat(load(Map.of(), "--config", printed.toString()).yaml()).isEqualTo(yaml);
    }

    @Test
    void theDefaultsPrintTheDevelopmentAppMasked() {
        String yaml = load(Map.of()).yaml();
        assertThat(yaml)
                .contains(
                        "id: app-id",
                        "key: app-key",
                        "secret: '***'",
                        "maxFrameSize: 1m",
                        "timeout: 10s",
                        "path: null",
                        "subprotocols: []")
                .doesNotContain("app-secret");
    }

    @Test
    void everyLeafOfTheShapeIsPrinted() {
        String yaml = load(Map.of()).yaml();
        Map<String, Integer> counts = new HashMap<>();
        for (String leaf : Shape.leafPaths(ServeSettings.SHAPE)) {
            if (leaf.contains("webhooks[]")) {
                continue; // the development app has none
            }
            String name = leaf.substring(leaf.lastIndexOf('.') + 1).replace("[]", "");
            counts.merge(name, 1, Integer::sum);
            assertThat(yaml).as(leaf).contains(name + ":");
        }
    }
}
