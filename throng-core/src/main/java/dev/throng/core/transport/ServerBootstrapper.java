package dev.throng.core.transport;

import dev.throng.core.HttpService;
import dev.throng.core.IoLoop;
import dev.throng.core.ServerConfig;
import dev.throng.core.ServerStats;
import dev.throng.core.ThrongServer;
import dev.throng.core.TransportKind;
import dev.throng.core.WebSocketConnection;
import dev.throng.core.WebSocketHandler;
import dev.throng.core.codec.CloseReason;
import dev.throng.core.internal.KeepaliveWheel;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the Netty server for a {@link ServerConfig}: transport, event loops, keepalive wheels, pipeline. */
public final class ServerBootstrapper implements ThrongServer {
    private static final Logger LOG = LoggerFactory.getLogger(ThrongServer.class);

    /**
     * Read buffer size. 4 KiB holds a typical message in one read; epoll reads larger ones in a loop, and a buffer
     * kept for an incomplete frame is trimmed to what it holds.
     */
    private static final FixedRecvByteBufAllocator READ_ALLOCATOR = new FixedRecvByteBufAllocator(4096);

    private final ServerContext context;
    private final Transport transport;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final LoopClosers closers;
    private final Listening listening;
    /** Null when the stall timeout is zero. */
    private final LoopWatchdog watchdog;

    private final CountDownLatch closed = new CountDownLatch(1);

    /** The listening socket: a Netty server channel, or the lean {@link EpollListener}. */
    interface Listening {
        InetSocketAddress localAddress();

        /** Stops accepting and closes the socket; returns when it is closed. */
        void close();
    }

    private ServerBootstrapper(
            ServerContext context,
            Transport transport,
            EventLoopGroup bossGroup,
            EventLoopGroup workerGroup,
            LoopClosers closers,
            Listening listening,
            LoopWatchdog watchdog) {
        this.context = context;
        this.transport = transport;
        this.bossGroup = bossGroup;
        this.workerGroup = workerGroup;
        this.closers = closers;
        this.listening = listening;
        this.watchdog = watchdog;
    }

