package dev.throng.gateway.hub;

/**
 * One channel on this node: which event loops have subscribers of it (a bit per loop), and how many subscribers the
 * node has. A publication goes to those loops only, one task each; the group's lock orders the tasks, so that every
 * loop receives a channel's publications in the same order (and so does every subscriber).
 *
 * <p>Guarded by its own monitor. A group that lost its last subscriber is {@link #removed} from its app's directory;
 * a subscriber arriving at the same moment takes a new one.
 */
final class ChannelGroup {
    /** Bit i: loop i has subscribers (loops beyond 64 share bit 63, which then means "all loops from 63 on"). */
    long loops;

    int subscribers;
    boolean removed;

    static long bit(int loopIndex) {
        return 1L << Math.min(loopIndex, 63);
    }
}
