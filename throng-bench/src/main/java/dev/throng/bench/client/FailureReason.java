package dev.throng.bench.client;

/**
 * Why an attempt to open a connection failed, or why an open connection was lost. The ids are stable: they are the
 * keys of {@code failures} and {@code lost} in the JSON report (docs/bench.md has the table). A non-101 answer to
 * the handshake is reported as {@code http-NNN}; a close frame from the server as {@code close-NNNN}; a protocol
 * violation by the server as the {@link ParseError} id.
 */
public enum FailureReason {
    /** The TCP connection was refused (RST to our SYN: nothing listens, or the backlog overflowed). */
    REFUSED("refused"),
    /** TCP connect plus handshake took longer than {@code --connect-timeout}. */
    TIMEOUT("timeout"),
    /** The server reset the connection (RST). */
    RESET("reset"),
    /** The server closed the TCP connection (FIN) without a close frame, or before answering the handshake. */
    CLOSED("closed"),
    /** The server's 101 answer was malformed or did not prove it read our key. */
    HANDSHAKE_INVALID("handshake-invalid"),
    /** Every port of this worker's slices was tried. */
    NO_PORT("no-port"),
    /** The run was stopped while the attempt was in progress. */
    ABORTED("aborted"),
    /** Anything else; the worker logs the first few to stderr. */
    OTHER("other");

    private final String id;

    FailureReason(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** The id of a handshake answered with {@code status} instead of 101. */
    public static String httpStatus(int status) {
        return "http-" + status;
    }

    /** The id of a connection the server closed with a close frame carrying {@code code}. */
    public static String closeCode(int code) {
        return "close-" + code;
    }
}
