package dev.throng.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.throng.core.test.NodeWitness;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue #15 as a new user met it: {@code throng serve} with its defaults, started with the JVM flags bin/throng
 * gives it, under traffic from Node's {@code ws} ({@code src/test/node/traffic.js}). Every client gets every echo,
 * a fresh client and {@code /healthz} are served throughout, the bytes in flight stay within the memory budget, and
 * nothing runs out of memory.
 */
class TrafficIT {
    private static final Path NODE = Path.of(System.getProperty("basedir", "."), "src", "test", "node");
    private static final int ONE_MIB_MESSAGE = (1 << 20) - 16; // inside the 1 MiB limit, as the issue sent

    @Test
    void sixtyClientsSendingFourOneMebibyteMessagesAtOnceGetEveryEcho() throws Exception {
        try (ServeProcess serve = ServeProcess.startAsBinThrong(List.of())) {
            Map<String, Object> burst = burst(serve, 60, 4, ONE_MIB_MESSAGE, "binary", 0);
            assertEveryEchoAndServedThroughout(burst, 240);
            assertStayedWithinBudget(serve, 16L << 20);
        }
    }

    @Test
    void twoHundredClientsSendingFourOneMebibyteMessagesAtOnceGetEveryEcho() throws Exception {
        try (ServeProcess serve = ServeProcess.startAsBinThrong(List.of())) {
            Map<String, Object> binary = burst(serve, 200, 4, ONE_MIB_MESSAGE, "binary", 0);
            assertEveryEchoAndServedThroughout(binary, 800);
            Map<String, Object> text = burst(serve, 60, 4, ONE_MIB_MESSAGE, "text", 0);
            assertEveryEchoAndServedThroughout(text, 240);
            assertStayedWithinBudget(serve, 16L << 20);
        }
    }

    @Test
    void largeMessagesWithRaisedLimitsEchoByteForByte() throws Exception {
        // The ground of Autobahn|Testsuite cases 9.1 to 9.4: 16 MB text and binary messages, and 4 MB messages in
        // 64-byte fragments, with no JVM flag but those bin/throng picks for these limits.
        try (ServeProcess serve =
                ServeProcess.startAsBinThrong(List.of(), "--max-message-size", "20m", "--max-frame-size", "20m")) {
            assertEveryEchoAndServedThroughout(burst(serve, 1, 1, 16_000_000, "text", 0), 1);
            assertEveryEchoAndServedThroughout(burst(serve, 1, 1, 16_000_000, "binary", 0), 1);
            assertEveryEchoAndServedThroughout(burst(serve, 1, 1, 4 << 20, "binary", 64), 1);
            assertEveryEchoAndServedThroughout(burst(serve, 1, 1, 4 << 20, "text", 64), 1);
            assertStayedWithinBudget(serve, 60L << 20);
        }
    }

    private static Map<String, Object> burst(
            ServeProcess serve, int clients, int messages, int size, String kind, int fragment) throws Exception {
        Map<String, Object> result = NodeWitness.runScript(
                NODE,
                "traffic.js",
                Duration.ofSeconds(150),
                List.of(
                        "ws://127.0.0.1:" + serve.port + "/",
                        "burst",
                        Integer.toString(clients),
                        Integer.toString(messages),
                        Integer.toString(size),
                        kind,
                        Integer.toString(fragment)));
        System.out.println("traffic " + clients + " x " + messages + " x " + size + " " + kind
                + (fragment > 0 ? " in " + fragment + "-byte fragments" : "") + ": " + result);
        return result;
    }

    @SuppressWarnings("unchecked")
    private static void assertEveryEchoAndServedThroughout(Map<String, Object> burst, int messages) {
        assertThat(((Number) burst.get("echoed")).intValue())
                .as("messages echoed byte for byte")
                .isEqualTo(messages);
        assertThat(((Number) burst.get("mismatched")).intValue())
                .as("echoes that differ")
                .isZero();
        assertThat((Map<String, Object>) burst.get("closes"))
                .as("how the clients' connections ended")
                .containsOnlyKeys("1000");
        Map<String, Object> fresh = (Map<String, Object>) burst.get("fresh");
        assertThat(((Number) fresh.get("failed")).intValue())
                .as("fresh clients that got no echo")
                .isZero();
        Map<String, Object> probe = (Map<String, Object>) burst.get("probe");
        assertThat(((Number) probe.get("failures")).intValue())
                .as("probe connection failures")
                .isZero();
        Map<String, Object> health = (Map<String, Object>) burst.get("healthz");
        assertThat((Map<String, Object>) health.get("statuses"))
                .as("/healthz answers")
                .containsOnlyKeys("200");
    }

    /**
     * Drains the server (SIGTERM) and reads its exit report: the peak of bytes in flight stays within the budget plus
     * what is counted as it exists (each connection's outbound frames), and nothing ran out of memory.
     */
    private static void assertStayedWithinBudget(ServeProcess serve, long budget) throws Exception {
        assertThat(healthz(serve.port)).isEqualTo(200);
        serve.process.destroy();
        assertThat(serve.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String log = serve.output();
        Matcher report =
                Pattern.compile("in flight (\\d+)/(\\d+) B \\(peak (\\d+)\\)").matcher(log);
        assertThat(report.find()).as("an exit report in %s", serve.log).isTrue();
        assertThat(Long.parseLong(report.group(2))).as("the memory budget").isEqualTo(budget);
        long peak = Long.parseLong(report.group(3));
        System.out.println("memory budget " + budget + " B, peak in flight " + peak + " B");
        assertThat(peak).as("peak bytes in flight").isLessThanOrEqualTo(2 * budget);
        assertThat(log)
                .doesNotContain("OutOfMemoryError")
                .doesNotContain("Unexpected exception")
                .contains(" 0 failures");
    }

    private static int healthz(int port) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(2000);
            socket.getOutputStream()
                    .write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] line = socket.getInputStream().readNBytes(12);
            return Integer.parseInt(new String(line, 9, 3, StandardCharsets.US_ASCII));
        }
    }

    static void awaitHealthz(int port, int status, Duration within) {
        await().atMost(within).ignoreExceptions().until(() -> healthz(port) == status);
    }
}
