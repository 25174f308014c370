package dev.throng.core.transport;

import dev.throng.core.handshake.HttpReplyReason;
import dev.throng.core.handshake.UpgradeOutcome;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes the few HTTP responses the server sends, as bytes. Only these responses exist, so an
 * {@code HttpResponseEncoder} in every handshake pipeline would be a handler (and its state) for nothing.
 */
final class HttpReplies {
    private static final byte[] SWITCHING_PROTOCOLS = ascii(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ");
    private static final byte[] PROTOCOL = ascii("Sec-WebSocket-Protocol: ");
    private static final byte[] EXTENSIONS = ascii("Sec-WebSocket-Extensions: ");
    private static final byte[] CRLF = ascii("\r\n");

    private HttpReplies() {}

    /** {@code 101 Switching Protocols} for an accepted upgrade, as bytes. */
    static ByteBuf switchingProtocols(ByteBufAllocator alloc, UpgradeOutcome.Accept accept) {
        // The fixed lines are encoded once; writing the reply char by char was ~5 % of a handshake's server CPU.
        byte[] key = ascii(accept.accept());
        byte[] subprotocol = accept.subprotocol() == null ? null : ascii(accept.subprotocol());
        byte[] deflate =
                accept.deflate() == null ? null : ascii(accept.deflate().responseHeader());
        int size = SWITCHING_PROTOCOLS.length
                + key.length
                + CRLF.length
                + (subprotocol == null ? 0 : PROTOCOL.length + subprotocol.length + CRLF.length)
                + (deflate == null ? 0 : EXTENSIONS.length + deflate.length + CRLF.length)
                + CRLF.length;
        ByteBuf out = alloc.buffer(size, size);
        out.writeBytes(SWITCHING_PROTOCOLS).writeBytes(key).writeBytes(CRLF);
        if (subprotocol != null) {
            out.writeBytes(PROTOCOL).writeBytes(subprotocol).writeBytes(CRLF);
        }
        if (deflate != null) {
            out.writeBytes(EXTENSIONS).writeBytes(deflate).writeBytes(CRLF);
        }
        return out.writeBytes(CRLF);
    }

    /**
     * The bytes of a header value the server chose: the accept key (base64), a subprotocol the configuration
     * lists (a token) or the extension it composed, all ASCII.
     */
    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A plain reply with a short text body ({@code head}: without it), announcing that the connection closes. */
    static ByteBuf reply(ByteBufAllocator alloc, UpgradeOutcome.Reply reply, boolean head) {
        HttpReplyReason reason = reply.reason();
        byte[] body = (reply.message() + "\n").getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(200)
                .append("HTTP/1.1 ")
                .append(reply.status())
                .append(' ')
                .append(statusText(reply.status()))
                .append("\r\n")
                .append("Content-Type: text/plain; charset=utf-8\r\n")
                .append("Content-Length: ")
                .append(body.length)
                .append("\r\n")
                .append("Connection: close\r\n")
                .append("X-Throng-Reason: ")
                .append(reason.id())
                .append("\r\n");
        for (Map.Entry<String, String> h : reply.headers().entrySet()) {
            sb.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        sb.append("\r\n");
        ByteBuf out = ByteBufUtil.writeAscii(alloc, sb);
        if (!head) {
            out.writeBytes(body);
        }
        return out;
    }

    static String statusText(int status) {
        switch (status) {
            case 200:
                return "OK";
            case 400:
                return "Bad Request";
            case 401:
                return "Unauthorized";
            case 403:
                return "Forbidden";
            case 404:
                return "Not Found";
            case 405:
                return "Method Not Allowed";
            case 408:
                return "Request Timeout";
            case 414:
                return "URI Too Long";
            case 426:
                return "Upgrade Required";
            case 429:
                return "Too Many Requests";
            case 431:
                return "Request Header Fields Too Large";
            case 500:
                return "Internal Server Error";
            case 503:
                return "Service Unavailable";
            case 505:
                return "HTTP Version Not Supported";
            default:
                return "Error";
        }
    }
}
