package dev.throng.bench.client;

import io.netty.buffer.ByteBuf;
import java.util.Locale;

/**
 * Checks a server's answer to the opening handshake (RFC 6455 §4.1, "the client MUST validate the server's
 * response"). Pure: text in, verdict out.
 */
public final class HandshakeResponse {

    /** Largest response head accepted; real servers send a few hundred bytes. */
    public static final int MAX_HEAD_BYTES = 8192;

    /** The verdict on a response head. */
    public record Verdict(int status, String failure) {
        /** The handshake succeeded. */
        public boolean ok() {
            return failure == null;
        }
    }

    private HandshakeResponse() {}

    /**
     * The number of readable bytes of {@code buf} that form the response head, up to and including the blank line,
     * or -1 when the head is not complete yet.
     */
    public static int headLength(ByteBuf buf) {
        int from = buf.readerIndex();
        int to = buf.writerIndex();
        for (int i = from + 3; i < to; i++) {
            if (buf.getByte(i) == '\n'
                    && buf.getByte(i - 1) == '\r'
                    && buf.getByte(i - 2) == '\n'
                    && buf.getByte(i - 3) == '\r') {
                return i + 1 - from;
            }
        }
        return -1;
    }

    /**
     * Checks {@code head} (status line and headers, CRLF separated) against the accept value expected for our key.
     * A non-101 status fails with id {@code http-NNN}; anything else wrong fails with {@code handshake-invalid}.
     */
    public static Verdict check(String head, String expectedAccept) {
        String[] lines = head.split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
            return new Verdict(0, FailureReason.HANDSHAKE_INVALID.id());
        }
        int status;
        try {
            status = Integer.parseInt(statusLine[1]);
        } catch (NumberFormatException e) {
            return new Verdict(0, FailureReason.HANDSHAKE_INVALID.id());
        }
        if (status < 100 || status > 599) {
            return new Verdict(status, FailureReason.HANDSHAKE_INVALID.id());
        }
        if (status != 101) {
            return new Verdict(status, FailureReason.httpStatus(status));
        }
        boolean upgrade = false;
        boolean connection = false;
        boolean accept = false;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "upgrade":
                    upgrade = value.equalsIgnoreCase("websocket");
                    break;
                case "connection":
                    for (String token : value.split(",")) {
                        connection |= token.trim().equalsIgnoreCase("upgrade");
                    }
                    break;
                case "sec-websocket-accept":
                    accept = value.equals(expectedAccept);
                    break;
                case "sec-websocket-extensions":
                case "sec-websocket-protocol":
                    // We offered none; accepting one is a failed handshake (§4.1, items 5 and 6).
                    return new Verdict(status, FailureReason.HANDSHAKE_INVALID.id());
                default:
                    break;
            }
        }
        return upgrade && connection && accept
                ? new Verdict(101, null)
                : new Verdict(101, FailureReason.HANDSHAKE_INVALID.id());
    }
}
