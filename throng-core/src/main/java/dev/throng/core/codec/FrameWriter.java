package dev.throng.core.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Encodes server-to-client frames (unmasked, RFC 6455 §5.1). Stateless; every method returns a new buffer that the
 * caller owns and passes to a write (which releases it).
 *
 * <p>Frames are built in {@link ByteBufAllocator#ioBuffer} (direct) memory whatever the allocator prefers, so the
 * native write takes them as they are: a heap header in front of a direct payload made the epoll write copy the whole
 * frame to direct memory (issue #16, item 9; with {@code -Dio.netty.noPreferDirect=true}, every 64 KiB echo).
 */
public final class FrameWriter {
    /** Payloads up to this size are copied behind the header into one buffer; larger ones are written as two. */
    public static final int COPY_THRESHOLD = 1024;

    private FrameWriter() {}

    /** The header length for a payload of {@code length} bytes: 2, 4 or 10. */
    public static int headerLength(int length) {
        return length <= 125 ? 2 : length <= 0xFFFF ? 4 : 10;
    }

    /**
     * Writes a frame header with FIN set.
     *
     * @param rsv1 whether to set RSV1 (a permessage-deflate compressed message)
     */
    public static void writeHeader(ByteBuf out, int opcode, boolean rsv1, int length) {
        out.writeByte(0x80 | (rsv1 ? 0x40 : 0) | opcode);
        if (length <= 125) {
            out.writeByte(length);
        } else if (length <= 0xFFFF) {
            out.writeByte(126);
            out.writeShort(length);
        } else {
            out.writeByte(127);
            out.writeLong(length);
        }
    }

    /** A complete text frame for {@code text}, encoded as UTF-8. */
    public static ByteBuf text(ByteBufAllocator alloc, CharSequence text) {
        int length = ByteBufUtil.utf8Bytes(text);
        ByteBuf out = alloc.ioBuffer(headerLength(length) + length);
        writeHeader(out, Opcode.TEXT, false, length);
        ByteBufUtil.reserveAndWriteUtf8(out, text, length);
        return out;
    }

    /**
     * A complete frame with {@code payload} (readable bytes; ownership passes to this method, which releases or
     * reuses it). Small payloads are copied behind the header; larger direct ones are composed without copying. A
     * large heap payload (an application's byte array, say) is copied behind the header once: the native write needs
     * it in direct memory anyway, and the write would otherwise copy the whole composite.
     */
    public static ByteBuf frame(ByteBufAllocator alloc, int opcode, boolean rsv1, ByteBuf payload) {
        int length = payload.readableBytes();
        int headerLength = headerLength(length);
        if (length <= COPY_THRESHOLD || !payload.isDirect()) {
            ByteBuf out = alloc.ioBuffer(headerLength + length);
            writeHeader(out, opcode, rsv1, length);
            out.writeBytes(payload, payload.readerIndex(), length);
            payload.release();
            return out;
        }
        ByteBuf header = alloc.ioBuffer(headerLength);
        writeHeader(header, opcode, rsv1, length);
        return alloc.compositeBuffer(2).addComponents(true, header, payload);
    }

    /** A ping or pong (or other control frame) carrying a copy of {@code payload}'s readable bytes (≤ 125). */
    public static ByteBuf control(ByteBufAllocator alloc, int opcode, ByteBuf payload) {
        int length = payload.readableBytes();
        ByteBuf out = alloc.ioBuffer(2 + length);
        writeHeader(out, opcode, false, length);
        out.writeBytes(payload, payload.readerIndex(), length);
        return out;
    }

    /**
     * A close frame. {@link CloseCodes#NO_STATUS} gives an empty payload; the reason is truncated on a character
     * boundary so the payload fits 125 bytes (§5.5).
     */
    public static ByteBuf close(ByteBufAllocator alloc, int code, String reason) {
        if (code == CloseCodes.NO_STATUS) {
            ByteBuf out = alloc.ioBuffer(2);
            writeHeader(out, Opcode.CLOSE, false, 0);
            return out;
        }
        byte[] reasonBytes = truncateUtf8(reason == null ? "" : reason, 123);
        ByteBuf out = alloc.ioBuffer(4 + reasonBytes.length);
        writeHeader(out, Opcode.CLOSE, false, 2 + reasonBytes.length);
        out.writeShort(code);
        out.writeBytes(reasonBytes);
        return out;
    }

    /**
     * An unreleasable frame for constants written to many connections (e.g. keepalive pings): write
     * {@code duplicate()}s of it so each write has its own indices, and never write into it.
     */
    public static ByteBuf constant(int opcode, byte[] payload) {
        ByteBuf out = Unpooled.directBuffer(2 + payload.length); // direct: written to sockets without a copy
        writeHeader(out, opcode, false, payload.length);
        out.writeBytes(payload);
        return Unpooled.unreleasableBuffer(out);
    }

    static byte[] truncateUtf8(String s, int maxBytes) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return bytes;
        }
        int end = maxBytes;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--; // back off to the start of the character that does not fit
        }
        byte[] out = new byte[end];
        System.arraycopy(bytes, 0, out, 0, end);
        return out;
    }
}
