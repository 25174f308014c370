package dev.throng.core.transport;

import dev.throng.core.ServerConfig;
import dev.throng.core.handshake.HttpReplyReason;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission control, decided before the upgrade (issue #4): the process's connection cap and handshake rate (503
 * with Retry-After), the per-address cap (429), and refusal while draining. Shared by all event loops of a server.
 *
 * <p>Per-address counts live in a map only when that cap is on; an entry exists per address with open connections,
 * never per connection.
 */
final class Admission {
    private final int maxConnections;
    private final int maxPerAddress;
    private final int ratePerSecond;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress;
    private volatile boolean draining;
    // Token bucket for the handshake rate; guarded by this.
    private double tokens;
    private long lastRefillNanos = System.nanoTime();

    Admission(ServerConfig config) {
        this.maxConnections = config.admission().maxConnections();
        this.maxPerAddress = config.admission().maxConnectionsPerAddress();
        this.ratePerSecond = config.admission().handshakesPerSecond();
        this.tokens = ratePerSecond;
        this.perAddress = maxPerAddress > 0 ? new ConcurrentHashMap<>() : null;
    }

    /**
     * Reserves a connection slot for a client at {@code address}.
     *
     * @return {@code null} when admitted (then {@link #release} must follow when the connection ends), else why not
     */
    HttpReplyReason admit(InetAddress address) {
        if (draining) {
            return HttpReplyReason.OVER_CAPACITY;
        }
        if (ratePerSecond > 0 && !takeToken()) {
            return HttpReplyReason.OVER_CAPACITY;
        }
        if (maxConnections > 0) {
            if (open.incrementAndGet() > maxConnections) {
                open.decrementAndGet();
                return HttpReplyReason.OVER_CAPACITY;
            }
        } else {
            open.incrementAndGet();
        }
        if (perAddress != null && address != null) {
            AtomicInteger count = perAddress.computeIfAbsent(address, a -> new AtomicInteger());
            if (count.incrementAndGet() > maxPerAddress) {
                decrement(address, count);
                open.decrementAndGet();
                return HttpReplyReason.TOO_MANY_CONNECTIONS_FROM_ADDRESS;
            }
        }
        return null;
    }

    /** Gives back the slot of an admitted connection. */
    void release(InetAddress address) {
        open.decrementAndGet();
        if (perAddress != null && address != null) {
            AtomicInteger count = perAddress.get(address);
            if (count != null) {
                decrement(address, count);
            }
        }
    }

    /** From now on every upgrade is refused with 503. */
    void startDraining() {
        draining = true;
    }

    private void decrement(InetAddress address, AtomicInteger count) {
        if (count.decrementAndGet() <= 0) {
            perAddress.remove(address, count); // a racing increment re-creates the entry; counts stay exact enough
        }
    }

    private synchronized boolean takeToken() {
        long now = System.nanoTime();
        tokens = Math.min(ratePerSecond, tokens + (now - lastRefillNanos) * ratePerSecond / 1e9);
        lastRefillNanos = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
