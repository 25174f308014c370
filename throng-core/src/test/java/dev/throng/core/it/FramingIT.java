package dev.throng.core.it;

import static dev.throng.core.test.ClientFrames.BINARY;
import static dev.throng.core.test.ClientFrames.FIN;
import static dev.throng.core.test.ClientFrames.PING;
import static dev.throng.core.test.ClientFrames.PONG;
import static dev.throng.core.test.ClientFrames.TEXT;
import static dev.throng.core.test.ClientFrames.ascii;
import static dev.throng.core.test.ClientFrames.frame;
import static org.assertj.core.api.Assertions.assertThat;

import dev.throng.core.TransportKind;
import dev.throng.core.WebSocketConnection;
import dev.throng.core.test.RawHttpResponse;
import dev.throng.core.test.RawWebSocketClient;
import dev.throng.core.test.RecordingHandler;
import dev.throng.core.test.ServerFrame;
import dev.throng.core.test.TestServer;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Well-formed traffic from a raw socket: pipelining, control frames, every length encoding, slow senders. */
@ParameterizedClass(name = "{0}")
@EnumSource(
        value = TransportKind.class,
        names = {"EPOLL", "NIO"})
class FramingIT {
    @Parameter
    TransportKind transport;

    static TestServer server;

    /** Echoes; answers "heap:N" with N bytes of binary in a heap buffer, as applications wrap their byte arrays. */
    static final class Handler extends RecordingHandler {
        @Override
        public void onText(WebSocketConnection connection, String text) {
            if (text.startsWith("heap:")) {
                connection.sendBinary(Unpooled.wrappedBuffer(pattern(Integer.parseInt(text.substring(5)))));
            } else {
                super.onText(connection, text);
            }
        }
    }

    @BeforeParameterizedClassInvocation
    static void startServer(TransportKind transport) {
        server = TestServer.start(transport, new Handler());
    }

    @AfterParameterizedClassInvocation
    static void stopServer() {
        server.close();
    }

