package dev.throng.bench.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The result of a run, as written by {@code --report}. Times in seconds, latencies in milliseconds, sizes in bytes.
 * docs/bench.md explains each field and how it is measured.
 *
 * @param server {@code null} unless {@code --server-pid} was given
 * @param fanout the subscribe scenario's subscriptions, publish steps and deliveries; {@code null} in the others
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
        Verdict verdict,
        Fanout fanout) {

    /**
     * @param requested {@code --connections}
     * @param failures failed attempts by reason id
     * @param lostReasons established connections lost before the close phase, by reason id
     * @param lostBySecond those losses by whole seconds since the start of the ramp
     * @param heldAtEndOfHold connections open when the close phase began
     */
    public record Connections(
            long requested,
            long attempted,
            long established,
            long failed,
            Map<String, Long> failures,
            long lost,
            Map<String, Long> lostReasons,
            Map<Integer, Long> lostBySecond,
            long heldAtEndOfHold,
            long closedClean,
            long closedUnclean,
            long portsSkipped) {}

    /**
     * @param rampSeconds from the start until every attempt resolved (established or failed)
     * @param connectRatePerSecond established connections per second of ramp
     * @param peakConnectRatePerSecond most connections established in one progress second
     */
    public record Timing(
            double rampSeconds,
            double connectRatePerSecond,
            double peakConnectRatePerSecond,
            double holdSeconds,
            double closeSeconds,
            double totalSeconds) {}

    /** A latency distribution in milliseconds; {@code p999} is the 99.9th percentile. */
    public record Latency(long count, double mean, double p50, double p90, double p99, double p999, double max) {}

    /** Rates are per second over the time from the start of the ramp to the start of the close phase. */
    public record Messages(
            long sent,
            long received,
            double sentPerSecond,
            double receivedPerSecond,
            long bytesSent,
            long bytesReceived,
            double bytesSentPerSecond,
            double bytesReceivedPerSecond,
            long sendsSkipped,
            long serverPings,
            long clientPings,
            long pongs) {}

    /**
     * The bench's own cost, summed over its workers.
     *
     * @param cpuCoresAverage CPU seconds per second of run
     * @param rssBytesPerConnection growth of the workers' summed RSS from ready to ramped, per open connection
     * @param heapBytesPerConnection the same for Java heap in use after a full GC (retained size)
     * @param cores the cores this machine has, to judge the figures against
     */
    public record LoadGenerator(
            double cpuSeconds,
            double cpuCoresAverage,
            double cpuCoresPeak,
            long rssBytesPeak,
            long rssBytesPerConnection,
            long heapBytesPerConnection,
            int cores) {}

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
    public record Server(
            List<Long> pids,
            long rssBytesBefore,
            long rssBytesHeld,
            long rssBytesPeak,
            long rssBytesPerConnection,
            long pssBytesBefore,
            long pssBytesHeld,
            long pssBytesHeldPerConnection,
            double cpuCoresDuringHold,
            double cpuPercentOfCorePer100kConnections) {}

    /**
     * @param failures failed plus lost connections
     * @param maxFailures the {@code --max-failures} budget
     * @param rampCompleted every requested connection was attempted (false: the ramp passed {@code --ramp-timeout})
     * @param passed whether failures stayed within the budget and the ramp completed (exit status 0)
     */
    public record Verdict(long failures, String maxFailures, boolean rampCompleted, boolean passed) {}

    /**
     * The subscribe scenario (docs/bench.md; the options are {@code throng bench --help}'s).
     *
     * @param channels {@code --channels}
     * @param subscriptionsPerClient {@code --subscriptions-per-client}
     * @param subscribersPerChannelMin the fewest acknowledged subscribers of a channel
     * @param subscribersPerChannelMax the most
     * @param eventSize bytes of each event's data
     * @param channelsPerTrigger channels named in one trigger request
     * @param subscribe connect + subscribe: connections subscribed to all their channels, how long the ramp took
     *     until every attempt was subscribed or failed, and the rate
     * @param deliveries over the whole run: every benchmark event received and what was wrong with any
     * @param steps each publish step, in order
     * @param best the passing step with the highest rate, or null when none passed
     */
    public record Fanout(
            int channels,
            int subscriptionsPerClient,
            long subscribersPerChannelMin,
            long subscribersPerChannelMax,
            int eventSize,
            int channelsPerTrigger,
            Subscribe subscribe,
            Deliveries deliveries,
            List<Step> steps,
            Step best) {}

    /**
     * @param connections connections subscribed to all their channels
     * @param subscriptions {@code pusher_internal:subscription_succeeded} received
     * @param failed connections that did not subscribe, by reason in {@code failures}
     * @param seconds from the start until every attempt was subscribed or failed
     * @param connectionsPerSecond {@code connections / seconds}
     */
    public record Subscribe(
            long connections,
            long subscriptions,
            long failed,
            Map<String, Long> failures,
            double seconds,
            double connectionsPerSecond) {}

    /**
     * @param received benchmark events received, all steps
     * @param outOfOrder received with a sequence number not above the channel's last on that connection
     *     (duplicates, or overtaken)
     * @param gaps sequence numbers skipped on arrival
     * @param unknownChannel events for channels the connection had not subscribed to
     * @param unreadable events whose data could not be read
     * @param pusherPings {@code pusher:ping} received and answered
     * @param pusherErrors {@code pusher:error} received
     */
    public record Deliveries(
            long received,
            long outOfOrder,
            long gaps,
            long unknownChannel,
            long unreadable,
            long pusherPings,
            long pusherErrors) {}

    /**
     * One publish step. Rates are over {@code publishSeconds}, the time the step published.
     *
     * @param step its number, from 0
     * @param ratePerChannel events per second per channel asked for
     * @param targetEventsPerSecond that rate times the channels: channel events per second asked for
     * @param requests trigger requests sent (each names up to 100 channels)
     * @param requestsFailed those that did not answer 200, by reason in {@code requestErrors} ({@code http-NNN},
     *     {@code timeout}, {@code io})
     * @param channelEvents events published on a channel and accepted (200): a trigger to n channels counts n
     * @param publishSeconds from the step's first request to its last
     * @param eventsPerSecond {@code channelEvents / publishSeconds}: the rate achieved
     * @param publisherLagMaxMillis how late the publisher sent a request at worst (behind its schedule: the server
     *     answered too slowly for {@code --publish-concurrency}, or the bench was starved)
     * @param requestLatency trigger request round trips
     * @param expectedDeliveries for each accepted event, the acknowledged subscribers of its channel
     * @param receivedAtEvaluation deliveries of this step's events counted {@code --step-gap} after its last response
     * @param missingAtEvaluation {@code expected - receivedAtEvaluation}: lost or late
     * @param deliveriesPerSecond {@code receivedAtEvaluation / publishSeconds}
     * @param latency publish-to-receive of this step's events
     * @param serverCpuSeconds CPU the server processes used from the step's start to its evaluation (null without
     *     {@code --server-pid})
     * @param serverCpuMicrosPerDelivery {@code serverCpuSeconds} in microseconds per delivery received
     * @param brokerCpuSeconds the same for the processes of {@code --broker-pid} (a Redis the server relies on)
     * @param brokerCpuMicrosPerDelivery {@code brokerCpuSeconds} in microseconds per delivery received
     * @param receivedFinal deliveries of this step's events received by the end of the run
     * @param lostFinal {@code expected - receivedFinal}: never arrived
     * @param passed no delivery missing, extra or out of sequence, p99 below {@code --max-p99}, every request
     *     accepted, and at least 95 % of the asked rate published
     * @param failedBecause why not, when not passed
     */
    public record Step(
            int step,
            double ratePerChannel,
            double targetEventsPerSecond,
            long requests,
            long requestsFailed,
            Map<String, Long> requestErrors,
            long channelEvents,
            double publishSeconds,
            double eventsPerSecond,
            double publisherLagMaxMillis,
            Latency requestLatency,
            long expectedDeliveries,
            long receivedAtEvaluation,
            long missingAtEvaluation,
            double deliveriesPerSecond,
            Latency latency,
            Double serverCpuSeconds,
            Double serverCpuMicrosPerDelivery,
            Double brokerCpuSeconds,
            Double brokerCpuMicrosPerDelivery,
            long receivedFinal,
            long lostFinal,
            boolean passed,
            List<String> failedBecause) {

        /** This step with what had arrived of its events by the end of the run. */
        public Step withFinal(long received) {
            return new Step(
                    step,
                    ratePerChannel,
                    targetEventsPerSecond,
                    requests,
                    requestsFailed,
                    requestErrors,
                    channelEvents,
                    publishSeconds,
                    eventsPerSecond,
                    publisherLagMaxMillis,
                    requestLatency,
                    expectedDeliveries,
                    receivedAtEvaluation,
                    missingAtEvaluation,
                    deliveriesPerSecond,
                    latency,
                    serverCpuSeconds,
                    serverCpuMicrosPerDelivery,
                    brokerCpuSeconds,
                    brokerCpuMicrosPerDelivery,
                    received,
                    Math.max(0, expectedDeliveries - received),
                    passed,
                    failedBecause);
        }
    }
}
