package dev.throng.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.throng.core.ServerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration sources as an operator meets them, through the built jar: a bad file or variable is one line and
 * status 2, an unreachable Redis one line and status 1, --print-config prints and exits 0, and the processes that
 * serve load only what they need.
 */
class ConfigurationIT {

    @TempDir
    Path dir;

    /** What a finished {@code java -jar throng.jar <args>} printed. */
    record Run(int status, String out, String err) {}

    private Run throng(Map<String, String> environment, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx128m", "-jar", jar()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith("THRONG_"));
        builder.environment().putAll(environment);
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p =
                builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void aBadFileIsOneLineAndStatusTwo() throws Exception {
        Path file = Files.writeString(dir.resolve("throng.yaml"), "limits:\n  maxFrameSize: 100\n");
        Run run = throng(Map.of(), "serve", "--config", file.toString());

        assertThat(run.status()).as(run.err()).isEqualTo(2);
        assertThat(run.err())
                .isEqualTo("throng serve: invalid configuration: in " + file + " line 2: "
                        + "limits.maxFrameSize: must be at least 125 (a control frame), got 100\n");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aBadVariableAndAGatewayWithWorkersAreOneLineAndStatusTwo() throws Exception {
        Run variable = throng(Map.of("THRONG_KEEPALIVE_PING_INTERVAL", "soon"), "serve");
        assertThat(variable.status()).isEqualTo(2);
        assertThat(variable.err())
                .isEqualTo(
                        "throng serve: invalid configuration: keepalive.pingInterval from "
                                + "THRONG_KEEPALIVE_PING_INTERVAL: not a duration: 'soon' (use e.g. 500ms, 30s, 2m, 1h or 0)\n");

        Run workers = throng(Map.of(), "serve", "--workers", "2");
        assertThat(workers.status()).isEqualTo(2);
        assertThat(workers.err())
                .startsWith("throng serve: invalid configuration: workers from --workers: the "
                        + "gateway's workers need Redis to share their channels")
                .hasLineCount(1);

        Run missing = throng(Map.of("THRONG_CONFIG", dir.resolve("none.yaml").toString()), "serve");
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err())
                .isEqualTo("throng serve: invalid configuration: --config " + dir.resolve("none.yaml")
                        + ": no such file\n");
    }

    @Test
    void aBadRedisUriIsStatusTwoAndAnUnreachableRedisStatusOneEachOneLineWithThePasswordMasked() throws Exception {
        Run bad = throng(Map.of("THRONG_REDIS_URI", "redis://:hunter2@h:63x9"), "serve");
        assertThat(bad.status()).as(bad.err()).isEqualTo(2);
        assertThat(bad.err())
                .startsWith("throng serve: invalid configuration: redis.uri from THRONG_REDIS_URI: must "
                        + "be a Redis URI")
                .contains("redis://***@h:63x9")
                .doesNotContain("hunter2")
                .hasLineCount(1);

        int nothing = freePort(); // nothing listens there: connection refused at once
        String unreachable = "throng serve: cannot reach Redis at 127.0.0.1:" + nothing + " (redis://***@127.0.0.1:"
                + nothing + "): ";
        Run alone = throng(
                Map.of("THRONG_REDIS_URI", "redis://:hunter2@127.0.0.1:" + nothing),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(freePort()));
        assertThat(alone.status()).as(alone.err()).isEqualTo(1);
        assertThat(alone.err())
                .startsWith(unreachable)
                .doesNotContain("hunter2", "Exception")
                .hasLineCount(1);
        // With workers the supervisor finds out before it starts any: the same line, not workers failing in a loop.
        Run workers = throng(
                Map.of("THRONG_REDIS_URI", "redis://:hunter2@127.0.0.1:" + nothing),
                "serve",
                "--workers",
                "2",
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(freePort()));
        assertThat(workers.status()).as(workers.err()).isEqualTo(1);
        assertThat(workers.err())
                .startsWith(unreachable)
                .doesNotContain("hunter2", "Exception")
                .hasLineCount(1);
        assertThat(workers.out()).doesNotContain("hunter2", "worker 0 started");
    }

    @Test
    void printConfigPrintsTheResultOfEverySourceAndExitsWithZero() throws Exception {
        Path file = Files.writeString(
                dir.resolve("throng.yaml"), "listen:\n  port: 6001\nkeepalive:\n" + "  pingInterval: 20s\n");
        Run run = throng(
                Map.of(
                        "THRONG_APP_ID",
                        "1",
                        "THRONG_APP_KEY",
                        "key1",
                        "THRONG_APP_SECRET",
                        "very-secret",
                        "THRONG_KEEPALIVE_PING_INTERVAL",
                        "25s"),
                "serve",
                "--config",
                file.toString(),
                "--print-config",
                "--max-frame-size",
                "64k");

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("port: 6001", "pingInterval: 25s", "maxFrameSize: 64k", "key: key1", "secret: '***'")
                .doesNotContain("very-secret", "app-key");
        assertThat(run.err()).doesNotContain("WARN", "ERROR", "Exception");
    }

    @Test
    void aWorkerLoadsNeitherPicocliNorJackson() throws Exception {
        int port = freePort();
        ServerConfig config =
                ServerConfig.builder().host("127.0.0.1").port(port).ioThreads(1).build();
        List<String> command = new ArrayList<>(List.of(
                java(),
                "-Xmx64m",
                "-Xlog:class+load=info:file=" + dir.resolve("classes.txt"),
                "-cp",
                jar(),
                ServerProcess.class.getName()));
        command.addAll(new WorkerArgs(config, Duration.ofSeconds(1)).toArgs());
        assertThat(loadedClasses(command, port))
                .doesNotContain("picocli", "com.fasterxml.jackson")
                .contains("dev.throng.cli.config.RecordMapping");
    }

    @Test
    void anEchoServeWithoutAFileLoadsNoYamlParser() throws Exception {
        int port = freePort();
        List<String> command = List.of(
                java(),
                "-Xmx64m",
                "-Xlog:class+load=info:file=" + dir.resolve("classes.txt"),
                "-jar",
                jar(),
                "serve",
                "--mode",
                "echo",
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--io-threads",
                "1");
        assertThat(loadedClasses(command, port))
                .doesNotContain("com.fasterxml.jackson", "snakeyaml")
                .contains("dev.throng.cli.ServeSettings");
    }

    /** The classes {@code command} has loaded once it listens on {@code port}. */
    private String loadedClasses(List<String> command, int port) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.log").toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("THRONG_"));
        Process server = builder.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!listens(port)) {
                assertThat(server.isAlive())
                        .as(Files.readString(dir.resolve("server.log")))
                        .isTrue();
                assertThat(System.nanoTime()).as("listening within 30 s").isLessThan(deadline);
                Thread.sleep(100);
            }
            return Files.readString(dir.resolve("classes.txt"), StandardCharsets.UTF_8);
        } finally {
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static boolean listens(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String jar() {
        return System.getProperty("throng.jar", "target/throng.jar");
    }
}
