package dev.throng.core;

import dev.throng.core.codec.MessageDeflate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a {@link ThrongServer} is configured with, in six groups: where and how it listens ({@link Listen}),
 * what an upgrade request may be ({@link Handshake}), how many bytes a connection and the process may hold
 * ({@link Limits}), permessage-deflate ({@link Compression}), pings, timeouts and the watchdog ({@link Keepalive}), and
 * which connections are let in ({@link Admission}). Immutable; built with {@link #builder()}, whose flat setters are
 * the embedding API; every group checks its values when made, so a bad configuration fails at start, not at the
 * millionth connection, with an {@link IllegalArgumentException} that names the setting by its path
 * ({@code limits.maxFrameSize}). Every default carries its reason in the builder's javadoc and in
 * {@code docs/configuration.md}.
 *
 * <pre>
 * ServerConfig config = ServerConfig.builder().port(8080).subprotocols(List.of("chat.v1")).build();
 * int limit = config.limits().maxOutboundBytes();
 * </pre>
 *
 * <p>Each group is a record of plain values (numbers, strings, durations, enums, lists), so {@code throng serve} maps
 * every setting to a path ({@code keepalive.pingInterval}) for its configuration file, environment variables and
 * worker arguments without a list of settings of its own: a new component of a group is a new setting everywhere.
 */
public record ServerConfig(
        Listen listen,
        Handshake handshake,
        Limits limits,
        Compression compression,
        Keepalive keepalive,
        Admission admission) {

    public ServerConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(handshake, "handshake");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(keepalive, "keepalive");
        Objects.requireNonNull(admission, "admission");
    }

    /**
     * Where and how the server listens.
     *
     * @param host address to bind
     * @param port port to bind; 0 picks a free one
     * @param transport epoll, NIO, or epoll where it loads
     * @param ioThreads event loop threads
     * @param backlog accept backlog
     * @param reusePort SO_REUSEPORT (epoll), so several processes share the port
     * @param leanConnections on epoll, sockets without Netty channels (docs/design.md)
     */
    public record Listen(
            String host,
            int port,
            TransportKind transport,
            int ioThreads,
            int backlog,
            boolean reusePort,
            boolean leanConnections) {
        public Listen {
            check(host != null, "listen.host must be given");
            check(transport != null, "listen.transport must be given");
            check(port >= 0 && port <= 65535, "listen.port must be 0-65535, got " + port);
            check(ioThreads >= 1, "listen.ioThreads must be at least 1, got " + ioThreads);
            check(backlog >= 1, "listen.backlog must be at least 1, got " + backlog);
        }
    }

    /**
     * What an upgrade request may be, and what it is answered with.
     *
     * @param path the only request path that upgrades; {@code null}: any
     * @param maxInitialLineLength longest request line (414 beyond)
     * @param maxHeaderSize largest header block (431 beyond)
     * @param timeout time from accept to a complete upgrade request (408 beyond)
     * @param subprotocols the subprotocols spoken, in the server's order
     * @param allowedOrigins the origins allowed to upgrade; empty: any
     */
    public record Handshake(
            String path,
            int maxInitialLineLength,
            int maxHeaderSize,
            Duration timeout,
            List<String> subprotocols,
            Set<String> allowedOrigins) {
        public Handshake {
            check(subprotocols != null, "handshake.subprotocols must be given");
            check(allowedOrigins != null, "handshake.allowedOrigins must be given");
            subprotocols = List.copyOf(subprotocols);
            allowedOrigins = Set.copyOf(allowedOrigins);
            check(path == null || path.startsWith("/"), "handshake.path must start with '/', got " + path);
            check(
                    maxInitialLineLength >= 64,
                    "handshake.maxInitialLineLength must be at least 64, got " + maxInitialLineLength);
            check(maxHeaderSize >= 256, "handshake.maxHeaderSize must be at least 256, got " + maxHeaderSize);
            checkPositive(timeout, "handshake.timeout");
            for (String protocol : subprotocols) {
                check(isToken(protocol), "handshake.subprotocols must each be an HTTP token, got '" + protocol + "'");
            }
        }
    }

    /**
     * How many bytes one connection and the whole process may hold.
     *
     * @param maxFrameSize largest frame payload (1009 beyond)
     * @param maxMessageSize largest message, inflated, all fragments together (1009 beyond)
     * @param maxOutboundBytes outbound bytes waiting for the socket at which a send is refused (1013)
     * @param writeBufferHighWaterMark outbound bytes above which {@code isWritable()} turns false
     * @param memoryBudget bytes in flight of the whole process; 0: derived from the JVM's limits
     */
    public record Limits(
            int maxFrameSize,
            int maxMessageSize,
            int maxOutboundBytes,
            int writeBufferHighWaterMark,
            long memoryBudget) {
        public Limits {
            // The same rules as the frame parser's FrameLimits: a control frame must fit.
            check(
                    maxFrameSize >= 125,
                    "limits.maxFrameSize must be at least 125 (a control frame), got " + maxFrameSize);
            check(
                    maxMessageSize >= maxFrameSize,
                    "limits.maxMessageSize (" + maxMessageSize + ") must be at least limits.maxFrameSize ("
                            + maxFrameSize + ")");
            check(
                    writeBufferHighWaterMark >= 1024,
                    "limits.writeBufferHighWaterMark must be at least 1024, got " + writeBufferHighWaterMark);
            check(
                    maxOutboundBytes >= writeBufferHighWaterMark,
                    "limits.maxOutboundBytes (" + maxOutboundBytes
                            + ") must be at least limits.writeBufferHighWaterMark (" + writeBufferHighWaterMark + ")");
            check(
                    memoryBudget >= 0,
                    "limits.memoryBudget must be >= 0 (0: derived from the JVM's limits), got " + memoryBudget);
        }

        /**
         * The largest payload a frame may have on the wire when its message is compressed: zlib's bound of
         * {@link #maxFrameSize}, since deflate makes incompressible data a little larger. A {@link #memoryBudget}
         * below it refuses such frames with 1009; {@code throng serve} refuses the budget instead.
         */
        public long maxCompressedFrameSize() {
            return compressedSizeBound(maxFrameSize);
        }

        /** zlib's bound of {@code size}: the most bytes deflate makes of {@code size} bytes (RFC 7692 frames). */
        public static long compressedSizeBound(long size) {
            return MessageDeflate.maxCompressedSize(size);
        }
    }

    /**
     * permessage-deflate (RFC 7692).
     *
     * @param enabled whether it is accepted
     * @param threshold messages shorter than this many bytes are sent uncompressed
     */
    public record Compression(boolean enabled, int threshold) {
        public Compression {
            check(threshold >= 0, "compression.threshold must be >= 0, got " + threshold);
        }
    }

    /**
     * Pings, the timeouts that close connections, and the event loops' watchdog.
     *
     * @param pingInterval interval of server pings; zero: none
     * @param skipPingWhenActive whether a connection that sent something since its last ping is not pinged
     * @param idleTimeout a connection that sends no data message this long is closed; zero: never
     * @param closeTimeout how long to wait for the peer's close frame after ours
     * @param loopStallTimeout an event loop without a heartbeat this long is stalled; zero: no watchdog
     */
    public record Keepalive(
            Duration pingInterval,
            boolean skipPingWhenActive,
            Duration idleTimeout,
            Duration closeTimeout,
            Duration loopStallTimeout) {
        public Keepalive {
            checkNotNegative(pingInterval, "keepalive.pingInterval");
            checkNotNegative(idleTimeout, "keepalive.idleTimeout");
            checkPositive(closeTimeout, "keepalive.closeTimeout");
            checkNotNegative(loopStallTimeout, "keepalive.loopStallTimeout");
        }
    }

    /**
     * Which connections are let in, before the upgrade.
     *
     * @param maxConnections open connections of this server (503 beyond); 0: no cap but the open-files limit
     * @param maxConnectionsPerAddress open connections per client address (429 beyond); 0: no cap
     * @param handshakesPerSecond upgrades per second (503 beyond); 0: no limit
     * @param retryAfter the base of the Retry-After a shed client is told
     */
    public record Admission(
            int maxConnections, int maxConnectionsPerAddress, int handshakesPerSecond, Duration retryAfter) {
        public Admission {
            check(maxConnections >= 0, "admission.maxConnections must be >= 0 (0: no cap), got " + maxConnections);
            check(
                    maxConnectionsPerAddress >= 0,
                    "admission.maxConnectionsPerAddress must be >= 0 (0: no cap), got " + maxConnectionsPerAddress);
            check(
                    handshakesPerSecond >= 0,
                    "admission.handshakesPerSecond must be >= 0 (0: no limit), got " + handshakesPerSecond);
            checkPositive(retryAfter, "admission.retryAfter");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.host = listen.host;
        b.port = listen.port;
        b.transport = listen.transport;
        b.ioThreads = listen.ioThreads;
        b.backlog = listen.backlog;
        b.reusePort = listen.reusePort;
        b.leanConnections = listen.leanConnections;
        b.path = handshake.path;
        b.maxInitialLineLength = handshake.maxInitialLineLength;
        b.maxHeaderSize = handshake.maxHeaderSize;
        b.handshakeTimeout = handshake.timeout;
        b.subprotocols = handshake.subprotocols;
        b.allowedOrigins = handshake.allowedOrigins;
        b.maxFrameSize = limits.maxFrameSize;
        b.maxMessageSize = limits.maxMessageSize;
        b.maxOutboundBytes = limits.maxOutboundBytes;
        b.writeBufferHighWaterMark = limits.writeBufferHighWaterMark;
        b.memoryBudget = limits.memoryBudget;
        b.compression = compression.enabled;
        b.compressionThreshold = compression.threshold;
        b.pingInterval = keepalive.pingInterval;
        b.skipPingWhenActive = keepalive.skipPingWhenActive;
        b.idleTimeout = keepalive.idleTimeout;
        b.closeTimeout = keepalive.closeTimeout;
        b.loopStallTimeout = keepalive.loopStallTimeout;
        b.maxConnections = admission.maxConnections;
        b.maxConnectionsPerAddress = admission.maxConnectionsPerAddress;
        b.handshakesPerSecond = admission.handshakesPerSecond;
        b.retryAfter = admission.retryAfter;
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

    /**
     * Collects values for a {@link ServerConfig}, flat: each setter names the setting's path in its group and
     * documents its default and why.
     */
    public static final class Builder {
        private String host = "0.0.0.0";
        private int port = 8080;
        private TransportKind transport = TransportKind.AUTO;
        private int ioThreads = Runtime.getRuntime().availableProcessors();
        private int backlog = 4096;
        private boolean reusePort;
        private boolean leanConnections = true;
        private String path;
        private int maxInitialLineLength = 4096;
        private int maxHeaderSize = 8192;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private List<String> subprotocols = List.of();
        private Set<String> allowedOrigins = Set.of();
        private int maxFrameSize = 1 << 20;
        private int maxMessageSize = 1 << 20;
        private int maxOutboundBytes = 1 << 20;
        private int writeBufferHighWaterMark = 64 * 1024;
        private long memoryBudget;
        private boolean compression = true;
        private int compressionThreshold = 64;
        private Duration pingInterval = Duration.ofSeconds(30);
        private boolean skipPingWhenActive;
        private Duration idleTimeout = Duration.ZERO;
        private Duration closeTimeout = Duration.ofSeconds(5);
        private Duration loopStallTimeout = Duration.ofSeconds(10);
        private int maxConnections;
        private int maxConnectionsPerAddress;
        private int handshakesPerSecond;
        private Duration retryAfter = Duration.ofSeconds(5);

        private Builder() {}

        /**
         * {@code listen.host}: Address to bind. Default {@code 0.0.0.0}: every IPv4 interface, as servers are usually
         * run.
         */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /**
         * {@code listen.port}: Port to bind; 0 picks a free one. Default 8080: unprivileged and conventional for dev
         * servers.
         */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * {@code listen.transport}: Default {@link TransportKind#AUTO}: epoll where it loads (leaner, SO_REUSEPORT),
         * NIO elsewhere.
         */
        public Builder transport(TransportKind transport) {
            this.transport = transport;
            return this;
        }

        /**
         * {@code listen.ioThreads}: Event loop threads. Default: the number of cores; more threads than cores only adds
         * switching.
         */
        public Builder ioThreads(int ioThreads) {
            this.ioThreads = ioThreads;
            return this;
        }

        /**
         * {@code listen.backlog}: Accept backlog. Default 4096: absorbs a reconnect burst of a few thousand clients
         * without SYN drops; the kernel caps it at {@code net.core.somaxconn}.
         */
        public Builder backlog(int backlog) {
            this.backlog = backlog;
            return this;
        }

        /**
         * {@code listen.reusePort}: Sets SO_REUSEPORT (epoll only) so several processes share one port. Default off:
         * one process per port.
         */
        public Builder reusePort(boolean reusePort) {
            this.reusePort = reusePort;
            return this;
        }

        /**
         * {@code handshake.path}: The only request path (without query) that accepts upgrades; others get 404. Default
         * {@code null}: any path, so any client URL works out of the box.
         */
        public Builder path(String path) {
            this.path = path;
            return this;
        }

        /**
         * {@code limits.maxFrameSize}: Largest frame payload. Default 1 MiB: bounds what one slow sender can pin in a
         * read buffer while leaving room for ordinary messages; raise it for bulk transfers.
         */
        public Builder maxFrameSize(int maxFrameSize) {
            this.maxFrameSize = maxFrameSize;
            return this;
        }

        /**
         * {@code limits.maxMessageSize}: Largest message, all fragments (inflated) together. Default 1 MiB, for the
         * same reason as frames.
         */
        public Builder maxMessageSize(int maxMessageSize) {
            this.maxMessageSize = maxMessageSize;
            return this;
        }

        /**
         * {@code handshake.maxInitialLineLength}: Longest request line; longer gets 414. Default 4096: URLs with long
         * tokens fit, abuse does not.
         */
        public Builder maxInitialLineLength(int maxInitialLineLength) {
            this.maxInitialLineLength = maxInitialLineLength;
            return this;
        }

        /**
         * {@code handshake.maxHeaderSize}: Largest header block; larger gets 431. Default 8 KiB, the common limit of
         * HTTP servers and proxies.
         */
        public Builder maxHeaderSize(int maxHeaderSize) {
            this.maxHeaderSize = maxHeaderSize;
            return this;
        }

        /**
         * {@code handshake.timeout}: Time from accept to a complete upgrade request; slower clients are dropped (408).
         * Default 10 s: generous for slow mobile links, short enough that silent sockets do not pile up.
         */
        public Builder handshakeTimeout(Duration handshakeTimeout) {
            this.handshakeTimeout = handshakeTimeout;
            return this;
        }

        /**
         * {@code keepalive.closeTimeout}: How long to wait for the peer's close frame after sending ours. Default 5 s,
         * then TCP is closed.
         */
        public Builder closeTimeout(Duration closeTimeout) {
            this.closeTimeout = closeTimeout;
            return this;
        }

        /**
         * {@code handshake.subprotocols}: Subprotocols the server speaks; the first one in the client's order that is
         * listed here wins. Default none.
         */
        public Builder subprotocols(List<String> subprotocols) {
            this.subprotocols = subprotocols;
            return this;
        }

        /**
         * {@code handshake.allowedOrigins}: Origins allowed to upgrade (exact, e.g. {@code https://example.com});
         * others get 403. Requests without an Origin header (non-browser clients) are allowed. Default empty: every
         * origin.
         */
        public Builder allowedOrigins(Set<String> allowedOrigins) {
            this.allowedOrigins = allowedOrigins;
            return this;
        }

        /**
         * {@code compression.enabled}: Whether to accept permessage-deflate (RFC 7692). Default on: it costs an idle
         * connection nothing, since the server always negotiates no context takeover and shares one zlib context per
         * event loop.
         */
        public Builder compression(boolean compression) {
            this.compression = compression;
            return this;
        }

        /**
         * {@code compression.threshold}: Messages shorter than this are sent uncompressed. Default 64 bytes: below that
         * deflate rarely wins.
         */
        public Builder compressionThreshold(int compressionThreshold) {
            this.compressionThreshold = compressionThreshold;
            return this;
        }

        /**
         * {@code keepalive.pingInterval}: Interval of server pings to each connection; zero turns them off. A
         * connection that sent nothing at all (no pong, no frame) in the whole interval after a ping is a dead peer and
         * is closed at its next ping time, so a dead peer is detected within two intervals. Each connection's pings
         * keep a random phase, so pings are spread evenly over the interval. Default 30 s: below the idle timeouts of
         * common NATs and load balancers, and the interval of the {@code ws} heartbeat example.
         */
        public Builder pingInterval(Duration pingInterval) {
            this.pingInterval = pingInterval;
            return this;
        }

        /**
         * {@code keepalive.skipPingWhenActive}: Skip the ping of a connection that sent anything since its last ping
         * (it is evidently alive). Default off: a ping every interval also keeps the server-to-client path of NATs
         * warm.
         */
        public Builder skipPingWhenActive(boolean skipPingWhenActive) {
            this.skipPingWhenActive = skipPingWhenActive;
            return this;
        }

        /**
         * {@code keepalive.idleTimeout}: Close (1000) connections that send no data message for this long; zero turns
         * it off. Checked at the keepalive sweep, so it is enforced with the sweep's granularity. Default off: idle is
         * the normal state.
         */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
            return this;
        }

        /**
         * {@code limits.writeBufferHighWaterMark}: Outbound bytes above which {@code isWritable()} turns false. Default
         * 64 KiB ("64kb backpressure is probably good").
         */
        public Builder writeBufferHighWaterMark(int writeBufferHighWaterMark) {
            this.writeBufferHighWaterMark = writeBufferHighWaterMark;
            return this;
        }

        /**
         * {@code limits.maxOutboundBytes}: Outbound bytes waiting for the socket at which a further send is refused and
         * the connection closed with 1013 (slow consumer); one connection so buffers at most this plus one message.
         * Default 1 MiB: a client that cannot keep up costs at most this much, never an unbounded queue.
         */
        public Builder maxOutboundBytes(int maxOutboundBytes) {
            this.maxOutboundBytes = maxOutboundBytes;
            return this;
        }

        /**
         * {@code admission.maxConnections}: Open connections this process accepts; further upgrade requests get 503
         * with Retry-After before any upgrade, while open connections stay untouched. Default 0 (no cap): the
         * open-files limit is the cap; {@code throng serve} sets one per worker from {@code --max-connections}.
         */
        public Builder maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        /**
         * {@code admission.maxConnectionsPerAddress}: Open connections per client IP address; more get 429. Default 0
         * (no cap): many clients share addresses behind NATs and proxies, so only the operator can pick a number.
         */
        public Builder maxConnectionsPerAddress(int maxConnectionsPerAddress) {
            this.maxConnectionsPerAddress = maxConnectionsPerAddress;
            return this;
        }

        /**
         * {@code admission.handshakesPerSecond}: Upgrades accepted per second (a token bucket holding one second's
         * worth); more get 503. Default 0 (no limit): set it to keep a reconnect storm from starving established
         * connections of CPU.
         */
        public Builder handshakesPerSecond(int handshakesPerSecond) {
            this.handshakesPerSecond = handshakesPerSecond;
            return this;
        }

        /**
         * {@code admission.retryAfter}: The base of the Retry-After a shed client is told; each reply says a random
         * value between it and twice it, so shed clients do not come back together. Default 5 s.
         */
        public Builder retryAfter(Duration retryAfter) {
            this.retryAfter = retryAfter;
            return this;
        }

        /**
         * {@code listen.leanConnections}: On epoll, serve each socket from a bare epoll registration without a Netty
         * channel (own listener and request parser): a fraction of a channel's heap per open connection (docs/design.md
         * has today's figure). Default on; off gives every connection a channel, as the NIO transport always does.
         */
        public Builder leanConnections(boolean leanConnections) {
            this.leanConnections = leanConnections;
            return this;
        }

        /**
         * {@code limits.memoryBudget}: Bytes in flight the whole server may hold at once: partial frames and messages
         * held between reads, inflated messages while they are handled, and outbound bytes the kernel has not taken
         * yet. Near it the server stops reading from the connections that want to hold more (they resume when memory is
         * returned, or are closed with 1013 after waiting 10 s); a frame larger than the whole budget is refused with
         * 1009. Default 0: half of the smaller of the JVM's heap and direct-memory limits, so that the bytes in flight
         * fit beside the connections, the allocator's pools and the garbage of messages being handled; {@code throng
         * serve} sets it from the message limits and sizes the JVM to match (docs/configuration.md).
         */
        public Builder memoryBudget(long memoryBudget) {
            this.memoryBudget = memoryBudget;
            return this;
        }

        /**
         * {@code keepalive.loopStallTimeout}: How long an event loop may go without running its heartbeat before the
         * server counts it as stalled: {@code /healthz} answers 503 and {@link ThrongServer#onUnhealthy} listeners are
         * told ({@code throng serve} then exits with status 70 so its supervisor restarts it). Zero turns the watchdog
         * off. Default 10 s: far above anything a healthy loop does in one stretch (a keepalive round of 30,000
         * connections takes ~30 ms, a full collection of a worker's heap well under 100 ms), so only a loop that is
         * dead, deadlocked or blocked by a handler trips it.
         */
        public Builder loopStallTimeout(Duration loopStallTimeout) {
            this.loopStallTimeout = loopStallTimeout;
            return this;
        }

        /** Checks every value and builds; throws {@link IllegalArgumentException} naming the first bad one. */
        public ServerConfig build() {
            return new ServerConfig(
                    new Listen(host, port, transport, ioThreads, backlog, reusePort, leanConnections),
                    new Handshake(
                            path, maxInitialLineLength, maxHeaderSize, handshakeTimeout, subprotocols, allowedOrigins),
                    new Limits(maxFrameSize, maxMessageSize, maxOutboundBytes, writeBufferHighWaterMark, memoryBudget),
                    new Compression(compression, compressionThreshold),
                    new Keepalive(pingInterval, skipPingWhenActive, idleTimeout, closeTimeout, loopStallTimeout),
                    new Admission(maxConnections, maxConnectionsPerAddress, handshakesPerSecond, retryAfter));
        }
    }
}
