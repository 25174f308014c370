package dev.throng.core;

/**
 * One event loop of a server, as the application sees it: the thread that owns a share of the connections, runs
 * their handler calls, and may hold the application's own per-loop state (a shard of a channel index, say), so that
 * work on many connections can be split per loop, one task each, instead of one task per connection.
 *
 * <pre>
 * for (IoLoop loop : server.loops()) {
 *     loop.execute(() -&gt; ((MyShard) loop.attachment()).deliver(message)); // one task per loop
 * }
 * </pre>
 *
 * <p>Thread-safe: {@link #execute} and {@link #inLoop} from any thread. {@link #attachment} and {@link #attach} are
 * for the loop's own thread (in a handler call or a task run by {@link #execute}).
 */
public interface IoLoop {

    /** This loop's position among the server's loops, from 0; stable for the server's life. */
    int index();

    /** Whether the calling thread is this loop's. */
    boolean inLoop();

    /** Runs {@code task} on this loop, after what is queued before it (tasks run in the order given). */
    void execute(Runnable task);

    /** Runs {@code task} on this loop once {@code delayNanos} have passed (at the loop's next turn after that). */
    void schedule(Runnable task, long delayNanos);

    /** The application's object for this loop, or {@code null}. On the loop only. */
    <T> T attachment();

    /** Sets the application's object for this loop. On the loop only (or before the server accepts connections). */
    void attach(Object attachment);
}
