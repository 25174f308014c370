package dev.throng.core.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
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
    /** What the buffer the last inflate returned holds: {@link #inflatedCapacity}. */
    private long inflatedCapacity;

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
     * <p>The output is never grown by reallocation, which copies what was inflated so far (issue #16, item 9: an
     * echoed 64 KiB message of JSON that came compressed to 8.7 KiB had 35 KiB copied that way; 1 MiB of zeros was
     * reallocated 8 times). It goes into one direct buffer sized by a guess and, when the guess was short, into further
     * buffers sized by the ratio seen so far, returned together as a {@link CompositeByteBuf}; {@link
     * #inflatedCapacity} tells what the result holds.
     *
     * @param maxSize the largest inflated size allowed; inflation stops as soon as it is passed, so a "zip bomb"
     *     costs at most {@code maxSize + 1} bytes
     * @return a new direct buffer (or a composite of them) owned by the caller
     * @throws InflateException with {@link CloseReason#MESSAGE_TOO_LARGE} or {@link CloseReason#INVALID_COMPRESSED_DATA}
     */
    public ByteBuf inflate(ByteBufAllocator alloc, ByteBuf compressed, int maxSize) throws InflateException {
        if (inflater == null) {
            inflater = new Inflater(true);
        }
        inflater.reset();
        int input = compressed.readableBytes() + TAIL.length;
        int initial = (int) Math.min((long) maxSize + 1, Math.max(256L, compressed.readableBytes() * 4L));
        Output out = new Output(alloc.directBuffer(initial, initial));
        try {
            for (ByteBuffer chunk : compressed.nioBuffers()) {
                inflater.setInput(chunk);
                drain(alloc, out, input, maxSize);
            }
            inflater.setInput(TAIL);
            drain(alloc, out, input, maxSize);
            ByteBuf plain = out.finish();
            inflatedCapacity = out.capacity;
            return plain;
        } catch (DataFormatException e) {
            out.release();
            throw new InflateException(CloseReason.INVALID_COMPRESSED_DATA);
        } catch (InflateException | RuntimeException | Error e) {
            out.release();
            throw e;
        }
    }

    /**
     * The bytes of memory the buffer the last {@link #inflate} returned holds, for the memory budget: its capacity, or
     * its parts' capacities when it is a composite (a composite shows only their written bytes).
     */
    public long inflatedCapacity() {
        return inflatedCapacity;
    }

    /** The inflated message so far: full parts in a composite (made when a second part is needed), and the last. */
    private static final class Output {
        CompositeByteBuf full;
        ByteBuf last;
        int size;
        long capacity;

        Output(ByteBuf first) {
            last = first;
            capacity = first.capacity();
        }

        void next(ByteBufAllocator alloc, int capacity) {
            if (full == null) {
                full = alloc.compositeDirectBuffer(Integer.MAX_VALUE); // never consolidated: that is a copy too
            }
            full.addComponent(true, last);
            last = null; // the composite owns it now: release() must not release it twice if the allocation fails
            last = alloc.directBuffer(capacity, capacity);
            this.capacity += capacity;
        }

        ByteBuf finish() {
            if (full == null) {
                return last;
            }
            if (last.isReadable()) {
                full.addComponent(true, last);
            } else {
                capacity -= last.capacity();
                last.release();
            }
            last = null;
            return full;
        }

        void release() {
            if (full != null) {
                full.release();
            }
            if (last != null) {
                last.release();
            }
        }
    }

    private void drain(ByteBufAllocator alloc, Output out, int input, int maxSize)
            throws DataFormatException, InflateException {
        while (!inflater.needsInput() && !inflater.finished()) {
            if (out.size > maxSize) {
                throw new InflateException(CloseReason.MESSAGE_TOO_LARGE);
            }
            if (!out.last.isWritable()) {
                out.next(alloc, nextCapacity(out.size, input, maxSize));
            }
            ByteBuf last = out.last;
            int n = inflater.inflate(last.internalNioBuffer(last.writerIndex(), last.writableBytes()));
            last.writerIndex(last.writerIndex() + n);
            out.size += n;
            if (n == 0 && inflater.needsDictionary()) {
                throw new DataFormatException("preset dictionary");
            }
        }
        if (out.size > maxSize) {
            throw new InflateException(CloseReason.MESSAGE_TOO_LARGE);
        }
    }

    /**
     * The next part's size when {@code produced} bytes came from the input read so far: the rest of the input at the
     * same ratio, an eighth more; at least as much again as produced (so a bad guess still makes few parts); at most up
     * to {@code maxSize + 1} in all, where inflation stops.
     */
    private int nextCapacity(int produced, int input, int maxSize) {
        long read = Math.max(1, inflater.getBytesRead());
        long guess = produced * Math.max(0, input - read) / read;
        long capacity = Math.max(guess + guess / 8 + 256, produced);
        return (int) Math.min(capacity, (long) maxSize + 1 - produced);
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
