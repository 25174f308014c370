package dev.throng.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 with one app's secret, as every Pusher signature uses it: over the UTF-8 bytes of a string, written
 * as lowercase hex (what Ruby's {@code hexdigest}, Node's {@code digest("hex")} and PHP's {@code hash_hmac} give),
 * and checked in constant time.
 *
 * <p>Thread-safe. Each thread that signs gets its own {@link Mac}, initialised once with the key (a
 * {@code ThreadLocal} per instance: {@code Mac.getInstance} and {@code init} cost more than a short HMAC), so make
 * one instance per app secret and keep it: apps are few, threads are the event loops and the REST workers.
 * {@link #toString()} does not show the secret.
 */
public final class Hmac {
    private static final String ALGORITHM = "HmacSHA256";
    private static final HexFormat HEX = HexFormat.of();

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

    /** @param secret the app's secret; not empty */
    public Hmac(String secret) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("an HMAC secret must not be empty");
        }
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
        newMac(); // fails here, at configuration, if the JDK lacks HmacSHA256
    }

    /**
     * The lowercase hex HMAC-SHA256 of {@code message}'s UTF-8 bytes: 64 characters. (An unpaired surrogate, which no
     * UTF-8 frame can hold, is encoded as {@code ?}, where Node writes U+FFFD: Node's signature of it would differ.)
     */
    public String hex(String message) {
        return hex(message.getBytes(StandardCharsets.UTF_8));
    }

    /** The lowercase hex HMAC-SHA256 of {@code message}. */
    public String hex(byte[] message) {
        return HEX.formatHex(macs.get().doFinal(message));
    }

    /**
     * Whether {@code signature} is the lowercase hex HMAC of {@code message}, compared in constant time (the time
     * does not tell how much of a guess was right). Null or upper case: false.
     */
    public boolean verify(String message, String signature) {
        return signature != null && constantTimeEquals(hex(message), signature);
    }

    /** Whether {@code a} and {@code b} are equal, in time that depends only on their lengths. */
    public static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is not available", e);
        }
    }

    @Override
    public String toString() {
        return "Hmac[" + ALGORITHM + ", secret=***]";
    }
}
