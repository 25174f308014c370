package dev.throng.core.codec;

/** Close code rules of RFC 6455 §7.4. */
public final class CloseCodes {
    /** §7.4.1: the close frame had no status code. Never sent on the wire. */
    public static final int NO_STATUS = 1005;
    /** §7.4.1: the connection closed without a close frame. Never sent on the wire. */
    public static final int ABNORMAL = 1006;

    private CloseCodes() {}

    /**
     * Whether a code received in a close frame is acceptable.
     *
     * <p>1000-1003 and 1007-1011 are defined by RFC 6455; 3000-3999 are registered with IANA and 4000-4999 are
     * private use. 1004-1006 and 1015 must never appear on the wire, and 1012-1014 (registered after the RFC) are
     * rejected as the Autobahn|Testsuite (cases 7.9.x) expects.
     */
    public static boolean isValidReceived(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) || (code >= 3000 && code <= 4999);
    }

    /** Whether the server may put this code in a close frame it sends. */
    public static boolean isValidToSend(int code) {
        return isValidReceived(code) || (code >= 1012 && code <= 1014);
    }
}
