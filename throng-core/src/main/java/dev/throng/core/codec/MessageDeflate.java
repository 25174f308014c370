package dev.throng.core.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;

import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Compresses and inflates whole permessage-deflate messages (RFC 7692 §7.2) with one zlib context per thread.
 *
 * <p>Why per thread: a zlib context costs ~300 KB (deflate) and ~40 KB (inflate) of native memory. Throng always
 * negotiates no context takeover in both directions, so no message depends on an earlier one and the event loop's
 * single pair serves every connection it owns, reset between messages. An idle connection holds no zlib memory.
 *
 * <p>Call only from the thread that owns the connection (its event loop).
 */
public final class MessageDeflate {
    /** §7.2.1: the empty stored block every flushed message ends with, removed by the sender. */
    private static final byte[] TAIL = {0x00, 0x00, (byte) 0xFF, (byte) 0xFF};

    private static final FastThreadLocal<Inflater> INFLATER = new FastThreadLocal<>() {
        @Override
        protected Inflater initialValue() {
            return new Inflater(true);
        }

        @Override
        protected void onRemoval(Inflater inflater) {
            inflater.end();
        }
    };

    private static final FastThreadLocal<Deflater> DEFLATER = new FastThreadLocal<>() {
        @Override
        protected Deflater initialValue() {
            return new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        }

        @Override
        protected void onRemoval(Deflater deflater) {
            deflater.end();
        }
    };

    private MessageDeflate() {
    }

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
     * Inflates one complete compressed message (the readable bytes of {@code compressed}, not consumed).
     *
     * @param maxSize the largest inflated size allowed; inflation stops as soon as it is passed, so a "zip bomb"
     *     costs at most {@code maxSize + 1} bytes
     * @return a new buffer owned by the caller
     * @throws InflateException with {@link CloseReason#MESSAGE_TOO_LARGE} or {@link CloseReason#INVALID_COMPRESSED_DATA}
     */
    public static ByteBuf inflate(ByteBufAllocator alloc, ByteBuf compressed, int maxSize) throws InflateException {
        Inflater inflater = INFLATER.get();
        inflater.reset();
        int initial = (int) Math.min((long) maxSize + 1, Math.max(256L, compressed.readableBytes() * 4L));
        ByteBuf out = alloc.heapBuffer(initial);
        try {
            for (ByteBuffer chunk : compressed.nioBuffers()) {
                inflater.setInput(chunk);
                drain(inflater, out, maxSize);
            }
            inflater.setInput(TAIL);
            drain(inflater, out, maxSize);
            return out;
        } catch (DataFormatException e) {
            out.release();
            throw new InflateException(CloseReason.INVALID_COMPRESSED_DATA);
        } catch (InflateException e) {
            out.release();
            throw e;
        }
    }

    private static void drain(Inflater inflater, ByteBuf out, int maxSize) throws DataFormatException, InflateException {
        while (!inflater.needsInput() && !inflater.finished()) {
            if (out.writerIndex() > maxSize) {
                throw new InflateException(CloseReason.MESSAGE_TOO_LARGE);
            }
            if (!out.isWritable()) {
                // capacity(), not ensureWritable(), which rounds up to a power of two: up to twice maxSize.
                int grow = Math.min(Math.max(out.capacity(), 256), maxSize + 1 - out.writerIndex());
                out.capacity(out.writerIndex() + grow);
            }
            int n = inflater.inflate(out.array(), out.arrayOffset() + out.writerIndex(), out.writableBytes());
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
     * @return a new buffer owned by the caller, or {@code null} when compression would not make it smaller
     */
    public static ByteBuf deflate(ByteBufAllocator alloc, ByteBuf payload) {
        Deflater deflater = DEFLATER.get();
        deflater.reset();
        int length = payload.readableBytes();
        ByteBuf out = alloc.heapBuffer(length + 16);
        for (ByteBuffer chunk : payload.nioBuffers()) {
            deflater.setInput(chunk);
            while (!deflater.needsInput()) {
                deflateInto(deflater, out, Deflater.NO_FLUSH);
            }
        }
        // SYNC_FLUSH until zlib leaves room in the output: then everything has been written.
        do {
            deflateInto(deflater, out, Deflater.SYNC_FLUSH);
        } while (!out.isWritable());
        int compressedLength = out.readableBytes() - TAIL.length;
        if (compressedLength >= length) {
            out.release();
            return null;
        }
        out.writerIndex(compressedLength);
        return out;
    }

    private static void deflateInto(Deflater deflater, ByteBuf out, int flush) {
        if (!out.isWritable()) {
            out.ensureWritable(Math.max(64, out.capacity() / 2));
        }
        int n = deflater.deflate(out.array(), out.arrayOffset() + out.writerIndex(), out.writableBytes(), flush);
        out.writerIndex(out.writerIndex() + n);
    }
}
