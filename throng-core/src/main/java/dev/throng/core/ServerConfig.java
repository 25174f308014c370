package dev.throng.core;

import dev.throng.core.codec.FrameLimits;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a {@link ThrongServer} is configured with. Immutable; built with {@link #builder()}, which checks every
 * value when {@link Builder#build()} is called so a bad configuration fails at start, not at the millionth
 * connection. Every default carries its reason in the builder's javadoc and in {@code docs/configuration.md}.
 *
 * <pre>
 * ServerConfig config = ServerConfig.builder().port(8080).subprotocols(List.of("chat.v1")).build();
 * </pre>
 */
public record ServerConfig(
    String host,
    int port,
    TransportKind transport,
    int ioThreads,
    int backlog,
    boolean reusePort,
    String path,
    FrameLimits frameLimits,
    int maxInitialLineLength,
    int maxHeaderSize,
    Duration handshakeTimeout,
    Duration closeTimeout,
    List<String> subprotocols,
    Set<String> allowedOrigins,
    boolean compression,
    int compressionThreshold,
    Duration pingInterval,
    boolean skipPingWhenActive,
    Duration idleTimeout,
    int writeBufferHighWaterMark,
    int maxOutboundBytes,
    int maxConnections,
    int maxConnectionsPerAddress,
    int handshakesPerSecond,
    Duration retryAfter,
    boolean leanConnections,
    long memoryBudget,
    Duration loopStallTimeout) {

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(frameLimits, "frameLimits");
        subprotocols = List.copyOf(subprotocols);
        allowedOrigins = Set.copyOf(allowedOrigins);
        check(port >= 0 && port <= 65535, "port must be 0-65535, got " + port);
        check(ioThreads >= 1, "ioThreads must be at least 1, got " + ioThreads);
        check(backlog >= 1, "backlog must be at least 1, got " + backlog);
        check(path == null || path.startsWith("/"), "path must start with '/', got " + path);
        check(maxInitialLineLength >= 64, "maxInitialLineLength must be at least 64, got " + maxInitialLineLength);
        check(maxHeaderSize >= 256, "maxHeaderSize must be at least 256, got " + maxHeaderSize);
        checkPositive(handshakeTimeout, "handshakeTimeout");
        checkPositive(closeTimeout, "closeTimeout");
        checkNotNegative(pingInterval, "pingInterval");
        checkNotNegative(idleTimeout, "idleTimeout");
        check(compressionThreshold >= 0, "compressionThreshold must be >= 0, got " + compressionThreshold);
        check(writeBufferHighWaterMark >= 1024, "writeBufferHighWaterMark must be at least 1024, got "
            + writeBufferHighWaterMark);
        check(maxOutboundBytes >= writeBufferHighWaterMark, "maxOutboundBytes (" + maxOutboundBytes
            + ") must be at least writeBufferHighWaterMark (" + writeBufferHighWaterMark + ")");
        check(maxConnections >= 0, "maxConnections must be >= 0 (0: no cap), got " + maxConnections);
        check(maxConnectionsPerAddress >= 0, "maxConnectionsPerAddress must be >= 0 (0: no cap), got "
            + maxConnectionsPerAddress);
        check(handshakesPerSecond >= 0, "handshakesPerSecond must be >= 0 (0: no limit), got " + handshakesPerSecond);
        checkPositive(retryAfter, "retryAfter");
        check(memoryBudget >= 0, "memoryBudget must be >= 0 (0: derived from the JVM's limits), got " + memoryBudget);
        checkNotNegative(loopStallTimeout, "loopStallTimeout");
        for (String protocol : subprotocols) {
            check(isToken(protocol), "subprotocol must be an HTTP token, got '" + protocol + "'");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.host = host;
        b.port = port;
        b.transport = transport;
        b.ioThreads = ioThreads;
        b.backlog = backlog;
        b.reusePort = reusePort;
        b.path = path;
        b.maxFrameSize = frameLimits.maxFrameSize();
        b.maxMessageSize = frameLimits.maxMessageSize();
        b.maxInitialLineLength = maxInitialLineLength;
        b.maxHeaderSize = maxHeaderSize;
        b.handshakeTimeout = handshakeTimeout;
        b.closeTimeout = closeTimeout;
        b.subprotocols = subprotocols;
        b.allowedOrigins = allowedOrigins;
        b.compression = compression;
        b.compressionThreshold = compressionThreshold;
        b.pingInterval = pingInterval;
        b.skipPingWhenActive = skipPingWhenActive;
        b.idleTimeout = idleTimeout;
        b.writeBufferHighWaterMark = writeBufferHighWaterMark;
        b.maxOutboundBytes = maxOutboundBytes;
        b.maxConnections = maxConnections;
        b.maxConnectionsPerAddress = maxConnectionsPerAddress;
        b.handshakesPerSecond = handshakesPerSecond;
        b.retryAfter = retryAfter;
        b.leanConnections = leanConnections;
        b.memoryBudget = memoryBudget;
        b.loopStallTimeout = loopStallTimeout;
        return b;
    }

    /** Whether {@code s} is an RFC 7230 token (the syntax of a subprotocol name). */
    static boolean isToken(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7F || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static void checkPositive(Duration d, String name) {
        check(d != null && !d.isNegative() && !d.isZero(), name + " must be positive, got " + d);
    }

    private static void checkNotNegative(Duration d, String name) {
        check(d != null && !d.isNegative(), name + " must be zero (off) or positive, got " + d);
    }

    /** Collects values for a {@link ServerConfig}; each setter documents its default and why. */
    public static final class Builder {
        private String host = "0.0.0.0";
        private int port = 8080;
        private TransportKind transport = TransportKind.AUTO;
        private int ioThreads = Runtime.getRuntime().availableProcessors();
        private int backlog = 4096;
        private boolean reusePort;
        private String path;
        private int maxFrameSize = 1 << 20;
        private int maxMessageSize = 1 << 20;
        private int maxInitialLineLength = 4096;
        private int maxHeaderSize = 8192;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration closeTimeout = Duration.ofSeconds(5);
        private List<String> subprotocols = List.of();
        private Set<String> allowedOrigins = Set.of();
        private boolean compression = true;
        private int compressionThreshold = 64;
        private Duration pingInterval = Duration.ofSeconds(30);
        private boolean skipPingWhenActive;
        private Duration idleTimeout = Duration.ZERO;
        private int writeBufferHighWaterMark = 64 * 1024;
        private int maxOutboundBytes = 1 << 20;
        private int maxConnections;
        private int maxConnectionsPerAddress;
        private int handshakesPerSecond;
        private Duration retryAfter = Duration.ofSeconds(5);
        private boolean leanConnections = true;
        private long memoryBudget;
        private Duration loopStallTimeout = Duration.ofSeconds(10);

        private Builder() {
        }

        /** Address to bind. Default {@code 0.0.0.0}: every IPv4 interface, as servers are usually run. */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** Port to bind; 0 picks a free one. Default 8080: unprivileged and conventional for dev servers. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Default {@link TransportKind#AUTO}: epoll where it loads (leaner, SO_REUSEPORT), NIO elsewhere. */
        public Builder transport(TransportKind transport) {
            this.transport = transport;
            return this;
        }

        /** Event loop threads. Default: the number of cores; more threads than cores only adds switching. */
        public Builder ioThreads(int ioThreads) {
            this.ioThreads = ioThreads;
            return this;
        }

        /**
         * Accept backlog. Default 4096: absorbs a reconnect burst of a few thousand clients without SYN drops; the
         * kernel caps it at {@code net.core.somaxconn}.
         */
        public Builder backlog(int backlog) {
            this.backlog = backlog;
            return this;
        }

        /** Sets SO_REUSEPORT (epoll only) so several processes share one port. Default off: one process per port. */
        public Builder reusePort(boolean reusePort) {
            this.reusePort = reusePort;
            return this;
        }

        /**
         * The only request path (without query) that accepts upgrades; others get 404. Default {@code null}: any
         * path, so any client URL works out of the box.
         */
        public Builder path(String path) {
            this.path = path;
            return this;
        }

        /**
         * Largest frame payload. Default 1 MiB: bounds what one slow sender can pin in a read buffer while leaving
         * room for ordinary messages; raise it for bulk transfers.
         */
        public Builder maxFrameSize(int maxFrameSize) {
            this.maxFrameSize = maxFrameSize;
            return this;
        }

        /** Largest message, all fragments (inflated) together. Default 1 MiB, for the same reason as frames. */
        public Builder maxMessageSize(int maxMessageSize) {
            this.maxMessageSize = maxMessageSize;
            return this;
        }

        /** Longest request line; longer gets 414. Default 4096: URLs with long tokens fit, abuse does not. */
        public Builder maxInitialLineLength(int maxInitialLineLength) {
            this.maxInitialLineLength = maxInitialLineLength;
            return this;
        }

        /** Largest header block; larger gets 431. Default 8 KiB, the common limit of HTTP servers and proxies. */
        public Builder maxHeaderSize(int maxHeaderSize) {
            this.maxHeaderSize = maxHeaderSize;
            return this;
        }

        /**
         * Time from accept to a complete upgrade request; slower clients are dropped (408). Default 10 s: generous
         * for slow mobile links, short enough that silent sockets do not pile up.
         */
        public Builder handshakeTimeout(Duration handshakeTimeout) {
            this.handshakeTimeout = handshakeTimeout;
            return this;
        }

        /** How long to wait for the peer's close frame after sending ours. Default 5 s, then TCP is closed. */
        public Builder closeTimeout(Duration closeTimeout) {
            this.closeTimeout = closeTimeout;
            return this;
        }

        /** Subprotocols the server speaks; the first one in the client's order that is listed here wins. Default none. */
        public Builder subprotocols(List<String> subprotocols) {
            this.subprotocols = subprotocols;
            return this;
        }

        /**
         * Origins allowed to upgrade (exact, e.g. {@code https://example.com}); others get 403. Requests without an
         * Origin header (non-browser clients) are allowed. Default empty: every origin.
         */
        public Builder allowedOrigins(Set<String> allowedOrigins) {
            this.allowedOrigins = allowedOrigins;
            return this;
        }

        /**
         * Whether to accept permessage-deflate (RFC 7692). Default on: it costs an idle connection nothing, since
         * the server always negotiates no context takeover and shares one zlib context per event loop.
         */
        public Builder compression(boolean compression) {
            this.compression = compression;
            return this;
        }

        /** Messages shorter than this are sent uncompressed. Default 64 bytes: below that deflate rarely wins. */
        public Builder compressionThreshold(int compressionThreshold) {
            this.compressionThreshold = compressionThreshold;
            return this;
        }

        /**
         * Interval of server pings to each connection; zero turns them off. A connection that sent nothing at all
         * (no pong, no frame) in the whole interval after a ping is a dead peer and is closed at its next ping time,
         * so a dead peer is detected within two intervals. Each connection's pings keep a random phase, so pings
         * are spread evenly over the interval. Default 30 s: below the idle timeouts of common NATs and load
         * balancers, and the interval of the {@code ws} heartbeat example.
         */
        public Builder pingInterval(Duration pingInterval) {
            this.pingInterval = pingInterval;
            return this;
        }

        /**
         * Skip the ping of a connection that sent anything since its last ping (it is evidently alive). Default off:
         * a ping every interval also keeps the server-to-client path of NATs warm.
         */
        public Builder skipPingWhenActive(boolean skipPingWhenActive) {
            this.skipPingWhenActive = skipPingWhenActive;
            return this;
        }

        /**
         * Close (1000) connections that send no data message for this long; zero turns it off. Checked at the
         * keepalive sweep, so it is enforced with the sweep's granularity. Default off: idle is the normal state.
         */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
            return this;
        }

        /** Outbound bytes above which {@code isWritable()} turns false. Default 64 KiB ("64kb backpressure is probably good"). */
        public Builder writeBufferHighWaterMark(int writeBufferHighWaterMark) {
            this.writeBufferHighWaterMark = writeBufferHighWaterMark;
            return this;
        }

        /**
         * Outbound bytes waiting for the socket at which a further send is refused and the connection closed with
         * 1013 (slow consumer); one connection so buffers at most this plus one message. Default
         * 1 MiB: a client that cannot keep up costs at most this much, never an unbounded queue.
         */
        public Builder maxOutboundBytes(int maxOutboundBytes) {
            this.maxOutboundBytes = maxOutboundBytes;
            return this;
        }

        /**
         * Open connections this process accepts; further upgrade requests get 503 with Retry-After before any
         * upgrade, while open connections stay untouched. Default 0 (no cap): the open-files limit is the cap;
         * {@code throng serve} sets one per worker from {@code --max-connections}.
         */
        public Builder maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        /**
         * Open connections per client IP address; more get 429. Default 0 (no cap): many clients share addresses
         * behind NATs and proxies, so only the operator can pick a number.
         */
        public Builder maxConnectionsPerAddress(int maxConnectionsPerAddress) {
            this.maxConnectionsPerAddress = maxConnectionsPerAddress;
            return this;
        }

        /**
         * Upgrades accepted per second (a token bucket holding one second's worth); more get 503. Default 0 (no
         * limit): set it to keep a reconnect storm from starving established connections of CPU.
         */
        public Builder handshakesPerSecond(int handshakesPerSecond) {
            this.handshakesPerSecond = handshakesPerSecond;
            return this;
        }

        /**
         * The base of the Retry-After a shed client is told; each reply says a random value between it and twice
         * it, so shed clients do not come back together. Default 5 s.
         */
        public Builder retryAfter(Duration retryAfter) {
            this.retryAfter = retryAfter;
            return this;
        }

        /**
         * On epoll, serve each socket from a bare epoll registration without a Netty channel (own listener and
         * request parser): a fraction of a channel's heap per open connection (docs/design.md has today's figure).
         * Default on; off gives every connection a channel, as the NIO transport always does.
         */
        public Builder leanConnections(boolean leanConnections) {
            this.leanConnections = leanConnections;
            return this;
        }

        /**
         * Bytes in flight the whole server may hold at once: partial frames and messages held between reads,
         * inflated messages while they are handled, and outbound bytes the kernel has not taken yet. Near it the
         * server stops reading from the connections that want to hold more (they resume when memory is returned,
         * or are closed with 1013 after waiting 10 s); a frame larger than the whole budget is refused with 1009.
         * Default 0: half of the smaller of the JVM's heap and direct-memory limits, so that the bytes in flight
         * fit beside the connections, the allocator's pools and the garbage of messages being handled;
         * {@code throng serve} sets it from the message limits and sizes the JVM to match (docs/configuration.md).
         */
        public Builder memoryBudget(long memoryBudget) {
            this.memoryBudget = memoryBudget;
            return this;
        }

        /**
         * How long an event loop may go without running its heartbeat before the server counts it as stalled:
         * {@code /healthz} answers 503 and {@link ThrongServer#onUnhealthy} listeners are told ({@code throng serve}
         * then exits with status 70 so its supervisor restarts it). Zero turns the watchdog off. Default 10 s: far
         * above anything a healthy loop does in one stretch (a keepalive round of 30,000 connections takes
         * ~30 ms, a full collection of a worker's heap well under 100 ms), so only a loop that is dead, deadlocked or
         * blocked by a handler trips it.
         */
        public Builder loopStallTimeout(Duration loopStallTimeout) {
            this.loopStallTimeout = loopStallTimeout;
            return this;
        }

        /** Checks every value and builds; throws {@link IllegalArgumentException} naming the first bad one. */
        public ServerConfig build() {
            return new ServerConfig(host, port, transport, ioThreads, backlog, reusePort, path,
                new FrameLimits(maxFrameSize, maxMessageSize), maxInitialLineLength, maxHeaderSize, handshakeTimeout,
                closeTimeout, subprotocols, allowedOrigins, compression, compressionThreshold, pingInterval,
                skipPingWhenActive, idleTimeout, writeBufferHighWaterMark, maxOutboundBytes, maxConnections,
                maxConnectionsPerAddress, handshakesPerSecond, retryAfter, leanConnections, memoryBudget,
                loopStallTimeout);
        }
    }
}
