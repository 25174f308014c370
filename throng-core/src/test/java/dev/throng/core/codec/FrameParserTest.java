package dev.throng.core.codec;

import static dev.throng.core.codec.Frames.BINARY;
import static dev.throng.core.codec.Frames.CLOSE;
import static dev.throng.core.codec.Frames.CONTINUATION;
import static dev.throng.core.codec.Frames.FIN;
import static dev.throng.core.codec.Frames.PING;
import static dev.throng.core.codec.Frames.PONG;
import static dev.throng.core.codec.Frames.RSV1;
import static dev.throng.core.codec.Frames.RSV2;
import static dev.throng.core.codec.Frames.RSV3;
import static dev.throng.core.codec.Frames.TEXT;
import static dev.throng.core.codec.Frames.concat;
import static dev.throng.core.codec.Frames.header;
import static dev.throng.core.codec.Frames.hex;
import static dev.throng.core.codec.Frames.masked;
import static dev.throng.core.codec.Frames.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link FrameParser} fed raw client bytes: one test per framing rule, asserting the verdict's close code and id, and
 * the frames delivered before it. Cases taken from the Autobahn|Testsuite are named by its case id.
 */
class FrameParserTest {
    private static final FrameLimits ROOMY = new FrameLimits(1 << 20, 1 << 20);
    /** Small limits for the size rules: 1 KiB frames, 2 KiB messages. */
    private static final FrameLimits SMALL = new FrameLimits(1024, 2048);

    private final RecordingSink sink = new RecordingSink();
    private FrameParser parser = new FrameParser(ROOMY);

    /** How a test hands the wire bytes to the parser, as Autobahn "chops" them. */
    enum Chop {
        /** All frames in one read. */
        ONE_CHOP,
        /** One read per frame. */
        PER_FRAME,
        /** One read per byte. */
        OCTETS
    }

    // ---- drivers ------------------------------------------------------------------------------------------------

    /** Parses {@code wire} in one call (permessage-deflate not negotiated). */
    private CloseReason parse(byte[] wire) {
        return parse(wire, false);
    }

    private CloseReason parse(byte[] wire, boolean deflate) {
        ByteBuf in = Unpooled.wrappedBuffer(wire.clone());
        try {
            return parser.parse(in, sink, deflate);
        } finally {
            in.release();
        }
    }

    /**
     * Feeds frames the way a connection does: each read is appended to a cumulation that keeps the unread bytes of
     * an incomplete frame, and parsing stops at the first verdict or after a close frame.
     */
    private CloseReason feed(Chop chop, boolean deflate, byte[]... frames) {
        List<byte[]> reads = new ArrayList<>();
        switch (chop) {
            case ONE_CHOP -> reads.add(concat(frames));
            case PER_FRAME -> reads.addAll(List.of(frames));
            case OCTETS -> {
                for (byte b : concat(frames)) {
                    reads.add(new byte[] {b});
                }
            }
        }
        return feedReads(deflate, reads);
    }

    private CloseReason feedReads(boolean deflate, List<byte[]> reads) {
        ByteBuf cumulation = Unpooled.buffer();
        try {
            for (byte[] read : reads) {
                cumulation.writeBytes(read);
                CloseReason verdict = parser.parse(cumulation, sink, deflate);
                if (verdict != null || sink.closed) {
                    return verdict;
                }
                cumulation.discardReadBytes();
            }
            return null;
        } finally {
            cumulation.release();
        }
    }

    private static Arguments autobahn(String id, Object... rest) {
        Object[] args = new Object[rest.length + 1];
        args[0] = id;
        System.arraycopy(rest, 0, args, 1, rest.length);
        return Arguments.of(args);
    }

    // ---- §5.1 masking ---------------------------------------------------------------------------------------------

    @Test
    void rejectsAnUnmaskedFrame() {
        CloseReason verdict = parse(hex("81 05 48 65 6c 6c 6f")); // RFC 6455 §5.7: "Hello", unmasked

        assertThat(verdict).isEqualTo(CloseReason.UNMASKED_FRAME);
        assertThat(verdict.code()).isEqualTo(1002);
        assertThat(sink.events).isEmpty();
    }

    @Test
    void rejectsAnUnmaskedFrameFromItsSecondByteAlone() {
        assertThat(parse(hex("82 7e"))).isEqualTo(CloseReason.UNMASKED_FRAME);
    }

