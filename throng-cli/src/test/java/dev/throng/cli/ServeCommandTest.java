package dev.throng.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.throng.core.ServerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code throng serve}'s command line: its options, its help, --print-config, and its one-line refusals. */
class ServeCommandTest {

    private static final long OPEN_FILES = 20_000;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private static ServeCommand serve(String... args) {
        ServeCommand serve = new ServeCommand(Map.of());
        new CommandLine(serve).parseArgs(args);
        return serve;
    }

    /** {@code throng <args>} as Main runs it, with {@code environment} for THRONG_* settings. */
    private int throng(Map<String, String> environment, String... args) {
        CommandLine throng = Main.commandLine(environment);
        throng.setOut(new PrintWriter(out, true));
        throng.setErr(new PrintWriter(err, true));
        return throng.execute(args);
    }

    @Test
    void withoutOptionsOneProcessRunsServerConfigsDefaults() {
        ServerConfig defaults = ServerConfig.builder().build();
        ServerConfig config = serve().config(1, OPEN_FILES);
        assertThat(config.listen().host()).isEqualTo(defaults.listen().host());
        assertThat(config.listen().port()).isEqualTo(defaults.listen().port());
        assertThat(config.listen().transport()).isEqualTo(defaults.listen().transport());
        assertThat(config.listen().backlog()).isEqualTo(defaults.listen().backlog());
        assertThat(config.limits().maxFrameSize()).isEqualTo(defaults.limits().maxFrameSize());
        assertThat(config.limits().maxMessageSize()).isEqualTo(defaults.limits().maxMessageSize());
        assertThat(config.limits().maxOutboundBytes())
                .isEqualTo(defaults.limits().maxOutboundBytes());
        assertThat(config.handshake()).isEqualTo(defaults.handshake());
        assertThat(config.keepalive()).isEqualTo(defaults.keepalive());
        assertThat(config.admission().maxConnectionsPerAddress())
                .isEqualTo(defaults.admission().maxConnectionsPerAddress());
        assertThat(config.compression()).isEqualTo(defaults.compression());
    }

    @Test
    void theHelpShowsTheDefaultsTheRecordsGive() {
        String help = new CommandLine(new ServeCommand(Map.of()))
                .getUsageMessage(CommandLine.Help.Ansi.OFF)
                .replaceAll("\\s+", " ");
        assertThat(help)
                .contains(
                        "Address to bind (default: 0.0.0.0)",
                        "Port to bind (default: 8080)",
                        "0: off (default: 30s)",
                        "0: off (default: 0)",
                        "Largest frame payload; larger: close 1009 (default: 1m)",
                        "Largest message, inflated; larger: close 1009 (default: 1m)",
                        "closed with 1013 (default: 1m)",
                        "slower: 408 (default: 10s)",
                        "Accept backlog (default: 4096)",
                        "(default: auto: epoll where it loads",
                        "per worker; over it, 429. 0: no cap (default: 0)",
                        "every message echoed (default: gateway)",
                        "spread over this window (default: 10s)",
                        "workers >= cores (default: auto)",
                        "or three of the largest message when that is more; the JVM's direct memory is sized to match "
                                + "(default: auto)",
                        "--config=FILE",
                        "--print-config",
                        "--set=PATH=VALUE");
    }

    @Test
    void anOptionGivenOverridesServerConfigsDefault() {
        ServerConfig config = serve(
                        "--max-frame-size",
                        "64k",
                        "--max-message-size",
                        "256KiB",
                        "--ping-interval",
                        "5s",
                        "--backlog",
                        "128",
                        "--no-compression",
                        "--origin",
                        "https://a.example",
                        "--origin",
                        "https://b.example",
                        "--set",
                        "keepalive.closeTimeout=2s")
                .config(1, OPEN_FILES);
        assertThat(config.limits().maxFrameSize()).isEqualTo(64 * 1024);
        assertThat(config.limits().maxMessageSize()).isEqualTo(256 * 1024);
        assertThat(config.keepalive().pingInterval()).hasSeconds(5);
        assertThat(config.keepalive().closeTimeout()).hasSeconds(2);
        assertThat(config.listen().backlog()).isEqualTo(128);
        assertThat(config.compression().enabled()).isFalse();
        assertThat(config.handshake().allowedOrigins())
                .containsExactlyInAnyOrder("https://a.example", "https://b.example");
    }

    @Test
    void printConfigPrintsTheEffectiveConfigurationWithSecretsMaskedAndExitsWithZero(@TempDir Path dir)
            throws Exception {
        Path file = Files.writeString(
                dir.resolve("throng.yaml"),
                "apps:\n  - {id: a1, key: k1, secret: s3cr3t}\n"
                        + "limits:\n  maxMessageSize: 2m\n  maxFrameSize: 2m\n");
        int status = throng(
                Map.of("THRONG_KEEPALIVE_PING_INTERVAL", "45s", "THRONG_APP_SECRET", "fr0m-env"),
                "serve",
                "--config",
                file.toString(),
                "--port",
                "6001",
                "--print-config");

        assertThat(status).as(err.toString()).isZero();
        assertThat(err.toString()).isEmpty();
        assertThat(out.toString())
                .contains("port: 6001", "pingInterval: 45s", "maxMessageSize: 2m", "id: a1", "secret: '***'")
                .doesNotContain("s3cr3t", "fr0m-env");
    }

    @Test
    void aBadValueFromTheEnvironmentIsOneLineAndStatusTwo() {
        int status = throng(Map.of("THRONG_LIMITS_MAX_FRAME_SIZE", "100"), "serve", "--print-config");

        assertThat(status).isEqualTo(2);
        assertThat(err.toString())
                .isEqualTo("throng serve: invalid configuration: limits.maxFrameSize from "
                        + "THRONG_LIMITS_MAX_FRAME_SIZE: must be at least 125 (a control frame), got 100"
                        + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aBadFileIsOneLineAndStatusTwo(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(
                dir.resolve("throng.yaml"),
                "apps:\n  - id: a1\n    key: k1\n" + "    secret: s\n    clientEvent: true\n");
        int status = throng(Map.of(), "serve", "--config", file.toString());

        assertThat(status).isEqualTo(2);
        assertThat(err.toString())
                .startsWith("throng serve: invalid configuration: in " + file + " line 5: "
                        + "apps[0].clientEvent: unknown setting; apps[0] has id, key, secret, enabled, maxConnections, "
                        + "clientEvents, limits, webhooks")
                .hasLineCount(1);
    }

    @Test
    void aGatewayThatCannotStartPrintsOneLineWithoutAStackTrace() {
        // Whatever stops the gateway (this build's entry point, or an address no interface has): one line, status 1.
        int status = throng(Map.of(), "serve", "--host", "203.0.113.1", "--port", "0");

        assertThat(status).as(err.toString()).isEqualTo(1);
        assertThat(err.toString()).startsWith("throng serve: ").hasLineCount(1).doesNotContain("\tat ", "Exception");
    }

    @Test
    void sizesAreShownInTheLargestUnitThatDividesThem() {
        assertThat(SizeConverter.format(1 << 20)).isEqualTo("1m");
        assertThat(SizeConverter.format(64 * 1024)).isEqualTo("64k");
        assertThat(SizeConverter.format(1L << 30)).isEqualTo("1g");
        assertThat(SizeConverter.format(1000)).isEqualTo("1000");
        assertThat(SizeConverter.format(0)).isEqualTo("0");
        assertThat(new SizeConverter().convert(SizeConverter.format(3 << 20))).isEqualTo(3 << 20);
    }
}
