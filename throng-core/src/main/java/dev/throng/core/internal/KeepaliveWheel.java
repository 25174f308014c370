package dev.throng.core.internal;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One per event loop: the registry of the loop's connections (what a drain walks) and a timing wheel whose revolution is the keepalive interval. Each connection sits in one slot,
 * chosen at random when it opens, and is visited once per revolution at that same phase, so the pings of a million
 * connections are spread evenly over the interval instead of firing together, and no connection needs a timer of
 * its own.
 *
 * <p>Slots are circular doubly linked lists with a sentinel; a connection is its own list node ({@link Member}
 * extends {@link Node}), so joining and leaving cost no allocation and leaving needs no reference to the wheel.
 *
 * <p>Confined to its event loop: {@link #add}, {@link Node#unlink()} and {@link #tick()} run only there.
 */
public final class KeepaliveWheel {
    /**
     * Wheel granularity, at most (a tenth of the interval when that is shorter). 1 s still spreads a 30 s interval's
     * pings over 30 slots, and batches each second's pings into one wake-up of the loop; their pongs then come back
     * together too, so the loop (and, on loopback, the client) wakes less often: at 100,000 idle connections with
     * 30 s pings, server CPU fell from ~8.6 % to ~7.3 % of a core against 100 ms ticks (docs/benchmarks.md,
     * section 10).
     */
    public static final long DEFAULT_TICK_MILLIS = 1000;

    private final Node[] slots;
    private final long tickMillis;
    private final long tickNanos;
    private final long startNanos;
    /** Ticks accounted for since {@link #startNanos}. */
    private long ticksDone;

    private int cursor;

    /** A list node: the sentinel of a slot, or a member connection. */
    public static class Node {
        Node prev;
        Node next;

        /** Leaves the wheel; a no-op when not in it. */
        public final void unlink() {
            if (next != null) {
                prev.next = next;
                next.prev = prev;
                prev = null;
                next = null;
            }
        }

        /** A new empty circular list: a sentinel linked to itself. */
        static Node sentinel() {
            Node sentinel = new Node();
            sentinel.prev = sentinel;
            sentinel.next = sentinel;
            return sentinel;
        }

        /** Links this node just before {@code sentinel}: at the tail of that list. */
        final void linkBefore(Node sentinel) {
            prev = sentinel.prev;
            next = sentinel;
            sentinel.prev.next = this;
            sentinel.prev = this;
        }
    }

    /** A connection in the wheel. */
    public abstract static class Member extends Node {
        /** Called once per revolution, on the event loop. May {@link #unlink()} itself (e.g. by closing). */
        protected abstract void onKeepalive(long nowNanos);

        /**
         * Called by an {@link ArrivalQueue} sweep, on the event loop, for the oldest member still queued: returns
         * the nanoseconds left before the member's deadline, or zero or less when it passed (the member then
         * leaves the queue and the sweep goes on to the next).
         */
        protected long onDeadline(long nowNanos) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * @param intervalMillis the revolution: how often each member is visited
     */
    public KeepaliveWheel(long intervalMillis) {
        this(intervalMillis, System.nanoTime());
    }

    /** As {@link #KeepaliveWheel(long)}, with the clock's start given (for tests that drive time). */
    KeepaliveWheel(long intervalMillis, long startNanos) {
        this.startNanos = startNanos;
        this.tickMillis = Math.max(1, Math.min(DEFAULT_TICK_MILLIS, intervalMillis / 10));
        this.tickNanos = TimeUnit.MILLISECONDS.toNanos(tickMillis);
        int count = (int) Math.max(1, intervalMillis / tickMillis);
        slots = new Node[count];
        for (int i = 0; i < count; i++) {
            slots[i] = Node.sentinel();
        }
    }

    /** How often {@link #tick()} should run (with a fixed delay), in milliseconds. */
    public long tickMillis() {
        return tickMillis;
    }

    /** Adds a member at a random phase: its first visit is between one tick and one interval from now. */
    public void add(Member member) {
        int offset = 1 + ThreadLocalRandom.current().nextInt(slots.length);
        member.linkBefore(slots[(cursor + offset) % slots.length]);
    }

    /** Calls {@code action} for every member (on the event loop). */
    public void forEach(java.util.function.Consumer<Member> action) {
        for (Node sentinel : slots) {
            for (Node node = sentinel.next; node != sentinel; node = node.next) {
                action.accept((Member) node);
            }
        }
    }

    /**
     * Advances the cursor by the ticks that elapsed in wall-clock time and visits the members of each slot passed.
     * Time, not the number of calls, drives the wheel: after the loop was stalled, the slots that fell due are
     * visited once each, and a slot is never visited twice within less than an interval (a late burst of catch-up
     * ticks would ping a connection and then judge it dead before its pong could arrive). After a stall longer than
     * a whole interval every slot is visited once.
     */
    public void tick() {
        tick(System.nanoTime());
    }

    /** {@link #tick()} at time {@code now} (nanoseconds on the clock the wheel started on). */
    void tick(long now) {
        long due = (now - startNanos) / tickNanos;
        long advance = Math.min(due - ticksDone, slots.length);
        ticksDone = due;
        for (long i = 0; i < advance; i++) {
            cursor = (cursor + 1) % slots.length;
            visit(slots[cursor], now);
        }
    }

    private static void visit(Node sentinel, long now) {
        Node node = sentinel.next;
        while (node != sentinel) {
            Node next = node.next;
            ((Member) node).onKeepalive(now);
            node = next;
        }
    }
}
