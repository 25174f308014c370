package dev.throng.core.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The process-wide budget for bytes in flight (issue #15): partial frames and messages held between reads, inflated
 * messages while they are handled, and outbound bytes the kernel has not taken yet, all counted together against one
 * limit. One per server, shared by its event loops; a connection counts only while it holds something, so an idle
 * connection costs the budget nothing.
 *
 * <p>Two ways to count: {@link #tryCharge} asks before memory is taken (a large frame about to be read) and is
 * refused when the limit would be passed, so the caller waits instead of allocating; {@link #charge} counts memory
 * that exists already (a frame queued for the socket, a fragment appended), which may pass the limit, and then the
 * next {@code tryCharge} waits until enough is {@linkplain #release released}.
 *
 * <p>Thread-safe; lock-free. Only connections that hold bytes touch it, never an idle read.
 */
public final class MemoryBudget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final LongAdder refused = new LongAdder();

    /** @param limit bytes in flight at most; at least 1 */
    public MemoryBudget(long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("memory budget must be at least 1 byte, got " + limit);
        }
        this.limit = limit;
    }

    /** Counts {@code bytes} if they fit under the limit; returns whether they were counted. */
    public boolean tryCharge(long bytes) {
        for (; ; ) {
            long now = used.get();
            long next = now + bytes;
            if (next > limit && bytes > 0) {
                return false;
            }
            if (used.compareAndSet(now, next)) {
                notePeak(next);
                return true;
            }
        }
    }

    /** Counts {@code bytes} that are taken already, even past the limit. */
    public void charge(long bytes) {
        if (bytes != 0) {
            notePeak(used.addAndGet(bytes));
        }
    }

    /** Returns {@code bytes} counted earlier. */
    public void release(long bytes) {
        if (bytes != 0) {
            used.addAndGet(-bytes);
        }
    }

    /** Counts a message or frame refused because it could not fit (closed with 1009 or 1013). */
    public void refused() {
        refused.increment();
    }

    private void notePeak(long value) {
        long p;
        while (value > (p = peak.get()) && !peak.compareAndSet(p, value)) {
            // another thread raised the peak meanwhile: compare again
        }
    }

    public long limit() {
        return limit;
    }

    /** Bytes counted now. */
    public long used() {
        return used.get();
    }

    /** Bytes that fit before the limit (0 when it is passed). */
    public long available() {
        return Math.max(0, limit - used.get());
    }

    /** The most bytes counted at once since start. */
    public long peak() {
        return peak.get();
    }

    /** Frames and messages refused because they could not fit. */
    public long refusedCount() {
        return refused.sum();
    }
}
