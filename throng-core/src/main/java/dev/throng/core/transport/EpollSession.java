package dev.throng.core.transport;

import dev.throng.core.handshake.HttpReplyReason;
import dev.throng.core.handshake.RequestHead;
import dev.throng.core.handshake.UpgradeOutcome;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * A {@link WebSocketSession} on a bare socket registered with Netty's epoll event loop, without a Netty channel
 * (issue #4, "lean connection"). The {@link EpollListener} accepts the socket and registers it here at once: this
 * object reads the opening handshake itself ({@link RequestHead}), answers it, and on success becomes the
 * connection. A socket never gets a Netty channel, so an open connection costs this object, a
 * {@link FileDescriptor} and Netty's epoll registration (and a parser and a {@link WebSocketSession.Pending} only
 * while something is in progress) — about 190 B of heap instead of the ~1 kB of a channel with its pipeline,
 * contexts, promises, config, id and allocator handles — and a handshake allocates no channel, pipeline, decoder or
 * promise chain (docs/design.md).
 *
 * <p>What Netty's channel did and this class does instead: edge-triggered reads into pooled buffers until the
 * socket is drained, a write queue that exists only while the kernel refuses bytes (with EPOLLOUT interest only
 * then), and close. Everything runs on the owning event loop.
 *
 * <p>Before the upgrade the session sits in its loop's {@link HandshakeTimeouts}, which answers 408 when the request
 * does not arrive within the handshake timeout; after it, in the loop's keepalive wheel.
 */
