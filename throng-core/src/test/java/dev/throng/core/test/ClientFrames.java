package dev.throng.core.test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Encodes client-to-server frames byte by byte, including the ones a real client refuses to send (unmasked, reserved
 * bits, unknown opcodes, lying lengths), for {@link RawWebSocketClient}. The first byte is spelled out by the caller
 * so a test reads like the wire: {@code frame(FIN | RSV2 | TEXT, ascii("hi"))}.
 */
public final class ClientFrames {
    public static final int FIN = 0x80;
    public static final int RSV1 = 0x40;
    public static final int RSV2 = 0x20;
    public static final int RSV3 = 0x10;
    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    /** A fixed, non-zero masking key: the XOR is exercised and failures are reproducible. */
    private static final byte[] MASK = {(byte) 0x37, (byte) 0xFA, (byte) 0x21, (byte) 0x3D};

    private ClientFrames() {}

    /** A masked frame: {@code firstByte} (FIN, RSV and opcode bits) then a correctly encoded length and payload. */
    public static byte[] frame(int firstByte, byte[] payload) {
        return encode(firstByte, payload, true);
    }

    /** The same frame without the MASK bit and key (§5.1 forbids this from a client). */
    public static byte[] unmaskedFrame(int firstByte, byte[] payload) {
        return encode(firstByte, payload, false);
    }

    /**
     * Only the header of a masked frame announcing {@code length} payload bytes (with the masking key), so a test can
     * show the server judges a frame by its header before any payload arrives.
     */
    public static byte[] header(int firstByte, long length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(14);
        writeHeader(out, firstByte, length, true);
        out.writeBytes(MASK);
        return out.toByteArray();
    }

    /** A close frame with {@code code} and {@code reason} (a code outside 0-65535 is not possible on the wire). */
    public static byte[] close(int code, String reason) {
        byte[] r = utf8(reason);
        byte[] payload = new byte[2 + r.length];
        payload[0] = (byte) (code >>> 8);
        payload[1] = (byte) code;
        System.arraycopy(r, 0, payload, 2, r.length);
        return frame(FIN | CLOSE, payload);
    }

    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Bytes from ints, for invalid UTF-8 and other sequences a String cannot hold: {@code bytes(0xC0, 0xAF)}. */
    public static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /**
     * A permessage-deflate message body (RFC 7692 §7.2.1): raw deflate, sync-flushed, without the trailing
     * {@code 00 00 FF FF}.
     */
    public static byte[] deflate(byte[] plain) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            deflater.setInput(plain);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] chunk = new byte[64 * 1024];
            int n;
            do {
                n = deflater.deflate(chunk, 0, chunk.length, Deflater.SYNC_FLUSH);
                out.write(chunk, 0, n);
            } while (n == chunk.length || !deflater.needsInput());
            byte[] all = out.toByteArray();
            int end = all.length;
            if (end >= 4
                    && all[end - 4] == 0
                    && all[end - 3] == 0
                    && all[end - 2] == (byte) 0xFF
                    && all[end - 1] == (byte) 0xFF) {
                end -= 4;
            }
            byte[] body = new byte[end];
            System.arraycopy(all, 0, body, 0, end);
            return body;
        } finally {
            deflater.end();
        }
    }

    /** Inflates a permessage-deflate message body the server sent (appending the tail it removed, §7.2.2). */
    public static byte[] inflate(byte[] body) {
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(concat(body, bytes(0x00, 0x00, 0xFF, 0xFF)));
            ByteArrayOutputStream out = new ByteArrayOutputStream(body.length * 4);
            byte[] chunk = new byte[64 * 1024];
            for (; ; ) {
                int n = inflater.inflate(chunk);
                out.write(chunk, 0, n);
                if (n == 0) {
                    if (inflater.needsInput() || inflater.finished()) {
                        break;
                    }
                    throw new IllegalStateException("deflate stream needs a dictionary");
                }
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new IllegalStateException("server sent data that does not inflate", e);
        } finally {
            inflater.end();
        }
    }

    private static byte[] encode(int firstByte, byte[] payload, boolean masked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 14);
        writeHeader(out, firstByte, payload.length, masked);
        if (masked) {
            out.writeBytes(MASK);
            byte[] x = payload.clone();
            for (int i = 0; i < x.length; i++) {
                x[i] ^= MASK[i & 3];
            }
            out.writeBytes(x);
        } else {
            out.writeBytes(payload);
        }
        return out.toByteArray();
    }

    private static void writeHeader(ByteArrayOutputStream out, int firstByte, long length, boolean masked) {
        out.write(firstByte);
        int maskBit = masked ? 0x80 : 0;
        if (length <= 125) {
            out.write(maskBit | (int) length);
        } else if (length <= 0xFFFF) {
            out.write(maskBit | 126);
            out.write((int) (length >>> 8));
            out.write((int) length);
        } else {
            out.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (length >>> shift));
            }
        }
    }
}
