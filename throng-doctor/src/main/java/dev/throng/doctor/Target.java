package dev.throng.doctor;

import java.util.Objects;

/**
 * What the box is checked for: a number of connections, the role it plays and how many processes share them.
 *
 * @param connections connections to hold at once; at least 1
 * @param role        server, client or both ends on this box
 * @param workers     processes sharing the connections ({@code throng serve --workers N}); at least 1
 */
public record Target(long connections, Role role, int workers) {

    /** The figure the project is built for: a million connections per box. */
    public static final long DEFAULT_CONNECTIONS = 1_000_000;

    public Target {
        Objects.requireNonNull(role, "role");
        if (connections < 1) {
            throw new IllegalArgumentException("connections must be at least 1, got " + connections);
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        if (workers > connections) {
            throw new IllegalArgumentException(
                    "workers (" + workers + ") must not exceed connections (" + connections + ")");
        }
    }

    /** A million connections, server role, one process: what {@code throng doctor} checks without options. */
    public static Target defaults() {
        return new Target(DEFAULT_CONNECTIONS, Role.SERVER, 1);
    }

    /** Sockets open on this box: twice the connections when both ends are here. */
    public long socketsOnBox() {
        return connections * role.socketsPerConnection();
    }

    /** JVM processes on this box: the workers, once per role played here. */
    public int processes() {
        return workers * role.socketsPerConnection();
    }

    /**
     * Connections the busiest process may be dealt: all of them for one process; for several, the even share plus
     * the margin {@code throng serve} caps each worker at for the kernel's uneven spread
     * ({@link WorkerSizing#busiest}). A bench deals its workers exact shares, so for a client this is on the safe
     * side.
     */
    public long connectionsPerProcess() {
        return WorkerSizing.busiest(connections, workers);
    }
}