final class EpollSession extends WebSocketSession implements EpollIoHandle {
    /** Read buffer size, as for channels (ServerBootstrapper). */
    private static final int READ_SIZE = 4096;
    /** Reads per wake-up before yielding the loop to other connections. */
    private static final int MAX_READS_PER_EVENT = 16;
    private static final EpollIoOps READ_OPS = EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLRDHUP).with(EpollIoOps.EPOLLET);
    private static final EpollIoOps READ_WRITE_OPS = READ_OPS.with(EpollIoOps.EPOLLOUT);

    /**
     * The socket. A plain {@link FileDescriptor} does all this class needs (read, write, close); Netty's
     * {@code unix.Socket} would ask the kernel for the socket's family (getsockname) when it is created.
     */
    private final FileDescriptor socket;
    private final IoEventLoop loop;
    /** IPv4 peer as (address << 16 | port), or -1 when {@link #remote6} holds it. */
    private final long remote4;
    private final InetSocketAddress remote6;
    private IoRegistration registration;
    /** Completed when the socket closes; created only when someone asks for it. */
    private Promise<Void> closePromise;
    private boolean writeInterest;
    /** Written on the loop; read by {@link #wireCloseFuture()} from any thread. */
    private volatile boolean closed;

    private static final Object NO_PROMISE = new Object();

    /** A socket just accepted: its handshake is still to be read. */
    EpollSession(ServerContext server, int fd, InetSocketAddress remote, IoEventLoop loop, long acceptedNanos) {
        super(server, acceptedNanos);
        this.socket = new FileDescriptor(fd);
        this.loop = loop;
        InetAddress address = remote == null ? null : remote.getAddress();
        if (address instanceof Inet4Address) {
            byte[] b = address.getAddress();
            long ip = ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFFL) << 16) | ((b[2] & 0xFFL) << 8) | (b[3] & 0xFFL);
            this.remote4 = (ip << 16) | remote.getPort();
            this.remote6 = null;
        } else {
            this.remote4 = -1;
            this.remote6 = remote;
        }
    }

    /**
     * Called on the loop once Netty registered the socket: starts the handshake clock, reads what is there (with
     * TCP_DEFER_ACCEPT the request usually is: EpollListener), then asks epoll for more. Reading before the
     * descriptor joins epoll spares the wake-up an edge-triggered add would report for bytes already read.
     */
    void registered(IoRegistration registration) {
        this.registration = registration;
        server.handshakeTimeouts(loop).add(this);
        readNow();
        if (!closed && !writeInterest) {
            registration.submit(READ_OPS); // unless a partial write already added it with EPOLLOUT
        }
    }

    // ---- the opening handshake --------------------------------------------------------------------------------

    @Override
    void onRequestBytes(ByteBuf in) {
        ByteBuf buf = takeWithHeld(in);
        HttpRequest request;
        try {
            request = RequestHead.parse(buf, server.config.maxInitialLineLength(), server.config.maxHeaderSize());
        } catch (RuntimeException e) {
            buf.release();
            LOG.warn("request parser failed on {}", this, e);
            unlink();
            closeWire();
            return;
        }
        if (request == null) {
            if (buf.isReadable()) {
                hold(buf); // an incomplete head, bounded by the limits RequestHead enforces
            } else {
                buf.release();
            }
            return;
        }
        unlink(); // leaves the arrival queue: the handshake timeout no longer applies
        UpgradeOutcome outcome = server.judge(request, addressOf(remoteAddress()));
        if (outcome instanceof UpgradeOutcome.Reply) {
            buf.release();
            replyAndClose((UpgradeOutcome.Reply) outcome, HttpMethod.HEAD.equals(request.method()));
            return;
        }
        UpgradeOutcome.Accept accept = (UpgradeOutcome.Accept) outcome;
        accepted(accept);
        writeToWire(HttpReplies.switchingProtocols(alloc(), accept), null);
        open();
        if (buf.isReadable() && !closed) {
            frames(buf); // frames the client sent right behind its request
        } else {
            buf.release();
        }
    }

    @Override
    protected long onDeadline(long nowNanos) {
        long left = acceptedNanos() + server.handshakeTimeoutNanos - nowNanos;
        if (left > 0) {
            return left;
        }
        unlink();
        server.counters.rejected.increment();
        replyAndClose(new UpgradeOutcome.Reply(HttpReplyReason.HANDSHAKE_TIMEOUT), false);
        return 0;
    }

    /**
     * Answers a request that is not upgraded and closes the socket once the answer is written. Input still in the
     * socket is read and dropped first: closing a socket with unread input makes the kernel send a reset, which can
     * destroy the answer before the client reads it.
     */
    private void replyAndClose(UpgradeOutcome.Reply reply, boolean head) {
        refuseInput();
        releaseBuffers();
        discardInput();
        Promise<Void> written = loop.newPromise();
        written.addListener(f -> closeWire());
        writeToWire(HttpReplies.reply(alloc(), reply, head), written);
        if (!closed && outbound() != null) {
            // The kernel did not take a reply of a few hundred bytes at once: give the client the close timeout.
            loop.schedule(this::closeWire, server.closeTimeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Reads and drops what the socket holds, up to 64 KiB. */
    private void discardInput() {
        ByteBuf scratch = alloc().directBuffer(READ_SIZE);
        try {
            for (int i = 0; i < MAX_READS_PER_EVENT; i++) {
                int n = socket.readAddress(scratch.memoryAddress(), 0, scratch.capacity());
                if (n < scratch.capacity()) {
                    return;
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            // reset by the peer, or no memory address: nothing to drain then
        } finally {
            scratch.release();
        }
    }

    // ---- EpollIoHandle ----------------------------------------------------------------------------------------

    @Override
    public FileDescriptor fd() {
        return socket;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        EpollIoOps ops = ((EpollIoEvent) event).ops();
        if (ops.contains(EpollIoOps.EPOLLOUT)) {
            flushWire();
        }
        if (!closed && (ops.contains(EpollIoOps.EPOLLIN) || ops.contains(EpollIoOps.EPOLLRDHUP)
            || ops.contains(EpollIoOps.EPOLLERR))) {
            readNow();
        }
    }

    @Override
    public void close() {
        closeWire(); // the event loop is shutting down
    }

    /** Reads until the socket is drained (edge-triggered), or yields after a bound and continues later. */
    void readNow() {
        ByteBufAllocator alloc = alloc();
        for (int i = 0; i < MAX_READS_PER_EVENT && !closed; i++) {
            ByteBuf buf = alloc.directBuffer(READ_SIZE);
            int attempted = buf.writableBytes();
            int n;
            try {
                n = buf.hasMemoryAddress()
                    ? socket.readAddress(buf.memoryAddress(), buf.writerIndex(), buf.capacity())
                    : readNio(buf);
            } catch (IOException e) {
                buf.release();
                closeWire(); // reset by peer and the like
                return;
            }
            if (n <= 0) {
                buf.release();
                if (n < 0) {
                    closeWire(); // EOF: the peer closed TCP
                    return;
                }
                break; // EAGAIN: drained
            }
            buf.writerIndex(buf.writerIndex() + n);
            boolean drained = n < attempted;
            onBytes(buf);
            if (drained) {
                break; // a short read: the socket is empty; the next bytes bring a new edge
            }
            if (i == MAX_READS_PER_EVENT - 1) {
                loop.execute(this::readNow); // fairness: let other connections run, then go on
            }
        }
        if (!closed) {
            onReadComplete();
        }
    }

    private int readNio(ByteBuf buf) throws IOException {
        ByteBuffer nio = buf.internalNioBuffer(buf.writerIndex(), buf.writableBytes());
        return socket.read(nio, nio.position(), nio.limit());
    }

    // ---- the wire ---------------------------------------------------------------------------------------------

    @Override
    EventExecutor executor() {
        return loop;
    }

    @Override
    ByteBufAllocator alloc() {
        return ByteBufAllocator.DEFAULT;
    }

    @Override
    void writeToWire(ByteBuf frame, Promise<Void> promise) {
        if (closed) {
            frame.release();
            if (promise != null) {
                promise.tryFailure(new ClosedChannelException());
            }
            return;
        }
        if (!frame.hasMemoryAddress()) {
            frame = toDirect(frame); // the native write takes a memory address, as Netty's channels arrange too
        }
        ArrayDeque<Object> outbound = outbound();
        if (outbound == null) {
            // Nothing queued: hand the frame to the kernel now. Most writes (pings, pongs, small messages) end
            // here, so an idle or lightly used connection never allocates a queue.
            try {
                if (writeSome(frame)) {
                    frame.release();
                    if (promise != null) {
                        promise.trySuccess(null);
                    }
                    return;
                }
            } catch (IOException e) {
                frame.release();
                if (promise != null) {
                    promise.tryFailure(e);
                }
                closeWire(); // broken pipe, reset
                return;
            }
            outbound = new ArrayDeque<>(4); // the kernel took part of it: queue the rest until EPOLLOUT
            pending().outbound = outbound;
            queue(outbound, frame, promise);
            wantWrite(true);
            return;
        }
        queue(outbound, frame, promise);
    }

    /**
     * The write queue: frames (ByteBuf) and their promises (or NO_PROMISE), alternating; null whenever nothing is
     * queued (it lives in the session's {@link WebSocketSession.Pending} state).
     */
    private ArrayDeque<Object> outbound() {
        Pending p = pending;
        return p == null ? null : p.outbound;
    }

    private void queue(ArrayDeque<Object> outbound, ByteBuf frame, Promise<Void> promise) {
        outbound.add(frame);
        outbound.add(promise == null ? NO_PROMISE : promise);
        pending.outboundBytes += frame.readableBytes();
    }

    @Override
    void flushWire() {
        for (ArrayDeque<Object> outbound; (outbound = outbound()) != null && !closed; ) {
            ByteBuf frame = (ByteBuf) outbound.peek();
            int before = frame.readableBytes();
            boolean all;
            try {
                all = writeSome(frame);
            } catch (IOException e) {
                closeWire(); // broken pipe, reset
                return;
            }
            pending.outboundBytes -= before - frame.readableBytes();
            if (!all) {
                wantWrite(true); // the kernel is full: go on at EPOLLOUT
                return;
            }
            outbound.poll();
            Object promise = outbound.poll();
            if (outbound.isEmpty()) {
                pending.outbound = null; // an idle connection holds no queue
                dropPendingIfIdle();
            }
            frame.release();
            if (promise != NO_PROMISE) {
                @SuppressWarnings("unchecked")
                Promise<Void> p = (Promise<Void>) promise;
                p.trySuccess(null); // listeners may write or close: the queue state above is already consistent
            }
        }
        wantWrite(false);
    }

    /** Keepalive pings and empty pongs: straight from the shared frame's memory to the kernel, without a duplicate. */
    @Override
    void writeConstantToWire(ConstantFrame constant) {
        ByteBuf frame = constant.frame();
        long address = constant.address();
        if (outbound() != null || closed || address == 0) {
            super.writeConstantToWire(constant); // behind queued bytes, in order
            return;
        }
        int length = frame.readableBytes();
        int written;
        try {
            written = Math.max(0, socket.writeAddress(address, frame.readerIndex(), frame.writerIndex()));
        } catch (IOException e) {
            closeWire(); // broken pipe, reset
            return;
        }
        if (written < length) { // the kernel's buffer is full: queue the rest until EPOLLOUT
            ByteBuf rest = alloc().directBuffer(length - written);
            rest.writeBytes(frame, frame.readerIndex() + written, length - written);
            writeToWire(rest, null);
        }
    }

    private ByteBuf toDirect(ByteBuf frame) {
        ByteBuf direct = alloc().directBuffer(frame.readableBytes());
        direct.writeBytes(frame, frame.readerIndex(), frame.readableBytes());
        frame.release();
        return direct;
    }

    /** Writes as much of {@code frame} (direct) as the kernel takes; returns whether all of it went. */
    private boolean writeSome(ByteBuf frame) throws IOException {
        while (frame.isReadable()) {
            int written = socket.writeAddress(frame.memoryAddress(), frame.readerIndex(), frame.writerIndex());
            if (written <= 0) {
                return false;
            }
            frame.skipBytes(written);
        }
        return true;
    }

    private void wantWrite(boolean want) {
        if (want != writeInterest && registration != null && registration.isValid()) {
            writeInterest = want;
            registration.submit(want ? READ_WRITE_OPS : READ_OPS);
        }
    }

    @Override
    void closeWire() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("closing {} failed", this, e);
        }
        if (registration != null) {
            // After the close: the kernel has dropped the descriptor from epoll, and Netty skips its EPOLL_CTL_DEL for
            // a closed descriptor (one system call less per connection). Both run now on this loop, so a new socket
            // that reuses the number cannot be registered here in between.
            registration.cancel();
        }
        Pending pending = this.pending;
        ArrayDeque<Object> outbound = pending == null ? null : pending.outbound;
        if (outbound != null) {
            ClosedChannelException cause = new ClosedChannelException();
            for (Object o; (o = outbound.poll()) != null; ) {
                if (o instanceof ByteBuf) {
                    ((ByteBuf) o).release();
                } else if (o != NO_PROMISE) {
                    @SuppressWarnings("unchecked")
                    Promise<Void> p = (Promise<Void>) o;
                    p.tryFailure(cause);
                }
            }
            pending.outbound = null;
            pending.outboundBytes = 0;
        }
        onWireClosed();
        synchronized (this) {
            if (closePromise != null) {
                closePromise.trySuccess(null);
            }
        }
    }

    @Override
    long pendingOutboundBytes() {
        Pending p = pending;
        return p == null ? 0 : p.outboundBytes;
    }

    @Override
    boolean wireWritable() {
        return pendingOutboundBytes() < server.config.writeBufferHighWaterMark();
    }

    @Override
    boolean wireActive() {
        return !closed;
    }

    @Override
    synchronized Future<Void> wireCloseFuture() { // may be called from any thread, by close()
        if (closePromise == null) {
            closePromise = loop.newPromise();
            if (closed) {
                closePromise.trySuccess(null);
            }
        }
        return closePromise;
    }

    @Override
    Promise<Void> newPromise() {
        return loop.newPromise();
    }

    @Override
    public SocketAddress remoteAddress() {
        if (remote4 < 0) {
            return remote6;
        }
        long ip = remote4 >>> 16;
        byte[] b = {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip};
        try {
            return new InetSocketAddress(InetAddress.getByAddress(b), (int) (remote4 & 0xFFFF));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }
}
