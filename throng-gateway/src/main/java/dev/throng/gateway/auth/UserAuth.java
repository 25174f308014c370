package dev.throng.gateway.auth;

import dev.throng.gateway.protocol.ErrorReply;
import java.util.Objects;

/**
 * The signature of a {@code pusher:signin} (Pusher's auth-signatures page, "user authentication"):
 * {@code auth = key + ":" + hex(HMAC-SHA256(secret, socket_id + "::user::" + user_data))}, over the exact
 * {@code user_data} string received.
 *
 * <p>Thread-safe; one per app.
 */
public final class UserAuth {
    private final String key;
    private final Hmac hmac;

    /** @param key the app's key; {@code hmac} made with its secret */
    public UserAuth(String key, Hmac hmac) {
        this.key = Objects.requireNonNull(key, "key");
        this.hmac = Objects.requireNonNull(hmac, "hmac");
    }

    /**
     * Checks a sign-in's {@code auth}: null when it is valid, else the {@code pusher:error} to answer (code null:
     * {@code Invalid key in signin auth data: '...'} or {@code Invalid signature: Expected HMAC SHA256 hex digest of
     * <string to sign>, but got <signature>}).
     */
    public ErrorReply verify(String socketId, String auth, String userData) {
        return KeyedSignature.check(key, hmac, "signin", auth, stringToSign(socketId, userData));
    }

    /** The {@code auth} an app's user-authentication endpoint returns (tests, the bench). */
    public String sign(String socketId, String userData) {
        return KeyedSignature.sign(key, hmac, stringToSign(socketId, userData));
    }

    /** {@code socket_id::user::user_data}. */
    public static String stringToSign(String socketId, String userData) {
        return socketId + "::user::" + userData;
    }
}
