package dev.throng.bench.client;

/**
 * Why a server's frame stream is invalid. Each error has a stable id (used as a "lost" reason in reports) and the
 * close code the client answers with (RFC 6455 §7.4.1). The parser only reports; the connection acts.
 */
public enum ParseError {
    /** RSV1-3 set, but no extension was negotiated (§5.2). */
    RSV_SET("rsv-set", 1002),
    /** A server must not mask its frames (§5.1). */
    MASKED_FRAME("masked-frame", 1002),
    /** Opcodes 3-7 and 11-15 are reserved (§5.2). */
    RESERVED_OPCODE("reserved-opcode", 1002),
    /** A control frame longer than 125 bytes (§5.5). */
    CONTROL_TOO_LONG("control-too-long", 1002),
    /** A control frame without FIN (§5.5). */
    FRAGMENTED_CONTROL("fragmented-control", 1002),
    /** A continuation frame with no message in progress (§5.4). */
    UNEXPECTED_CONTINUATION("unexpected-continuation", 1002),
    /** A new text/binary frame while a fragmented message is in progress (§5.4). */
    EXPECTED_CONTINUATION("expected-continuation", 1002),
    /** A 16- or 64-bit length that would fit a shorter form, or a 64-bit length with the top bit set (§5.2). */
    BAD_LENGTH("bad-length", 1002),
    /** A close frame with a 1-byte payload (§5.5.1). */
    BAD_CLOSE_PAYLOAD("bad-close-payload", 1002);

    private final String id;
    private final int closeCode;

    ParseError(String id, int closeCode) {
        this.id = id;
        this.closeCode = closeCode;
    }

    public String id() {
        return id;
    }

    public int closeCode() {
        return closeCode;
    }
}
