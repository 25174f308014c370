package dev.throng.bench.protocol;

import java.util.Map;

/**
 * A worker's counters at one moment. Counters are cumulative since {@code go}; {@code histograms} holds
 * HdrHistograms (microseconds, compressed, base64) keyed by {@link HistogramKind#key()}: in {@code progress} messages
 * they cover the last interval only, in the {@code report} the whole run.
 *
 * @param worker the worker number
 * @param pid the worker's process id
 * @param attempted connections attempted (a retry on another port after EADDRINUSE is the same attempt)
 * @param established connections whose opening handshake succeeded
 * @param open connections open now
 * @param failures failed attempts by reason id (see {@code FailureReason}, plus {@code http-NNN})
 * @param lost established connections that closed before we started closing them, by reason id
 * @param lostBySecond the same losses by whole seconds since {@code go}
 * @param closedClean connections closed by us whose close handshake completed
 * @param closedUnclean connections closed by us whose close handshake did not complete (no close frame back
 *     within {@code --close-timeout}, or the TCP connection ended first)
 * @param portsSkipped (address, port) pairs skipped because binding or connecting from them failed
 * @param messagesSent data messages sent
 * @param messagesReceived data messages received
 * @param bytesSent bytes written, frame headers and handshakes included
 * @param bytesReceived bytes read, frame headers and handshakes included
 * @param sendsSkipped scheduled sends skipped because the connection was not writable
 * @param serverPings pings received from the server (each answered with a pong)
 * @param clientPings pings sent
 * @param pongs pongs received
 * @param rampMillis time from {@code go} until the last attempt resolved, 0 while ramping
 * @param cpuNanos the worker process's CPU time (user + system) so far, from {@code /proc/self/stat}
 * @param rssBytes the worker process's resident set now, from {@code /proc/self/status}
 * @param heapUsedBytes Java heap in use after a full GC, measured at {@code ready} and at {@code ramped}
 * @param histograms encoded histograms by kind
 * @param fanout subscribe scenario: subscriptions and deliveries (cumulative, also in {@code progress}); null
 *     otherwise
 */
public record WorkerSnapshot(
        int worker,
        long pid,
        long attempted,
        long established,
        long open,
        Map<String, Long> failures,
        Map<String, Long> lost,
        Map<Integer, Long> lostBySecond,
        long closedClean,
        long closedUnclean,
        long portsSkipped,
        long messagesSent,
        long messagesReceived,
        long bytesSent,
        long bytesReceived,
        long sendsSkipped,
        long serverPings,
        long clientPings,
        long pongs,
        long rampMillis,
        long cpuNanos,
        long rssBytes,
        long heapUsedBytes,
        Map<String, String> histograms,
        FanoutSnapshot fanout) {

    public long failed() {
        return failures.values().stream().mapToLong(Long::longValue).sum();
    }

    public long lostTotal() {
        return lost.values().stream().mapToLong(Long::longValue).sum();
    }
}
