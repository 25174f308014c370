package dev.throng.core.it;

import static dev.throng.core.test.ClientFrames.BINARY;
import static dev.throng.core.test.ClientFrames.CLOSE;
import static dev.throng.core.test.ClientFrames.CONTINUATION;
import static dev.throng.core.test.ClientFrames.FIN;
import static dev.throng.core.test.ClientFrames.PING;
import static dev.throng.core.test.ClientFrames.RSV1;
import static dev.throng.core.test.ClientFrames.RSV2;
import static dev.throng.core.test.ClientFrames.RSV3;
import static dev.throng.core.test.ClientFrames.TEXT;
import static dev.throng.core.test.ClientFrames.ascii;
import static dev.throng.core.test.ClientFrames.bytes;
import static dev.throng.core.test.ClientFrames.concat;
import static dev.throng.core.test.ClientFrames.frame;
import static dev.throng.core.test.ClientFrames.header;
import static dev.throng.core.test.ClientFrames.unmaskedFrame;
import static org.assertj.core.api.Assertions.assertThat;

import dev.throng.core.TransportKind;
import dev.throng.core.test.ClientFrames;
import dev.throng.core.test.RawHttpResponse;
import dev.throng.core.test.RawWebSocketClient;
import dev.throng.core.test.RecordingHandler;
import dev.throng.core.test.ServerFrame;
import dev.throng.core.test.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Protocol violations over real sockets: each row is the bytes a misbehaving client sends after a valid upgrade and
 * the close frame (code and stable id) the server must answer with before closing TCP; then the tests that need
 * more than one write (fail-fast) or permessage-deflate.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(
        value = TransportKind.class,
        names = {"EPOLL", "NIO"})
class ProtocolViolationIT {
    static final int MAX_FRAME = 64 * 1024;
    static final int MAX_MESSAGE = 1 << 20;
    static final String DEFLATE_OFFER = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits";

    @Parameter
    TransportKind transport;

    static TestServer server;
    static final RecordingHandler HANDLER = new RecordingHandler();

    @BeforeParameterizedClassInvocation
    static void startServer(TransportKind transport) {
        server = TestServer.start(
                transport, HANDLER, b -> b.maxFrameSize(MAX_FRAME).maxMessageSize(MAX_MESSAGE));
    }

    @AfterParameterizedClassInvocation
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void forgetEarlierEvents() {
        HANDLER.closed.clear();
        HANDLER.opened.clear();
    }

    /** One row of the table: what the client sends and how the server must fail the connection. */
    record Violation(String name, byte[] bytes, int code, String reasonId) {
        @Override
        public String toString() {
            return name + " -> " + code + " " + reasonId;
        }
    }

    static Stream<Violation> violations() {
        byte[] fullFragment = new byte[MAX_FRAME];
        return Stream.of(
                new Violation("unmasked text frame", unmaskedFrame(FIN | TEXT, ascii("hi")), 1002, "UNMASKED_FRAME"),
                new Violation(
                        "RSV1 without permessage-deflate",
                        frame(FIN | RSV1 | TEXT, ascii("hi")),
                        1002,
                        "RSV1_WITHOUT_EXTENSION"),
                new Violation("RSV2 set", frame(FIN | RSV2 | TEXT, ascii("hi")), 1002, "RESERVED_BITS_SET"),
                new Violation("RSV3 set", frame(FIN | RSV3 | BINARY, ascii("hi")), 1002, "RESERVED_BITS_SET"),
                new Violation("reserved data opcode 0x3", frame(FIN | 0x3, ascii("hi")), 1002, "UNKNOWN_OPCODE"),
                new Violation("reserved control opcode 0xB", frame(FIN | 0xB, new byte[0]), 1002, "UNKNOWN_OPCODE"),
                new Violation("fragmented ping", frame(PING, ascii("p")), 1002, "FRAGMENTED_CONTROL_FRAME"),
                new Violation("ping of 126 bytes", frame(FIN | PING, new byte[126]), 1002, "CONTROL_FRAME_TOO_LONG"),
                new Violation(
                        "continuation without start",
                        frame(FIN | CONTINUATION, ascii("hi")),
                        1002,
                        "CONTINUATION_WITHOUT_START"),
                new Violation(
                        "new text frame inside a fragmented message",
                        concat(frame(TEXT, ascii("a")), frame(FIN | TEXT, ascii("b"))),
                        1002,
                        "NEW_MESSAGE_DURING_FRAGMENTED"),
                new Violation(
                        "64-bit length with the top bit set",
                        bytes(0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4),
                        1002,
                        "LENGTH_MSB_SET"),
                new Violation(
                        "close with a 1-byte payload",
                        frame(FIN | CLOSE, bytes(0x03)),
                        1002,
                        "CLOSE_PAYLOAD_TOO_SHORT"),
                new Violation("close code 1005 on the wire", ClientFrames.close(1005, ""), 1002, "INVALID_CLOSE_CODE"),
                new Violation("close code 1006 on the wire", ClientFrames.close(1006, ""), 1002, "INVALID_CLOSE_CODE"),
                new Violation("close code 999", ClientFrames.close(999, ""), 1002, "INVALID_CLOSE_CODE"),
                new Violation("close code 1004", ClientFrames.close(1004, ""), 1002, "INVALID_CLOSE_CODE"),
                new Violation("close code 2999", ClientFrames.close(2999, ""), 1002, "INVALID_CLOSE_CODE"),
                new Violation("close code 5000", ClientFrames.close(5000, ""), 1002, "INVALID_CLOSE_CODE"),
                new Violation(
                        "invalid UTF-8 text (overlong)",
                        frame(FIN | TEXT, bytes(0x61, 0xC0, 0xAF)),
                        1007,
                        "INVALID_UTF8"),
                new Violation(
                        "invalid UTF-8 text (surrogate)",
                        frame(FIN | TEXT, bytes(0xED, 0xA0, 0x80)),
                        1007,
                        "INVALID_UTF8"),
                new Violation(
                        "text ending inside a character",
                        frame(FIN | TEXT, bytes(0x61, 0xE2, 0x82)),
                        1007,
                        "INVALID_UTF8"),
                new Violation(
                        "fragmented text ending inside a character",
                        concat(frame(TEXT, bytes(0x61, 0xE2)), frame(FIN | CONTINUATION, bytes(0x82))),
                        1007,
                        "INVALID_UTF8"),
                new Violation(
                        "invalid UTF-8 close reason",
                        frame(FIN | CLOSE, bytes(0x03, 0xE8, 0xFF, 0xFE)),
                        1007,
                        "INVALID_UTF8"),
                new Violation(
                        "frame over maxFrameSize, header only",
                        header(FIN | BINARY, MAX_FRAME + 1),
                        1009,
                        "FRAME_TOO_LARGE"),
                new Violation(
                        "message over maxMessageSize across fragments, header of the last only",
                        concat(fragments(fullFragment, MAX_MESSAGE / MAX_FRAME), header(FIN | CONTINUATION, 1)),
                        1009,
                        "MESSAGE_TOO_LARGE"));
    }

