package dev.throng.gateway.hub;

import dev.throng.core.IoLoop;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;

/**
 * The broker's answers, taken back to the event loop that asked. A stage that is already complete (the local
 * broker's, always) continues on the calling thread at once, with no task and no hop; one completed elsewhere (a
 * cluster broker's I/O thread) continues in a task on the loop, after what the loop has queued.
 */
final class Stages {
    private Stages() {
    }

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
            if (loop.inLoop()) {
                action.accept(value, failure);
                return;
            }
            try {
                loop.execute(() -> action.accept(value, failure));
            } catch (RejectedExecutionException stopped) {
                // the server has stopped: nothing left to answer
            }
        });
    }
}
