package dev.throng.core.codec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Builds client-to-server frames as bytes for the parser tests: masked (RFC 6455 §5.3) unless a test wants otherwise,
 * with the shortest length encoding (§5.2).
 *
 * <pre>
 * byte[] wire = Frames.concat(Frames.masked(TEXT, "Hel"), Frames.masked(FIN | CONTINUATION, "lo"));
 * </pre>
 */
final class Frames {
    static final int FIN = 0x80;
    static final int RSV1 = 0x40;
    static final int RSV2 = 0x20;
    static final int RSV3 = 0x10;
    static final int CONTINUATION = Opcode.CONTINUATION;
    static final int TEXT = Opcode.TEXT;
    static final int BINARY = Opcode.BINARY;
    static final int CLOSE = Opcode.CLOSE;
    static final int PING = Opcode.PING;
    static final int PONG = Opcode.PONG;

    /** The masking key of the examples in RFC 6455 §5.7. */
    static final byte[] KEY = {0x37, (byte) 0xfa, 0x21, 0x3d};

    private static final HexFormat HEX = HexFormat.of();

    private Frames() {}

    /** A masked frame whose first byte is {@code b0} (FIN, RSV bits, opcode) carrying {@code payload}. */
    static byte[] masked(int b0, byte[] payload) {
        return frame(b0, payload, KEY);
    }

    /** A masked frame carrying the UTF-8 bytes of {@code payload}. */
    static byte[] masked(int b0, String payload) {
        return masked(b0, utf8(payload));
    }

    /** A frame masked with {@code key}, or unmasked (MASK bit clear) when {@code key} is {@code null}. */
    static byte[] frame(int b0, byte[] payload, byte[] key) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 14);
        out.writeBytes(header(b0, payload.length, key != null));
        if (key != null) {
            out.writeBytes(key);
            byte[] masked = payload.clone();
            for (int i = 0; i < masked.length; i++) {
                masked[i] ^= key[i & 3];
            }
            out.writeBytes(masked);
        } else {
            out.writeBytes(payload);
        }
        return out.toByteArray();
    }

    /** The first bytes of a masked frame: {@code b0}, the length (shortest form) and no masking key yet. */
    static byte[] header(int b0, long length) {
        return header(b0, length, true);
    }

    private static byte[] header(int b0, long length, boolean mask) {
        int maskBit = mask ? 0x80 : 0;
        if (length <= 125) {
            return new byte[] {(byte) b0, (byte) (maskBit | length)};
        }
        if (length <= 0xFFFF) {
            return new byte[] {(byte) b0, (byte) (maskBit | 126), (byte) (length >>> 8), (byte) length};
        }
        byte[] h = new byte[10];
        h[0] = (byte) b0;
        h[1] = (byte) (maskBit | 127);
        for (int i = 0; i < 8; i++) {
            h[2 + i] = (byte) (length >>> (56 - 8 * i));
        }
        return h;
    }

    /** A masked close frame with a status code and a UTF-8 reason. */
    static byte[] close(int code, String reason) {
        return masked(FIN | CLOSE, concat(new byte[] {(byte) (code >>> 8), (byte) code}, utf8(reason)));
    }

    /** Bytes from hex digits; spaces are ignored. */
    static byte[] hex(String hex) {
        return HEX.parseHex(hex.replace(" ", ""));
    }

    static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** {@code length} bytes of a repeating, position-dependent pattern (so misplaced bytes show). */
    static byte[] pattern(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + (i >>> 8));
        }
        return b;
    }
}
