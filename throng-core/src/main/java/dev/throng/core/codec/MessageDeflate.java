package dev.throng.core.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Compresses and inflates whole permessage-deflate messages (RFC 7692 §7.2) with one zlib pair, made on first use.
 *
 * <p>Why one pair for many connections: a zlib context costs ~300 KB (deflate) and ~40 KB (inflate) of native
 * memory. Throng always negotiates no context takeover in both directions, so no message depends on an earlier one
 * and one pair per event loop serves every connection the loop owns, reset between messages. An idle connection
 * holds no zlib memory.
 *
 * <p>Not thread-safe: the server keeps one instance per event loop and uses it only there. Both directions produce
 * direct buffers, so a compressed frame is written to a socket without another copy.
 *
 * <pre>
 * MessageDeflate zlib = new MessageDeflate();
 * ByteBuf plain = zlib.inflate(alloc, compressedMessage, maxMessageSize); // caller releases plain
 * zlib.close();                                                             // frees the native contexts
 * </pre>
 */
public final class MessageDeflate implements AutoCloseable {
    /** §7.2.1: the empty stored block every flushed message ends with, removed by the sender. */
    private static final byte[] TAIL = {0x00, 0x00, (byte) 0xFF, (byte) 0xFF};
    /**
     * zlib level 1 (BEST_SPEED): on the messages real-time servers carry it compresses as well as the default level 6
     * at a tenth of the time (1 MiB of JSON events: ratio 0.097 in 1.8 ms against 0.094 in 17.4 ms, JDK 17 here), and
     * a loop that spends less time per message serves its other connections sooner.
     */
    static final int LEVEL = Deflater.BEST_SPEED;
    /**
     * Messages at least this long are tried on a sample first ({@link #SAMPLE}): deflating a mebibyte that does not
     * compress (random or already compressed bytes) costs ~18 ms for nothing, whatever the level.
     */
    static final int SAMPLE_FROM = 16 * 1024;
    /** The sample: the message's first 4 KiB, which must shrink by at least a sixteenth. */
    static final int SAMPLE = 4 * 1024;

    private Inflater inflater;
    private Deflater deflater;

    /** Thrown by {@link #inflate} with the reason to fail the connection. */
    public static final class InflateException extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient CloseReason reason;

        InflateException(CloseReason reason) {
            super(reason.id(), null, false, false);
            this.reason = reason;
        }

