package dev.throng.core.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Parses client-to-server WebSocket frames (RFC 6455 §5) from a cumulated input buffer and enforces every framing
 * rule that does not need a clock. Pure: {@code ByteBuf} in, frames to a {@link FrameSink} and a verdict out; it
 * never writes, closes or logs.
 *
 * <p>Used from one thread. Its whole state is six primitives (20 bytes of fields), because at a million
 * connections every field is multiplied by a million; the limits come from a shared {@link FrameLimits}. A
 * connection needs its own instance only while the parser is not {@linkplain #isIdle() idle}.
 *
 * <pre>
 * CloseReason verdict = parser.parse(cumulation, sink);
 * if (verdict != null) { fail the connection with verdict.code() }
 * // else: cumulation's unread bytes are the start of an incomplete frame; keep them for the next read
 * </pre>
 *
 * <p>A frame is delivered once it is complete, so the input holds at most one frame's worth of unread bytes
 * (bounded by {@link FrameLimits#maxFrameSize()}). Violations visible in a frame's first bytes (mask bit, reserved
 * bits, opcode, control frame length, sizes) and invalid UTF-8 in the received part of an uncompressed text frame are
 * reported before the rest of the frame arrives.
 */
public final class FrameParser {
    private final FrameLimits limits;
    /** Opcode of the message in progress (TEXT or BINARY), or 0 between messages. */
    private byte messageOpcode;
    /** Whether the message in progress has RSV1 set. */
    private boolean messageCompressed;
    /** Payload bytes (compressed, when compressed) of the message in progress so far. */
    private int messageLength;
    /** {@link Utf8Validator} state across the fragments of an uncompressed text message. */
    private int utf8State;
    /** Of the incomplete text frame at the input's head: payload bytes validated so far, and the state after them. */
    private int partialValidated;

    private int partialState;

    public FrameParser(FrameLimits limits) {
        this.limits = limits;
    }

    /**
     * Parses and delivers every complete frame readable in {@code in}, advancing its reader index past each. Stops
     * after a close frame, at an incomplete frame (left unread), at the first violation, or when the sink no longer
     * {@linkplain FrameSink#wantsMore() wants more} (the rest left unread).
     *
     * @param deflate whether permessage-deflate was negotiated, which gives RSV1 a meaning
     * @return {@code null} when all is well so far, else the reason to fail the connection (the sink's own
     *     verdicts included)
     */
    public CloseReason parse(ByteBuf in, FrameSink sink, boolean deflate) {
        for (; ; ) {
            if (!sink.wantsMore()) {
                return null; // the sink holds back: the rest stays unread until it asks again
            }
            int start = in.readerIndex();
            int available = in.readableBytes();
            if (available < 2) {
                return null;
            }
            int b0 = in.getUnsignedByte(start);
            int b1 = in.getUnsignedByte(start + 1);
            boolean fin = (b0 & 0x80) != 0;
            boolean rsv1 = (b0 & 0x40) != 0;
            int opcode = b0 & 0x0F;
            int length7 = b1 & 0x7F;

            CloseReason early = checkFirstBytes(b0, b1, deflate);
            if (early != null) {
                return early;
            }
            int lengthBytes = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
            int headerLength = 2 + lengthBytes + 4;
            if (available < 2 + lengthBytes) {
                return null;
            }
            long length;
            if (length7 == 126) {
                length = in.getUnsignedShort(start + 2);
            } else if (length7 == 127) {
                length = in.getLong(start + 2);
                if (length < 0) {
                    return CloseReason.LENGTH_MSB_SET;
                }
            } else {
                length = length7;
            }
            boolean control = Opcode.isControl(opcode);
            // A compressed message may be a little larger on the wire than inflated (MessageDeflate): its frames
            // get zlib's bound of the limits; the inflated size is held to the limit itself.
            boolean compressed = !control && (opcode == Opcode.CONTINUATION ? messageCompressed : rsv1);
            if (length > (compressed ? limits.maxCompressedFrameSize() : limits.maxFrameSize())) {
                return CloseReason.FRAME_TOO_LARGE;
            }
            if (!control
                    && messageSoFar(opcode) + length
                            > (compressed ? limits.maxCompressedMessageSize() : limits.maxMessageSize())) {
                return CloseReason.MESSAGE_TOO_LARGE;
            }
            if (available < headerLength) {
                return null;
            }
            int mask = in.getInt(start + headerLength - 4);
            int payloadIndex = start + headerLength;
            int payloadLength = (int) length;
            if (available < headerLength + payloadLength) {
                return checkPartialText(in, opcode, rsv1, payloadIndex, available - headerLength, mask);
            }
            partialValidated = 0;
            unmask(in, payloadIndex, payloadLength, mask);
            in.readerIndex(payloadIndex + payloadLength);
            // Empty payloads (the pongs answering our empty keepalive pings) share one buffer: no slice per pong.
            ByteBuf payload = payloadLength == 0 ? Unpooled.EMPTY_BUFFER : in.slice(payloadIndex, payloadLength);

            CloseReason verdict = control ? onControl(opcode, payload, sink) : onData(opcode, fin, rsv1, payload, sink);
            if (verdict != null || opcode == Opcode.CLOSE) {
                return verdict;
            }
        }
    }

    /**
     * The size of the frame that starts at {@code in}'s reader index, header included, once its header is readable;
     * -1 before. Lets the owner of an incomplete frame size one buffer for all of it.
     */
    public static long frameSize(ByteBuf in) {
        int start = in.readerIndex();
        int available = in.readableBytes();
        if (available < 2) {
            return -1;
        }
        int length7 = in.getUnsignedByte(start + 1) & 0x7F;
        int lengthBytes = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
        if (available < 2 + lengthBytes) {
            return -1;
        }
        long length =
                length7 == 126 ? in.getUnsignedShort(start + 2) : length7 == 127 ? in.getLong(start + 2) : length7;
        return length < 0 ? -1 : 2 + lengthBytes + 4 + length;
    }

    /**
     * Whether this parser holds no state of its connection: no message in progress and no part of a text frame
     * validated ahead. An idle parser is interchangeable with a new one, so a connection between messages need
     * not keep its own (the server shares one per event loop among them).
     */
    public boolean isIdle() {
        return messageOpcode == 0 && partialValidated == 0;
    }

    private CloseReason checkFirstBytes(int b0, int b1, boolean deflate) {
        if ((b1 & 0x80) == 0) {
            return CloseReason.UNMASKED_FRAME;
        }
        if ((b0 & 0x30) != 0) {
            return CloseReason.RESERVED_BITS_SET;
        }
        int opcode = b0 & 0x0F;
        boolean rsv1 = (b0 & 0x40) != 0;
        if (Opcode.isControl(opcode)) {
            if (opcode > Opcode.PONG) {
                return CloseReason.UNKNOWN_OPCODE;
            }
            if ((b0 & 0x80) == 0) {
                return CloseReason.FRAGMENTED_CONTROL_FRAME;
            }
            if ((b1 & 0x7F) > 125) {
                return CloseReason.CONTROL_FRAME_TOO_LONG;
            }
            if (rsv1) {
                return deflate ? CloseReason.RSV1_NOT_ON_FIRST_DATA_FRAME : CloseReason.RSV1_WITHOUT_EXTENSION;
            }
            return null;
        }
        if (opcode > Opcode.BINARY) {
            return CloseReason.UNKNOWN_OPCODE;
        }
        if (opcode == Opcode.CONTINUATION) {
            if (messageOpcode == 0) {
                return CloseReason.CONTINUATION_WITHOUT_START;
            }
            if (rsv1) {
                return deflate ? CloseReason.RSV1_NOT_ON_FIRST_DATA_FRAME : CloseReason.RSV1_WITHOUT_EXTENSION;
            }
        } else {
            if (messageOpcode != 0) {
                return CloseReason.NEW_MESSAGE_DURING_FRAGMENTED;
            }
            if (rsv1 && !deflate) {
                return CloseReason.RSV1_WITHOUT_EXTENSION;
            }
        }
        return null;
    }

    private long messageSoFar(int opcode) {
        return opcode == Opcode.CONTINUATION ? messageLength : 0;
    }

    /** Fails fast on invalid UTF-8 in the part of an uncompressed text frame received so far. */
    private CloseReason checkPartialText(ByteBuf in, int opcode, boolean rsv1, int index, int received, int mask) {
        boolean text = opcode == Opcode.TEXT
                ? !rsv1
                : opcode == Opcode.CONTINUATION && messageOpcode == Opcode.TEXT && !messageCompressed;
        if (!text || received <= 0) {
            return null;
        }
        if (partialValidated == 0) {
            partialState = opcode == Opcode.TEXT ? Utf8Validator.ACCEPT : utf8State;
        }
        // Only the bytes that arrived since the last call: the masking key is applied at the right offset.
        int done = partialValidated;
        int rotated = Integer.rotateLeft(mask, 8 * (done & 3));
        partialState = Utf8Validator.validate(partialState, in, index + done, received - done, rotated);
        partialValidated = received;
        return partialState == Utf8Validator.REJECT ? CloseReason.INVALID_UTF8 : null;
    }

    private CloseReason onControl(int opcode, ByteBuf payload, FrameSink sink) {
        switch (opcode) {
            case Opcode.PING:
                return sink.onPing(payload);
            case Opcode.PONG:
                return sink.onPong(payload);
            default:
                return onCloseFrame(payload, sink);
        }
    }

    private static CloseReason onCloseFrame(ByteBuf payload, FrameSink sink) {
        int length = payload.readableBytes();
        if (length == 0) {
            return sink.onClose(CloseCodes.NO_STATUS, payload);
        }
        if (length == 1) {
            return CloseReason.CLOSE_PAYLOAD_TOO_SHORT;
        }
        int code = payload.getUnsignedShort(payload.readerIndex());
        if (!CloseCodes.isValidReceived(code)) {
            return CloseReason.INVALID_CLOSE_CODE;
        }
        ByteBuf reason = payload.slice(payload.readerIndex() + 2, length - 2);
        if (!Utf8Validator.isValid(reason)) {
            return CloseReason.INVALID_UTF8;
        }
        return sink.onClose(code, reason);
    }

    private CloseReason onData(int opcode, boolean fin, boolean rsv1, ByteBuf payload, FrameSink sink) {
        boolean first = opcode != Opcode.CONTINUATION;
        if (first) {
            messageOpcode = (byte) opcode;
            messageCompressed = rsv1;
            messageLength = 0;
            utf8State = Utf8Validator.ACCEPT;
        }
        messageLength += payload.readableBytes();
        boolean text = messageOpcode == Opcode.TEXT;
        boolean compressed = messageCompressed;
        if (text && !compressed) {
            utf8State = Utf8Validator.validate(utf8State, payload);
            if (utf8State == Utf8Validator.REJECT || (fin && utf8State != Utf8Validator.ACCEPT)) {
                return CloseReason.INVALID_UTF8;
            }
        }
        if (fin) {
            messageOpcode = 0;
            messageCompressed = false;
            messageLength = 0;
            utf8State = Utf8Validator.ACCEPT;
        }
        return sink.onData(payload, text, first, fin, compressed);
    }

    /** §5.3: XORs the payload with the 4-byte masking key, in place, a long at a time where it can. */
    static void unmask(ByteBuf buf, int index, int length, int mask) {
        if (mask == 0 || length == 0) {
            return;
        }
        long mask8 = ((long) mask << 32) | (mask & 0xFFFFFFFFL);
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            buf.setLong(index + i, buf.getLong(index + i) ^ mask8);
        }
        for (; i < length; i++) {
            int maskByte = (mask >>> (24 - 8 * (i & 3))) & 0xFF;
            buf.setByte(index + i, buf.getByte(index + i) ^ maskByte);
        }
    }
}
