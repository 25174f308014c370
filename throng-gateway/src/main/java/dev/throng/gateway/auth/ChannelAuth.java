package dev.throng.gateway.auth;

import dev.throng.gateway.protocol.ErrorReply;
import java.util.Objects;

/**
 * The signature of a subscription to a private, encrypted or presence channel (Pusher's auth-signatures page):
 * {@code auth = key + ":" + hex(HMAC-SHA256(secret, socket_id + ":" + channel [+ ":" + channel_data]))}.
 *
 * <p>{@code channel_data} is part of the signed string whenever the subscribe carries it, on any channel type: the
 * SDKs sign it when they return it (presence always; private when the app passes custom data, which PHP allows), and
 * pusher-js forwards it only when the auth response had it, so "signed if present" is what every client sends (as
 * Reverb checks; Soketi ignores it on private channels and so refuses PHP's custom data). It is signed as the exact
 * string received, never re-serialised.
 *
 * <pre>
 * ErrorReply refused = channelAuth.verify(socketId, s.channel(), s.auth(), s.channelData());
 * if (refused != null) { connection.sendText(refused.frame()); return; }
 * </pre>
 *
 * <p>Thread-safe; one per app.
 */
public final class ChannelAuth {
    private final String key;
    private final Hmac hmac;

    /** @param key the app's key; {@code hmac} made with its secret */
    public ChannelAuth(String key, Hmac hmac) {
        this.key = Objects.requireNonNull(key, "key");
        this.hmac = Objects.requireNonNull(hmac, "hmac");
    }

    /**
     * Checks a subscribe's {@code auth}: null when it is valid, else the {@code pusher:error} to answer (code null,
     * Pusher's texts: {@code Invalid key in subscription auth data: '...'} or {@code Invalid signature: Expected HMAC
     * SHA256 hex digest of <string to sign>, but got <signature>}). The secret appears in neither.
     *
     * @param auth as the client sent it; null counts as {@code ""}
     * @param channelData as the client sent it, or null
     */
    public ErrorReply verify(String socketId, String channel, String auth, String channelData) {
        return KeyedSignature.check(key, hmac, "subscription", auth, stringToSign(socketId, channel, channelData));
    }

    /** The {@code auth} an app's auth endpoint returns for this subscription (tests, the bench). */
    public String sign(String socketId, String channel, String channelData) {
        return KeyedSignature.sign(key, hmac, stringToSign(socketId, channel, channelData));
    }

    /** {@code socket_id:channel}, then {@code :channel_data} when there is one. */
    public static String stringToSign(String socketId, String channel, String channelData) {
        String base = socketId + ':' + channel;
        return channelData == null ? base : base + ':' + channelData;
    }
}
