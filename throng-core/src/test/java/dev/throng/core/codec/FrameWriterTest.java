package dev.throng.core.codec;

import static dev.throng.core.codec.Frames.concat;
import static dev.throng.core.codec.Frames.hex;
import static dev.throng.core.codec.Frames.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link FrameWriter}: server frames are unmasked (RFC 6455 §5.1) and use the shortest length encoding (§5.2). */
class FrameWriterTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    /** The frame's bytes; releases it. */
    private static byte[] drain(ByteBuf frame) {
        try {
            return ByteBufUtil.getBytes(frame);
        } finally {
            frame.release();
        }
    }

    @ParameterizedTest(name = "{0} bytes: {1}")
    @CsvSource({
        "0, 82 00",
        "1, 82 01",
        "125, 82 7d",
        "126, 82 7e 00 7e",
        "127, 82 7e 00 7f",
        "65535, 82 7e ff ff",
        "65536, 82 7f 00 00 00 00 00 01 00 00",
        "2147483647, 82 7f 00 00 00 00 7f ff ff ff"
    })
    void writesTheShortestLengthEncoding(int length, String header) {
        ByteBuf out = Unpooled.buffer();
        try {
            FrameWriter.writeHeader(out, Opcode.BINARY, false, length);
            assertThat(hex(ByteBufUtil.getBytes(out))).isEqualTo(header.replace(" ", ""));
            assertThat(FrameWriter.headerLength(length)).isEqualTo(out.readableBytes());
        } finally {
            out.release();
        }
    }

    @ParameterizedTest(name = "opcode {0}, rsv1 {1}: {2}")
    @CsvSource({"1, false, 81", "1, true, c1", "2, true, c2", "8, false, 88", "9, false, 89", "10, false, 8a"})
    void setsFinAndOnlyTheBitsAskedFor(int opcode, boolean rsv1, String b0) {
        ByteBuf out = Unpooled.buffer();
        try {
            FrameWriter.writeHeader(out, opcode, rsv1, 0);
            assertThat(hex(ByteBufUtil.getBytes(out))).isEqualTo(b0 + "00");
        } finally {
            out.release();
        }
    }

    @Test
    void writesTheRfcExampleText() {
        assertThat(hex(drain(FrameWriter.text(ALLOC, "Hello")))).isEqualTo("810548656c6c6f"); // RFC 6455 §5.7
    }

    @Test
    void encodesTextAsUtf8AndCountsBytesNotChars() {
        byte[] frame = drain(FrameWriter.text(ALLOC, new String(Utf8Cases.KOSME, StandardCharsets.UTF_8)));

        assertThat(hex(frame)).isEqualTo("810b" + hex(Utf8Cases.KOSME));
    }

    @Test
    void writesALongTextWithA64BitLength() {
        String text = "x".repeat(70_000);

        byte[] frame = drain(FrameWriter.text(ALLOC, text));

        assertThat(hex(Arrays.copyOf(frame, 10))).isEqualTo("817f0000000000011170");
        assertThat(frame).hasSize(10 + 70_000);
    }

    @Test
    void copiesASmallPayloadBehindTheHeaderAndReleasesIt() {
        ByteBuf payload = ALLOC.buffer().writeBytes(utf8("small"));

        byte[] frame = drain(FrameWriter.frame(ALLOC, Opcode.BINARY, true, payload));

        assertThat(hex(frame)).isEqualTo("c205" + hex(utf8("small")));
        assertThat(payload.refCnt()).as("payload released").isZero();
    }

    @Test
    void composesALargePayloadWithoutCopyingAndReleasesItWithTheFrame() {
        byte[] bytes = Frames.pattern(FrameWriter.COPY_THRESHOLD + 1);
        ByteBuf payload = ALLOC.buffer().writeBytes(bytes);

        ByteBuf frame = FrameWriter.frame(ALLOC, Opcode.BINARY, false, payload);
        assertThat(payload.refCnt()).as("payload owned by the frame").isEqualTo(1);
        byte[] wire = drain(frame);

        assertThat(Arrays.equals(wire, concat(hex("82 7e 04 01"), bytes)))
                .as("header + payload")
                .isTrue();
        assertThat(payload.refCnt()).as("payload released with the frame").isZero();
    }

    @Test
    void copiesALargeHeapPayloadBehindTheHeaderIntoOneDirectBuffer() {
        byte[] bytes = Frames.pattern(64 * 1024);
        ByteBuf payload = Unpooled.wrappedBuffer(bytes);

        ByteBuf frame = FrameWriter.frame(ALLOC, Opcode.BINARY, false, payload);

        assertThat(payload.refCnt()).as("payload released once copied").isZero();
        assertThat(frame.isDirect())
                .as("direct: the epoll write takes it without another copy")
                .isTrue();
        assertThat(frame.nioBufferCount()).as("one buffer").isEqualTo(1);
        assertThat(Arrays.equals(drain(frame), concat(hex("82 7f 00 00 00 00 00 01 00 00"), bytes)))
                .as("header + payload")
                .isTrue();
    }

    /** A heap header in front of a direct payload made the epoll write copy the whole frame (issue #16, item 9). */
    @Test
    void buildsFramesInDirectMemoryEvenWhenTheAllocatorPrefersHeap() {
        ByteBufAllocator heapFirst = new UnpooledByteBufAllocator(false);
        ByteBuf large = FrameWriter.frame(
                heapFirst,
                Opcode.BINARY,
                false,
                Unpooled.directBuffer().writeBytes(new byte[FrameWriter.COPY_THRESHOLD + 1]));
        ByteBuf[] frames = {
            large,
            FrameWriter.frame(heapFirst, Opcode.BINARY, false, Unpooled.wrappedBuffer(utf8("small"))),
            FrameWriter.text(heapFirst, "text"),
            FrameWriter.control(heapFirst, Opcode.PING, Unpooled.EMPTY_BUFFER),
            FrameWriter.close(heapFirst, 1000, "bye")
        };
        for (ByteBuf frame : frames) {
            assertThat(frame.isDirect()).as("%s", frame).isTrue();
            frame.release();
        }
    }

    @Test
    void copiesAControlPayloadAndLeavesItToTheCaller() {
        ByteBuf payload = Unpooled.wrappedBuffer(utf8("ping!"));
        try {
            byte[] frame = drain(FrameWriter.control(ALLOC, Opcode.PONG, payload));

            assertThat(hex(frame)).isEqualTo("8a05" + hex(utf8("ping!")));
            assertThat(payload.refCnt()).isEqualTo(1);
            assertThat(payload.readerIndex()).isZero();
        } finally {
            payload.release();
        }
    }

    @Test
    void writesAnEmptyCloseForNoStatus() {
        assertThat(hex(drain(FrameWriter.close(ALLOC, CloseCodes.NO_STATUS, "ignored"))))
                .isEqualTo("8800");
    }

    @Test
    void writesTheCodeAndReason() {
        assertThat(hex(drain(FrameWriter.close(ALLOC, 1001, "bye")))).isEqualTo("880503e9" + hex(utf8("bye")));
    }

    @Test
    void writesTheCodeAloneForAnEmptyOrMissingReason() {
        assertThat(hex(drain(FrameWriter.close(ALLOC, 1000, "")))).isEqualTo("880203e8");
        assertThat(hex(drain(FrameWriter.close(ALLOC, 1000, null)))).isEqualTo("880203e8");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "ASCII (1 byte each), a, 200, 123",
        "é (2 bytes each), é, 100, 122",
        "€ (3 bytes each; 41 fill 123 exactly), €, 50, 123",
        "😀 (4 bytes each), 😀, 40, 120",
        "just fits, a, 123, 123",
        "short, a, 10, 10"
    })
    void truncatesTheReasonOnACharacterBoundaryTo123Bytes(String what, String unit, int repeat, int expectedBytes) {
        String reason = unit.repeat(repeat);

        byte[] frame = drain(FrameWriter.close(ALLOC, 1000, reason));

        byte[] sent = Arrays.copyOfRange(frame, 4, frame.length);
        assertThat(frame[1]).as("payload length").isEqualTo((byte) (2 + expectedBytes));
        assertThat(sent).hasSize(expectedBytes);
        assertThat(new String(sent, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8))
                .as("valid UTF-8")
                .isEqualTo(sent);
        assertThat(reason).startsWith(new String(sent, StandardCharsets.UTF_8));
    }

    @Test
    void truncatesAMixedReasonBeforeTheCharacterThatDoesNotFit() {
        String reason = "a" + "€".repeat(50); // 1 + 40 * 3 = 121 bytes fit; the 41st € would end at byte 124

        byte[] frame = drain(FrameWriter.close(ALLOC, 1000, reason));

        assertThat(frame).hasSize(4 + 121);
    }

    /** Constants live as long as the server, so these are static too: a collected one would be reported as leaked. */
    private static final ByteBuf HEARTBEAT = FrameWriter.constant(Opcode.PING, utf8("hb"));

    private static final ByteBuf EMPTY_PING = FrameWriter.constant(Opcode.PING, new byte[0]);

    @Test
    void makesAConstantThatSurvivesEveryRelease() {
        assertThat(hex(ByteBufUtil.getBytes(HEARTBEAT))).isEqualTo("8902" + hex(utf8("hb")));
        ByteBuf written = HEARTBEAT.duplicate();

        assertThat(written.release())
                .as("release of a written duplicate frees nothing")
                .isFalse();
        assertThat(HEARTBEAT.release()).isFalse();
        assertThat(HEARTBEAT.refCnt()).isEqualTo(1);
        assertThat(hex(ByteBufUtil.getBytes(HEARTBEAT))).as("content unchanged").isEqualTo("8902" + hex(utf8("hb")));
    }

    @Test
    void givesEachDuplicateOfAConstantItsOwnIndices() {
        ByteBuf first = EMPTY_PING.duplicate();
        ByteBuf second = EMPTY_PING.duplicate();

        first.skipBytes(2); // as a write to one connection would consume it

        assertThat(first.readableBytes()).isZero();
        assertThat(second.readableBytes()).isEqualTo(2);
        assertThat(EMPTY_PING.readableBytes()).isEqualTo(2);
        assertThat(hex(ByteBufUtil.getBytes(second))).isEqualTo("8900");
    }

    @Test
    void makesConstantsInDirectMemoryForTheSocketWrite() {
        assertThat(EMPTY_PING.isDirect()).isTrue();
    }
}
