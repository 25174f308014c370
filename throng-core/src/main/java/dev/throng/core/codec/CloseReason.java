package dev.throng.core.codec;

/**
 * Why the server fails or closes a connection: a close code (RFC 6455 §7.4) and a stable id.
 *
 * <p>The parser and the handshake never act on the socket; they return one of these and the connection owner
 * sends the close frame and closes the TCP connection in one place. Every id is listed in {@code docs/protocol.md}.
 */
public enum CloseReason {
    /** §5.1: a client frame without the MASK bit. */
    UNMASKED_FRAME(1002),
    /** §5.2: RSV2 or RSV3 set; no extension we negotiate defines them. */
    RESERVED_BITS_SET(1002),
    /** §5.2 / RFC 7692 §6: RSV1 set while permessage-deflate was not negotiated. */
    RSV1_WITHOUT_EXTENSION(1002),
    /** RFC 7692 §6.1: RSV1 on a control frame or on a continuation frame. */
    RSV1_NOT_ON_FIRST_DATA_FRAME(1002),
    /** §5.2: opcodes 0x3-0x7 and 0xB-0xF are reserved. */
    UNKNOWN_OPCODE(1002),
    /** §5.5: control frames carry at most 125 bytes of payload. */
    CONTROL_FRAME_TOO_LONG(1002),
    /** §5.5: control frames must not be fragmented. */
    FRAGMENTED_CONTROL_FRAME(1002),
    /** §5.4: a continuation frame with no message in progress. */
    CONTINUATION_WITHOUT_START(1002),
    /** §5.4: a new text or binary frame while a fragmented message is in progress. */
    NEW_MESSAGE_DURING_FRAGMENTED(1002),
    /** §5.2: a 64-bit payload length with the most significant bit set. */
    LENGTH_MSB_SET(1002),
    /** §5.5.1: a close frame whose payload is one byte long. */
    CLOSE_PAYLOAD_TOO_SHORT(1002),
    /** §7.4: a received close code that is reserved, unassigned or not to be sent on the wire. */
    INVALID_CLOSE_CODE(1002),
    /** §8.1: a text message or a close reason that is not valid UTF-8. */
    INVALID_UTF8(1007),
    /** RFC 7692 §6.2: a compressed message that does not inflate. */
    INVALID_COMPRESSED_DATA(1007),
    /** A frame whose payload is larger than the configured maximum frame size. */
    FRAME_TOO_LARGE(1009),
    /** A message (inflated, when compressed) larger than the configured maximum message size. */
    MESSAGE_TOO_LARGE(1009),
    /** A frame larger than the server's whole memory budget for bytes in flight: it could never be held. */
    OVER_MEMORY_BUDGET(1009),
    /** The application's handler threw. */
    HANDLER_ERROR(1011),
    /** The server failed unexpectedly while handling this connection (not the handler): only this one is closed. */
    INTERNAL_ERROR(1011),
    /** The peer did not answer a ping within the pong deadline. */
    PONG_TIMEOUT(1006),
    /** The peer took none of the bytes queued for it during a whole ping interval: it is gone or stuck. */
    WRITE_TIMEOUT(1006),
    /** The connection's outbound buffer passed its limit and the policy closes it (RFC 6455 §7.4.1, 1013 per IANA). */
    SLOW_CONSUMER(1013),
    /** Memory ran out while handling this connection (an allocation failed); the client may try again later. */
    OUT_OF_MEMORY(1013),
    /** The connection waited too long for the memory budget to have room for the frame it is sending. */
    MEMORY_WAIT_TIMEOUT(1013),
    /** The server is shutting down. */
    GOING_AWAY(1001),
    /** No data message for the configured idle timeout. */
    IDLE_TIMEOUT(1000),
    /** A normal close requested by the application. */
    NORMAL(1000);

    private final int code;

    CloseReason(int code) {
        this.code = code;
    }

    /** The close code sent in the close frame. */
    public int code() {
        return code;
    }

    /** The stable id, as documented in {@code docs/protocol.md}. */
    public String id() {
        return name();
    }
}
