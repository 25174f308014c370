package dev.throng.gateway.auth;

import dev.throng.gateway.protocol.ErrorReply;
import dev.throng.gateway.protocol.PusherError;

/** The {@code key:signature} form of subscription and sign-in {@code auth}, checked one way for both. */
final class KeyedSignature {
    private KeyedSignature() {}

    /**
     * Null when {@code auth} is {@code key + ":" + hex(HMAC(stringToSign))} with the app's key; else the error
     * Pusher answers: {@link PusherError#INVALID_KEY} when the part before the first {@code :} is not the key (or
     * there is no {@code :}), {@link PusherError#INVALID_SIGNATURE} when the signature differs.
     *
     * @param what {@code subscription} or {@code signin}, for the message
     */
    static ErrorReply check(String appKey, Hmac hmac, String what, String auth, String stringToSign) {
        String given = auth == null ? "" : auth;
        int colon = given.indexOf(':');
        if (colon != appKey.length() || !given.startsWith(appKey)) {
            return PusherError.INVALID_KEY.reply(what, given);
        }
        String signature = given.substring(colon + 1);
        if (!hmac.verify(stringToSign, signature)) {
            return PusherError.INVALID_SIGNATURE.reply(stringToSign, signature);
        }
        return null;
    }

    static String sign(String appKey, Hmac hmac, String stringToSign) {
        return appKey + ':' + hmac.hex(stringToSign);
    }
}
