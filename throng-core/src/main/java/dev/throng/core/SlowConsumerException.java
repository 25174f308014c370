package dev.throng.core;

import java.io.IOException;

/**
 * A send was refused because the connection's outbound buffer reached
 * {@link ServerConfig.Limits#maxOutboundBytes()}.
 */
public final class SlowConsumerException extends IOException {
    private static final long serialVersionUID = 1L;

    public SlowConsumerException(long buffered, long limit) {
        super("outbound buffer full: " + buffered + " bytes buffered, limit " + limit, null);
    }
}
