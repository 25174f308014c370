package dev.throng.core;

import dev.throng.core.codec.FrameWriter;
import dev.throng.core.codec.MessageDeflate;
import dev.throng.core.codec.Opcode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;

/**
 * A message encoded into a WebSocket frame once, to be sent to many connections (issue #17: fan-out encodes a
 * publication once, not once per subscriber). The frame is a direct buffer written to each socket from its memory,
 * without a copy or a duplicate per connection; the permessage-deflate form is made once, lazily, by the first
 * connection that negotiated compression and wants it, and shared the same way.
 *
 * <pre>
 * PreparedMessage message = PreparedMessage.text("{\"event\":\"e\",\"data\":\"{}\",\"channel\":\"c\"}");
 * for (WebSocketConnection c : subscribers) {   // on their event loop
 *     if (!c.offer(message)) { c.close(4100, "slow consumer"); }
 * }
 * message.release();
 * </pre>
 *
 * <p>Reference counted: it is created with one reference, which its creator releases when it has handed the message
 * to every connection; code that hands it to another thread ({@link IoLoop#execute}) retains it for that thread and
 * releases it there. Connections that could not write the whole frame at once keep what they need themselves.
 * Thread-safe: any number of event loops may send one message at once.
 */
public final class PreparedMessage extends AbstractReferenceCounted {
    private static final Object NOT_WORTH_IT = new Object();

    private final ByteBuf frame;
    private final long frameAddress;
    private final int opcode;
    private final int payloadOffset;
    private final int payloadLength;
    /** Null until a connection asked; then the compressed frame, or {@link #NOT_WORTH_IT}. */
    private volatile Object deflated;

    private long deflatedAddress;

    private PreparedMessage(ByteBuf frame, int opcode, int payloadLength) {
        this.frame = frame;
        this.frameAddress = frame.hasMemoryAddress() ? frame.memoryAddress() + frame.readerIndex() : 0;
        this.opcode = opcode;
        this.payloadLength = payloadLength;
        this.payloadOffset = frame.readableBytes() - payloadLength;
    }

    /** A text message of {@code text}, encoded as UTF-8 into a new direct frame. */
    public static PreparedMessage text(CharSequence text) {
        int length = ByteBufUtil.utf8Bytes(text);
        ByteBuf frame = ByteBufAllocator.DEFAULT.directBuffer(FrameWriter.headerLength(length) + length);
        FrameWriter.writeHeader(frame, Opcode.TEXT, false, length);
        ByteBufUtil.reserveAndWriteUtf8(frame, text, length);
        return new PreparedMessage(frame, Opcode.TEXT, length);
    }

    /** A text message whose payload is the readable bytes of {@code utf8} (valid UTF-8; copied, not consumed). */
    public static PreparedMessage text(ByteBuf utf8) {
        return of(Opcode.TEXT, utf8);
    }

    /** A binary message of the readable bytes of {@code data} (copied, not consumed). */
    public static PreparedMessage binary(ByteBuf data) {
        return of(Opcode.BINARY, data);
    }

    private static PreparedMessage of(int opcode, ByteBuf payload) {
        int length = payload.readableBytes();
        ByteBuf frame = ByteBufAllocator.DEFAULT.directBuffer(FrameWriter.headerLength(length) + length);
        FrameWriter.writeHeader(frame, opcode, false, length);
        frame.writeBytes(payload, payload.readerIndex(), length);
        return new PreparedMessage(frame, opcode, length);
    }

    /** The payload's length in bytes (the message as the application sees it). */
    public int payloadLength() {
        return payloadLength;
    }

    /** Whether it is a text message. */
    public boolean isText() {
        return opcode == Opcode.TEXT;
    }

    /** The encoded frame (header and payload). For the server's transports: never modify it, never release it. */
    public ByteBuf frame() {
        return frame;
    }

    /** The native address of the frame's first byte, read once; 0 when it has none. */
    public long frameAddress() {
        return frameAddress;
    }

    /** The payload, as a slice of the frame (not retained). */
    public ByteBuf payload() {
        return frame.slice(frame.readerIndex() + payloadOffset, payloadLength);
    }

    /**
     * The permessage-deflate frame of this message (RSV1 set), made on the first call with {@code zlib} (the calling
     * event loop's), or {@code null} when compression would not make it smaller. For the server's transports, like
     * {@link #frame()}.
     */
    public ByteBuf deflatedFrame(MessageDeflate zlib, ByteBufAllocator alloc) {
        Object d = deflated;
        if (d == null) {
            synchronized (this) {
                d = deflated;
                if (d == null) {
                    ByteBuf compressed = zlib.deflate(alloc, payload());
                    if (compressed == null) {
                        d = NOT_WORTH_IT;
                    } else {
                        ByteBuf out = alloc.directBuffer(
                                FrameWriter.headerLength(compressed.readableBytes()) + compressed.readableBytes());
                        FrameWriter.writeHeader(out, opcode, true, compressed.readableBytes());
                        out.writeBytes(compressed);
                        compressed.release();
                        deflatedAddress = out.hasMemoryAddress() ? out.memoryAddress() + out.readerIndex() : 0;
                        d = out;
                    }
                    deflated = d; // published after deflatedAddress: a reader that sees the frame sees its address
                }
            }
        }
        return d == NOT_WORTH_IT ? null : (ByteBuf) d;
    }

    /** The native address of {@link #deflatedFrame}, once that returned a frame; 0 when it has none. */
    public long deflatedFrameAddress() {
        return deflatedAddress;
    }

    @Override
    protected void deallocate() {
        frame.release();
        Object d = deflated;
        if (d instanceof ByteBuf) {
            ((ByteBuf) d).release();
        }
    }

    @Override
    public ReferenceCounted touch(Object hint) {
        frame.touch(hint);
        return this;
    }

    @Override
    public PreparedMessage retain() {
        super.retain();
        return this;
    }
}
