package dev.throng.core.internal;

import dev.throng.core.internal.KeepaliveWheel.Member;
import dev.throng.core.internal.KeepaliveWheel.Node;

/**
 * One per event loop: the sockets whose opening handshake is in progress, oldest first. Every member waits for the
 * same timeout from the moment it joined, so the first member is always the next to expire and a sweep stops at the
 * first one with time left: a deadline costs no timer, no allocation and no field beyond the list links a
 * connection already has (a member is in this queue before the upgrade and in the keepalive wheel after it).
 *
 * <p>Confined to its event loop.
 */
public final class ArrivalQueue {
    private final Node sentinel = Node.sentinel();

    /** Appends {@code member} (the newest); it leaves with {@link Node#unlink()}. */
    public void add(Member member) {
        member.linkBefore(sentinel);
    }

    /**
     * Asks members, oldest first, whether their deadline passed ({@link Member#onDeadline}) until one has time
     * left. Returns that member's time left in nanoseconds, or -1 when the queue is empty.
     */
    public long expire(long nowNanos) {
        Node node = sentinel.next;
        while (node != sentinel) {
            Node next = node.next;
            long left = ((Member) node).onDeadline(nowNanos);
            if (left > 0) {
                return left;
            }
            node.unlink();
            node = next;
        }
        return -1;
    }
}