    /** {@code count} non-final binary fragments of {@code payload}: a message of exactly count × length so far. */
    private static byte[] fragments(byte[] payload, int count) {
        byte[][] parts = new byte[count][];
        parts[0] = frame(BINARY, payload);
        for (int i = 1; i < count; i++) {
            parts[i] = frame(CONTINUATION, payload);
        }
        return concat(parts);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("violations")
    void failsTheConnectionWithTheCodeOfTheViolation(Violation violation) throws Exception {
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.upgrade();
            client.write(violation.bytes());
            client.expectCloseThenEof(violation.code(), violation.reasonId());
        }
        assertThat(HANDLER.awaitClose()).isEqualTo(new RecordingHandler.Closed(violation.code(), violation.reasonId()));
    }

    @Test
    void failsFastOnInvalidUtf8SplitAcrossFragmentsBeforeTheFinalFragment() throws Exception {
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.upgrade();
            // "a" + the first two bytes of '€' (E2 82 AC): valid so far.
            client.write(frame(TEXT, bytes(0x61, 0xE2, 0x82)));
            // 0x28 cannot continue the character; the message is not final, yet it can never become valid.
            client.write(frame(CONTINUATION, bytes(0x28, 0x61)));
            client.expectCloseThenEof(1007, "INVALID_UTF8");
        }
        HANDLER.awaitClose();
    }

    @Test
    void failsFastOnInvalidUtf8InThePartOfAFrameReceivedSoFar() throws Exception {
        byte[] payload = new byte[1000];
        Arrays.fill(payload, (byte) 'a');
        payload[3] = (byte) 0xFF; // never valid in UTF-8
        byte[] whole = frame(FIN | TEXT, payload);
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.upgrade();
            client.write(Arrays.copyOf(whole, 8 + 10)); // header (2 + 2 length + 4 mask) and 10 payload bytes
            client.expectCloseThenEof(1007, "INVALID_UTF8");
        }
        HANDLER.awaitClose();
    }

    @Test
    void failsFastOnAnOversizedFragmentedMessageBeforeItsPayloadArrives() throws Exception {
        byte[] fragment = new byte[MAX_FRAME / 2];
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.upgrade();
            client.write(frame(BINARY, ascii("start")));
            for (int i = 0; i < 2 * MAX_MESSAGE / MAX_FRAME - 1; i++) {
                client.write(frame(CONTINUATION, fragment));
            }
            // 5 + 31 × 32 KiB so far; a 32 KiB fragment more is over 1 MiB: refused from its header alone.
            client.write(header(CONTINUATION, fragment.length));
            client.expectCloseThenEof(1009, "MESSAGE_TOO_LARGE");
        }
        HANDLER.awaitClose();
    }

    @Test
    void refusesADeflateBombAndStaysHealthy() throws Exception {
        byte[] bomb = ClientFrames.deflate(new byte[10 * 1024 * 1024]); // 10 MiB of zeros
        assertThat(bomb.length).as("compressed bomb fits one frame").isLessThan(MAX_FRAME);
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            RawHttpResponse response = client.upgrade(DEFLATE_OFFER);
            assertThat(response.header("Sec-WebSocket-Extensions")).startsWith("permessage-deflate");
            client.write(frame(FIN | RSV1 | BINARY, bomb));
            client.expectCloseThenEof(1009, "MESSAGE_TOO_LARGE");
        }
        assertThat(HANDLER.awaitClose()).isEqualTo(new RecordingHandler.Closed(1009, "MESSAGE_TOO_LARGE"));
        // Both event loops' shared zlib contexts still work: compressed echoes on several fresh connections.
        for (int i = 0; i < 4; i++) {
            assertCompressedEcho("healthy after the bomb #" + i + " " + "z".repeat(300));
        }
    }

    @Test
    void inflatesACompressedMessageUpToTheLimit() throws Exception {
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.upgrade(DEFLATE_OFFER);
            byte[] plain = new byte[MAX_MESSAGE]; // exactly the limit, inflated
            Arrays.fill(plain, (byte) 'q');
            client.write(frame(FIN | RSV1 | TEXT, ClientFrames.deflate(plain)));
            ServerFrame echo = client.readFrameSkippingPings();
            assertThat(echo.opcode()).isEqualTo(TEXT);
            byte[] echoed = (echo.rsv() & RSV1) != 0 ? ClientFrames.inflate(echo.payload()) : echo.payload();
            assertThat(Arrays.equals(echoed, plain))
                    .as("echo of %d bytes is identical", plain.length)
                    .isTrue();
        }
        HANDLER.awaitClose(); // the client dropped TCP; wait for it so the next test starts clean
    }

    @Test
    void failsOnCompressedDataThatDoesNotInflate() throws Exception {
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.upgrade(DEFLATE_OFFER);
            client.write(frame(FIN | RSV1 | TEXT, bytes(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)));
            client.expectCloseThenEof(1007, "INVALID_COMPRESSED_DATA");
        }
        HANDLER.awaitClose();
    }

    @Test
    void failsOnRsv1OnAContinuationFrame() throws Exception {
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.upgrade(DEFLATE_OFFER);
            byte[] compressed = ClientFrames.deflate(ascii("hello hello hello"));
            client.write(
                    frame(RSV1 | TEXT, Arrays.copyOf(compressed, 3)),
                    frame(FIN | RSV1 | CONTINUATION, Arrays.copyOfRange(compressed, 3, compressed.length)));
            client.expectCloseThenEof(1002, "RSV1_NOT_ON_FIRST_DATA_FRAME");
        }
        HANDLER.awaitClose();
    }

    @Test
    void failsOnRsv1OnAControlFrame() throws Exception {
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.upgrade(DEFLATE_OFFER);
            client.write(frame(FIN | RSV1 | PING, new byte[0]));
            client.expectCloseThenEof(1002, "RSV1_NOT_ON_FIRST_DATA_FRAME");
        }
        HANDLER.awaitClose();
    }

    @Test
    void inflatesAFragmentedCompressedMessage() throws Exception {
        String text = "fragmented and compressed ".repeat(40);
        byte[] compressed = ClientFrames.deflate(ascii(text));
        int half = compressed.length / 2;
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.upgrade(DEFLATE_OFFER);
            client.write(frame(RSV1 | TEXT, Arrays.copyOf(compressed, half)));
            client.write(
                    frame(FIN | PING, ascii("between")), // a control frame between the fragments (§5.4)
                    frame(FIN | CONTINUATION, Arrays.copyOfRange(compressed, half, compressed.length)));
            ServerFrame pong = client.readFrameSkippingPings();
            assertThat(pong.opcode()).isEqualTo(ClientFrames.PONG);
            assertThat(pong.text()).isEqualTo("between");
            ServerFrame echo = client.readFrameSkippingPings();
            byte[] echoed = (echo.rsv() & RSV1) != 0 ? ClientFrames.inflate(echo.payload()) : echo.payload();
            assertThat(new String(echoed, StandardCharsets.US_ASCII).equals(text))
                    .as("echo of the fragmented compressed message is identical")
                    .isTrue();
        }
        HANDLER.awaitClose();
    }

    private static void assertCompressedEcho(String text) throws IOException, InterruptedException {
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.upgrade(DEFLATE_OFFER);
            client.write(frame(FIN | RSV1 | TEXT, ClientFrames.deflate(ClientFrames.utf8(text))));
            ServerFrame echo = client.readFrameSkippingPings();
            assertThat(echo.opcode()).isEqualTo(TEXT);
            assertThat(echo.rsv()).as("a 300-byte reply is compressed").isEqualTo(RSV1);
            assertThat(new String(ClientFrames.inflate(echo.payload()), StandardCharsets.UTF_8))
                    .isEqualTo(text);
        }
        HANDLER.awaitClose();
    }
}
