package dev.throng.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.throng.core.codec.CloseReason;
import dev.throng.core.codec.FrameLimits;
import dev.throng.core.codec.FrameParser;
import dev.throng.core.codec.FrameSink;
import dev.throng.core.codec.MessageDeflate;
import dev.throng.core.codec.TrackingAllocator;
import dev.throng.core.codec.Utf8Validator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes {@link FrameParser} the way a connection drives it: reads split at fuzzer-chosen points, cumulated while a
 * frame is incomplete, every complete message assembled and (when compressed) inflated by {@link MessageDeflate}.
 *
 * <p>Input layout: byte 0 bit 0 = permessage-deflate negotiated; byte 1 (low 3 bits) = number of extra read
 * boundaries n; the next n bytes = the length of each of those reads minus one; the rest = the bytes on the wire.
 *
 * <p>Checks, for every input: nothing escapes the parser but a verdict; what is left unread after {@code null} is one
 * incomplete frame (parsing it again changes nothing); the frames and verdict do not depend on where the reads were
 * split (compared with one read of everything); every buffer allocated is released.
 */
class FrameParserFuzzTest {
    @BeforeAll
    static void configureJazzer() {
        FuzzMode.configure();
    }

    /** Small limits, so the fuzzer reaches them. */
    private static final FrameLimits LIMITS = new FrameLimits(4096, 16384);
    /** The zlib pair of this fuzzing thread, as an event loop has one. */
    private static final ThreadLocal<MessageDeflate> ZLIB_PER_THREAD = ThreadLocal.withInitial(MessageDeflate::new);
    /** The longest header: 2 bytes, an 8-byte length, a 4-byte masking key. */
    private static final int MAX_HEADER = 14;

    @FuzzTest(maxDuration = "60s")
    void parsesArbitraryReadsAsOneRead(byte[] data) throws Throwable {
        FuzzMode.run(() -> check(data));
    }

    private static void check(byte[] data) {
        if (data.length < 2) {
            return;
        }
        boolean deflate = (data[0] & 1) != 0;
        int splits = data[1] & 7;
        int start = Math.min(data.length, 2 + splits);
        byte[] wire = Arrays.copyOfRange(data, start, data.length);
        List<byte[]> reads = new ArrayList<>();
        int offset = 0;
        for (int i = 2; i < start && offset < wire.length; i++) {
            int n = Math.min(wire.length - offset, (data[i] & 0xFF) + 1);
            reads.add(Arrays.copyOfRange(wire, offset, offset + n));
            offset += n;
        }
        if (offset < wire.length) {
            reads.add(Arrays.copyOfRange(wire, offset, wire.length));
        }

        TrackingAllocator alloc = new TrackingAllocator();
        Run split = run(alloc, deflate, reads);
        Run whole = run(alloc, deflate, List.of(wire));

        assertThat(alloc.live).as("buffers not released").isZero();
        assertThat(split.verdict).as("verdict when split").isEqualTo(whole.verdict);
        assertThat(split.events).as("frames when split").isEqualTo(whole.events);
    }

    /** What one run delivered: the messages and control frames, in order, and the verdict. */
    private record Run(List<String> events, CloseReason verdict) {}

    /** Feeds {@code reads} as a connection's reads would arrive, cumulating as WebSocketSession does. */
    private static Run run(ByteBufAllocator alloc, boolean deflate, List<byte[]> reads) {
        FrameParser parser = new FrameParser(LIMITS);
        InflatingSink sink = new InflatingSink(alloc, LIMITS.maxMessageSize());
        ByteBuf cumulation = null;
        CloseReason verdict = null;
        try {
            for (byte[] read : reads) {
                ByteBuf in = alloc.heapBuffer(read.length).writeBytes(read);
                ByteBuf buf =
                        cumulation == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(alloc, cumulation, in);
                cumulation = null;
                try {
                    verdict = parser.parse(buf, sink, deflate);
                    if (verdict != null || sink.closed) {
                        break;
                    }
                    checkOnlyAnIncompleteFrameIsLeft(parser, sink, buf, deflate);
                } finally {
                    if (verdict == null && !sink.closed && buf.isReadable()) {
                        cumulation = buf;
                    } else {
                        buf.release();
                    }
                }
            }
        } finally {
            if (cumulation != null) {
                cumulation.release();
            }
            sink.release();
        }
        return new Run(sink.events, verdict);
    }

