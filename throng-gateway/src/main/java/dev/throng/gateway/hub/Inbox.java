package dev.throng.gateway.hub;

import dev.throng.core.IoLoop;
import dev.throng.core.PreparedMessage;
import dev.throng.core.WebSocketConnection;
import dev.throng.gateway.broker.Publication;
import io.netty.util.internal.PlatformDependent;
import java.util.Arrays;
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
     * enough that a loop that fell behind on many channels catches up with several events per subscriber per write:
     * with 1,000 channels each waiting publications of a few requests, a drain of 1,024 held about one per channel,
     * so every event cost a system call per subscriber however far behind the loop was (issue #17: 1,000 x 15 at half
     * of Bun, docs/benchmarks.md section 29). The scratch arrays start at {@link #INITIAL_SCRATCH} and grow to this
     * only on a loop that has had so many waiting at once (~0.7 MiB at most), so an idle worker pays nothing.
     */
    static final int MAX_PER_DRAIN = 16_384;
    /** The scratch arrays' first size: a drain of a loop that never falls far behind. */
    static final int INITIAL_SCRATCH = 1024;
    /**
     * A subscriber gets at most this many of a channel's publications in one write (the kernel takes 1,024 buffers per
     * call); a channel with more waiting gets them in several writes, in order.
     */
    static final int MAX_PER_WRITE = 1024;

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

    // On the loop only: one drain's publications, their channels, and one subscriber's share (grown by grow()).
    private Delivery[] batch = new Delivery[INITIAL_SCRATCH];
    private LocalChannel[] channels = new LocalChannel[INITIAL_SCRATCH];
    private boolean[] done = new boolean[INITIAL_SCRATCH];
    /** For each publication of a drain, the next of its channel's (-1: none): a channel's group in one pass. */
    private int[] next = new int[INITIAL_SCRATCH];
    /** For each publication of a drain, its place in its channel's group (1: the first). */
    private int[] place = new int[INITIAL_SCRATCH];
    // One group: at most MAX_PER_WRITE.
    private final PreparedMessage[] group = new PreparedMessage[MAX_PER_WRITE];
    private final long[] groupExcluded = new long[MAX_PER_WRITE];
    private final int[] groupIndex = new int[MAX_PER_WRITE];
    private final int[] groupDelivered = new int[MAX_PER_WRITE];
    private final PreparedMessage[] share = new PreparedMessage[MAX_PER_WRITE];
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
                if (n == batch.length) {
                    grow();
                }
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

    /** Doubles the drain's scratch arrays, up to MAX_PER_DRAIN: this loop has had more waiting than they hold. */
    private void grow() {
        int size = Math.min(MAX_PER_DRAIN, batch.length * 2);
        batch = Arrays.copyOf(batch, size);
        channels = Arrays.copyOf(channels, size);
        done = new boolean[size];
        next = new int[size];
        place = new int[size];
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
                if (lc.drainStamp == drain && place[lc.drainLast] < MAX_PER_WRITE) {
                    next[lc.drainLast] = i; // chained behind the channel's previous publication in this drain
                    place[i] = place[lc.drainLast] + 1;
                } else {
                    lc.drainStamp = drain; // the channel's first in this drain, or the first of its next group
                    place[i] = 1;
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
