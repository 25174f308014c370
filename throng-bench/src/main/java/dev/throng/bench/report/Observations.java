package dev.throng.bench.report;

import dev.throng.bench.protocol.WorkerSnapshot;
import java.util.List;

/**
 * What the coordinator observed during a run, the input of {@link ReportBuilder}. Times are coordinator
 * {@code System.nanoTime()} values.
 *
 * @param ready each worker's snapshot at {@code ready} (baseline memory and CPU)
 * @param ramped each worker's snapshot when all its attempts resolved (memory with connections held)
 * @param reports each worker's final snapshot
 * @param goNanos when {@code go} was sent
 * @param holdStartNanos when the last worker reported {@code ramped}
 * @param holdEndNanos when {@code close} was sent
 * @param endNanos when the last report arrived
 * @param heldAtEndOfHold open connections (per the latest progress) when {@code close} was sent
 * @param peakConnectRate most connections established in one progress second
 * @param benchCpuCoresPeak most CPU the workers used in one progress second, in cores
 * @param benchRssPeak most summed worker RSS seen
 * @param rampStopped the ramp passed its deadline and was stopped before every connection was attempted
 * @param closeCutShort the close phase passed its deadline and the connections left were dropped
 * @param server the server samples, or {@code null} without {@code --server-pid}
 */
public record Observations(
        List<WorkerSnapshot> ready,
        List<WorkerSnapshot> ramped,
        List<WorkerSnapshot> reports,
        long goNanos,
        long holdStartNanos,
        long holdEndNanos,
        long endNanos,
        long heldAtEndOfHold,
        double peakConnectRate,
        double benchCpuCoresPeak,
        long benchRssPeak,
        boolean rampStopped,
        boolean closeCutShort,
        ServerObservations server) {

    /**
     * Summed over the server pids.
     *
     * @param pids the pids
     * @param rssBefore RSS sampled before {@code go}
     * @param rssHeld RSS sampled when {@code close} was sent
     * @param rssPeak the most RSS sampled
     * @param pssBefore proportional set size sampled before {@code go}
     * @param pssHeld proportional set size sampled when {@code close} was sent
     * @param cpuAtHoldStart CPU time (ns) when the hold began
     * @param cpuAtHoldEnd CPU time (ns) when the hold ended
     */
    public record ServerObservations(
            List<Long> pids,
            long rssBefore,
            long rssHeld,
            long rssPeak,
            long pssBefore,
            long pssHeld,
            long cpuAtHoldStart,
            long cpuAtHoldEnd) {}
}