    private static void checkOnlyAnIncompleteFrameIsLeft(
            FrameParser parser, InflatingSink sink, ByteBuf buf, boolean deflate) {
        assertThat(buf.readableBytes()).as("unread bytes").isLessThan(MAX_HEADER + LIMITS.maxFrameSize());
        int readerIndex = buf.readerIndex();
        int events = sink.events.size();
        assertThat(parser.parse(buf, sink, deflate))
                .as("verdict when parsing the rest again")
                .isNull();
        assertThat(buf.readerIndex())
                .as("reader index after parsing the rest again")
                .isEqualTo(readerIndex);
        assertThat(sink.events).as("frames from parsing the rest again").hasSize(events);
    }

    /**
     * Assembles messages and inflates compressed ones, as the connection handler does, and records each delivery as
     * a short line.
     */
    private static final class InflatingSink implements FrameSink {
        private final ByteBufAllocator alloc;
        private final int maxMessageSize;
        final List<String> events = new ArrayList<>();
        ByteBuf fragments;
        boolean closed;

        InflatingSink(ByteBufAllocator alloc, int maxMessageSize) {
            this.alloc = alloc;
            this.maxMessageSize = maxMessageSize;
        }

        @Override
        public CloseReason onData(ByteBuf payload, boolean text, boolean first, boolean last, boolean compressed) {
            if (first) {
                assertThat(fragments)
                        .as("a message started while another was in progress")
                        .isNull();
                fragments = alloc.heapBuffer(Math.max(16, payload.readableBytes()));
            }
            assertThat(fragments).as("a continuation without a message").isNotNull();
            fragments.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
            if (!last) {
                return null;
            }
            ByteBuf message = fragments;
            fragments = null;
            try {
                ByteBuf plain = message;
                if (compressed) {
                    try {
                        plain = ZLIB_PER_THREAD.get().inflate(alloc, message, maxMessageSize);
                    } catch (MessageDeflate.InflateException e) {
                        return e.reason();
                    }
                }
                try {
                    assertThat(plain.readableBytes()).as("message size").isLessThanOrEqualTo(maxMessageSize);
                    if (text && !Utf8Validator.isValid(plain)) {
                        assertThat(compressed)
                                .as("uncompressed text that passed the parser is valid UTF-8")
                                .isTrue();
                        return CloseReason.INVALID_UTF8;
                    }
                    events.add((text ? "text " : "binary ") + describe(plain));
                    return null;
                } finally {
                    if (plain != message) {
                        plain.release();
                    }
                }
            } finally {
                message.release();
            }
        }

        @Override
        public CloseReason onPing(ByteBuf payload) {
            events.add("ping " + describe(payload));
            return null;
        }

        @Override
        public CloseReason onPong(ByteBuf payload) {
            events.add("pong " + describe(payload));
            return null;
        }

        @Override
        public CloseReason onClose(int code, ByteBuf reason) {
            assertThat(Utf8Validator.isValid(reason))
                    .as("close reason is valid UTF-8")
                    .isTrue();
            closed = true;
            events.add("close " + code + " " + describe(reason));
            return null;
        }

        void release() {
            if (fragments != null) {
                fragments.release();
                fragments = null;
            }
        }

        private static String describe(ByteBuf payload) {
            CRC32 crc = new CRC32();
            crc.update(payload.nioBuffer());
            return payload.readableBytes() + " bytes, crc " + Long.toHexString(crc.getValue());
        }
    }
}