    @Test
    void processesFramesSentInTheSameTcpWriteAsTheHandshake() throws Exception {
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.write(
                    RawWebSocketClient.upgradeRequest("/"),
                    frame(FIN | TEXT, ascii("right behind")),
                    frame(FIN | PING, ascii("and a ping")));
            RawHttpResponse response = client.readHttpResponse();
            assertThat(response.status()).isEqualTo(101);
            assertThat(response.header("Sec-WebSocket-Accept")).isEqualTo(RawWebSocketClient.ACCEPT);
            ServerFrame echo = client.readFrameSkippingPings();
            assertThat(echo.opcode()).isEqualTo(TEXT);
            assertThat(echo.text()).isEqualTo("right behind");
            ServerFrame pong = client.readFrameSkippingPings();
            assertThat(pong.opcode()).isEqualTo(PONG);
            assertThat(pong.text()).isEqualTo("and a ping");
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {5, 200, 70_000})
    void reassemblesAFrameSentOneByteAtATimeInItsHeader(int size) throws Exception {
        byte[] payload = pattern(size);
        byte[] whole = frame(FIN | BINARY, payload);
        int header = size <= 125 ? 6 : size <= 0xFFFF ? 8 : 14;
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.upgrade();
            for (int i = 0; i < header; i++) { // every split point of the header, length and masking key
                client.write(new byte[] {whole[i]});
                Thread.sleep(2);
            }
            client.write(Arrays.copyOfRange(whole, header, whole.length));
            ServerFrame echo = client.readFrameSkippingPings();
            assertThat(echo.opcode()).isEqualTo(BINARY);
            assertThat(Arrays.equals(echo.payload(), payload))
                    .as("echo of %d bytes is identical", size)
                    .isTrue();
        }
    }

    @ParameterizedTest(name = "{0}-byte ping")
    @ValueSource(ints = {0, 1, 125})
    void answersAPingWithAPongCarryingItsPayload(int size) throws Exception {
        byte[] payload = new byte[size];
        for (int i = 0; i < size; i++) {
            payload[i] = (byte) (i * 7 + 1);
        }
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.upgrade();
            client.write(frame(FIN | PING, payload));
            ServerFrame pong = client.readFrameSkippingPings();
            assertThat(pong.opcode()).isEqualTo(PONG);
            assertThat(pong.fin()).isTrue();
            assertThat(pong.masked())
                    .as("server frames are never masked (§5.1)")
                    .isFalse();
            assertThat(pong.payload()).isEqualTo(payload);
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {100, 5000, 200_000})
    void sendsBinaryFromAHeapBuffer(int size) throws Exception {
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.upgrade();
            client.write(frame(FIN | TEXT, ascii("heap:" + size)));
            ServerFrame reply = client.readFrameSkippingPings();
            assertThat(reply.opcode()).isEqualTo(BINARY);
            assertThat(Arrays.equals(reply.payload(), pattern(size)))
                    .as("%d bytes arrive intact", size)
                    .isTrue();
        }
    }

    static byte[] pattern(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31);
        }
        return b;
    }

    @Test
    void ignoresAnUnsolicitedPong() throws Exception {
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.upgrade();
            client.write(frame(FIN | PONG, ascii("unsolicited")), frame(FIN | TEXT, ascii("still here")));
            ServerFrame echo = client.readFrameSkippingPings();
            assertThat(echo.opcode()).isEqualTo(TEXT);
            assertThat(echo.text()).isEqualTo("still here");
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 125, 126, 65535, 65536, 1 << 20})
    void echoesBinaryOfEveryLengthEncodingUnmasked(int size) throws Exception {
        byte[] payload = new byte[size];
        for (int i = 0; i < size; i++) {
            payload[i] = (byte) (i * 31);
        }
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.upgrade();
            client.write(frame(FIN | BINARY, payload));
            ServerFrame echo = client.readFrameSkippingPings();
            assertThat(echo.opcode()).isEqualTo(BINARY);
            assertThat(echo.fin()).isTrue();
            assertThat(echo.rsv()).isZero();
            assertThat(echo.masked())
                    .as("server frames are never masked (§5.1)")
                    .isFalse();
            assertThat(Arrays.equals(echo.payload(), payload))
                    .as("echo of %d bytes is identical", size)
                    .isTrue();
        }
    }

    /**
     * A text frame that arrives in many small reads must cost work in proportion to its size, as a binary one does.
     * The fail-fast UTF-8 check of the part received so far must look at each new byte once, not rescan the whole
     * received part on every read: that is quadratic (~1000 reads rescanning 128 KiB on average, ~130 M masked byte
     * steps for this 256 KiB frame) and lets one slow sender pin an event loop. Self-calibrating against the same
     * bytes as a binary frame (mostly the client's pacing, ~1.1 s); the slack allows for the byte-wise masked UTF-8
     * check, which paranoid leak detection makes slow (it records every {@code getByte}).
     */
    @Test
    void validatesATextFrameTrickledInSmallWritesInLinearTime() throws Exception {
        byte[] payload = new byte[256 * 1024];
        for (int i = 0; i < payload.length; i += 2) { // "é" as C3 A9: valid UTF-8, never the ASCII fast path
            payload[i] = (byte) 0xC3;
            payload[i + 1] = (byte) 0xA9;
        }
        // A server of its own: if the check is quadratic its event loop stays busy after this test gives up.
        try (TestServer own = TestServer.start(transport, new RecordingHandler())) {
            Duration binary = trickleAndAwaitEcho(own, BINARY, payload);
            Duration text = trickleAndAwaitEcho(own, TEXT, payload);
            assertThat(text)
                    .as("text frame took %d ms, the same bytes as binary %d ms", text.toMillis(), binary.toMillis())
                    .isLessThan(binary.multipliedBy(3).plusSeconds(3));
        }
    }

    private static Duration trickleAndAwaitEcho(TestServer server, int opcode, byte[] payload) throws Exception {
        byte[] whole = frame(FIN | opcode, payload);
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.upgrade();
            long start = System.nanoTime();
            int chunk = 256;
            for (int at = 0; at < whole.length; at += chunk) {
                client.write(Arrays.copyOfRange(whole, at, Math.min(whole.length, at + chunk)));
                Thread.sleep(1); // so the server reads the pieces one by one, as from a slow link
            }
            client.timeout(Duration.ofSeconds(10));
            ServerFrame echo = client.readFrameSkippingPings();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(echo.opcode()).isEqualTo(opcode);
            assertThat(echo.payload().length).isEqualTo(payload.length);
            return took;
        }
    }
}