    /** See {@link ThrongServer#start(ServerConfig, WebSocketHandler, HttpService)}. */
    public static ThrongServer start(ServerConfig config, WebSocketHandler handler, HttpService httpService) {
        Transport transport = Transport.select(config.listen().transport());
        if (config.listen().reusePort() && !transport.isEpoll()) {
            throw new IllegalStateException("reusePort needs the epoll transport; running on " + transport.name() + " ("
                    + transport.why() + ")");
        }
        ServerContext context = new ServerContext(config, handler, httpService);
        boolean lean = config.listen().leanConnections() && transport.isEpoll();
        // Lean epoll accepts on the I/O loops themselves (EpollListener); channels get Netty's accept loop.
        EventLoopGroup boss = lean
                ? null
                : new MultiThreadIoEventLoopGroup(
                        1, new DefaultThreadFactory("throng-accept"), transport.ioHandlerFactory());
        LoopClosers closers = new LoopClosers(transport.ioHandlerFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(
                config.listen().ioThreads(), new DefaultThreadFactory("throng-io"), closers);
        LoopWatchdog watchdog = null;
        try {
            context.loops(startLoops(context, workers));
            watchdog = config.keepalive().loopStallTimeout().isZero()
                    ? null
                    : new LoopWatchdog(
                            context, config.keepalive().loopStallTimeout().toNanos());
            Listening listening = lean ? listenLean(context) : listenWithChannels(context, transport, boss, workers);
            ServerBootstrapper server =
                    new ServerBootstrapper(context, transport, boss, workers, closers, listening, watchdog);
            LOG.info(
                    "listening on {} (transport {}: {}{}; {} io threads; max frame {} B, max message {} B; "
                            + "ping every {}; compression {}; {} B in flight at most)",
                    server.localAddress(),
                    transport.name(),
                    transport.why(),
                    lean ? ", lean connections" : "",
                    config.listen().ioThreads(),
                    config.limits().maxFrameSize(),
                    config.limits().maxMessageSize(),
                    config.keepalive().pingInterval().isZero()
                            ? "never"
                            : config.keepalive().pingInterval(),
                    config.compression().enabled() ? "on" : "off",
                    context.budget.limit());
            return server;
        } catch (RuntimeException e) {
            if (watchdog != null) {
                watchdog.stop();
            }
            if (boss != null) {
                boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            }
            workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /**
     * One {@link ServerLoop} per event loop, each with its keepalive wheel, which ticks on that loop when pings or an
     * idle timeout are on and is the loop's connection registry either way, and its heartbeat.
     */
    private static List<ServerLoop> startLoops(ServerContext context, EventLoopGroup workers) {
        ServerConfig.Keepalive keepalive = context.config.keepalive();
        Duration interval = !keepalive.pingInterval().isZero() ? keepalive.pingInterval() : keepalive.idleTimeout();
        List<ServerLoop> loops = new ArrayList<>();
        for (EventExecutor executor : workers) {
            KeepaliveWheel wheel = new KeepaliveWheel(interval.isZero() ? 1000 : interval.toMillis());
            ServerLoop loop = new ServerLoop(context, executor, loops.size(), wheel);
            loop.start();
            if (!interval.isZero()) {
                // Fixed delay: after a stall Netty would run missed fixed-rate ticks back to back; the wheel itself
                // catches up by elapsed time instead (KeepaliveWheel.tick).
                executor.scheduleWithFixedDelay(
                        wheel::tick, wheel.tickMillis(), wheel.tickMillis(), TimeUnit.MILLISECONDS);
            }
            loops.add(loop);
        }
        return loops;
    }

    /**
     * Lean epoll: a listening socket of our own, accepted on the I/O loops; sockets never get a channel
     * (EpollSession), and each loop times out its own handshakes in progress.
     */
    private static Listening listenLean(ServerContext context) {
        ServerConfig.Listen listen = context.config.listen();
        try {
            return EpollListener.open(context);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot bind " + listen.host() + ":" + listen.port() + ": " + e.getMessage(), e);
        }
    }

    /** Netty's server bootstrap: every socket gets a channel (NIO, or epoll without lean connections). */
    private static Listening listenWithChannels(
            ServerContext context, Transport transport, EventLoopGroup boss, EventLoopGroup workers) {
        ServerConfig.Listen listen = context.config.listen();
        int highWaterMark = context.config.limits().writeBufferHighWaterMark();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, listen.backlog())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // One shared allocator whose handles carry no adaptive state: the default adaptive allocator costs
                // ~130 B per channel (its own instance plus a calculator), for nothing on idle connections.
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, READ_ALLOCATOR)
                .childOption(
                        ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(highWaterMark / 2, highWaterMark))
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("handshake", new HandshakeHandler(context));
                    }
                });
        if (listen.reusePort()) {
            bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        ChannelFuture bind = bootstrap.bind(listen.host(), listen.port()).awaitUninterruptibly();
        if (!bind.isSuccess()) {
            throw new IllegalStateException(
                    "cannot bind " + listen.host() + ":" + listen.port() + ": "
                            + bind.cause().getMessage(),
                    bind.cause());
        }
        Channel channel = bind.channel();
        return new Listening() {
            @Override
            public InetSocketAddress localAddress() {
                return (InetSocketAddress) channel.localAddress();
            }

            @Override
            public void close() {
                channel.close().awaitUninterruptibly();
            }
        };
    }

    @Override
    public InetSocketAddress localAddress() {
        return listening.localAddress();
    }

    @Override
    public TransportKind transport() {
        return transport.isEpoll() ? TransportKind.EPOLL : TransportKind.NIO;
    }

    @Override
    public List<IoLoop> loops() {
        return List.copyOf(context.loops());
    }

    @Override
    public void onUnhealthy(Consumer<String> listener) {
        if (watchdog != null) {
            watchdog.onUnhealthy(listener);
        }
    }

    @Override
    public ServerConfig config() {
        return context.config;
    }

    @Override
    public ServerStats stats() {
        return context.stats();
    }

    @Override
    public void drain(Duration window) {
        // Upgrades already in flight on accepted sockets are refused; then no new sockets are accepted.
        context.admission.startDraining();
        listening.close();
        List<WebSocketConnection> connections = new ArrayList<>();
        // Collected on each loop, which owns its wheel; then closed in batches spread over the window.
        for (ServerLoop loop : context.loops()) {
            try {
                connections.addAll(loop.executor
                        .submit(() -> {
                            List<WebSocketConnection> mine = new ArrayList<>();
                            loop.wheel.forEach(member -> mine.add((WebSocketConnection) member));
                            return mine;
                        })
                        .get());
            } catch (Exception e) {
                LOG.warn("could not list connections of {}", loop.executor, e);
            }
        }
        LOG.info("draining {} connections over {}", connections.size(), window);
        closeSpread(
                connections, window, context.config.keepalive().closeTimeout(), context.handler.shutdownCloseCode());
        close();
    }

    /**
     * Closes {@code connections} with {@code code} (1001 unless the handler says otherwise) in batches, one batch every 100 ms across {@code window}, then waits
     * for their TCP connections to close (the close timeout bounds each).
     */
    private static void closeSpread(
            List<WebSocketConnection> connections, Duration window, Duration closeTimeout, int code) {
        String reason = code == CloseReason.GOING_AWAY.code() ? CloseReason.GOING_AWAY.id() : "server shutting down";
        long batches = Math.max(1, window.toMillis() / 100);
        int perBatch = (int) Math.max(1, (connections.size() + batches - 1) / batches);
        long start = System.nanoTime();
        List<io.netty.util.concurrent.Future<Void>> closing = new ArrayList<>(connections.size());
        for (int i = 0, batch = 0; i < connections.size(); batch++) {
            long due = start + TimeUnit.MILLISECONDS.toNanos(batch * 100L);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            for (int end = Math.min(connections.size(), i + perBatch); i < end; i++) {
                closing.add(connections.get(i).close(code, reason));
            }
        }
        long deadline = System.nanoTime() + closeTimeout.toNanos() + TimeUnit.SECONDS.toNanos(1);
        for (io.netty.util.concurrent.Future<Void> f : closing) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !f.awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
                break;
            }
        }
    }

    @Override
    public void awaitClose() throws InterruptedException {
        closed.await();
    }

    @Override
    public void close() {
        if (closed.getCount() == 0) {
            return;
        }
        if (watchdog != null) {
            watchdog.stop();
        }
        listening.close();
        if (bossGroup != null) {
            bossGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly();
        }
        closers.closeAll(workerGroup); // what is still open is closed now, not left to the loops' shutdown
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        context.loops().forEach(ServerLoop::close); // the loops have ended: nothing uses their zlib pair any more
        LOG.info("stopped {}", localAddress());
        closed.countDown();
    }
}