        public CloseReason reason() {
            return reason;
        }
    }

    /**
     * The most a deflate stream of a message of {@code size} bytes can be: zlib's {@code deflateBound} (stored blocks
     * add 5 bytes per 16 KiB at worst, plus a few bytes of framing). A peer that compresses incompressible data sends
     * that much, so the frame and message limits allow it for compressed messages (issue #17: a 1 MiB message of
     * random bytes from a browser, compressed, was refused as too large).
     */
    public static long maxCompressedSize(long size) {
        return size + (size >> 12) + (size >> 14) + (size >> 25) + 13;
    }

    /**
     * Inflates one complete compressed message (the readable bytes of {@code compressed}, not consumed).
     *
     * @param maxSize the largest inflated size allowed; inflation stops as soon as it is passed, so a "zip bomb"
     *     costs at most {@code maxSize + 1} bytes
     * @return a new direct buffer owned by the caller
     * @throws InflateException with {@link CloseReason#MESSAGE_TOO_LARGE} or {@link CloseReason#INVALID_COMPRESSED_DATA}
     */
    public ByteBuf inflate(ByteBufAllocator alloc, ByteBuf compressed, int maxSize) throws InflateException {
        if (inflater == null) {
            inflater = new Inflater(true);
        }
        inflater.reset();
        int initial = (int) Math.min((long) maxSize + 1, Math.max(256L, compressed.readableBytes() * 4L));
        ByteBuf out = alloc.directBuffer(initial);
        try {
            for (ByteBuffer chunk : compressed.nioBuffers()) {
                inflater.setInput(chunk);
                drain(out, maxSize);
            }
            inflater.setInput(TAIL);
            drain(out, maxSize);
            return out;
        } catch (DataFormatException e) {
            out.release();
            throw new InflateException(CloseReason.INVALID_COMPRESSED_DATA);
        } catch (InflateException | RuntimeException | Error e) {
            out.release();
            throw e;
        }
    }

    private void drain(ByteBuf out, int maxSize) throws DataFormatException, InflateException {
        while (!inflater.needsInput() && !inflater.finished()) {
            if (out.writerIndex() > maxSize) {
                throw new InflateException(CloseReason.MESSAGE_TOO_LARGE);
            }
            if (!out.isWritable()) {
                // capacity(), not ensureWritable(), which rounds up to a power of two: up to twice maxSize.
                int grow = Math.min(Math.max(out.capacity(), 256), maxSize + 1 - out.writerIndex());
                out.capacity(out.writerIndex() + grow);
            }
            int n = inflater.inflate(out.internalNioBuffer(out.writerIndex(), out.writableBytes()));
            out.writerIndex(out.writerIndex() + n);
            if (n == 0 && inflater.needsDictionary()) {
                throw new DataFormatException("preset dictionary");
            }
        }
        if (out.writerIndex() > maxSize) {
            throw new InflateException(CloseReason.MESSAGE_TOO_LARGE);
        }
    }

    /**
     * Compresses one message (the readable bytes of {@code payload}, not consumed) and removes the trailing
     * {@code 00 00 ff ff} (§7.2.1).
     *
     * @return a new direct buffer owned by the caller, or {@code null} when compression would not make it smaller
     */
    public ByteBuf deflate(ByteBufAllocator alloc, ByteBuf payload) {
        if (deflater == null) {
            deflater = new Deflater(LEVEL, true);
        }
        int length = payload.readableBytes();
        if (length >= SAMPLE_FROM && !sampleShrinks(alloc, payload)) {
            return null;
        }
        deflater.reset();
        ByteBuf out = alloc.directBuffer(length + 16);
        try {
            for (ByteBuffer chunk : payload.nioBuffers()) {
                deflater.setInput(chunk);
                while (!deflater.needsInput()) {
                    deflateInto(out, Deflater.NO_FLUSH);
                }
            }
            // SYNC_FLUSH until zlib leaves room in the output: then everything has been written.
            do {
                deflateInto(out, Deflater.SYNC_FLUSH);
            } while (!out.isWritable());
        } catch (RuntimeException | Error e) {
            out.release();
            throw e;
        }
        int compressedLength = out.readableBytes() - TAIL.length;
        if (compressedLength >= length) {
            out.release();
            return null;
        }
        out.writerIndex(compressedLength);
        return out;
    }

    /** Whether the first {@link #SAMPLE} bytes of {@code payload} deflate to at most fifteen sixteenths. */
    private boolean sampleShrinks(ByteBufAllocator alloc, ByteBuf payload) {
        deflater.reset();
        ByteBuf out = alloc.directBuffer(SAMPLE + 64);
        try {
            deflater.setInput(payload.nioBuffer(payload.readerIndex(), SAMPLE));
            do {
                deflateInto(out, Deflater.SYNC_FLUSH);
            } while (!out.isWritable());
            return out.readableBytes() <= SAMPLE - SAMPLE / 16;
        } finally {
            out.release();
        }
    }

    private void deflateInto(ByteBuf out, int flush) {
        if (!out.isWritable()) {
            out.ensureWritable(Math.max(64, out.capacity() / 2));
        }
        int n = deflater.deflate(out.internalNioBuffer(out.writerIndex(), out.writableBytes()), flush);
        out.writerIndex(out.writerIndex() + n);
    }

    /** Frees the native zlib contexts; the instance may be used again afterwards (it makes new ones). */
    @Override
    public void close() {
        if (inflater != null) {
            inflater.end();
            inflater = null;
        }
        if (deflater != null) {
            deflater.end();
            deflater = null;
        }
    }
}
