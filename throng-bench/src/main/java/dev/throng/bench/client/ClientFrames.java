package dev.throng.bench.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Encodes the frames a client sends (RFC 6455 §5.2): always FIN, always masked (§5.3). Stateless.
 *
 * <p>Masking keys come from the caller; the bench uses {@code ThreadLocalRandom}, which is enough for a load
 * generator (§10.3 asks for unpredictable keys to stop cache poisoning through intermediaries that browsers face).
 */
public final class ClientFrames {

    static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private ClientFrames() {}

    /** Bytes of the header of a masked frame with {@code payloadLength} payload bytes. */
    static int headerLength(int payloadLength) {
        return (payloadLength < 126 ? 2 : payloadLength < 65536 ? 4 : 10) + 4;
    }

    /**
     * A data message of {@code size} payload bytes that starts with {@code stamp}: as 16 lowercase hex digits then
     * {@code 'x'} filler for text, as 8 big-endian bytes then zero filler for binary.
     *
     * @param size the payload size; at least 16 for text, 8 for binary
     */
    public static ByteBuf stampedMessage(ByteBufAllocator alloc, boolean text, int size, long stamp, int mask) {
        int stampLength = text ? 16 : 8;
        if (size < stampLength) {
            throw new IllegalArgumentException("size " + size + " cannot hold a " + stampLength + "-byte stamp");
        }
        ByteBuf out = alloc.buffer(headerLength(size) + size);
        writeHeader(out, text ? ServerFrameParser.OP_TEXT : ServerFrameParser.OP_BINARY, size, mask);
        int filler = text ? 'x' : 0;
        for (int i = 0; i < size; i++) {
            int b;
            if (i < stampLength) {
                b = text ? HEX[(int) (stamp >>> (60 - 4 * i)) & 0xF] : (int) (stamp >>> (56 - 8 * i));
            } else {
                b = filler;
            }
            out.writeByte(b ^ (mask >>> (24 - 8 * (i & 3))));
        }
        return out;
    }

    /** A text message carrying {@code payload} (UTF-8 bytes), masked. */
    public static ByteBuf text(ByteBufAllocator alloc, byte[] payload, int mask) {
        ByteBuf out = alloc.buffer(headerLength(payload.length) + payload.length);
        writeHeader(out, ServerFrameParser.OP_TEXT, payload.length, mask);
        for (int i = 0; i < payload.length; i++) {
            out.writeByte(payload[i] ^ (mask >>> (24 - 8 * (i & 3))));
        }
        return out;
    }

    /** A ping whose payload is {@code stamp} as 8 big-endian bytes, so the pong tells the round trip. */
    public static ByteBuf stampedPing(ByteBufAllocator alloc, long stamp, int mask) {
        ByteBuf out = alloc.buffer(headerLength(8) + 8);
        writeHeader(out, ServerFrameParser.OP_PING, 8, mask);
        for (int i = 0; i < 8; i++) {
            out.writeByte((int) (stamp >>> (56 - 8 * i)) ^ (mask >>> (24 - 8 * (i & 3))));
        }
        return out;
    }

    /** A pong carrying {@code payload} (the ping's application data, §5.5.3); {@code payload} is not released. */
    public static ByteBuf pong(ByteBufAllocator alloc, ByteBuf payload, int mask) {
        int n = payload.readableBytes();
        ByteBuf out = alloc.buffer(headerLength(n) + n);
        writeHeader(out, ServerFrameParser.OP_PONG, n, mask);
        int at = payload.readerIndex();
        for (int i = 0; i < n; i++) {
            out.writeByte(payload.getByte(at + i) ^ (mask >>> (24 - 8 * (i & 3))));
        }
        return out;
    }

    /** A close frame with {@code code} and no reason. */
    public static ByteBuf close(ByteBufAllocator alloc, int code, int mask) {
        ByteBuf out = alloc.buffer(headerLength(2) + 2);
        writeHeader(out, ServerFrameParser.OP_CLOSE, 2, mask);
        out.writeByte((code >>> 8) ^ (mask >>> 24));
        out.writeByte(code ^ (mask >>> 16));
        return out;
    }

    private static void writeHeader(ByteBuf out, int opcode, int length, int mask) {
        out.writeByte(0x80 | opcode);
        if (length < 126) {
            out.writeByte(0x80 | length);
        } else if (length < 65536) {
            out.writeByte(0x80 | 126);
            out.writeShort(length);
        } else {
            out.writeByte(0x80 | 127);
            out.writeLong(length);
        }
        out.writeInt(mask);
    }
}