    @Test
    void unmasksTheRfcExample() {
        CloseReason verdict = parse(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58")); // RFC 6455 §5.7

        assertThat(verdict).isNull();
        assertThat(sink.events).containsExactly("text first last \"Hello\"");
    }

    static Stream<Arguments> payloadLengthsAtUnalignedOffsets() {
        return IntStream.of(0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 125, 126, 1000, 65536)
                .boxed()
                .flatMap(length -> IntStream.range(0, 4).mapToObj(offset -> Arguments.of(length, offset)));
    }

    @ParameterizedTest(name = "{0} bytes after {1} bytes")
    @MethodSource("payloadLengthsAtUnalignedOffsets")
    void unmasksPayloadsOfAnyLengthAtAnyOffset(int length, int offset) {
        byte[] payload = new byte[length];
        new Random(length * 31L + offset).nextBytes(payload);
        byte[] key = {(byte) 0xa5, 0x5a, (byte) 0xff, 0x01};
        byte[] wire = concat(new byte[offset], Frames.frame(FIN | BINARY, payload, key));
        ByteBuf in = Unpooled.wrappedBuffer(wire);
        try {
            in.readerIndex(offset);
            assertThat(parser.parse(in, sink, false)).isNull();
        } finally {
            in.release();
        }

        assertThat(sink.payloads).hasSize(1);
        assertThat(Arrays.equals(sink.payloads.get(0), payload))
                .as("unmasked payload equals the original")
                .isTrue();
    }

    @Test
    void acceptsAnAllZeroMaskingKey() {
        byte[] wire = Frames.frame(FIN | TEXT, utf8("zero key"), new byte[4]);

        assertThat(parse(wire)).isNull();
        assertThat(sink.events).containsExactly("text first last \"zero key\"");
    }

    @Test
    void unmaskReversesTheMaskInPlace() {
        byte[] payload = Frames.pattern(37);
        byte[] wire = masked(FIN | BINARY, payload);
        ByteBuf buf = Unpooled.wrappedBuffer(wire);
        try {
            FrameParser.unmask(buf, 6, payload.length, 0x37fa213d);
            byte[] unmasked = new byte[payload.length];
            buf.getBytes(6, unmasked);
            assertThat(Arrays.equals(unmasked, payload))
                    .as("unmask(masked) equals the payload")
                    .isTrue();
        } finally {
            buf.release();
        }
    }

    // ---- §5.2 reserved bits ---------------------------------------------------------------------------------------

    static Stream<Arguments> reservedBitCases() {
        return Stream.of(
                autobahn("3.1", FIN | RSV3 | TEXT, false, Chop.ONE_CHOP, CloseReason.RESERVED_BITS_SET),
                autobahn("3.2", FIN | RSV2 | TEXT, true, Chop.ONE_CHOP, CloseReason.RESERVED_BITS_SET),
                autobahn("3.3", FIN | RSV2 | RSV3 | TEXT, true, Chop.PER_FRAME, CloseReason.RESERVED_BITS_SET),
                autobahn("3.4", FIN | RSV1 | TEXT, true, Chop.OCTETS, CloseReason.RSV1_WITHOUT_EXTENSION),
                autobahn("3.5", FIN | RSV1 | RSV3 | BINARY, false, Chop.ONE_CHOP, CloseReason.RESERVED_BITS_SET),
                autobahn("3.6", FIN | RSV1 | RSV2 | PING, false, Chop.ONE_CHOP, CloseReason.RESERVED_BITS_SET),
                autobahn("3.7", FIN | RSV1 | RSV2 | RSV3 | CLOSE, false, Chop.ONE_CHOP, CloseReason.RESERVED_BITS_SET));
    }

    @ParameterizedTest(name = "Autobahn {0}")
    @MethodSource("reservedBitCases")
    void rejectsReservedBitsAndDeliversNothingBehindThem(
            String id, int b0, boolean betweenTextAndPing, Chop chop, CloseReason expected) {
        byte[] frame = masked(b0, "reserved");
        CloseReason verdict = betweenTextAndPing
                ? feed(chop, false, masked(FIN | TEXT, "Hello"), frame, masked(FIN | PING, "ping"))
                : feed(chop, false, frame);

        assertThat(verdict).isEqualTo(expected);
        assertThat(verdict.code()).isEqualTo(1002);
        assertThat(sink.events).isEqualTo(betweenTextAndPing ? List.of("text first last \"Hello\"") : List.of());
    }

    @ParameterizedTest(name = "RSV2/RSV3 0x{0}")
    @ValueSource(strings = {"a1", "91", "b1", "22", "12", "a9", "9a", "b8"})
    void rejectsRsv2OrRsv3EvenWithDeflate(String b0) {
        CloseReason verdict = parse(masked(Integer.parseInt(b0, 16), "x"), true);

        assertThat(verdict).isEqualTo(CloseReason.RESERVED_BITS_SET);
        assertThat(verdict.id()).isEqualTo("RESERVED_BITS_SET");
    }

    @ParameterizedTest(name = "first byte 0x{0}")
    @ValueSource(strings = {"c1", "c2", "41", "c9", "ca", "c8"})
    void rejectsRsv1WithoutDeflate(String b0) {
        assertThat(parse(masked(Integer.parseInt(b0, 16), "x"))).isEqualTo(CloseReason.RSV1_WITHOUT_EXTENSION);
    }

    @Test
    void rejectsRsv1OnAContinuationWithoutDeflateAsRsv1WithoutExtension() {
        CloseReason verdict = parse(concat(masked(TEXT, "a"), masked(FIN | RSV1 | CONTINUATION, "b")));

        assertThat(verdict).isEqualTo(CloseReason.RSV1_WITHOUT_EXTENSION);
    }

    @Test
    void rejectsRsv1OnAContinuationWithDeflate() {
        CloseReason verdict = parse(concat(masked(RSV1 | TEXT, "a"), masked(FIN | RSV1 | CONTINUATION, "b")), true);

        assertThat(verdict).isEqualTo(CloseReason.RSV1_NOT_ON_FIRST_DATA_FRAME);
        assertThat(verdict.code()).isEqualTo(1002);
        assertThat(sink.events).containsExactly("text first compressed 61");
    }

    @Test
    void rejectsRsv1OnAContinuationOfAnUncompressedMessageWithDeflate() {
        CloseReason verdict = parse(concat(masked(BINARY, "a"), masked(FIN | RSV1 | CONTINUATION, "b")), true);

        assertThat(verdict).isEqualTo(CloseReason.RSV1_NOT_ON_FIRST_DATA_FRAME);
    }

    @ParameterizedTest(name = "opcode {0}")
    @ValueSource(ints = {CLOSE, PING, PONG})
    void rejectsRsv1OnAControlFrameWithDeflate(int opcode) {
        assertThat(parse(masked(FIN | RSV1 | opcode, new byte[0]), true))
                .isEqualTo(CloseReason.RSV1_NOT_ON_FIRST_DATA_FRAME);
    }

    @Test
    void acceptsRsv1OnTheFirstFrameWithDeflateAndMarksEveryFragmentCompressed() {
        CloseReason verdict = parse(
                concat(
                        masked(RSV1 | BINARY, hex("f2 48")),
                        masked(FIN | PING, "p"),
                        masked(FIN | CONTINUATION, hex("cd c9 c9 07 00"))),
                true);

        assertThat(verdict).isNull();
        assertThat(sink.events)
                .containsExactly("binary first compressed f248", "ping 70", "binary last compressed cdc9c90700");
    }

    // ---- §5.2 opcodes ---------------------------------------------------------------------------------------------

    static Stream<Arguments> reservedOpcodeCases() {
        return Stream.of(
                autobahn("4.1.1", 0x3, "", false),
                autobahn("4.1.2", 0x4, "reserved opcode payload", false),
                autobahn("4.1.3", 0x5, "", true),
                autobahn("4.1.4", 0x6, "reserved opcode payload", true),
                autobahn("4.1.5", 0x7, "reserved opcode payload", true),
                autobahn("4.2.1", 0xB, "", false),
                autobahn("4.2.2", 0xC, "reserved opcode payload", false),
                autobahn("4.2.3", 0xD, "", true),
                autobahn("4.2.4", 0xE, "reserved opcode payload", true),
                autobahn("4.2.5", 0xF, "reserved opcode payload", true));
    }

    @ParameterizedTest(name = "Autobahn {0}")
    @MethodSource("reservedOpcodeCases")
    void rejectsReservedOpcodes(String id, int opcode, String payload, boolean betweenTextAndPing) {
        byte[] wire = betweenTextAndPing
                ? concat(masked(FIN | TEXT, "Hello"), masked(FIN | opcode, payload), masked(FIN | PING, "ping"))
                : masked(FIN | opcode, payload);

        CloseReason verdict = parse(wire);

        assertThat(verdict).isEqualTo(CloseReason.UNKNOWN_OPCODE);
        assertThat(verdict.code()).isEqualTo(1002);
        assertThat(sink.events).isEqualTo(betweenTextAndPing ? List.of("text first last \"Hello\"") : List.of());
    }

    @Test
    void rejectsAReservedOpcodeFromTheFirstTwoBytes() {
        assertThat(parse(header(FIN | 0x3, 100))).isEqualTo(CloseReason.UNKNOWN_OPCODE);
    }

    // ---- §5.5 control frames --------------------------------------------------------------------------------------

    @Test
    void acceptsAPingOf125Bytes() { // Autobahn 2.4
        assertThat(parse(masked(FIN | PING, Frames.pattern(125)))).isNull();
        assertThat(sink.payloads.get(0)).hasSize(125);
    }

    @ParameterizedTest(name = "opcode {0}")
    @ValueSource(ints = {PING, PONG, CLOSE})
    void rejectsAControlFrameOver125BytesFromItsHeader(int opcode) { // Autobahn 2.5 for ping
        CloseReason verdict = parse(header(FIN | opcode, 126)); // the payload has not arrived

        assertThat(verdict).isEqualTo(CloseReason.CONTROL_FRAME_TOO_LONG);
        assertThat(verdict.code()).isEqualTo(1002);
    }

    @Test
    void rejectsAPingOf126BytesAfterADeliveredMessage() { // Autobahn 2.5
        CloseReason verdict = parse(concat(masked(FIN | TEXT, "Hello"), masked(FIN | PING, Frames.pattern(126))));

        assertThat(verdict).isEqualTo(CloseReason.CONTROL_FRAME_TOO_LONG);
        assertThat(sink.events).containsExactly("text first last \"Hello\"");
    }

    static Stream<Arguments> fragmentedControlCases() {
        return Stream.of(autobahn("5.1", PING), autobahn("5.2", PONG), autobahn("close", CLOSE));
    }

    @ParameterizedTest(name = "Autobahn {0}")
    @MethodSource("fragmentedControlCases")
    void rejectsAFragmentedControlFrame(String id, int opcode) {
        CloseReason verdict = parse(concat(masked(opcode, "fragment1"), masked(FIN | CONTINUATION, "fragment2")));

        assertThat(verdict).isEqualTo(CloseReason.FRAGMENTED_CONTROL_FRAME);
        assertThat(verdict.code()).isEqualTo(1002);
        assertThat(sink.events).isEmpty();
    }

    // ---- §5.4 fragmentation ---------------------------------------------------------------------------------------

    static Stream<Arguments> continuationWithoutStartCases() {
        byte[] lonelyFinal = masked(FIN | CONTINUATION, "non-continuation payload");
        byte[] lonelyMore = masked(CONTINUATION, "non-continuation payload");
        byte[] hello = masked(FIN | TEXT, "Hello, world!");
        byte[][] afterMessage = {
            masked(TEXT, "fragment1"),
            masked(FIN | CONTINUATION, "fragment2"),
            masked(CONTINUATION, "fragment3"),
            masked(FIN | TEXT, "fragment4")
        };
        List<String> oneMessage = List.of("text first \"fragment1\"", "text last \"fragment2\"");
        return Stream.of(
                autobahn("5.9", Chop.ONE_CHOP, new byte[][] {lonelyFinal, hello}, List.of()),
                autobahn("5.10", Chop.PER_FRAME, new byte[][] {lonelyFinal, hello}, List.of()),
                autobahn("5.11", Chop.OCTETS, new byte[][] {lonelyFinal, hello}, List.of()),
                autobahn("5.12", Chop.ONE_CHOP, new byte[][] {lonelyMore, hello}, List.of()),
                autobahn("5.13", Chop.PER_FRAME, new byte[][] {lonelyMore, hello}, List.of()),
                autobahn("5.14", Chop.OCTETS, new byte[][] {lonelyMore, hello}, List.of()),
                autobahn("5.15", Chop.ONE_CHOP, afterMessage, oneMessage),
                autobahn("5.16", Chop.ONE_CHOP, new byte[][] {lonelyMore, afterMessage[0], afterMessage[1]}, List.of()),
                autobahn(
                        "5.17",
                        Chop.ONE_CHOP,
                        new byte[][] {lonelyFinal, afterMessage[0], afterMessage[1]},
                        List.of()));
    }

    @ParameterizedTest(name = "Autobahn {0} ({1})")
    @MethodSource("continuationWithoutStartCases")
    void rejectsAContinuationWithoutStart(String id, Chop chop, byte[][] frames, List<String> delivered) {
        CloseReason verdict = feed(chop, false, frames);

        assertThat(verdict).isEqualTo(CloseReason.CONTINUATION_WITHOUT_START);
        assertThat(verdict.code()).isEqualTo(1002);
        assertThat(sink.events).isEqualTo(delivered);
    }

    @Test
    void rejectsANewTextFrameDuringAFragmentedMessage() { // Autobahn 5.18
        CloseReason verdict = parse(concat(masked(TEXT, "fragment1"), masked(FIN | TEXT, "fragment2")));

        assertThat(verdict).isEqualTo(CloseReason.NEW_MESSAGE_DURING_FRAGMENTED);
        assertThat(verdict.code()).isEqualTo(1002);
        assertThat(sink.events).containsExactly("text first \"fragment1\"");
    }

    @Test
    void rejectsANewBinaryFrameDuringAFragmentedMessageEvenWithRsv1() {
        CloseReason verdict = parse(concat(masked(TEXT, "a"), masked(FIN | RSV1 | BINARY, "b")));

        assertThat(verdict).isEqualTo(CloseReason.NEW_MESSAGE_DURING_FRAGMENTED);
    }

    static Stream<Arguments> fragmentedMessageCases() {
        byte[][] two = {masked(TEXT, "fragment1"), masked(FIN | CONTINUATION, "fragment2")};
        byte[][] pingBetween = {
            masked(TEXT, "fragment1"), masked(FIN | PING, "ping payload"), masked(FIN | CONTINUATION, "fragment2")
        };
        byte[][] fiveWithTwoPings = {
            masked(TEXT, "fragment1"),
            masked(CONTINUATION, "fragment2"),
            masked(FIN | PING, "pongme 1!"),
            masked(CONTINUATION, "fragment3"),
            masked(CONTINUATION, "fragment4"),
            masked(FIN | PING, "pongme 2!"),
            masked(FIN | CONTINUATION, "fragment5")
        };
        List<String> twoEvents = List.of("text first \"fragment1\"", "text last \"fragment2\"");
        List<String> pingEvents =
                List.of("text first \"fragment1\"", "ping 70696e67207061796c6f6164", "text last \"fragment2\"");
        List<String> fiveEvents = List.of(
                "text first \"fragment1\"",
                "text \"fragment2\"",
                "ping 706f6e676d65203121",
                "text \"fragment3\"",
                "text \"fragment4\"",
                "ping 706f6e676d65203221",
                "text last \"fragment5\"");
        return Stream.of(
                autobahn("5.3", Chop.ONE_CHOP, two, twoEvents),
                autobahn("5.4", Chop.PER_FRAME, two, twoEvents),
                autobahn("5.5", Chop.OCTETS, two, twoEvents),
                autobahn("5.6", Chop.ONE_CHOP, pingBetween, pingEvents),
                autobahn("5.7", Chop.PER_FRAME, pingBetween, pingEvents),
                autobahn("5.8", Chop.OCTETS, pingBetween, pingEvents),
                autobahn("5.19", Chop.PER_FRAME, fiveWithTwoPings, fiveEvents),
                autobahn("5.20", Chop.OCTETS, fiveWithTwoPings, fiveEvents));
    }

    @ParameterizedTest(name = "Autobahn {0} ({1})")
    @MethodSource("fragmentedMessageCases")
    void deliversFragmentsAndInterleavedPingsInWireOrder(String id, Chop chop, byte[][] frames, List<String> events) {
        assertThat(feed(chop, false, frames)).isNull();
        assertThat(sink.events).isEqualTo(events);
        assertThat(parser.isIdle()).isTrue();
    }

    @Test
    void holdsStateOfItsConnectionBetweenTheFragmentsOfAMessage() {
        assertThat(parse(masked(BINARY, "a"))).isNull();
        assertThat(parser.isIdle()).isFalse();

        assertThat(parse(masked(FIN | CONTINUATION, "b"))).isNull();
        assertThat(parser.isIdle()).isTrue();
    }

    @Test
    void isIdleOnlyBetweenMessagesWithNoTextValidatedAhead() {
        assertThat(parser.isIdle()).isTrue();
        assertThat(parse(masked(FIN | PING, ""))).isNull();
        assertThat(parser.isIdle()).isTrue(); // a control frame leaves nothing behind

        assertThat(parse(masked(TEXT, "a"))).isNull();
        assertThat(parser.isIdle()).isFalse(); // a message in progress
        assertThat(parse(masked(FIN | CONTINUATION, "b"))).isNull();
        assertThat(parser.isIdle()).isTrue();

        byte[] frame = masked(FIN | TEXT, "hello");
        assertThat(parse(Arrays.copyOf(frame, frame.length - 2))).isNull();
        assertThat(parser.isIdle()).isFalse(); // three payload bytes of a text frame validated ahead
        assertThat(parse(frame)).isNull();
        assertThat(parser.isIdle()).isTrue();
    }

    @Test
    void acceptsANewMessageAfterAFragmentedOneEnded() {
        CloseReason verdict =
                parse(concat(masked(BINARY, "a"), masked(FIN | CONTINUATION, "b"), masked(FIN | TEXT, "c")));

        assertThat(verdict).isNull();
        assertThat(sink.events).containsExactly("binary first 61", "binary last 62", "text first last \"c\"");
    }

    @Test
    void deliversTheSameFramesWhateverTheReadBoundaries() {
        byte[][] frames = {
            masked(TEXT, "κό"),
            masked(FIN | PING, new byte[0]),
            masked(CONTINUATION, "σμ"),
            masked(FIN | CONTINUATION, "ε"),
            masked(FIN | BINARY, Frames.pattern(300)),
            masked(FIN | PONG, "pong"),
            masked(FIN | TEXT, Frames.pattern(70_000).length + " bytes follow"),
            masked(FIN | BINARY, Frames.pattern(70_000)),
            Frames.close(1000, "bye")
        };
        assertThat(feed(Chop.ONE_CHOP, false, frames)).isNull();
        List<String> oneChop = List.copyOf(sink.events);

        Random random = new Random(6455);
        byte[] wire = concat(frames);
        for (int round = 0; round < 20; round++) {
            sink.events.clear();
            sink.closed = false;
            parser = new FrameParser(ROOMY);
            List<byte[]> reads = new ArrayList<>();
            for (int i = 0; i < wire.length; ) {
                int n = Math.min(wire.length - i, 1 + random.nextInt(round < 10 ? 7 : 5000));
                reads.add(Arrays.copyOfRange(wire, i, i + n));
                i += n;
            }
            assertThat(feedReads(false, reads)).as("verdict in round %d", round).isNull();
            assertThat(sink.events).as("events in round %d", round).isEqualTo(oneChop);
        }
        assertThat(oneChop).hasSize(9).endsWith("close 1000 \"bye\"");
    }

    @Test
    void deliversTheSameFramesFedOneByteAtATime() {
        byte[][] frames = {
            masked(TEXT, "fragment1"),
            masked(FIN | PING, "ping payload"),
            masked(FIN | CONTINUATION, "fragment2"),
            masked(FIN | BINARY, Frames.pattern(200))
        };
        assertThat(feed(Chop.ONE_CHOP, false, frames)).isNull();
        List<String> oneChop = List.copyOf(sink.events);
        sink.events.clear();
        parser = new FrameParser(ROOMY);

        assertThat(feed(Chop.OCTETS, false, frames)).isNull();

        assertThat(sink.events).isEqualTo(oneChop).hasSize(4);
    }

    @Test
    void leavesAnIncompleteFrameUnreadAndDeliversNothing() {
        byte[] frame = masked(FIN | TEXT, "Hello");
        for (int length = 0; length < frame.length; length++) {
            ByteBuf in = Unpooled.wrappedBuffer(Arrays.copyOf(frame, length));
            try {
                assertThat(parser.parse(in, sink, false))
                        .as("verdict at %d bytes", length)
                        .isNull();
                assertThat(in.readerIndex())
                        .as("reader index at %d bytes", length)
                        .isZero();
            } finally {
                in.release();
            }
        }
        assertThat(sink.events).isEmpty();
    }

    // ---- §5.2 payload lengths -------------------------------------------------------------------------------------

    @ParameterizedTest(name = "Autobahn {0}: {1} bytes")
    @CsvSource({"1.1.1, 0", "1.1.2, 125", "1.1.3, 126", "1.1.4, 127", "1.1.5, 128", "1.1.6, 65535", "1.1.7, 65536"})
    void deliversTextOfEveryLengthEncoding(String id, int length) {
        byte[] payload = utf8("*".repeat(length));
        byte[] wire = masked(FIN | TEXT, payload);
        assertThat(wire.length - payload.length)
                .as("header length")
                .isEqualTo(length <= 125 ? 6 : length <= 65535 ? 8 : 14);

        assertThat(parse(wire)).isNull();

        assertThat(sink.payloads).hasSize(1);
        assertThat(Arrays.equals(sink.payloads.get(0), payload))
                .as("delivered payload equals the sent one")
                .isTrue();
    }

    @ParameterizedTest(name = "Autobahn {0}: {1} bytes")
    @CsvSource({"1.2.1, 0", "1.2.2, 125", "1.2.3, 126", "1.2.4, 127", "1.2.5, 128", "1.2.6, 65535", "1.2.7, 65536"})
    void deliversBinaryOfEveryLengthEncoding(String id, int length) {
        byte[] payload = Frames.pattern(length);

        assertThat(parse(masked(FIN | BINARY, payload))).isNull();

        assertThat(sink.payloads).hasSize(1);
        assertThat(Arrays.equals(sink.payloads.get(0), payload))
                .as("delivered payload equals the sent one")
                .isTrue();
    }

    @Test
    void deliversEmptyPayloadsOfEveryKind() { // Autobahn 1.1.1, 1.2.1, 2.1, 6.1.1
        CloseReason verdict = parse(concat(
                masked(FIN | TEXT, ""),
                masked(FIN | BINARY, ""),
                masked(FIN | PING, ""),
                masked(FIN | PONG, ""),
                masked(TEXT, ""),
                masked(CONTINUATION, ""),
                masked(FIN | CONTINUATION, ""),
                masked(FIN | CLOSE, "")));

        assertThat(verdict).isNull();
        assertThat(sink.events)
                .containsExactly(
                        "text first last <empty>",
                        "binary first last <empty>",
                        "ping <empty>",
                        "pong <empty>",
                        "text first <empty>",
                        "text <empty>",
                        "text last <empty>",
                        "close 1005 <empty>");
    }

    @Test
    void rejectsA64BitLengthWithTheMostSignificantBitSetFromTheHeader() {
        CloseReason verdict = parse(hex("82 ff 80 00 00 00 00 00 00 05")); // no masking key or payload yet

        assertThat(verdict).isEqualTo(CloseReason.LENGTH_MSB_SET);
        assertThat(verdict.code()).isEqualTo(1002);
    }

    // ---- size limits ----------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}-bit length field")
    @CsvSource({
        "16, 82 fe 04 01",
        "64, 82 ff 00 00 00 00 00 00 04 01",
        "64, 82 ff 00 00 00 01 00 00 00 00",
        "64, 82 ff 7f ff ff ff ff ff ff ff"
    })
    void rejectsAFrameOverMaxFrameSizeFromItsHeader(int bits, String header) {
        parser = new FrameParser(SMALL);

        CloseReason verdict = parse(hex(header)); // the masking key and payload have not arrived

        assertThat(verdict).isEqualTo(CloseReason.FRAME_TOO_LARGE);
        assertThat(verdict.code()).isEqualTo(1009);
    }

    @Test
    void acceptsAFrameOfExactlyMaxFrameSize() {
        parser = new FrameParser(SMALL);

        assertThat(parse(masked(FIN | BINARY, Frames.pattern(1024)))).isNull();
        assertThat(sink.payloads.get(0)).hasSize(1024);
    }

    @Test
    void rejectsAMessageOverMaxMessageSizeFromTheHeaderOfTheFrameThatPassesIt() {
        parser = new FrameParser(SMALL);
        byte[] wire = concat(
                masked(BINARY, Frames.pattern(1024)),
                masked(FIN | PING, Frames.pattern(125)),
                masked(CONTINUATION, Frames.pattern(1024)),
                header(FIN | CONTINUATION, 1));

        CloseReason verdict = parse(wire); // 2048 bytes so far; the last header announces one more

        assertThat(verdict).isEqualTo(CloseReason.MESSAGE_TOO_LARGE);
        assertThat(verdict.code()).isEqualTo(1009);
        assertThat(sink.events).hasSize(3);
    }

    @Test
    void acceptsAMessageOfExactlyMaxMessageSizeAndCountsTheNextMessageAfresh() {
        parser = new FrameParser(SMALL);
        byte[] wire = concat(
                masked(BINARY, Frames.pattern(1024)),
                masked(FIN | CONTINUATION, Frames.pattern(1024)),
                masked(BINARY, Frames.pattern(1024)),
                masked(FIN | CONTINUATION, Frames.pattern(1024)));

        assertThat(parse(wire)).isNull();
        assertThat(sink.events).hasSize(4);
    }

    // ---- §5.5.1 close frames --------------------------------------------------------------------------------------

    @Test
    void deliversAnEmptyCloseAsNoStatus() { // Autobahn 7.3.1
        assertThat(parse(masked(FIN | CLOSE, ""))).isNull();
        assertThat(sink.events).containsExactly("close 1005 <empty>");
    }

    @Test
    void rejectsACloseWithAOneBytePayload() { // Autobahn 7.3.2
        CloseReason verdict = parse(masked(FIN | CLOSE, hex("03")));

        assertThat(verdict).isEqualTo(CloseReason.CLOSE_PAYLOAD_TOO_SHORT);
        assertThat(verdict.code()).isEqualTo(1002);
        assertThat(sink.events).isEmpty();
    }

    @Test
    void deliversACloseWithACodeOnly() { // Autobahn 7.3.3
        assertThat(parse(masked(FIN | CLOSE, hex("03 e8")))).isNull();
        assertThat(sink.events).containsExactly("close 1000 <empty>");
    }

    @Test
    void deliversACloseWithACodeAndReason() { // Autobahn 7.3.4
        assertThat(parse(Frames.close(1000, "Hello World!"))).isNull();
        assertThat(sink.events).containsExactly("close 1000 \"Hello World!\"");
    }

    @Test
    void deliversACloseWithA123ByteReason() { // Autobahn 7.3.5
        assertThat(parse(Frames.close(1000, "*".repeat(123)))).isNull();
        assertThat(sink.payloads.get(0)).hasSize(123);
    }

    @Test
    void rejectsACloseWithA124ByteReason() { // Autobahn 7.3.6
        assertThat(parse(Frames.close(1000, "*".repeat(124)))).isEqualTo(CloseReason.CONTROL_FRAME_TOO_LONG);
    }

    static Stream<Arguments> validCloseCodes() {
        int[] codes = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999};
        return IntStream.range(0, codes.length).mapToObj(i -> autobahn("7.7." + (i + 1), codes[i]));
    }

