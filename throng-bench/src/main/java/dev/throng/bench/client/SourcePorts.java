package dev.throng.bench.client;

import dev.throng.bench.plan.SourceAddresses;
import dev.throng.bench.protocol.SourceSlice;
import java.net.InetAddress;

/**
 * Hands out the ports of one (address, port range) slice in order, each once. Binding explicitly, instead of letting
 * the kernel pick, keeps {@code connect()} fast: measured on Linux, the kernel's search for a free ephemeral port
 * makes connects slow past ~15k connections per source address. Event-loop thread only.
 */
final class SourcePorts {

    final InetAddress address;
    private int next;
    private final int last;

    SourcePorts(SourceSlice slice) {
        this.address = SourceAddresses.toInet(slice.address());
        this.next = slice.firstPort();
        this.last = slice.lastPort();
    }

    /** The next unused port, or -1 when none is left. */
    int take() {
        return next <= last ? next++ : -1;
    }
}
