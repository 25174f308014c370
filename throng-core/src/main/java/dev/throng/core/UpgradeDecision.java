package dev.throng.core;

/**
 * What {@link WebSocketHandler#onUpgrade} decided: upgrade (optionally with the connection's attachment already set,
 * before {@link WebSocketHandler#onOpen}), or refuse with an HTTP status instead of {@code 101}.
 */
public final class UpgradeDecision {
    private static final UpgradeDecision ACCEPT = new UpgradeDecision(null, 0, null);

    private final Object attachment;
    private final int status;
    private final String message;

    private UpgradeDecision(Object attachment, int status, String message) {
        this.attachment = attachment;
        this.status = status;
        this.message = message;
    }

    /** Upgrade, with no attachment. */
    public static UpgradeDecision accept() {
        return ACCEPT;
    }

    /** Upgrade, and attach {@code attachment} to the connection before {@code onOpen}. */
    public static UpgradeDecision accept(Object attachment) {
        return attachment == null ? ACCEPT : new UpgradeDecision(attachment, 0, null);
    }

    /**
     * Answer with {@code status} (400-599) and a one-line {@code message} as the body, and close; the request does not
     * become a connection. Its {@code X-Throng-Reason} header is {@code REFUSED_BY_HANDLER}.
     */
    public static UpgradeDecision refuse(int status, String message) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("a refusal needs a 4xx or 5xx status, got " + status);
        }
        return new UpgradeDecision(null, status, message == null ? "" : message);
    }

    public boolean accepted() {
        return status == 0;
    }

    /** The connection's attachment when accepted, or {@code null}. */
    public Object attachment() {
        return attachment;
    }

    /** The HTTP status of a refusal; 0 when accepted. */
    public int status() {
        return status;
    }

    /** The body of a refusal; {@code null} when accepted. */
    public String message() {
        return message;
    }
}
