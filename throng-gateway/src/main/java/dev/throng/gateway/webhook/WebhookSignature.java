package dev.throng.gateway.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code X-Pusher-Signature} of a webhook request: lowercase hex HMAC-SHA256 of the exact body bytes, keyed with
 * the app's secret (pusher-spec section 9). The pusher SDKs compare it case- and length-sensitively
 * ({@code secureCompare(hmacHex(secret, body), signature)}), so it is lowercase and the bytes signed are the bytes
 * sent: sign the array, then send that same array.
 *
 * <pre>
 * byte[] body = ...;
 * request.header("X-Pusher-Signature", WebhookSignature.sign(app.secret(), body)).POST(ofByteArray(body));
 * </pre>
 *
 * Stateless and thread-safe.
 */
public final class WebhookSignature {
    private static final String HMAC_SHA256 = "HmacSHA256";

    private WebhookSignature() {}

    /** Lowercase hex HMAC-SHA256 of {@code body} under {@code secret} (as UTF-8 bytes). */
    public static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance(HMAC_SHA256);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC_SHA256));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            // Every Java SE runtime ships HmacSHA256 (a required algorithm of javax.crypto.Mac).
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
