package dev.throng.core.handshake;

/**
 * Every HTTP status the server answers a request with, and a stable id; listed in {@code docs/protocol.md}. Every
 * reply closes the TCP connection after it is written (a health check is one request per connection).
 */
public enum HttpReplyReason {
    /** {@code GET /healthz}: the server is up. */
    HEALTHY(200, "ok"),
    /** The request could not be parsed as HTTP/1.x. */
    MALFORMED_REQUEST(400, "malformed request"),
    /** RFC 6455 §4.1: an upgrade request must carry a Host header. */
    MISSING_HOST(400, "missing Host header"),
    /** §4.2.1: the Connection header must list the "upgrade" token. */
    MISSING_CONNECTION_UPGRADE(400, "Connection header must contain 'upgrade'"),
    /** §4.2.1: Sec-WebSocket-Version is required. */
    MISSING_WEBSOCKET_VERSION(400, "missing Sec-WebSocket-Version"),
    /** §4.2.1: Sec-WebSocket-Key must be one base64 value of 16 bytes. */
    INVALID_WEBSOCKET_KEY(400, "Sec-WebSocket-Key must be base64 of 16 bytes"),
    /** An upgrade request may not carry a body. */
    REQUEST_BODY_NOT_ALLOWED(400, "an upgrade request has no body"),
    /** The Origin header is not in the configured allow-list (§4.2.2, §10.2). */
    ORIGIN_NOT_ALLOWED(403, "origin not allowed"),
    /** The upgrade path is not the configured one. */
    NOT_FOUND(404, "not found"),
    /** §4.2.1: an upgrade must be a GET; other methods on plain paths are not served either. */
    METHOD_NOT_ALLOWED(405, "method not allowed"),
    /** The client sent no complete request within the handshake timeout. */
    HANDSHAKE_TIMEOUT(408, "request timeout"),
    /** The request line is longer than the configured limit. */
    REQUEST_LINE_TOO_LONG(414, "request line too long"),
    /** A plain HTTP request on a WebSocket path: it must upgrade (RFC 7231 §6.5.15). */
    UPGRADE_REQUIRED(426, "this is a WebSocket endpoint"),
    /** §4.2.2: only version 13 is spoken; the reply lists it in Sec-WebSocket-Version. */
    UNSUPPORTED_WEBSOCKET_VERSION(426, "unsupported Sec-WebSocket-Version"),
    /** Too many connections from the client's address. */
    TOO_MANY_CONNECTIONS_FROM_ADDRESS(429, "too many connections from this address"),
    /** The header block is larger than the configured limit (RFC 6585). */
    HEADERS_TOO_LARGE(431, "request header fields too large"),
    /** The application's upgrade hook refused the request; it chose the status (403 unless it said otherwise). */
    REFUSED_BY_HANDLER(403, "refused"),
    /** The server is at its connection cap or handshake rate limit, or draining; retry later. */
    OVER_CAPACITY(503, "over capacity"),
    /** {@code GET /healthz} while an event loop has stopped answering: the process is about to exit. */
    UNHEALTHY(503, "an event loop stopped answering"),
    /** §4.1: the opening handshake needs HTTP/1.1 or higher. */
    UNSUPPORTED_HTTP_VERSION(505, "HTTP/1.1 required");

    private final int status;
    private final String message;

    HttpReplyReason(int status, String message) {
        this.status = status;
        this.message = message;
    }

    public int status() {
        return status;
    }

    /** The text of the reply's body. */
    public String message() {
        return message;
    }

    /** The stable id, also sent in the reply's {@code X-Throng-Reason} header. */
    public String id() {
        return name();
    }
}
