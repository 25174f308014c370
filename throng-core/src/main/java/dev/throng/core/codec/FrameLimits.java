package dev.throng.core.codec;

/**
 * Size limits the {@link FrameParser} enforces; one shared instance per server.
 *
 * @param maxFrameSize largest payload of one frame, in bytes (exceeding it: 1009)
 * @param maxMessageSize largest payload of one message, all fragments together, in bytes; for compressed messages
 *     both the compressed and the inflated size are bounded by it (exceeding it: 1009)
 */
public record FrameLimits(int maxFrameSize, int maxMessageSize) {
    public FrameLimits {
        if (maxFrameSize < 125) {
            throw new IllegalArgumentException("maxFrameSize must be at least 125 (a control frame), got " + maxFrameSize);
        }
        if (maxMessageSize < maxFrameSize) {
            throw new IllegalArgumentException("maxMessageSize (" + maxMessageSize
                + ") must be at least maxFrameSize (" + maxFrameSize + ")");
        }
    }
}
