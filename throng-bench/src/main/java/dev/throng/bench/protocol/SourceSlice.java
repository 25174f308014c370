package dev.throng.bench.protocol;

/**
 * One local address and the ports on it a worker (or one of its event loops) may bind. Slices handed out by the
 * coordinator never overlap, so no two sockets of a run compete for the same (address, port).
 *
 * @param address a literal IPv4 address ({@code 0.0.0.0}: the kernel picks the interface, the port stays ours)
 * @param firstPort the lowest port, inclusive
 * @param lastPort the highest port, inclusive
 */
public record SourceSlice(String address, int firstPort, int lastPort) {

    public int size() {
        return lastPort - firstPort + 1;
    }
}
