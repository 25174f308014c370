package dev.throng.core.codec;

import static dev.throng.core.codec.Frames.concat;
import static dev.throng.core.codec.Frames.hex;
import static dev.throng.core.codec.Frames.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link MessageDeflate} against {@code java.util.zip} as the peer, RFC 7692's examples, and a zip bomb. */
class MessageDeflateTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
    /** One zlib pair for the whole class, as one event loop has: every message is independent of the last. */
    private static final MessageDeflate ZLIB = new MessageDeflate();

    private static final byte[] TAIL = hex("00 00 ff ff");
    private static final int MIB = 1 << 20;

    // ---- the peer: java.util.zip as a client would use it (RFC 7692 §7.2.1) ---------------------------------------

    /** Compresses like a permessage-deflate sender: raw deflate, SYNC_FLUSH, the trailing 00 00 ff ff removed. */
    static byte[] peerDeflate(byte[] data) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        try {
            deflater.setInput(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            int n;
            do {
                n = deflater.deflate(chunk, 0, chunk.length, Deflater.SYNC_FLUSH);
                out.write(chunk, 0, n);
            } while (n == chunk.length);
            byte[] all = out.toByteArray();
            assertThat(Arrays.copyOfRange(all, all.length - 4, all.length)).isEqualTo(TAIL);
            return Arrays.copyOf(all, all.length - 4);
        } finally {
            deflater.end();
        }
    }

    /** Inflates like a permessage-deflate receiver: the tail appended back. */
    static byte[] peerInflate(byte[] compressed) throws DataFormatException {
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(concat(compressed, TAIL));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            while (!inflater.finished() && !inflater.needsInput()) {
                int n = inflater.inflate(chunk);
                out.write(chunk, 0, n);
            }
            return out.toByteArray();
        } finally {
            inflater.end();
        }
    }

    // ---- drivers ------------------------------------------------------------------------------------------------

    private static byte[] inflate(byte[] compressed, int maxSize) throws MessageDeflate.InflateException {
        return inflate(ALLOC, Unpooled.wrappedBuffer(compressed), maxSize);
    }

    /** Inflates {@code compressed} (released here) and returns the bytes. */
    private static byte[] inflate(ByteBufAllocator alloc, ByteBuf compressed, int maxSize)
            throws MessageDeflate.InflateException {
        try {
            ByteBuf out = ZLIB.inflate(alloc, compressed, maxSize);
            try {
                return ByteBufUtil.getBytes(out);
            } finally {
                out.release();
            }
        } finally {
            compressed.release();
        }
    }

    /** Compresses with {@link MessageDeflate#deflate}; {@code null} when it declined. */
    private static byte[] deflate(byte[] data) {
        ByteBuf payload = Unpooled.wrappedBuffer(data);
        try {
            ByteBuf out = ZLIB.deflate(ALLOC, payload);
            assertThat(payload.readerIndex()).as("payload not consumed").isZero();
            if (out == null) {
                return null;
            }
            try {
                return ByteBufUtil.getBytes(out);
            } finally {
                out.release();
            }
        } finally {
            payload.release();
        }
    }

    private static byte[] text(int length) {
        StringBuilder sb = new StringBuilder();
        Random random = new Random(length);
        String[] words = {"the ", "quick ", "brown ", "fox ", "jumps ", "over ", "lazy ", "dog ", "κόσμε ", "\n"};
        while (sb.length() < length) {
            sb.append(words[random.nextInt(words.length)]);
        }
        return Arrays.copyOf(utf8(sb.toString()), length);
    }

    private static byte[] random(int length) {
        byte[] b = new byte[length];
        new Random(length).nextBytes(b);
        return b;
    }

    // ---- interoperability -----------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} bytes of text")
    @ValueSource(ints = {1, 5, 100, 10_000, 300_000})
    void inflatesWhatThePeerCompressed(int length) throws Exception {
        byte[] data = text(length);

        byte[] inflated = inflate(peerDeflate(data), MIB);

        assertThat(Arrays.equals(inflated, data))
                .as("inflated equals the original")
                .isTrue();
    }

    @Test
    void inflatesIncompressibleDataThePeerCompressedAnyway() throws Exception {
        byte[] data = random(50_000);

        assertThat(Arrays.equals(inflate(peerDeflate(data), MIB), data))
                .as("inflated equals the original")
                .isTrue();
    }

    @ParameterizedTest(name = "{0} bytes of text")
    @ValueSource(ints = {64, 100, 10_000, 300_000})
    void compressesSoThePeerInflates(int length) throws Exception {
        byte[] data = text(length);

        byte[] compressed = deflate(data);

        assertThat(compressed).isNotNull();
        assertThat(compressed.length).isLessThan(length);
        assertThat(Arrays.equals(peerInflate(compressed), data))
                .as("peer-inflated equals the original")
                .isTrue();
    }

    @Test
    void roundTripsThroughItself() throws Exception {
        byte[] data = text(123_456);

        assertThat(Arrays.equals(inflate(deflate(data), MIB), data))
                .as("round trip")
                .isTrue();
    }

    @ParameterizedTest(name = "RFC 7692 §{0}")
    @CsvSource({
        "7.2.3.1 a message in one compressed block, f2 48 cd c9 c9 07 00",
        "7.2.3.3 a block with no compression, 00 05 00 fa ff 48 65 6c 6c 6f 00",
        "7.2.3.4 a block with BFINAL set, f3 48 cd c9 c9 07 00 00",
        "7.2.3.5 two blocks in one message, f2 48 05 00 00 00 ff ff ca c9 c9 07 00",
        "7.2.3.6 an empty last fragment, f2 48 cd c9 c9 07 00 00 00 ff ff 00"
    })
    void inflatesTheExamplesOfRfc7692(String section, String compressed) throws Exception {
        assertThat(inflate(hex(compressed), MIB)).isEqualTo(utf8("Hello"));
    }

    @Test
    void inflatesAMessageSpreadOverSeveralBuffers() throws Exception {
        byte[] compressed = peerDeflate(text(5000));
        int third = compressed.length / 3;
        CompositeByteBuf composite = Unpooled.compositeBuffer();
        composite.addComponents(
                true,
                Unpooled.wrappedBuffer(Arrays.copyOfRange(compressed, 0, third)),
                Unpooled.wrappedBuffer(Arrays.copyOfRange(compressed, third, 2 * third)),
                Unpooled.wrappedBuffer(Arrays.copyOfRange(compressed, 2 * third, compressed.length)));
        assertThat(composite.nioBufferCount()).isEqualTo(3);

        byte[] inflated = inflate(ALLOC, composite, MIB);

        assertThat(Arrays.equals(inflated, text(5000)))
                .as("inflated equals the original")
                .isTrue();
    }

    @Test
    void inflatesEachMessageOnItsOwnWithoutContextTakeover() throws Exception {
        byte[] first = text(1000);
        byte[] second = utf8("a different message");

        assertThat(Arrays.equals(inflate(peerDeflate(first), MIB), first)).isTrue();
        assertThat(inflate(peerDeflate(second), MIB)).isEqualTo(second);
        assertThat(inflate(peerDeflate(second), MIB))
                .as("again, from a reset context")
                .isEqualTo(second);
    }

    @Test
    void inflatesTheNextMessageAfterAFailedOne() throws Exception {
        assertThatThrownBy(() -> inflate(hex("07 ff ff"), MIB)).isInstanceOf(MessageDeflate.InflateException.class);

        assertThat(inflate(hex("f2 48 cd c9 c9 07 00"), MIB)).isEqualTo(utf8("Hello"));
    }

    // ---- empty and incompressible messages ------------------------------------------------------------------------

    @Test
    void inflatesAnEmptyMessage() throws Exception {
        assertThat(inflate(new byte[0], MIB)).isEmpty();
        assertThat(inflate(hex("00"), MIB)).as("RFC 7692 §7.2.3.6: a single 00").isEmpty();
        assertThat(inflate(peerDeflate(new byte[0]), MIB))
                .as("what the peer sends for an empty message")
                .isEmpty();
    }

    @Test
    void declinesToCompressAnEmptyMessage() {
        assertThat(deflate(new byte[0])).isNull();
    }

    @ParameterizedTest(name = "{0} random bytes")
    @ValueSource(ints = {1, 10, 1000, 100_000})
    void declinesToCompressIncompressibleData(int length) {
        assertThat(deflate(random(length))).isNull();
    }

    @Test
    void compressesALargeMessageWhoseStartIsIncompressibleNoFurtherThanItsSample() {
        // Random first 4 KiB, then a megabyte of one letter: the sample says no, so the whole is not tried.
        byte[] data = new byte[1 << 20];
        System.arraycopy(random(MessageDeflate.SAMPLE), 0, data, 0, MessageDeflate.SAMPLE);
        java.util.Arrays.fill(data, MessageDeflate.SAMPLE, data.length, (byte) 'a');
        assertThat(deflate(data)).as("declined on the sample").isNull();
    }

    @Test
    void compressesALargeCompressibleMessageThatPassesItsSample() throws Exception {
        byte[] data = text(1 << 20);
        byte[] compressed = deflate(data);
        assertThat(compressed).isNotNull().hasSizeLessThan(data.length / 4);
        assertThat(inflate(compressed, data.length)).isEqualTo(data);
    }

    // ---- limits and bad input -------------------------------------------------------------------------------------

    @Test
    void inflatesAMessageOfExactlyMaxSize() throws Exception {
        byte[] data = text(64 * 1024);

        assertThat(inflate(peerDeflate(data), data.length)).hasSize(data.length);
    }

    @Test
    void rejectsAMessageOneByteOverMaxSize() {
        byte[] compressed = peerDeflate(text(64 * 1024 + 1));

        MessageDeflate.InflateException e =
                catchThrowableOfType(MessageDeflate.InflateException.class, () -> inflate(compressed, 64 * 1024));

        assertThat(e.reason()).isEqualTo(CloseReason.MESSAGE_TOO_LARGE);
        assertThat(e.reason().code()).isEqualTo(1009);
        assertThat(e.getMessage()).isEqualTo("MESSAGE_TOO_LARGE");
    }

    /**
     * Issue #16, item 9: an inflated message larger than the first guess (four times the compressed size) goes into
     * further buffers, not into one grown by reallocation, which copies everything inflated so far.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"events", "zeros"})
    void inflatesAMessageLargerThanItsFirstGuessWithoutCopying(String data) throws Exception {
        byte[] plain = data.equals("zeros") ? new byte[MIB] : events(64 * 1024);
        byte[] compressed = peerDeflate(plain);
        assertThat(plain.length).as("inflates to more than the first guess").isGreaterThan(4 * compressed.length);
        TrackingAllocator alloc = new TrackingAllocator();

        byte[] inflated = inflate(alloc, Unpooled.wrappedBuffer(compressed), MIB);

        assertThat(Arrays.equals(inflated, plain)).as("round trip").isTrue();
        assertThat(alloc.resized).as("buffers resized (copied) while inflating").isZero();
        assertThat(alloc.live).as("buffers left unreleased").isZero();
        assertThat(ZLIB.inflatedCapacity())
                .as("capacity counted for the memory budget")
                .isBetween((long) plain.length, 2L * plain.length);
    }

    /** Events as a real-time server carries them: about a seventh of their size once compressed. */
    private static byte[] events(int size) {
        StringBuilder sb = new StringBuilder(size + 100);
        for (int i = 0; sb.length() < size; i++) {
            sb.append("{\"event\":\"price\",\"seq\":")
                    .append(i)
                    .append(",\"bid\":")
                    .append(100 + i * 31 % 97)
                    .append('}');
        }
        sb.setLength(size);
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void stopsAZipBombAtMaxSizeWithoutAllocatingMore() {
        byte[] bomb = zeroBomb(100 * MIB);
        assertThat(bomb.length).as("100 MiB of zeros compress to about 100 KiB").isLessThan(200 * 1024);
        TrackingAllocator alloc = new TrackingAllocator();

        MessageDeflate.InflateException e = catchThrowableOfType(
                MessageDeflate.InflateException.class, () -> inflate(alloc, Unpooled.wrappedBuffer(bomb), MIB));

        assertThat(e.reason()).isEqualTo(CloseReason.MESSAGE_TOO_LARGE);
        assertThat(alloc.largestCapacity)
                .as("largest buffer capacity while inflating")
                .isLessThanOrEqualTo(MIB + 1);
        assertThat(alloc.live).as("buffers left unreleased").isZero();
    }

    /** {@code size} zero bytes compressed as one message, without holding them in memory. */
    private static byte[] zeroBomb(int size) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            byte[] zeros = new byte[64 * 1024];
            byte[] chunk = new byte[64 * 1024];
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int fed = 0; fed < size; fed += zeros.length) {
                deflater.setInput(zeros);
                while (!deflater.needsInput()) {
                    out.write(chunk, 0, deflater.deflate(chunk, 0, chunk.length, Deflater.NO_FLUSH));
                }
            }
            int n;
            do {
                n = deflater.deflate(chunk, 0, chunk.length, Deflater.SYNC_FLUSH);
                out.write(chunk, 0, n);
            } while (n == chunk.length);
            byte[] all = out.toByteArray();
            return Arrays.copyOf(all, all.length - 4);
        } finally {
            deflater.end();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "reserved block type 11, 07",
        "stored block whose length check fails, 01 05 00 00 00 48 65 6c 6c 6f",
        "fixed-Huffman back-reference before the start, 03 02 00",
        "dynamic block with a broken code table, 05 e0 ff ff ff ff"
    })
    void rejectsDataThatDoesNotInflate(String what, String compressed) {
        MessageDeflate.InflateException e =
                catchThrowableOfType(MessageDeflate.InflateException.class, () -> inflate(hex(compressed), MIB));

        assertThat(e).as("an InflateException").isNotNull();
        assertThat(e.reason()).isEqualTo(CloseReason.INVALID_COMPRESSED_DATA);
        assertThat(e.reason().code()).isEqualTo(1007);
    }

    @Test
    void releasesItsOutputWhenTheDataDoesNotInflate() {
        TrackingAllocator alloc = new TrackingAllocator();

        assertThatThrownBy(() -> inflate(alloc, Unpooled.wrappedBuffer(hex("07")), MIB))
                .isInstanceOf(MessageDeflate.InflateException.class);

        assertThat(alloc.allocated).isPositive();
        assertThat(alloc.live).as("buffers left unreleased").isZero();
    }
}
