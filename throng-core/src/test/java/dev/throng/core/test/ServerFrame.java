package dev.throng.core.test;

import java.nio.charset.StandardCharsets;

/**
 * One frame as the server sent it, read by {@link RawWebSocketClient}.
 *
 * @param firstByte FIN, RSV and opcode bits as on the wire
 * @param masked whether the MASK bit was set (a server must never set it, §5.1)
 * @param payload the payload (unmasked)
 */
public record ServerFrame(int firstByte, boolean masked, byte[] payload) {

    public int opcode() {
        return firstByte & 0x0F;
    }

    public boolean fin() {
        return (firstByte & 0x80) != 0;
    }

    public int rsv() {
        return firstByte & 0x70;
    }

    public boolean isClose() {
        return opcode() == ClientFrames.CLOSE;
    }

    /** The close code, or 1005 for a close frame without one. */
    public int closeCode() {
        return payload.length < 2 ? 1005 : ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
    }

    public String closeReason() {
        return payload.length <= 2 ? "" : new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
    }

    public String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** Short, never the payload itself: assertion messages must stay small. */
    @Override
    public String toString() {
        return "ServerFrame[opcode=0x" + Integer.toHexString(opcode()) + ", fin=" + fin() + ", rsv=0x"
                + Integer.toHexString(rsv()) + ", masked=" + masked + ", length=" + payload.length
                + (isClose() ? ", close " + closeCode() + " '" + closeReason() + "'" : "") + "]";
    }
}
