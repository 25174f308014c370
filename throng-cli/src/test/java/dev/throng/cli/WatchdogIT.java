package dev.throng.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Issue #15, "no event loop ever dies", at the process level: a worker whose event loop is blocked (by the test-only
 * hook, as a buggy handler would) answers {@code /healthz} with 503 from its healthy loop, exits with 70 and is
 * restarted by its supervisor; a worker whose whole JVM stops (SIGSTOP) stops touching its heartbeat file and is
 * killed and restarted.
 */
class WatchdogIT {
    private static final Map<String, String> TEST_HOOKS =
            Map.of("THRONG_WORKER_JAVA_OPTS", "-D" + TestHooks.PROPERTY + "=true");

    @Test
    void aWorkerWithABlockedEventLoopAnswers503ThenIsRestarted() throws Exception {
        try (ServeProcess serve = ServeProcess.startWithEnvironment(
                TEST_HOOKS, "--workers", "2", "--io-threads", "2", "--loop-stall-timeout", "1s")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> workers(serve).size() == 2);
            serve.awaitListening(Duration.ofSeconds(20));
            List<ProcessHandle> before = workers(serve);

            Set<Integer> statuses = ConcurrentHashMap.newKeySet();
            try (Socket blocker = upgraded(serve.port)) {
                blocker.getOutputStream().write(textFrame(TestHooks.BLOCK_LOOP + "20000"));
                // Whichever worker holds the blocker stalls; its other loop answers 503 until it exits.
                await().atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(25))
                        .until(() -> {
                            statuses.add(healthz(serve.port));
                            return statuses.contains(503);
                        });
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> serve.output().contains("died with exit code 70"));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                List<ProcessHandle> now = workers(serve);
                return now.size() == 2
                        && now.stream()
                                        .filter(w -> before.stream().noneMatch(b -> b.pid() == w.pid()))
                                        .count()
                                == 1;
            });
            assertThat(serve.output()).contains("has not run for");
            await().atMost(Duration.ofSeconds(20)).until(() -> healthz(serve.port) == 200);
        }
    }

    @Test
    void aWorkerWhoseJvmStopsIsKilledAndRestartedBySupervisor() throws Exception {
        try (ServeProcess serve = ServeProcess.start("--workers", "2", "--loop-stall-timeout", "1s")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> workers(serve).size() == 2);
            ProcessHandle victim = workers(serve).get(0);
            Thread.sleep(11_000); // past the supervisor's grace after start (HealthFile.staleAfter: 10 s)
            new ProcessBuilder("kill", "-STOP", Long.toString(victim.pid()))
                    .start()
                    .waitFor();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> !victim.isAlive());
            } finally {
                new ProcessBuilder("kill", "-CONT", Long.toString(victim.pid()))
                        .start()
                        .waitFor();
            }
            assertThat(serve.output()).contains("has not been healthy for");
            await().atMost(Duration.ofSeconds(30)).until(() -> workers(serve).size() == 2);
            assertThat(workers(serve)).noneMatch(w -> w.pid() == victim.pid());
        }
    }

    private static List<ProcessHandle> workers(ServeProcess serve) {
        return serve.process.children().filter(ProcessHandle::isAlive).collect(Collectors.toList());
    }

    /** A WebSocket connection to the server, upgraded, its 101 read. */
    private static Socket upgraded(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.setSoTimeout(5000);
        socket.getOutputStream()
                .write(("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed during the upgrade: " + head);
            }
            head.append((char) b);
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 101");
        return socket;
    }

    /** A masked text frame (mask of zeros: the payload goes as it is). */
    private static byte[] textFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length); // short texts only
        System.arraycopy(payload, 0, frame, 6, payload.length);
        return frame;
    }

    /** The status of {@code GET /healthz}, or -1 when not answered within 300 ms. */
    private static int healthz(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 300);
            socket.setSoTimeout(300);
            socket.getOutputStream()
                    .write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] line = socket.getInputStream().readNBytes(12);
            return line.length < 12 ? -1 : Integer.parseInt(new String(line, 9, 3, StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
