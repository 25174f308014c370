package dev.throng.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Every bad option or value of {@code serve}, {@code bench} and {@code doctor}, as {@code throng} runs it: one line
 * naming the command, the setting and the problem, status 2, and no stack trace.
 */
class BadOptionsTest {

    /**
     * An address no interface here has (TEST-NET-3): a serve case that unexpectedly passes validation fails to bind
     * (status 1) instead of serving until the test times out.
     */
    private static final String UNBINDABLE = "203.0.113.1";

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int throng(String... args) {
        CommandLine throng = Main.commandLine();
        throng.setOut(new PrintWriter(out, true));
        throng.setErr(new PrintWriter(err, true));
        return throng.execute(args);
    }

    private static String[] serve(String... args) {
        List<String> all = new ArrayList<>(List.of("serve", "--host", UNBINDABLE));
        all.addAll(Arrays.asList(args));
        return all.toArray(new String[0]);
    }

    private static String[] command(String... args) {
        return args;
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of(
                        serve("--max-frame-size", "2m"),
                        "throng serve: invalid configuration: limits.maxFrameSize "
                                + "from --max-frame-size: limits.maxMessageSize (1048576) must be at least limits.maxFrameSize "
                                + "(2097152)"),
                Arguments.of(
                        serve("--max-frame-size", "12q"),
                        "throng serve: Invalid value for option '--max-frame-size': " + "not a size: '12q'"),
                Arguments.of(
                        serve("--max-frame-size", "100"),
                        "throng serve: invalid configuration: limits.maxFrameSize "
                                + "from --max-frame-size: must be at least 125 (a control frame), got 100"),
                Arguments.of(serve("--max-message-size", "99999999999"), "--max-message-size"),
                Arguments.of(
                        serve("--max-outbound", "1k"),
                        "limits.maxOutboundBytes from --max-outbound: "
                                + "limits.maxOutboundBytes (1024) must be at least"),
                Arguments.of(
                        serve("--ping-interval", "5x"),
                        "Invalid value for option '--ping-interval': not a " + "duration: '5x'"),
                Arguments.of(
                        serve("--ping-interval", "-5s"),
                        "keepalive.pingInterval from --ping-interval: must be zero " + "(off) or positive"),
                Arguments.of(
                        serve("--handshake-timeout", "0"),
                        "handshake.timeout from --handshake-timeout: must be " + "positive"),
                Arguments.of(
                        serve("--drain-window", "-1s"),
                        "drainWindow from --drain-window: must not be negative, got " + "-1s"),
                Arguments.of(
                        serve("--workers", "0"),
                        "Invalid value for option '--workers': expected a number of at " + "least 1, or auto; got '0'"),
                Arguments.of(serve("--workers", "many"), "'--workers': expected a number of at least 1, or auto"),
                Arguments.of(
                        serve("--max-connections", "-1"),
                        "admission.maxConnections from --max-connections: must be " + ">= 0"),
                Arguments.of(serve("--max-connections", "lots"), "'--max-connections'"),
                Arguments.of(
                        serve("--handshakes-per-second", "-5", "--workers", "3"),
                        "admission.handshakesPerSecond from " + "--handshakes-per-second: must be >= 0"),
                Arguments.of(serve("--io-threads", "-1"), "listen.ioThreads from --io-threads: must be >= 0"),
                Arguments.of(serve("--io-threads", "many"), "'--io-threads': expected a number or auto; got 'many'"),
                Arguments.of(serve("--port", "70000"), "listen.port from --port: must be 0-65535, got 70000"),
                Arguments.of(serve("--backlog", "0"), "listen.backlog from --backlog: must be at least 1"),
                Arguments.of(serve("--path", "chat"), "handshake.path from --path: must start with '/'"),
                Arguments.of(
                        serve("--subprotocol", "a b"),
                        "handshake.subprotocols from --subprotocol: must each be an " + "HTTP token"),
                Arguments.of(
                        serve("--workers", "2"),
                        "throng serve: invalid configuration: workers from --workers: the "
                                + "gateway's workers need Redis to share their channels"),
                Arguments.of(
                        serve("--redis", "localhost:6379"),
                        "throng serve: invalid configuration: redis.uri from " + "--redis: must be a Redis URI"),
                Arguments.of(
                        serve("--mode", "chat"),
                        "throng serve: Invalid value for option '--mode': expected gateway, " + "echo; got 'chat'"),
                Arguments.of(
                        serve("--config", "/nonexistent/throng.yaml"),
                        "throng serve: invalid configuration: --config " + "/nonexistent/throng.yaml: no such file"),
                Arguments.of(
                        serve("--set", "limits.maxFramSize=1m"),
                        "throng serve: invalid configuration: --set " + "limits.maxFramSize: no such setting"),
                Arguments.of(serve("--set", "limits=1m"), "--set limits: a group of settings, not one setting"),
                Arguments.of(
                        serve("--set", "limits.maxFrameSize=100"),
                        "limits.maxFrameSize from --set: must be at least " + "125"),
                Arguments.of(
                        serve("--set", "keepalive.closeTimeout=soon"),
                        "keepalive.closeTimeout from --set: not a " + "duration: 'soon'"),
                Arguments.of(
                        serve("--set", "limits.maxFrameSize=2m", "--max-frame-size", "2m"),
                        "limits.maxFrameSize " + "from --set: also given by --max-frame-size"),
                Arguments.of(serve("--set", "maxFrameSize"), "throng serve: --set maxFrameSize: expected PATH=VALUE"),
                Arguments.of(serve("--transport", "kqueue"), "'--transport': expected auto, epoll, nio; got 'kqueue'"),
                Arguments.of(serve("--frobnicate"), "throng serve: Unknown option: '--frobnicate'"),
                Arguments.of(serve("--port"), "'--port'"),
                Arguments.of(
                        command("bench", "--connections", "abc"),
                        "throng bench: Invalid value for option " + "'--connections': 'abc' is not an int"),
                Arguments.of(command("bench", "--connections", "0"), "throng bench: --connections must be 1-"),
                Arguments.of(command("bench", "--hold", "soon"), "'--hold': not a duration: 'soon'"),
                Arguments.of(command("bench", "--scenario", "flood"), "expected idle, echo, subscribe; got 'flood'"),
                Arguments.of(
                        command("bench", "--scenario", "subscribe", "--event-size", "10"),
                        "throng bench: " + "--event-size must be 64-10240 bytes"),
                Arguments.of(
                        command("bench", "--scenario", "subscribe", "--publish-steps", "1,x"),
                        "throng bench: " + "Invalid value for option '--publish-steps'"),
                Arguments.of(
                        command("bench", "--scenario", "subscribe", "--publish-steps", "0"),
                        "throng bench: publish " + "rates must be"),
                Arguments.of(
                        command("bench", "--scenario", "subscribe", "--api-url", "https://127.0.0.1"),
                        "throng bench: " + "--api-url must be http://host:port"),
                Arguments.of(
                        command(
                                "bench",
                                "--scenario",
                                "subscribe",
                                "--channels",
                                "2",
                                "--subscriptions-per-client",
                                "3"),
                        "throng bench: --subscriptions-per-client must be 1-2"),
                Arguments.of(
                        command("bench", "--scenario", "subscribe", "--publish-rate", "4", "--step-duration", "5s"),
                        "throng bench: --publish-rate is one step of --publish-duration"),
                Arguments.of(
                        command("bench", "--channels", "2"),
                        "throng bench: --channels applies to the subscribe " + "scenario only"),
                Arguments.of(command("bench", "--scenario", "echo", "--size", "4"), "throng bench: --size must be"),
                Arguments.of(
                        command("bench", "--url", "http://127.0.0.1/"),
                        "throng bench: Invalid value for option " + "'--url' (URL): URL must start with ws://"),
                Arguments.of(command("bench", "--source", "127.0.0.300"), "'--source'"),
                Arguments.of(command("bench", "--ports", "9-8"), "'--ports': port range must"),
                Arguments.of(command("bench", "--max-failures", "lots"), "'--max-failures': not a failure budget"),
                Arguments.of(
                        command("bench", "--transport", "kqueue"), "throng bench: --transport must be auto, epoll"),
                Arguments.of(command("bench", "--frobnicate"), "throng bench: Unknown option: '--frobnicate'"),
                Arguments.of(command("doctor", "--connections", "0"), "throng doctor: connections must be at least 1"),
                Arguments.of(
                        command("doctor", "--connections", "many"),
                        "throng doctor: Invalid value for option " + "'--connections': 'many' is not a long"),
                Arguments.of(command("doctor", "--role", "proxy"), "expected server, client or both, got 'proxy'"),
                Arguments.of(command("doctor", "--workers", "0"), "throng doctor: workers must be at least 1"),
                Arguments.of(command("doctor", "--workers", "x"), "'--workers'"),
                Arguments.of(
                        command("doctor", "--connections", "10", "--workers", "11"), "workers (11) must not exceed"),
                Arguments.of(command("doctor", "--frobnicate"), "throng doctor: Unknown option: '--frobnicate'"),
                Arguments.of(command("frobnicate"), "throng: Unmatched argument at index 0: 'frobnicate'"));
    }

    @ParameterizedTest(name = "throng {0}")
    @MethodSource("badValues")
    void aBadValuePrintsOneLineNamingItAndExitsWithTwo(String[] args, String expected) {
        int status = throng(args);

        assertThat(status).as(err.toString()).isEqualTo(2);
        assertThat(err.toString()).contains(expected).hasLineCount(1).startsWith("throng");
        assertThat(err.toString()).doesNotContain("\tat ", "at dev.throng", "at picocli", "Exception", "Usage:");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aServerThatCannotBindPrintsOneLineAndExitsWithOne() {
        int status = throng("serve", "--mode", "echo", "--host", UNBINDABLE, "--port", "0");

        assertThat(status).as(err.toString()).isEqualTo(1);
        assertThat(err.toString())
                .startsWith("throng serve: ")
                .contains(UNBINDABLE)
                .hasLineCount(1)
                .doesNotContain("\tat ");
    }

    @Test
    void helpStillPrintsTheUsageAndExitsWithZero() {
        assertThat(throng("serve", "--help")).isZero();
        assertThat(out.toString()).contains("Usage: throng serve", "--max-frame-size");
        assertThat(err.toString()).isEmpty();
    }
}
