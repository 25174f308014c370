package dev.throng.core.transport;

import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * An event loop that is the test's own thread and runs tasks only when the test asks (Netty's
 * {@code EmbeddedEventLoop} plays this part for {@code EmbeddedChannel}, but is not public).
 *
 * <pre>
 * ManualLoop loop = new ManualLoop();   // the creating thread is the loop's thread
 * loop.execute(task);                   // queued, from any thread
 * loop.runTasks();                      // runs it, and every scheduled task that is due
 * loop.advance(Duration.ofSeconds(5));  // moves the clock of scheduled tasks and runs what fell due
 * </pre>
 *
 * <p>The clock is a {@link MockTicker}: a scheduled task (a close timer, the memory poll) runs when the test moves
 * the clock past its deadline, never by itself. Code that reads {@code System.nanoTime()} directly is not affected.
 */
final class ManualLoop extends AbstractScheduledEventExecutor {
    private final Thread owner = Thread.currentThread();
    private final MockTicker ticker = Ticker.newMockTicker();
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();

    @Override
    public Ticker ticker() {
        return ticker;
    }

    @Override
    public boolean inEventLoop(Thread thread) {
        return thread == owner;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    /** Runs queued tasks and scheduled tasks that are due, until none is left; returns how many ran. */
    int runTasks() {
        if (!inEventLoop()) {
            throw new IllegalStateException("runTasks() is for the loop's own thread");
        }
        int ran = 0;
        for (; ; ) {
            Runnable task = tasks.poll();
            if (task == null) {
                task = pollScheduledTask();
            }
            if (task == null) {
                return ran;
            }
            task.run();
            ran++;
        }
    }

    /** Moves the clock of scheduled tasks by {@code time}, then runs what is due. */
    void advance(Duration time) {
        ticker.advance(time.toNanos(), TimeUnit.NANOSECONDS);
        runTasks();
    }

    // ---- a loop that never shuts down: the test ends with it ---------------------------------------------------

    @Override
    public boolean isShuttingDown() {
        return false;
    }

    @Override
    public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
        return terminationFuture();
    }

    @Override
    public Future<?> terminationFuture() {
        return GlobalEventExecutor.INSTANCE.newFailedFuture(new UnsupportedOperationException("never terminates"));
    }

    @Override
    @Deprecated
    public void shutdown() {}

    @Override
    public boolean isShutdown() {
        return false;
    }

    @Override
    public boolean isTerminated() {
        return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return false;
    }
}
