package dev.throng.core.handshake;

import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** The Sec-WebSocket-Key check and Sec-WebSocket-Accept computation of RFC 6455 §4.2.1 and §4.2.2. */
public final class AcceptKey {
    private static final byte[] GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11".getBytes(StandardCharsets.US_ASCII);

    /** One SHA-1 per thread: creating a MessageDigest per handshake costs a provider lookup. */
    private static final FastThreadLocal<MessageDigest> SHA1 = new FastThreadLocal<>() {
        @Override
        protected MessageDigest initialValue() throws NoSuchAlgorithmException {
            return MessageDigest.getInstance("SHA-1");
        }
    };

    private AcceptKey() {}

    /** Whether {@code key} is padded base64 of exactly 16 bytes (24 characters ending in "=="). */
    public static boolean isValidKey(String key) {
        if (key == null || key.length() != 24 || !key.endsWith("==")) {
            return false;
        }
        for (int i = 0; i < 22; i++) {
            char c = key.charAt(i);
            boolean base64 =
                    (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
            if (!base64) {
                return false;
            }
        }
        return true;
    }

    /** base64(SHA-1(key + GUID)). */
    public static String accept(String key) {
        MessageDigest sha1 = SHA1.get();
        sha1.update(key.getBytes(StandardCharsets.US_ASCII));
        return Base64.getEncoder().encodeToString(sha1.digest(GUID));
    }
}
