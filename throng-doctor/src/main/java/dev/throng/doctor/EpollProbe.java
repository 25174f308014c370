package dev.throng.doctor;

import io.netty.channel.epoll.Epoll;
import java.util.Optional;

/** Whether Netty's native epoll transport loads here; a seam so tests can play a machine where it does not. */
@FunctionalInterface
public interface EpollProbe {

    /** Empty when epoll loads; otherwise why it does not, as Netty reports it. */
    Optional<String> unavailabilityCause();

    /** Asks Netty ({@link Epoll#isAvailable()}), which loads the native library on first use. */
    static EpollProbe netty() {
        return () -> {
            if (Epoll.isAvailable()) {
                return Optional.empty();
            }
            Throwable cause = Epoll.unavailabilityCause();
            return Optional.of(cause == null ? "unknown" : describe(cause));
        };
    }

    private static String describe(Throwable cause) {
        StringBuilder text = new StringBuilder(String.valueOf(cause));
        // The first cause is usually a wrapper; the root says what is missing (e.g. the .so or a noexec tmpdir).
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != cause) {
            text.append(" (caused by ").append(root).append(')');
        }
        return text.toString();
    }
}