    @ParameterizedTest(name = "Autobahn {0}: {1}")
    @MethodSource("validCloseCodes")
    void deliversACloseWithAValidCode(String id, int code) {
        assertThat(parse(Frames.close(code, "reason"))).isNull();
        assertThat(sink.events).containsExactly("close " + code + " \"reason\"");
    }

    static Stream<Arguments> invalidCloseCodes() {
        int[] codes = {0, 999, 1004, 1005, 1006, 1012, 1013, 1014, 1015, 1016, 1100, 2000, 2999};
        return Stream.concat(
                IntStream.range(0, codes.length).mapToObj(i -> autobahn("7.9." + (i + 1), codes[i])),
                Stream.of(autobahn("above private use", 5000), autobahn("largest", 65535)));
    }

    @ParameterizedTest(name = "Autobahn {0}: {1}")
    @MethodSource("invalidCloseCodes")
    void rejectsACloseWithAnInvalidCode(String id, int code) {
        CloseReason verdict = parse(Frames.close(code, ""));

        assertThat(verdict).isEqualTo(CloseReason.INVALID_CLOSE_CODE);
        assertThat(verdict.code()).isEqualTo(1002);
        assertThat(sink.events).isEmpty();
    }

    @Test
    void rejectsACloseReasonThatIsNotUtf8() { // Autobahn 7.5.1
        byte[] payload = concat(hex("03 e8"), hex("ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64"));

        CloseReason verdict = parse(masked(FIN | CLOSE, payload));

        assertThat(verdict).isEqualTo(CloseReason.INVALID_UTF8);
        assertThat(verdict.code()).isEqualTo(1007);
        assertThat(sink.events).isEmpty();
    }

