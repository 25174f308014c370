package dev.throng.cli;

import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM and SIGINT handling: the first signal runs the graceful path on its own thread, a second one halts at
 * once. Signals rather than a shutdown hook, because a hook cannot tell the second signal from the first.
 */
final class ShutdownSignals {
    private static final Logger LOG = LoggerFactory.getLogger(ShutdownSignals.class);

    private ShutdownSignals() {}

    /** Installs the handlers; {@code graceful} runs once, on a new thread, and the process exits 0 after it. */
    static void install(Runnable graceful) {
        install(graceful, () -> {});
    }

    /** As {@link #install(Runnable)}; {@code beforeHalt} runs on the second signal, just before the halt. */
    static void install(Runnable graceful, Runnable beforeHalt) {
        AtomicInteger received = new AtomicInteger();
        SignalHandler handler = signal -> {
            if (received.incrementAndGet() > 1) {
                LOG.warn("second SIG{}: exiting now", signal.getName());
                beforeHalt.run();
                Runtime.getRuntime().halt(130);
            }
            Thread t = new Thread(
                    () -> {
                        try {
                            graceful.run();
                        } finally {
                            System.exit(0);
                        }
                    },
                    "throng-shutdown");
            t.start();
        };
        Signal.handle(new Signal("TERM"), handler);
        Signal.handle(new Signal("INT"), handler);
    }
}
