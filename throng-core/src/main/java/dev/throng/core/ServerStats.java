package dev.throng.core;

/**
 * A snapshot of a server's counters (cumulative since start, except {@code openConnections}).
 *
 * @param openConnections connections upgraded and not yet closed
 * @param handshakesAccepted upgrades completed
 * @param handshakesRejected requests answered with an error status (including admission control)
 * @param handshakesShed upgrade requests refused by admission control (503/429), also in handshakesRejected
 * @param pingsSent keepalive pings sent
 * @param deadPeers connections closed because they stayed silent a whole interval after a ping
 * @param bytesIn bytes read from upgraded connections
 * @param bytesOut bytes of frames written to upgraded connections
 */
public record ServerStats(long openConnections, long handshakesAccepted, long handshakesRejected, long handshakesShed,
                          long pingsSent, long deadPeers, long bytesIn, long bytesOut) {
}
