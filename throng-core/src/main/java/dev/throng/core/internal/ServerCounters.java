package dev.throng.core.internal;

import dev.throng.core.ServerStats;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's counters: one set per server, striped by {@link LongAdder} so event loops do not contend, summed
 * when read. Never per connection.
 */
public final class ServerCounters {
    public final LongAdder open = new LongAdder();
    public final LongAdder accepted = new LongAdder();
    public final LongAdder rejected = new LongAdder();
    public final LongAdder shed = new LongAdder();
    public final LongAdder pings = new LongAdder();
    public final LongAdder deadPeers = new LongAdder();
    public final LongAdder bytesIn = new LongAdder();
    public final LongAdder bytesOut = new LongAdder();
    /** Times a connection stopped being read (memory short, or its peer not reading). */
    public final LongAdder readPauses = new LongAdder();
    /** Connections not being read now (a gauge: up at a pause, down at the resume or close). */
    public final LongAdder pausedNow = new LongAdder();

    public ServerStats snapshot(MemoryBudget budget, FailureLog failures, boolean healthy) {
        return new ServerStats(
                open.sum(),
                accepted.sum(),
                rejected.sum(),
                shed.sum(),
                pings.sum(),
                deadPeers.sum(),
                bytesIn.sum(),
                bytesOut.sum(),
                budget.limit(),
                budget.used(),
                budget.peak(),
                budget.refusedCount(),
                readPauses.sum(),
                pausedNow.sum(),
                failures.count(),
                healthy);
    }
}
