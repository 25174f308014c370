package dev.throng.core.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.NativeInetAddress;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The listening socket of a lean epoll server, registered with the accept loop through Netty's IoHandle API instead
 * of a server channel (issue #4: no socket ever gets a Netty channel). Each accepted socket becomes an
 * {@link EpollSession} on the next I/O loop, which reads the opening handshake itself.
 *
 * <p>Level-triggered, and at most {@link #MAX_ACCEPTS_PER_EVENT} accepts per wake-up, so a flood of connections
 * cannot starve the loop's other work; the rest are accepted on the next turn. When accepting fails for lack of
 * file descriptors (EMFILE, ENFILE) the listener stops for a second instead of spinning on the pending connection,
 * as Netty's server bootstrap does.
 */
final class EpollListener implements EpollIoHandle {
    private static final Logger LOG = LoggerFactory.getLogger(EpollListener.class);
    /** Accepts per wake-up: enough to drain a burst in few wake-ups, few enough to keep the loop fair. */
    private static final int MAX_ACCEPTS_PER_EVENT = 64;
    /** How long accepting pauses after it failed (e.g. out of file descriptors). */
    private static final long PAUSE_AFTER_FAILURE_MS = 1000;

    private final ServerContext server;
    private final Socket socket;
    private final IoEventLoop acceptLoop;
    private final EventLoopGroup ioLoops;
    private final InetSocketAddress localAddress;
    /** The peer address of the socket just accepted, as Netty's native accept writes it (length byte first). */
    private final byte[] accepted = new byte[26];
    private IoRegistration registration;
    private boolean closed;

    private EpollListener(ServerContext server, Socket socket, IoEventLoop acceptLoop, EventLoopGroup ioLoops)
        throws IOException {
        this.server = server;
        this.socket = socket;
        this.acceptLoop = acceptLoop;
        this.ioLoops = ioLoops;
        this.localAddress = socket.localAddress();
    }

    /**
     * Binds and listens on the configured address, and starts accepting on {@code acceptLoop}.
     *
     * @throws IOException when the address cannot be bound
     */
    static EpollListener open(ServerContext server, IoEventLoop acceptLoop, EventLoopGroup ioLoops)
        throws IOException {
        Socket socket = Socket.newSocketStream();
        EpollListener listener;
        try {
            socket.setReuseAddress(true);
            if (server.config.reusePort()) {
                socket.setReusePort(true);
            }
            socket.setTcpNoDelay(true); // Linux copies it to every accepted socket: no setsockopt per connection
            socket.bind(new InetSocketAddress(server.config.host(), server.config.port()));
            socket.listen(server.config.backlog());
            listener = new EpollListener(server, socket, acceptLoop, ioLoops);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        Future<?> registered = acceptLoop.register(listener).awaitUninterruptibly();
        if (!registered.isSuccess()) {
            socket.close();
            throw new IOException("cannot watch the listening socket", registered.cause());
        }
        Future<?> watching = acceptLoop.submit(() -> {
            listener.registration = (IoRegistration) registered.getNow();
            listener.registration.submit(EpollIoOps.EPOLLIN);
        }).awaitUninterruptibly();
        if (!watching.isSuccess()) {
            listener.close();
            throw new IOException("cannot watch the listening socket", watching.cause());
        }
        return listener;
    }

    InetSocketAddress localAddress() {
        return localAddress;
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
            }
            if (fd < 0) {
                return; // EAGAIN: the accept queue is empty
            }
            dispatch(fd);
        }
    }

    private void dispatch(int fd) {
        IoEventLoop loop = (IoEventLoop) ioLoops.next();
        InetSocketAddress remote = NativeInetAddress.address(accepted, 1, accepted[0]);
        EpollSession session = new EpollSession(server, fd, remote, loop, System.nanoTime());
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

    /** Stops accepting for a while after a failure (typically EMFILE), so a full process does not spin. */
    private void pause(IOException cause) {
        LOG.warn("accept failed ({}); not accepting for {} ms", cause.getMessage(), PAUSE_AFTER_FAILURE_MS);
        registration.submit(EpollIoOps.NONE);
        acceptLoop.schedule(() -> {
            if (!closed && registration.isValid()) {
                registration.submit(EpollIoOps.EPOLLIN);
            }
        }, PAUSE_AFTER_FAILURE_MS, TimeUnit.MILLISECONDS);
    }

    /** Stops listening (from any thread); the returned future completes when the socket is closed. */
    Future<Void> closeAsync() {
        Promise<Void> done = acceptLoop.newPromise();
        acceptLoop.execute(() -> {
            close();
            done.trySuccess(null);
        });
        return done;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (registration != null) {
            registration.cancel();
        }
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("closing the listening socket failed", e);
        }
    }
}
