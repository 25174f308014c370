package dev.throng.core;

/**
 * A snapshot of a server's counters (cumulative since start, except the gauges: {@code openConnections},
 * {@code memoryInFlight}, {@code readsPausedNow} and {@code healthy}).
 *
 * @param openConnections connections upgraded and not yet closed
 * @param handshakesAccepted upgrades completed
 * @param handshakesRejected requests answered with an error status (including admission control)
 * @param handshakesShed upgrade requests refused by admission control (503/429), also in handshakesRejected
 * @param pingsSent keepalive pings sent
 * @param deadPeers connections closed because they stayed silent a whole interval after a ping, or took none of the
 *     bytes queued for them in a whole interval
 * @param bytesIn bytes read from upgraded connections
 * @param bytesOut bytes of frames written to upgraded connections
 * @param memoryBudget the limit on bytes in flight ({@link ServerConfig.Limits#memoryBudget()}, or the one derived)
 * @param memoryInFlight bytes in flight now: partial frames and messages, inflated messages, outbound queues
 * @param memoryPeak the most bytes in flight at once since start
 * @param memoryRefused frames and messages refused because they could not fit (closed with 1009 or 1013)
 * @param readPauses times a connection stopped being read because memory was short or its peer did not read
 * @param readsPausedNow connections not being read now, for either reason
 * @param connectionFailures connections closed because the server failed unexpectedly while handling them (1011,
 *     or 1013 when memory ran out); each cause is logged once
 * @param healthy whether every event loop answers its heartbeat (false: {@code /healthz} says 503)
 */
public record ServerStats(
        long openConnections,
        long handshakesAccepted,
        long handshakesRejected,
        long handshakesShed,
        long pingsSent,
        long deadPeers,
        long bytesIn,
        long bytesOut,
        long memoryBudget,
        long memoryInFlight,
        long memoryPeak,
        long memoryRefused,
        long readPauses,
        long readsPausedNow,
        long connectionFailures,
        boolean healthy) {

    /** One line for logs and exit reports. */
    public String summary() {
        return String.format(
                "%d open, %d accepted, %d rejected (%d shed), %d pings, %d dead peers, %d B in, %d B out,"
                        + " in flight %d/%d B (peak %d), %d refused for memory, %d read pauses (%d now), %d failures, %s",
                openConnections,
                handshakesAccepted,
                handshakesRejected,
                handshakesShed,
                pingsSent,
                deadPeers,
                bytesIn,
                bytesOut,
                memoryInFlight,
                memoryBudget,
                memoryPeak,
                memoryRefused,
                readPauses,
                readsPausedNow,
                connectionFailures,
                healthy ? "healthy" : "UNHEALTHY");
    }
}
