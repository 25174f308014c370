package dev.throng.bench.client;

import io.netty.buffer.ByteBuf;

/**
 * Reads the frames a server sends (RFC 6455 §5), without aggregating or copying data: the bench needs only each
 * message's end and its first 64 bits (the send time the echo scenario puts there), so data payloads are skipped as
 * they stream past and a message of any size costs no buffer.
 *
 * <p>The first 64 bits of a message are read as 8 big-endian bytes for binary messages, or as 16 hexadecimal digits
 * for text messages (so the payload stays valid UTF-8). Text is not validated as UTF-8: the bench measures the
 * server, it does not police it.
 *
 * <p>A connection that needs the content of its text messages (the Pusher scenario) asks for them whole
 * ({@link #wholeTextMessages()}): a message in one frame is then delivered in place to {@link #onText} once all of it
 * has arrived; it is left unread until then, so one that spans two reads is kept by the caller like a partial control
 * frame.
 *
 * <p>Pure: {@link #consume} takes bytes and calls the callbacks, never touching a channel, a clock or a log. It
 * consumes every complete unit and leaves an incomplete frame header or control frame unread for the caller to keep
 * and present again with more bytes. The state lives in fields of this class, not in a separate object, because the
 * connection extends it: one object per connection instead of two (see {@link BenchConnection} for the budget).
 *
 * <p>Not thread-safe; one instance per connection, driven by its event loop.
 */
public abstract class ServerFrameParser {

    static final int OP_CONTINUATION = 0x0;
    static final int OP_TEXT = 0x1;
    static final int OP_BINARY = 0x2;
    static final int OP_CLOSE = 0x8;
    static final int OP_PING = 0x9;
    static final int OP_PONG = 0xA;

    /** Close code meaning "no status code was present" (§7.4.1); never sent on the wire. */
    public static final int NO_STATUS = 1005;

    /** The largest text message {@link #onText} is given whole; a larger one streams past as usual. */
    static final int MAX_WHOLE_TEXT = 64 * 1024;

    /** Data payload bytes of the current frame still to come; 0 when the next byte starts a header. */
    private long remaining;
    /** The first 64 bits of the current message, as far as read. */
    private long stamp;
    /** Bits of {@link #stamp} read so far (0-64), or -1 when the message cannot carry one (a non-hex digit). */
    private byte stampBits;
    /** {@link #OP_TEXT} or {@link #OP_BINARY} while a message is in progress, else 0. */
    private byte messageType;
    /** Whether the data frame being read ends its message. */
    private boolean finalFrame;

