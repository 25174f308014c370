package dev.throng.gateway.hub;

import dev.throng.core.IoLoop;
import dev.throng.core.PreparedMessage;
import dev.throng.core.WebSocketConnection;
import dev.throng.gateway.broker.Publication;
import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The publications handed to one event loop, written to its subscribers in batches (issue #17 item 9). Publications
 * that arrive while the loop is busy wait here; one drain task then gives each subscriber its share of a channel's
 * waiting publications in one gathering write ({@link WebSocketConnection#offer(PreparedMessage[], int)}). So the
 * busier the loop, the more publications a system call carries: at a low rate every publication is written on its
 * own as soon as the loop runs the task, at a high rate many share a write (uWebSockets drains its topics once per
 * loop iteration for the same reason). Nothing waits on purpose unless {@code gateway.writeDelay} says so: then the
 * first publication of a batch waits that long for others to join it (a drain started by a backlog does not wait).
 *
 * <p>Order: a channel's publications are enqueued under its group's lock, in the channel's order, and a drain takes
 * them in queue order; so every subscriber gets a channel's publications in that order, once.
 *
 * <p>Bounded from the outside: the hub counts what it adds ({@link Hub#backlogBytes}) and the REST API stops
 * publishing while that is over its limit; a drain tells the hub what it took. The queue itself never refuses: what
 * was accepted is delivered.
 *
 * <p>Thread-safe: {@link #add} from any thread; the drain runs on the loop and its scratch arrays are the loop's.
 */
final class Inbox {
    /**
     * A drain takes at most this many publications before the loop does I/O again (the rest: the next drain). Large
     * enough that the publications of several REST requests read in one turn share a drain, so a subscriber gets its
     * channel's events of all of them in one write even when each request names hundreds of channels (1,000 channels
     * x 15 subscribers: with 256, about two requests per drain, so one event per write); small enough that a drain
     * of one busy channel leaves the loop to its I/O after at most this many events per subscriber (within one
     * gathering write, under the kernel's 1,024 buffers per call).
     */
    static final int MAX_PER_DRAIN = 1024;

    /** One publication for this loop: its frame (retained for the loop), and the socket skipped (-1: none). */
    record Delivery(AppHub app, Publication publication, PreparedMessage message, long excluded) {}

    private final Hub hub;
    private final IoLoop loop;
    private final int apps;
    /** GatewayConfig.writeDelay: how long the first publication of a batch waits for others (0: not at all). */
    private final long writeDelayNanos;

    private final Queue<Delivery> queue = PlatformDependent.newMpscQueue();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;

    // On the loop only: one drain's publications, their channels, and one subscriber's share.
    private final Delivery[] batch = new Delivery[MAX_PER_DRAIN];
    private final LocalChannel[] channels = new LocalChannel[MAX_PER_DRAIN];
    private final PreparedMessage[] group = new PreparedMessage[MAX_PER_DRAIN];
    private final long[] groupExcluded = new long[MAX_PER_DRAIN];
    private final int[] groupIndex = new int[MAX_PER_DRAIN];
    private final int[] groupDelivered = new int[MAX_PER_DRAIN];
    private final boolean[] done = new boolean[MAX_PER_DRAIN];
    private final PreparedMessage[] share = new PreparedMessage[MAX_PER_DRAIN];
    /** For each publication of a drain, the next of its channel's (-1: none): a channel's group in one pass. */
    private final int[] next = new int[MAX_PER_DRAIN];
    /** Which drain this is (LocalChannel.drainStamp): a channel's marks from earlier drains are stale. */
    private long stamp;

    Inbox(Hub hub, IoLoop loop, int apps, long writeDelayNanos) {
        this.hub = hub;
        this.loop = loop;
        this.apps = apps;
        this.writeDelayNanos = writeDelayNanos;
    }

    IoLoop loop() {
        return loop;
    }

    /** Hands {@code delivery} (its message retained for this loop) to the loop; a drain is scheduled if none is. */
    void add(Delivery delivery) {
        queue.offer(delivery);
        if (scheduled.compareAndSet(false, true)) {
            startDrain();
        }
    }

    /** Runs a drain now, or after the write delay when there is one. */
    private void startDrain() {
        if (writeDelayNanos > 0) {
            loop.schedule(drain, writeDelayNanos);
        } else {
            loop.execute(drain);
        }
    }

    private void drain() {
        int n = 0;
        try {
            Delivery d;
            while (n < MAX_PER_DRAIN && (d = queue.poll()) != null) {
                batch[n++] = d;
            }
            deliver(n);
        } finally {
            long bytes = 0;
            for (int i = 0; i < n; i++) {
                bytes += batch[i].message().frame().readableBytes();
                batch[i].message().release();
                batch[i] = null;
                channels[i] = null;
            }
            hub.drained(bytes);
            if (!queue.isEmpty()) {
                loop.execute(drain); // still scheduled: the rest goes after the I/O and tasks waiting meanwhile
            } else {
                scheduled.set(false);
                if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
                    startDrain(); // added between the look and the reset
                }
            }
        }
    }

    /** Writes {@code batch[0..n)}, channel by channel; within a channel, in order. */
    private void deliver(int n) {
        Shard shard = Shard.of(loop, apps);
        long drain = ++stamp;
        for (int i = 0; i < n; i++) {
            LocalChannel lc = shard.get(batch[i].app(), batch[i].publication().channel());
            channels[i] = lc;
            done[i] = false;
            next[i] = -1;
            if (lc != null) {
                if (lc.drainStamp == drain) {
                    next[lc.drainLast] = i; // chained behind the channel's previous publication in this drain
                } else {
                    lc.drainStamp = drain;
                }
                lc.drainLast = i;
            }
        }
        for (int i = 0; i < n; i++) {
            if (done[i]) {
                continue; // delivered with an earlier publication of its channel
            }
            LocalChannel lc = channels[i];
            if (lc == null) {
                hub.delivered(batch[i], 0); // nobody here any more
                continue;
            }
            int k = 0;
            boolean anyExcluded = false;
            for (int j = i; j >= 0; j = next[j]) {
                done[j] = true;
                group[k] = batch[j].message();
                groupExcluded[k] = batch[j].excluded();
                anyExcluded |= batch[j].excluded() >= 0;
                groupIndex[k] = j;
                groupDelivered[k] = 0;
                k++;
            }
            deliverGroup(lc, k, anyExcluded);
            for (int t = 0; t < k; t++) {
                hub.delivered(batch[groupIndex[t]], groupDelivered[t]);
                group[t] = null;
                share[t] = null;
            }
        }
    }

    /** Each subscriber of {@code lc} gets {@code group[0..k)} but what it is excluded from, in one write. */
    private void deliverGroup(LocalChannel lc, int k, boolean anyExcluded) {
        lc.forEach(connection -> {
            ClientState state = connection.attachment();
            if (state == null) {
                return;
            }
            PreparedMessage[] messages = group;
            int m = k;
            if (anyExcluded) {
                m = 0;
                for (int t = 0; t < k; t++) {
                    if (groupExcluded[t] != state.seq) {
                        share[m++] = group[t];
                    }
                }
                if (m == 0) {
                    return;
                }
                messages = share;
            }
            if (!connection.offer(messages, m)) {
                hub.slowConsumer(connection, state);
                return;
            }
            for (int t = 0; t < k; t++) {
                if (!anyExcluded || groupExcluded[t] != state.seq) {
                    groupDelivered[t]++;
                }
            }
        });
    }
}