    @Test
    void rejectsACloseReasonEndingInsideACharacter() {
        assertThat(parse(masked(FIN | CLOSE, hex("03 e8 ce")))).isEqualTo(CloseReason.INVALID_UTF8);
    }

    @Test
    void stopsAfterACloseFrameAndLeavesTheRestUnread() {
        byte[] after = masked(FIN | TEXT, "after close");
        ByteBuf in =
                Unpooled.wrappedBuffer(concat(masked(FIN | TEXT, "before"), Frames.close(1000, ""), after, hex("ff")));
        try {
            assertThat(parser.parse(in, sink, false)).isNull();
            assertThat(in.readableBytes()).isEqualTo(after.length + 1);
        } finally {
            in.release();
        }
        assertThat(sink.events).containsExactly("text first last \"before\"", "close 1000 <empty>");
    }

    @Test
    void acceptsAPingInsideAFragmentedMessageAndACloseAfterIt() {
        CloseReason verdict = parse(concat(masked(TEXT, "a"), masked(FIN | PING, ""), Frames.close(1001, "")));

        assertThat(verdict).isNull();
        assertThat(sink.events).containsExactly("text first \"a\"", "ping <empty>", "close 1001 <empty>");
    }

    // ---- the sink's verdicts --------------------------------------------------------------------------------------

