package dev.throng.core.transport;

import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.NativeInetAddress;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening socket of a lean epoll server (issue #4: no socket ever gets a Netty channel). It has no accept
 * thread: the one listening socket is registered with every I/O loop through Netty's IoHandle API, with
 * {@code EPOLLEXCLUSIVE} so that the kernel wakes one idle loop per incoming connection rather than all of them.
 * The loop that accepts a socket serves it: the {@link EpollSession} is registered on the spot, without a task,
 * a promise or a wake-up of another thread.
 *
 * <p>Level-triggered, and at most {@link #MAX_ACCEPTS_PER_EVENT} accepts per wake-up, so a flood of connections
 * cannot starve a loop's other work; the rest are accepted on the next turn, by whichever loop is free. When
 * accepting fails for lack of file descriptors (EMFILE, ENFILE) a loop stops watching the socket for a second
 * instead of spinning on the pending connection, as Netty's server bootstrap does.
 */
final class EpollListener implements ServerBootstrapper.Listening {
    private static final Logger LOG = LoggerFactory.getLogger(EpollListener.class);
    /** Accepts per wake-up: enough to drain a burst in few wake-ups, few enough to keep the loop fair. */
    private static final int MAX_ACCEPTS_PER_EVENT = 64;
    /** How long a loop stops accepting after accepting failed (e.g. out of file descriptors). */
    private static final long PAUSE_AFTER_FAILURE_MS = 1000;
    /** Linux's EPOLLEXCLUSIVE (since 4.5), which Netty's EpollIoOps does not name. */
    private static final int EPOLLEXCLUSIVE = 1 << 28;
    /** See {@link #deferAccept}. */
    private static final int DEFER_ACCEPT_SECONDS = 1;

    private static final EpollIoOps ACCEPT_OPS = EpollIoOps.EPOLLIN.with(EpollIoOps.valueOf(EPOLLEXCLUSIVE));

    private final ServerContext server;
    private final Socket socket;
    private final InetSocketAddress localAddress;
    private final List<Acceptor> acceptors = new ArrayList<>();
    private volatile boolean closed;

    private EpollListener(ServerContext server, Socket socket) throws IOException {
        this.server = server;
        this.socket = socket;
        this.localAddress = socket.localAddress();
    }

    /**
     * Binds and listens on the configured address, and starts accepting on every loop of {@code ioLoops}.
     *
     * @throws IOException when the address cannot be bound or watched
     */
    static EpollListener open(ServerContext server) throws IOException {
        Socket socket = Socket.newSocketStream();
        EpollListener listener;
        try {
            socket.setReuseAddress(true);
            if (server.config.listen().reusePort()) {
                socket.setReusePort(true);
            }
            socket.setTcpNoDelay(true); // Linux copies it to every accepted socket: no setsockopt per connection
            deferAccept(socket);
            socket.bind(new InetSocketAddress(
                    server.config.listen().host(), server.config.listen().port()));
            socket.listen(server.config.listen().backlog());
            listener = new EpollListener(server, socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        for (ServerLoop loop : server.loops()) {
            Acceptor acceptor = listener.new Acceptor(loop);
            listener.acceptors.add(acceptor);
            Future<?> watching = loop.executor.submit(acceptor::watch).awaitUninterruptibly();
            if (!watching.isSuccess()) {
                listener.close();
                throw new IOException("cannot watch the listening socket", watching.cause());
            }
        }
        return listener;
    }

    /**
     * TCP_DEFER_ACCEPT, 1 s: the kernel hands a connection to accept() only once its first bytes (the upgrade
     * request) arrived, or after a second without them. The loop that accepts then reads the request at once
     * (EpollSession.registered): one wake-up per handshake instead of two, and a client that connects and says
     * nothing holds no descriptor for that second. Netty sets this option only on its own server channels, so it
     * is called through Netty's native binding by reflection; where that fails, the server runs without it.
     */
    private static void deferAccept(Socket socket) {
        try {
            Method set = Class.forName("io.netty.channel.epoll.LinuxSocket")
                    .getDeclaredMethod("setTcpDeferAccept", int.class, int.class);
            set.setAccessible(true);
            set.invoke(null, socket.intValue(), DEFER_ACCEPT_SECONDS);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("TCP_DEFER_ACCEPT not set ({}); every connection wakes a loop before its request", e.toString());
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** Stops accepting on every loop and closes the socket (from any thread); returns when every loop stopped. */
    @Override
    public void close() {
        closed = true;
        List<Future<?>> done = new ArrayList<>();
        for (Acceptor acceptor : acceptors) {
            done.add(acceptor.loop.submit(acceptor::close));
        }
        if (acceptors.isEmpty()) {
            closeSocket();
        }
        done.forEach(Future::awaitUninterruptibly);
    }

    private synchronized void closeSocket() {
        if (socket.isOpen()) {
            try {
                socket.close();
            } catch (IOException e) {
                LOG.debug("closing the listening socket failed", e);
            }
        }
    }

    /** The listening socket's registration with one loop. Confined to that loop. */
    private final class Acceptor implements EpollIoHandle {
        final IoEventLoop loop;
        final ServerLoop serverLoop;
        /** The peer address of the socket just accepted, as Netty's native accept writes it (length byte first). */
        private final byte[] accepted = new byte[26];

        private IoRegistration registration;
        private volatile boolean stopped;

        Acceptor(ServerLoop serverLoop) {
            this.serverLoop = serverLoop;
            this.loop = (IoEventLoop) serverLoop.executor;
        }

        /** Registers with the loop and asks for EPOLLIN (exclusive where the kernel has it). On the loop. */
        void watch() {
            if (closed) {
                return;
            }
            IoRegistration r =
                    (IoRegistration) loop.register(this).syncUninterruptibly().getNow();
            try {
                r.submit(ACCEPT_OPS);
            } catch (UncheckedIOException e) {
                LOG.debug("EPOLLEXCLUSIVE refused ({}); every loop wakes for each connection", e.getMessage());
                r.submit(EpollIoOps.EPOLLIN);
            }
            registration = r;
        }

        @Override
        public FileDescriptor fd() {
            return socket;
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            for (int i = 0; i < MAX_ACCEPTS_PER_EVENT && !closed; i++) {
                int fd;
                try {
                    fd = socket.accept(accepted);
                } catch (IOException e) {
                    pause(e);
                    return;
                } catch (Throwable t) {
                    server.failures.record(t, "accept");
                    return; // the next wake-up tries again (level-triggered)
                }
                if (fd < 0) {
                    return; // EAGAIN: the accept queue is empty (or another loop took the connection)
                }
                try {
                    serve(fd);
                } catch (Throwable t) {
                    // Nothing thrown here may reach Netty's epoll loop (an error would end it): this socket only.
                    server.failures.record(t, "a socket just accepted");
                    closeQuietly(fd);
                }
            }
        }

        private void closeQuietly(int fd) {
            try {
                new FileDescriptor(fd).close();
            } catch (IOException | RuntimeException | Error e) {
                LOG.debug("closing accepted socket {} failed", fd, e);
            }
        }

        private void serve(int fd) {
            InetSocketAddress remote = NativeInetAddress.address(accepted, 1, accepted[0]);
            EpollSession session = new EpollSession(serverLoop, fd, remote, System.nanoTime());
            // On this loop, Netty registers at once and runs the listener before register() returns.
            loop.register(session).addListener(r -> {
                if (!r.isSuccess()) {
                    LOG.warn("could not register accepted socket {}", remote, r.cause());
                    session.closeWire();
                    return;
                }
                try {
                    session.registered((IoRegistration) r.getNow());
                } catch (UncheckedIOException e) {
                    LOG.debug("could not watch accepted socket {}", remote, e); // e.g. closed by the peer already
                    session.closeWire();
                }
            });
        }

        /** Stops watching the socket for a while after a failure (typically EMFILE), so a full process does not spin. */
        private void pause(IOException cause) {
            LOG.warn(
                    "accept failed ({}); this event loop stops accepting for {} ms",
                    cause.getMessage(),
                    PAUSE_AFTER_FAILURE_MS);
            unwatch();
            loop.schedule(this::watch, PAUSE_AFTER_FAILURE_MS, TimeUnit.MILLISECONDS);
        }

        private void unwatch() {
            if (registration != null) {
                registration.cancel();
                registration = null;
            }
        }

        @Override
        public void close() {
            if (stopped) {
                return;
            }
            stopped = true;
            unwatch();
            if (acceptors.stream().allMatch(a -> a.stopped || a == this)) {
                closeSocket(); // the last loop to stop closes the socket
            }
        }
    }
}
