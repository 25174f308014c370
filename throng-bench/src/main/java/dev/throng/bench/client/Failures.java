package dev.throng.bench.client;

import io.netty.channel.ConnectTimeoutException;
import java.net.BindException;
import java.nio.channels.ClosedChannelException;

/** Maps the exceptions of a socket to {@link FailureReason} ids. Epoll and NIO word their errors alike (errno). */
final class Failures {

    private Failures() {}

    /**
     * The reason id for {@code cause}, or {@code null} when the local (address, port) pair is unusable
     * (EADDRINUSE on bind, EADDRNOTAVAIL on connect when the 4-tuple is still in TIME_WAIT): skip the port.
     */
    static String classify(Throwable cause) {
        String m = String.valueOf(cause.getMessage());
        if (cause instanceof BindException
                || m.contains("Address already in use")
                || m.contains("Cannot assign requested address")) {
            return null;
        }
        if (m.contains("Connection refused")) {
            return FailureReason.REFUSED.id();
        }
        if (m.contains("Connection reset") || m.contains("Broken pipe")) {
            return FailureReason.RESET.id();
        }
        if (cause instanceof ConnectTimeoutException || m.contains("timed out")) {
            return FailureReason.TIMEOUT.id();
        }
        if (cause instanceof ClosedChannelException) {
            return FailureReason.CLOSED.id();
        }
        return FailureReason.OTHER.id();
    }
}
