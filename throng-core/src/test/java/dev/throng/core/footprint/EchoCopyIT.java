package dev.throng.core.footprint;

import static dev.throng.core.test.ClientFrames.frame;
import static org.assertj.core.api.Assertions.assertThat;

import dev.throng.core.test.ClientFrames;
import dev.throng.core.test.RawWebSocketClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The guard on the one-copy echo path (issue #16, item 9): a server in its own JVM (epoll, Netty's pooled allocator so
 * its arenas count allocations) echoes large messages, and the direct buffers above 32 KiB (the pool's thread caches
 * serve smaller ones without counting) it allocates per message must be only the ones the path needs: the buffer a
 * large frame is read into, a text message's encoding, what inflating and deflating produce. A copy of the payload on
 * the way to the socket (the frame copied to direct memory before the write, as {@code EpollSession.toDirect} does
 * for a frame with a heap part; a composite flattened) is one more such buffer per message and fails this test:
 * forcing that copy on every frame made the uncompressed cases 2, 2 and 3 per message. The I/O threads' CPU time per
 * message is printed for docs/benchmarks.md.
 *
 * <p>{@code -Decho.messages=N} measures N messages per case (a tenth for 1 MiB) instead of 200.
 */
class EchoCopyIT {
    private static final int KIB = 1024;
    private static final int MESSAGES = Integer.getInteger("echo.messages", 200);
    private static final String DEFLATE = "Sec-WebSocket-Extensions: permessage-deflate";

    private static Process server;
    private static PrintStream serverIn;
    private static BufferedReader serverOut;
    private static int port;

    enum Kind {
        BINARY,
        TEXT
    }

    /**
     * Kind, size, compressed, and the large direct allocations a message needs: reading the frame (1); for text, the
     * String's encoding (1); compressed, inflating (2 for this data: it inflates to 7.4 times its compressed size and
     * the first buffer is guessed at 4 times, the second at the ratio seen so far) and deflating (1), the compressed
     * frames being too small to count (the pool's thread caches serve up to 32 KiB). One more is a copy: of the frame
     * before the write in the uncompressed cases, of the message in the compressed ones (an inflated message grown
     * by reallocation is still two allocations, so MessageDeflateTest guards that).
     */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(Kind.BINARY, 64 * KIB, false, 1),
                Arguments.of(Kind.BINARY, 1024 * KIB, false, 1),
                Arguments.of(Kind.TEXT, 64 * KIB, false, 2),
                Arguments.of(Kind.BINARY, 64 * KIB, true, 3),
                Arguments.of(Kind.TEXT, 64 * KIB, true, 4));
    }

    @BeforeAll
    static void startServer() throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        server = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-Dio.netty.allocator.type=pooled",
                        "-Dio.netty.leakDetection.level=disabled",
                        "-cp",
                        classpath,
                        FootprintServerMain.class.getName(),
                        "EPOLL")
                .redirectErrorStream(true)
                .start();
        serverOut = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        serverIn = new PrintStream(server.getOutputStream(), true, StandardCharsets.UTF_8);
        port = Integer.parseInt(readLine("PORT ").trim());
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            serverIn.close(); // the server stops when its input ends
            server.destroyForcibly();
        }
    }

    @ParameterizedTest(name = "{0} {1} B, compressed {2}")
    @MethodSource("cases")
    void echoAllocatesOnlyTheBuffersTheMessageNeeds(Kind kind, int size, boolean compressed, int needed)
            throws Exception {
        byte[] payload = jsonLike(size);
        byte[] body = compressed ? ClientFrames.deflate(payload) : payload;
        int firstByte = 0x80 | (compressed ? 0x40 : 0) | (kind == Kind.TEXT ? 0x1 : 0x2);
        byte[] message = frame(firstByte, body);
        int messages = size > 64 * KIB ? Math.max(10, MESSAGES / 10) : MESSAGES;
        try (RawWebSocketClient client = RawWebSocketClient.connect(port)) {
            if (compressed) {
                client.upgrade(DEFLATE);
            } else {
                client.upgrade();
            }
            for (int i = 0; i < 20; i++) { // warm: the arenas, the zlib pair, the JIT
                echo(client, message, payload, compressed);
            }
            long[] before = direct();
            for (int i = 0; i < messages; i++) {
                echo(client, message, payload, compressed);
            }
            long[] after = direct();
            double perMessage = (double) (after[0] - before[0]) / messages;
            System.out.printf(
                    "echo %s %d B compressed=%s: %.2f large direct allocations and %.1f us of I/O-thread CPU"
                            + " per message (%d messages, body %d B)%n",
                    kind, size, compressed, perMessage, (after[1] - before[1]) / 1e3 / messages, messages, body.length);
            assertThat(before[0]).as("the server runs the pooled allocator").isNotNegative();
            assertThat(perMessage)
                    .as("large direct allocations per echoed message (one more is a copy)")
                    .isLessThan(needed + 0.5);
        }
    }

    private static void echo(RawWebSocketClient client, byte[] message, byte[] payload, boolean compressed)
            throws IOException {
        client.write(message);
        byte[] back = client.readFrameSkippingPings().payload();
        byte[] plain = compressed ? ClientFrames.inflate(back) : back;
        if (!Arrays.equals(plain, payload)) {
            throw new AssertionError("the echo differs from the message (" + plain.length + " B)");
        }
    }

    /** Events as a real-time server carries them: compress about tenfold, like the data MessageDeflate is tuned on. */
    static byte[] jsonLike(int size) {
        StringBuilder sb = new StringBuilder(size + 100);
        for (int i = 0; sb.length() < size; i++) {
            sb.append("{\"event\":\"price\",\"seq\":")
                    .append(i)
                    .append(",\"symbol\":\"S")
                    .append(i * 7919 % 503)
                    .append("\",\"bid\":")
                    .append(100 + i * 31 % 97)
                    .append('}');
        }
        sb.setLength(size);
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static long[] direct() throws IOException {
        serverIn.println("DIRECT");
        String[] parts = readLine("DIRECT ").trim().split(" ");
        return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
    }

    private static String readLine(String prefix) throws IOException {
        for (String line; (line = serverOut.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length());
            }
        }
        throw new IOException("the server exited before printing " + prefix.trim());
    }
}
