package dev.throng.bench.client;

import dev.throng.bench.plan.TargetUrl;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Random;

/**
 * The opening handshake request for one URL (RFC 6455 §4.1), written by hand: everything but the key is encoded
 * once per URL, so a connection costs one small buffer and 24 bytes of key.
 *
 * <pre>
 * GET /path HTTP/1.1
 * Host: host:port
 * Upgrade: websocket
 * Connection: Upgrade
 * Sec-WebSocket-Version: 13
 * Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
 * </pre>
 *
 * No extensions and no subprotocols are offered, so the response must accept neither.
 */
public final class HandshakeRequest {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final byte[] END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final byte[] head;

    public HandshakeRequest(TargetUrl url) {
        this.head = ("GET " + url.path() + " HTTP/1.1\r\n"
                        + "Host: " + url.hostHeader() + "\r\n"
                        + "Upgrade: websocket\r\n"
                        + "Connection: Upgrade\r\n"
                        + "Sec-WebSocket-Version: 13\r\n"
                        + "Sec-WebSocket-Key: ")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** The request bytes with {@code key} (24 base64 characters). */
    public ByteBuf encode(ByteBufAllocator alloc, String key) {
        ByteBuf out = alloc.buffer(head.length + key.length() + END.length);
        out.writeBytes(head);
        out.writeCharSequence(key, StandardCharsets.US_ASCII);
        out.writeBytes(END);
        return out;
    }

    /** A fresh key: 16 random bytes in base64 (§4.1). */
    public static String newKey(Random random) {
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }

    /** The {@code Sec-WebSocket-Accept} a server must answer {@code key} with (§4.2.2). */
    public static String acceptFor(String key, MessageDigest sha1) {
        sha1.reset();
        byte[] digest = sha1.digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
        return Base64.getEncoder().encodeToString(digest);
    }

    /** A new SHA-1 digest; one per event loop, since digests are not thread-safe. */
    public static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }
}
