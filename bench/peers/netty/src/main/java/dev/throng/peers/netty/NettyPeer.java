package dev.throng.peers.netty;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

import java.util.concurrent.TimeUnit;

/**
 * Reference peer: a WebSocket echo server written the way the Netty examples teach it, on epoll. This is
 * the naive-Java baseline Throng is measured against, so it keeps the stock choices on purpose (a timer per
 * connection, HTTP handlers and aggregator in every pipeline until the upgrade, default thread counts).
 *
 * <pre>
 *   java -jar target/throng-peer-netty.jar [PORT]      # PORT also from $PORT; default 29003
 * </pre>
 *
 * <p>Environment: {@code HOST} (default 127.0.0.1: this box only serves loopback),
 * {@code PING_INTERVAL_SECONDS} (default 30, as the ws peer), {@code NETTY_THREADS} (worker event loops;
 * default 0 = Netty's default of twice the cores). Several JVMs share one port through
 * {@code SO_REUSEPORT}; run.sh starts them. Prints {@code ready pid=<pid> port=<port>} once bound.
 */
public final class NettyPeer {

    private NettyPeer() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = intFrom(args.length > 0 ? args[0] : env("PORT", "29003"), "PORT", 1, 65535);
        String host = env("HOST", "127.0.0.1");
        int pingSeconds = intFrom(env("PING_INTERVAL_SECONDS", "30"), "PING_INTERVAL_SECONDS", 1, 3600);
        int threads = intFrom(env("NETTY_THREADS", "0"), "NETTY_THREADS", 0, 1024);
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("epoll is unavailable; this peer is Linux-only", Epoll.unavailabilityCause());
        }

        EventLoopGroup bossGroup = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        EventLoopGroup workerGroup = new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }, "peer-shutdown"));

        EchoHandler echo = new EchoHandler();
        Channel server = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(EpollServerSocketChannel.class)
                .option(EpollChannelOption.SO_REUSEPORT, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        p.addLast(new HttpServerCodec());
                        p.addLast(new HttpObjectAggregator(65536));
                        // Same as new WebSocketServerProtocolHandler("/", null, true) except the last argument,
                        // dropPongFrames = false: the heartbeat has to see pongs to tell live clients from dead.
                        p.addLast(new WebSocketServerProtocolHandler("/", null, true, 65536, false, false, false));
                        p.addLast(new HeartbeatHandler(pingSeconds));
                        p.addLast(echo);
                    }
                })
                .bind(host, port).sync().channel();

        System.out.println("ready pid=" + ProcessHandle.current().pid() + " port=" + port + " ping=" + pingSeconds
                + "s");
        server.closeFuture().sync();
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isEmpty() ? fallback : value;
    }

    private static int intFrom(String text, String name, int min, int max) {
        try {
            int value = Integer.parseInt(text.trim());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        System.err.println(name + " must be an integer in [" + min + ", " + max + "], got '" + text + "'");
        System.exit(2);
        return -1;
    }
}
