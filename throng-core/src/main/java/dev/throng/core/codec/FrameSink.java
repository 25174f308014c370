package dev.throng.core.codec;

import io.netty.buffer.ByteBuf;

/**
 * Receives the frames that {@link FrameParser} accepts, in wire order, on the parser's thread.
 *
 * <p>Every payload is already unmasked and is a slice of the parser's input: it is valid only during the call and
 * is not retained for the sink (call {@code retain()} or copy to keep it). Each method returns {@code null} to let
 * parsing go on, or the reason to fail the connection, which {@link FrameParser#parse} then returns.
 */
public interface FrameSink {

    /**
     * A text or binary data frame. Uncompressed text has been validated as UTF-8 so far (and completely when
     * {@code last}); compressed payloads are raw deflate data, validated by whoever inflates them.
     *
     * @param first whether this frame starts a message (opcode text or binary, not continuation)
     * @param last whether this frame ends the message (FIN set)
     * @param compressed whether the message this frame belongs to has RSV1 set (RFC 7692)
     */
    CloseReason onData(ByteBuf payload, boolean text, boolean first, boolean last, boolean compressed);

    /** A ping; RFC 6455 §5.5.2 asks for a pong with the same payload. */
    CloseReason onPing(ByteBuf payload);

    /** A pong, solicited or not (§5.5.3). */
    CloseReason onPong(ByteBuf payload);

    /**
     * A valid close frame. The parser stops after it.
     *
     * @param code the status code, or {@link CloseCodes#NO_STATUS} when the frame had no payload
     * @param reason the reason, validated as UTF-8 (empty when absent)
     */
    CloseReason onClose(int code, ByteBuf reason);

    /**
     * Asked before each frame: {@code false} makes the parser stop and leave the rest of its input unread, so that
     * a sink that cannot take more now (its peer is not reading what it already caused to be sent, or memory is
     * short) is not handed more. Parsing resumes when the owner calls {@link FrameParser#parse} again.
     */
    default boolean wantsMore() {
        return true;
    }
}