    @Test
    void returnsTheSinksVerdictAndStops() {
        sink.dataVerdict = CloseReason.HANDLER_ERROR;

        CloseReason verdict = parse(concat(masked(FIN | TEXT, "one"), masked(FIN | TEXT, "two")));

        assertThat(verdict).isEqualTo(CloseReason.HANDLER_ERROR);
        assertThat(sink.events).containsExactly("text first last \"one\"");
    }

    // ---- §8.1 UTF-8 -----------------------------------------------------------------------------------------------

    /** κόσμε, a surrogate (ED A0 80) and "edited": Autobahn 6.3.x. */
    private static final byte[] INVALID_TEXT = hex("ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64");

    @Test
    void rejectsInvalidUtf8InAnUnfragmentedText() { // Autobahn 6.3.1
        CloseReason verdict = parse(masked(FIN | TEXT, INVALID_TEXT));

        assertThat(verdict).isEqualTo(CloseReason.INVALID_UTF8);
        assertThat(verdict.code()).isEqualTo(1007);
        assertThat(sink.events).isEmpty();
    }

    @Test
    void rejectsInvalidUtf8InOneByteFragmentsAtTheOffendingByte() { // Autobahn 6.3.2
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < INVALID_TEXT.length; i++) {
            int b0 = (i == 0 ? TEXT : CONTINUATION) | (i == INVALID_TEXT.length - 1 ? FIN : 0);
            frames.add(masked(b0, new byte[] {INVALID_TEXT[i]}));
        }

