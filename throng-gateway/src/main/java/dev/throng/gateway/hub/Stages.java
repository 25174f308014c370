package dev.throng.gateway.hub;

import dev.throng.core.IoLoop;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's answers, taken back to the event loop that asked. A stage that is already complete (the local
 * broker's, always) continues on the calling thread at once, with no task and no hop; one completed elsewhere (a
 * cluster broker's I/O thread) continues in a task on the loop, after what the loop has queued.
 */
final class Stages {
    private static final Logger LOG = LoggerFactory.getLogger(Stages.class);

    private Stages() {}

    /** Whether {@code stage} has completed normally (without allocating: the brokers' stages are futures). */
    static boolean isDone(CompletionStage<?> stage) {
        return stage instanceof CompletableFuture<?> f && f.isDone() && !f.isCompletedExceptionally();
    }

    /**
     * Runs {@code action} with {@code stage}'s value or failure on {@code loop}: at once when the stage completes on the
     * loop's thread (or has completed before and this runs on it), else in a task. Dropped when the loop has stopped
     * (the server is closing; its connections are gone).
     */
    static <T> void onLoop(IoLoop loop, CompletionStage<T> stage, BiConsumer<? super T, ? super Throwable> action) {
        stage.whenComplete((value, failure) -> {
            Runnable task = () -> {
                try {
                    action.accept(value, unwrap(failure));
                } catch (RuntimeException e) {
                    LOG.warn("answering a broker's stage failed", e); // else lost in the stage nobody reads
                }
            };
            if (loop.inLoop()) {
                task.run();
                return;
            }
            try {
                loop.execute(task);
            } catch (RejectedExecutionException stopped) {
                // the server has stopped: nothing left to answer
            }
        });
    }

    /** The failure a dependent stage wraps ({@link CompletionException}), unwrapped. */
    static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