    /**
     * Consumes as many bytes of {@code in} as form complete frames or frame parts. Stops after a close frame (nothing
     * may follow it, §5.5.1).
     *
     * @return {@code null} when all is well (unread bytes of {@code in} are an incomplete header or control frame),
     *     otherwise the first violation found; the connection is then unusable
     */
    protected final ParseError consume(ByteBuf in) {
        for (; ; ) {
            if (remaining > 0) {
                int n = (int) Math.min(remaining, in.readableBytes());
                if (n == 0) {
                    return null;
                }
                if (stampBits >= 0 && stampBits < 64) {
                    readStamp(in, n);
                }
                in.skipBytes(n);
                remaining -= n;
                if (remaining == 0 && finalFrame) {
                    endMessage();
                }
                continue;
            }
            int readable = in.readableBytes();
            if (readable < 2) {
                return null;
            }
            int at = in.readerIndex();
            int b0 = in.getUnsignedByte(at);
            int b1 = in.getUnsignedByte(at + 1);
            if ((b0 & 0x70) != 0) {
                return ParseError.RSV_SET;
            }
            if ((b1 & 0x80) != 0) {
                return ParseError.MASKED_FRAME;
            }
            boolean fin = (b0 & 0x80) != 0;
            int opcode = b0 & 0x0F;
            int headerLength;
            long length = b1 & 0x7F;
            if (length == 126) {
                if (readable < 4) {
                    return null;
                }
                length = in.getUnsignedShort(at + 2);
                if (length < 126) {
                    return ParseError.BAD_LENGTH;
                }
                headerLength = 4;
            } else if (length == 127) {
                if (readable < 10) {
                    return null;
                }
                length = in.getLong(at + 2);
                if (length < 65536) { // negative (top bit set) or not minimal
                    return ParseError.BAD_LENGTH;
                }
                headerLength = 10;
            } else {
                headerLength = 2;
            }
            if (opcode >= OP_CLOSE) {
                if (!fin) {
                    return ParseError.FRAGMENTED_CONTROL;
                }
                if (length > 125) {
                    return ParseError.CONTROL_TOO_LONG;
                }
                if (readable < headerLength + length) {
                    return null; // control frames are handled whole; wait for the rest
                }
                int payloadAt = at + headerLength;
                int payloadLength = (int) length;
                in.skipBytes(headerLength + payloadLength);
                switch (opcode) {
                    case OP_PING:
                        onPing(in.slice(payloadAt, payloadLength));
                        break;
                    case OP_PONG:
                        onPong(in.slice(payloadAt, payloadLength));
                        break;
                    case OP_CLOSE:
                        if (payloadLength == 1) {
                            return ParseError.BAD_CLOSE_PAYLOAD;
                        }
                        onClose(payloadLength == 0 ? NO_STATUS : in.getUnsignedShort(payloadAt));
                        return null;
                    default:
                        return ParseError.RESERVED_OPCODE;
                }
                continue;
            }
            if (opcode == OP_TEXT && fin && messageType == 0 && length <= MAX_WHOLE_TEXT && wholeTextMessages()) {
                if (readable < headerLength + length) {
                    return null; // wait for the whole message, as for a control frame
                }
                int payloadAt = at + headerLength;
                in.skipBytes(headerLength + (int) length);
                onText(in, payloadAt, payloadAt + (int) length);
                continue;
            }
            if (opcode == OP_CONTINUATION) {
                if (messageType == 0) {
                    return ParseError.UNEXPECTED_CONTINUATION;
                }
            } else if (opcode == OP_TEXT || opcode == OP_BINARY) {
                if (messageType != 0) {
                    return ParseError.EXPECTED_CONTINUATION;
                }
                messageType = (byte) opcode;
                stamp = 0;
                stampBits = 0;
            } else {
                return ParseError.RESERVED_OPCODE;
            }
            in.skipBytes(headerLength);
            finalFrame = fin;
            remaining = length;
            if (length == 0 && fin) {
                endMessage();
            }
        }
    }

    private void readStamp(ByteBuf in, int n) {
        int at = in.readerIndex();
        boolean text = messageType == OP_TEXT;
        for (int i = 0; i < n && stampBits < 64; i++) {
            int b = in.getUnsignedByte(at + i);
            if (text) {
                int digit = Character.digit(b, 16);
                if (digit < 0) {
                    stampBits = -1;
                    return;
                }
                stamp = (stamp << 4) | digit;
                stampBits += 4;
            } else {
                stamp = (stamp << 8) | b;
                stampBits += 8;
            }
        }
    }

    private void endMessage() {
        boolean text = messageType == OP_TEXT;
        boolean hasStamp = stampBits == 64;
        messageType = 0;
        onMessage(text, hasStamp, stamp);
    }

    /**
     * A data message ended.
     *
     * @param text whether it was a text message
     * @param hasStamp whether it was long enough, and in text of the right form, to carry a stamp
     * @param stamp its first 64 bits, when {@code hasStamp}
     */
    protected abstract void onMessage(boolean text, boolean hasStamp, long stamp);

    /**
     * Whether text messages in one frame of at most {@link #MAX_WHOLE_TEXT} bytes go to {@link #onText} whole
     * instead of streaming past to {@link #onMessage}: then such a message is consumed only once all of it is
     * readable, as a control frame is. A method rather than a field, so connections that never want it pay nothing.
     */
    protected boolean wholeTextMessages() {
        return false;
    }

    /**
     * A whole text message in one frame, {@code buf[from, to)}, when {@link #wholeTextMessages()}; valid only during
     * the call, must not be released. Fragmented or larger text messages still go to {@link #onMessage}.
     */
    protected void onText(ByteBuf buf, int from, int to) {}

    /** A ping; {@code payload} is valid only during the call and must not be released. */
    protected abstract void onPing(ByteBuf payload);

    /** A pong; {@code payload} is valid only during the call and must not be released. */
    protected abstract void onPong(ByteBuf payload);

    /** A close frame with {@code code}, or {@link #NO_STATUS} when it had none. Parsing stops after it. */
    protected abstract void onClose(int code);
}
