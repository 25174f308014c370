package dev.throng.core.codec;

/**
 * Size limits the {@link FrameParser} enforces; one shared instance per server.
 *
 * @param maxFrameSize largest payload of one frame, in bytes (exceeding it: 1009)
 * @param maxMessageSize largest payload of one message, all fragments together, in bytes; a compressed message's
 *     inflated size is bounded by it, and its size on the wire by zlib's bound of it (exceeding either: 1009)
 */
public record FrameLimits(int maxFrameSize, int maxMessageSize) {
    public FrameLimits {
        if (maxFrameSize < 125) {
            throw new IllegalArgumentException(
                    "maxFrameSize must be at least 125 (a control frame), got " + maxFrameSize);
        }
        if (maxMessageSize < maxFrameSize) {
            throw new IllegalArgumentException(
                    "maxMessageSize (" + maxMessageSize + ") must be at least maxFrameSize (" + maxFrameSize + ")");
        }
    }

    /** The largest payload of a frame of a compressed message: zlib's bound of {@link #maxFrameSize}. */
    public long maxCompressedFrameSize() {
        return MessageDeflate.maxCompressedSize(maxFrameSize);
    }

    /** The largest compressed message on the wire: zlib's bound of {@link #maxMessageSize}. */
    public long maxCompressedMessageSize() {
        return MessageDeflate.maxCompressedSize(maxMessageSize);
    }
}
