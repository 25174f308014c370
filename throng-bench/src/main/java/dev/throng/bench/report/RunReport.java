package dev.throng.bench.report;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * The result of a run, as written by {@code --report}. Times in seconds, latencies in milliseconds, sizes in bytes.
 * docs/bench.md explains each field and how it is measured.
 *
 * @param server {@code null} unless {@code --server-pid} was given
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunReport(
    String scenario,
    int workers,
    List<String> urls,
    List<String> sources,
    Connections connections,
    Timing timing,
    Map<String, Latency> latencyMillis,
    Messages messages,
    LoadGenerator loadGenerator,
    Server server,
    List<String> warnings,
    Verdict verdict) {

    /**
     * @param requested {@code --connections}
     * @param failures failed attempts by reason id
     * @param lostReasons established connections lost before the close phase, by reason id
     * @param lostBySecond those losses by whole seconds since the start of the ramp
     * @param heldAtEndOfHold connections open when the close phase began
     */
    public record Connections(long requested, long attempted, long established, long failed,
                              Map<String, Long> failures, long lost, Map<String, Long> lostReasons,
                              Map<Integer, Long> lostBySecond, long heldAtEndOfHold, long closedClean,
                              long closedUnclean, long portsSkipped) {
    }

    /**
     * @param rampSeconds from the start until every attempt resolved (established or failed)
     * @param connectRatePerSecond established connections per second of ramp
     * @param peakConnectRatePerSecond most connections established in one progress second
     */
    public record Timing(double rampSeconds, double connectRatePerSecond, double peakConnectRatePerSecond,
                         double holdSeconds, double closeSeconds, double totalSeconds) {
    }

    /** A latency distribution in milliseconds; {@code p999} is the 99.9th percentile. */
    public record Latency(long count, double mean, double p50, double p90, double p99, double p999, double max) {
    }

    /** Rates are per second over the time from the start of the ramp to the start of the close phase. */
    public record Messages(long sent, long received, double sentPerSecond, double receivedPerSecond, long bytesSent,
                           long bytesReceived, double bytesSentPerSecond, double bytesReceivedPerSecond,
                           long sendsSkipped, long serverPings, long clientPings, long pongs) {
    }

    /**
     * The bench's own cost, summed over its workers.
     *
     * @param cpuCoresAverage CPU seconds per second of run
     * @param rssBytesPerConnection growth of the workers' summed RSS from ready to ramped, per open connection
     * @param heapBytesPerConnection the same for Java heap in use after a full GC (retained size)
     * @param cores the cores this machine has, to judge the figures against
     */
    public record LoadGenerator(double cpuSeconds, double cpuCoresAverage, double cpuCoresPeak, long rssBytesPeak,
                                long rssBytesPerConnection, long heapBytesPerConnection, int cores) {
    }

    /**
     * The server's cost, summed over {@code --server-pid}.
     *
     * @param rssBytesBefore before the first connection
     * @param rssBytesHeld at the end of the hold
     * @param rssBytesPerConnection (held - before) / connections held
     * @param pssBytesBefore proportional set size before the first connection: pages shared between the server
     *     processes (the JVM's libraries and class archive) counted once, not once per process
     * @param pssBytesHeld the same at the end of the hold
     * @param pssBytesHeldPerConnection {@code pssBytesHeld} / connections held: all the server's memory, its
     *     processes' baselines included, per connection
     * @param cpuCoresDuringHold CPU seconds per second during the hold
     * @param cpuPercentOfCorePer100kConnections {@code cpuCoresDuringHold} as percent of one core, per 100,000
     *     held connections
     */
    public record Server(List<Long> pids, long rssBytesBefore, long rssBytesHeld, long rssBytesPeak,
                         long rssBytesPerConnection, long pssBytesBefore, long pssBytesHeld,
                         long pssBytesHeldPerConnection, double cpuCoresDuringHold,
                         double cpuPercentOfCorePer100kConnections) {
    }

    /**
     * @param failures failed plus lost connections
     * @param maxFailures the {@code --max-failures} budget
     * @param rampCompleted every requested connection was attempted (false: the ramp passed {@code --ramp-timeout})
     * @param passed whether failures stayed within the budget and the ramp completed (exit status 0)
     */
    public record Verdict(long failures, String maxFailures, boolean rampCompleted, boolean passed) {
    }
}
