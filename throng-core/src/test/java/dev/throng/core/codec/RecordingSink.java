package dev.throng.core.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * A {@link FrameSink} that records every frame it is given as a short line (payloads up to 32 bytes shown, longer
 * ones as length and CRC-32, so assertion messages stay short) and a copy of each payload.
 */
final class RecordingSink implements FrameSink {
    final List<String> events = new ArrayList<>();
    final List<byte[]> payloads = new ArrayList<>();
    boolean closed;
    /** The verdict {@link #onData} returns, to check that the parser passes the sink's verdicts on. */
    CloseReason dataVerdict;

    @Override
    public CloseReason onData(ByteBuf payload, boolean text, boolean first, boolean last, boolean compressed) {
        String flags = (first ? " first" : "") + (last ? " last" : "") + (compressed ? " compressed" : "");
        record((text ? "text" : "binary") + flags, payload, text && !compressed);
        return dataVerdict;
    }

    @Override
    public CloseReason onPing(ByteBuf payload) {
        record("ping", payload, false);
        return null;
    }

    @Override
    public CloseReason onPong(ByteBuf payload) {
        record("pong", payload, false);
        return null;
    }

    @Override
    public CloseReason onClose(int code, ByteBuf reason) {
        closed = true;
        record("close " + code, reason, true);
        return null;
    }

    private void record(String what, ByteBuf payload, boolean asText) {
        byte[] bytes = ByteBufUtil.getBytes(payload);
        payloads.add(bytes);
        events.add(what + " " + render(bytes, asText));
    }

    /** How a payload appears in an event line: text in quotes, bytes in hex, long payloads by length and CRC. */
    static String render(byte[] bytes, boolean asText) {
        if (bytes.length == 0) {
            return "<empty>";
        }
        if (bytes.length > 32) {
            CRC32 crc = new CRC32();
            crc.update(bytes);
            return bytes.length + " bytes, crc " + Long.toHexString(crc.getValue());
        }
        return asText ? '"' + new String(bytes, StandardCharsets.UTF_8) + '"' : Frames.hex(bytes);
    }
}