        CloseReason verdict = feed(Chop.PER_FRAME, false, frames.toArray(byte[][]::new));

        assertThat(verdict).isEqualTo(CloseReason.INVALID_UTF8);
        assertThat(sink.events).hasSize(12); // ce .. b5 ed; a0 cannot follow ed
    }

    static Stream<Arguments> failFastCases() {
        byte[] kosme = Utf8Cases.KOSME;
        byte[] edited = utf8("edited");
        return Stream.of(
                autobahn("6.4.1", true, kosme, hex("f4 90 80 80"), edited),
                autobahn("6.4.2", true, concat(kosme, hex("f4")), hex("90"), concat(hex("80 80"), edited)),
                autobahn("6.4.3", false, kosme, hex("f4 90 80 80"), edited),
                autobahn("6.4.4", false, concat(kosme, hex("f4")), hex("90"), concat(hex("80 80"), edited)));
    }

    @ParameterizedTest(name = "Autobahn {0}")
    @MethodSource("failFastCases")
    void failsFastOnInvalidUtf8BeforeTheRestArrives(
            String id, boolean asFragments, byte[] part1, byte[] part2, byte[] part3) {
        List<byte[]> reads;
        if (asFragments) { // three frames, sent with pauses between them
            reads = List.of(masked(TEXT, part1), masked(CONTINUATION, part2), masked(FIN | CONTINUATION, part3));
        } else { // one frame, in three chops
            byte[] frame = masked(FIN | TEXT, concat(part1, part2, part3));
            int cut1 = frame.length - part3.length - part2.length;
            int cut2 = frame.length - part3.length;
            reads = List.of(
                    Arrays.copyOfRange(frame, 0, cut1),
                    Arrays.copyOfRange(frame, cut1, cut2),
                    Arrays.copyOfRange(frame, cut2, frame.length));
        }

        CloseReason verdict = feedReads(false, reads.subList(0, 2)); // part 3 never arrives

        assertThat(verdict).isEqualTo(CloseReason.INVALID_UTF8);
        assertThat(verdict.code()).isEqualTo(1007);
    }

    static Stream<Arguments> chopSizes() {
        return IntStream.of(1, 2, 3, 5, 6, 7, 9, 13).mapToObj(Arguments::of);
    }

    @ParameterizedTest(name = "chops of {0} bytes")
    @MethodSource("chopSizes")
    void acceptsMultiByteTextArrivingInChopsAtEveryMaskOffset(int chop) {
        byte[] text = utf8("κόσμε 😀 €uro ß ".repeat(5));
        byte[] frame = masked(FIN | TEXT, text);
        List<byte[]> reads = new ArrayList<>();
        for (int i = 0; i < frame.length; i += chop) {
            reads.add(Arrays.copyOfRange(frame, i, Math.min(frame.length, i + chop)));
        }

        assertThat(feedReads(false, reads)).isNull();

        assertThat(sink.payloads).hasSize(1);
        assertThat(Arrays.equals(sink.payloads.get(0), text))
                .as("delivered text equals the sent one")
                .isTrue();
    }

    @ParameterizedTest(name = "after {0} valid bytes")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 31, 32, 33})
    void failsFastOnAnInvalidByteInALaterChopOfATextFrame(int validBytes) {
        byte[] payload = concat(utf8("a".repeat(validBytes)), hex("c0"), utf8("rest of the frame, never sent"));
        byte[] frame = masked(FIN | TEXT, payload);
        int headerLength = 6;
        List<byte[]> reads = new ArrayList<>();
        reads.add(Arrays.copyOfRange(frame, 0, headerLength + validBytes)); // the valid part
        reads.add(Arrays.copyOfRange(frame, headerLength + validBytes, headerLength + validBytes + 1)); // c0

        assertThat(feedReads(false, reads.subList(0, 1)))
                .as("verdict on the valid part")
                .isNull();
        parser = new FrameParser(ROOMY);
        assertThat(feedReads(false, reads)).isEqualTo(CloseReason.INVALID_UTF8);
    }

    @Test
    void failsFastOnInvalidUtf8InAPartiallyReceivedContinuation() {
        byte[] continuation = masked(FIN | CONTINUATION, concat(hex("ce"), hex("41"), Frames.pattern(500)));
        List<byte[]> reads = List.of(masked(TEXT, "ok"), Arrays.copyOf(continuation, 8 + 2)); // header + two bytes

        CloseReason verdict = feedReads(false, reads);

        assertThat(verdict).isEqualTo(CloseReason.INVALID_UTF8);
        assertThat(sink.events).containsExactly("text first \"ok\"");
    }

    @Test
    void doesNotFailAPartialTextFrameThatIsValidSoFar() {
        byte[] frame = masked(FIN | TEXT, concat(Utf8Cases.KOSME, Utf8Cases.KOSME));

        assertThat(feedReads(false, List.of(Arrays.copyOf(frame, 6 + 12)))).isNull(); // ends inside a character
        assertThat(sink.events).isEmpty();
    }

    @Test
    void leavesCompressedTextToWhoeverInflatesIt() {
        byte[] notUtf8 = hex("ff fe fd");

        assertThat(parse(masked(FIN | RSV1 | TEXT, notUtf8), true)).isNull();
        byte[] partial = Arrays.copyOf(masked(FIN | RSV1 | TEXT, concat(notUtf8, Frames.pattern(100))), 10);
        assertThat(feedReads(true, List.of(partial))).isNull();
        assertThat(sink.events).containsExactly("text first last compressed fffefd");
    }

    @Test
    void rejectsTextEndingInsideACharacter() {
        assertThat(parse(masked(FIN | TEXT, hex("41 ce")))).isEqualTo(CloseReason.INVALID_UTF8);
    }

    @Test
    void rejectsAFragmentedTextWhoseFinalFragmentEndsInsideACharacter() {
        CloseReason verdict = parse(concat(masked(TEXT, hex("ce ba e1")), masked(FIN | CONTINUATION, hex("bd"))));

        assertThat(verdict).isEqualTo(CloseReason.INVALID_UTF8);
        assertThat(sink.events).hasSize(1);
    }

    static Stream<Arguments> validTextCases() {
        byte[] hello = utf8("Hello-µ@ßöäüàá-UTF-8!!");
        return Stream.of(
                autobahn("6.2.1", hello, hello.length),
                autobahn("6.2.2", hello, 7), // on a code point boundary
                autobahn("6.2.3", hello, 1),
                autobahn("6.2.4", Utf8Cases.KOSME, 1));
    }

    @ParameterizedTest(name = "Autobahn {0}: fragments of {2} bytes")
    @MethodSource("validTextCases")
    void acceptsValidUtf8SplitAnywhereAcrossFragments(String id, byte[] text, int fragmentSize) {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < text.length; i += fragmentSize) {
            int end = Math.min(text.length, i + fragmentSize);
            int b0 = (i == 0 ? TEXT : CONTINUATION) | (end == text.length ? FIN : 0);
            frames.add(masked(b0, Arrays.copyOfRange(text, i, end)));
        }

        assertThat(feed(Chop.PER_FRAME, false, frames.toArray(byte[][]::new))).isNull();

        assertThat(Arrays.equals(concat(sink.payloads.toArray(byte[][]::new)), text))
                .as("reassembled text")
                .isTrue();
    }

    @ParameterizedTest(name = "Autobahn {0}")
    @MethodSource("dev.throng.core.codec.Utf8Cases#arguments")
    void judgesEveryKuhnStressCaseInATextFrameAsTheTestsuiteExpects(String id, byte[] bytes, boolean valid) {
        CloseReason verdict = parse(masked(FIN | TEXT, bytes));

        assertThat(verdict).isEqualTo(valid ? null : CloseReason.INVALID_UTF8);
        assertThat(sink.events).hasSize(valid ? 1 : 0);
    }

    @ParameterizedTest(name = "Autobahn {0}")
    @MethodSource("dev.throng.core.codec.Utf8Cases#arguments")
    void judgesEveryKuhnStressCaseSentOneByteAtATimeAsTheTestsuiteExpects(String id, byte[] bytes, boolean valid) {
        assertThat(feed(Chop.OCTETS, false, masked(FIN | TEXT, bytes)))
                .isEqualTo(valid ? null : CloseReason.INVALID_UTF8);
    }
}
