package dev.throng.core.transport;

import dev.throng.core.handshake.HttpReplyReason;
import dev.throng.core.handshake.UpgradeOutcome;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.IovArray;
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
 * (issue #4, "lean connection"; this path is our own on purpose: it is why a connection costs ~180 B of heap). The
 * {@link EpollListener} accepts the socket and registers it here at once: this object reads the opening handshake
 * itself ({@link OpeningHandshake}), answers it, and on success becomes the connection. A socket never gets a Netty
 * channel, so an open connection costs this object, a {@link FileDescriptor} and Netty's epoll registration (and a
 * parser and a {@link WebSocketSession.Pending} only while something is in progress) instead of the ~1 kB of a
 * channel with its pipeline, contexts, promises, config, id and allocator handles, and a handshake allocates no
 * channel, pipeline, decoder or promise chain (docs/design.md).
 *
 * <p>What Netty's channel did and this class does instead: edge-triggered reads into pooled buffers until the
 * socket is drained (a frame larger than a read is read straight into one buffer sized for it), a write queue that
 * exists only while the kernel refuses bytes (with EPOLLOUT interest only then), gathering writes of a frame's header
 * and payload, and close. Everything runs on the owning event loop.
 *
 * <p>Fairness (issue #15): a socket that still has input after {@link #MAX_READS_PER_EVENT} reads is switched to
 * level-triggered, so epoll reports it again at the loop's next poll, after every other ready socket had its turn
 * (re-queueing a read task instead let one greedy sender hold its loop for up to Netty's 1 s task quantum). It goes
 * back to edge-triggered once drained.
 *
 * <p>Before the upgrade the session sits in its loop's {@link HandshakeTimeouts}, which answers 408 when the request
 * does not arrive within the handshake timeout; after it, in the loop's keepalive wheel.
 */
final class EpollSession extends WebSocketSession implements EpollIoHandle {
    /** Reads per wake-up before yielding the loop to other connections: 64 KiB at most. */
    private static final int MAX_READS_PER_EVENT = 16;

    private static final EpollIoOps LEVEL_READ_OPS = EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLRDHUP);
    private static final EpollIoOps READ_OPS = LEVEL_READ_OPS.with(EpollIoOps.EPOLLET);

    // wire bits of the session's state
    /** EPOLLOUT is asked for: the kernel refused bytes and the queue waits. */
    private static final int WRITE_INTEREST = 1 << WIRE_SHIFT;
    /** Registered level-triggered: input was left for the next poll (fairness). */
    private static final int LEVEL_TRIGGERED = 1 << (WIRE_SHIFT + 1);
    /** The descriptor is closed (read with acquire from other threads: {@link #wireCloseFuture()}). */
    private static final int FD_CLOSED = 1 << (WIRE_SHIFT + 2);
    /** Writes wait in the queue for one gathering write: the 101 and what the handler sends when it opens. */
    private static final int CORKED = 1 << (WIRE_SHIFT + 3);

    /**
     * The socket. A plain {@link FileDescriptor} does all this class needs (read, write, close); Netty's
     * {@code unix.Socket} would ask the kernel for the socket's family (getsockname) when it is created.
     */
    private final FileDescriptor socket;
    /** IPv4 peer as (address << 16 | port), or -1 when {@link #remote6} holds it. */
    private final long remote4;

    private final InetSocketAddress remote6;
    private IoRegistration registration;
    /** Completed when the socket closes; created only when someone asks for it. */
    private Promise<Void> closePromise;

    private static final Object NO_PROMISE = new Object();

    /** A socket just accepted: its handshake is still to be read. */
    EpollSession(ServerLoop loop, int fd, InetSocketAddress remote, long acceptedNanos) {
        super(loop, acceptedNanos);
        this.socket = new FileDescriptor(fd);
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

    private boolean closed() {
        return (state & FD_CLOSED) != 0;
    }

    /**
     * Called on the loop once Netty registered the socket: starts the handshake clock, reads what is there (with
     * TCP_DEFER_ACCEPT the request usually is: EpollListener), then asks epoll for more. Reading before the
     * descriptor joins epoll spares the wake-up an edge-triggered add would report for bytes already read.
     */
    void registered(IoRegistration registration) {
        this.registration = registration;
        try {
            loop.handshakes.add(this);
            readNow();
            if (!closed() && (state & (WRITE_INTEREST | LEVEL_TRIGGERED)) == 0) {
                registration.submit(READ_OPS); // unless a partial write or a yield already set the interest
            }
        } catch (Throwable t) {
            failInternally(t);
        }
    }

    // ---- the opening handshake --------------------------------------------------------------------------------

    @Override
    void onRequestBytes(ByteBuf in) {
        OpeningHandshake.Step step;
        try {
            step = OpeningHandshake.read(loop.server, takeWithHeld(in), remoteAddress());
        } catch (RuntimeException e) {
            LOG.warn("request parser failed on {}", this, e);
            unlink();
            closeWire();
            return;
        }
        if (step instanceof OpeningHandshake.NeedMore more) {
            if (more.held() != null) {
                hold(more.held());
            }
            return;
        }
        unlink(); // leaves the arrival queue: the handshake timeout no longer applies
        if (step instanceof OpeningHandshake.Reply reply) {
            replyAndClose(reply.reply(), reply.head());
        } else if (step instanceof OpeningHandshake.HandOver handOver) {
            handOver(handOver.raw());
        } else {
            OpeningHandshake.Upgrade upgrade = (OpeningHandshake.Upgrade) step;
            accepted(upgrade.accept());
            // The 101 and what the handler sends on open (the gateway's connection_established) leave in one
            // write, as uWebSockets corks its upgrade: one system call per connection less, and the client reads
            // both at once.
            state |= CORKED;
            writeToWire(HttpReplies.switchingProtocols(alloc(), upgrade.accept()), null);
            open();
            state &= ~CORKED;
            flushWire();
            if (upgrade.rest().isReadable() && !closed()) {
                frames(upgrade.rest(), 0); // frames the client sent right behind its request
            } else {
                upgrade.rest().release();
            }
        }
    }

    /**
     * Gives the socket to the application's HTTP service: it leaves this session (no close, no EPOLL_CTL_ADD of the
     * same descriptor twice: the registration is cancelled first, which removes it from epoll at once on this loop)
     * and becomes a Netty channel on the same loop, into which the bytes read so far are fired. The session is done.
     */
    private void handOver(ByteBuf raw) {
        publish(FD_CLOSED); // this session no longer owns the descriptor; closeWire() leaves it alone from now on
        if (registration != null) {
            registration.cancel();
        }
        releaseBuffers();
        EpollSocketChannel channel;
        try {
            channel = new EpollSocketChannel(socket.intValue());
        } catch (RuntimeException | Error e) {
            raw.release();
            closeDescriptor();
            throw e;
        }
        ((IoEventLoop) executor()).register(channel).addListener(registered -> {
            if (!registered.isSuccess()) {
                raw.release();
                channel.close();
                LOG.warn("could not hand {} over to the HTTP service", this, registered.cause());
                return;
            }
            try {
                loop.server.httpService.initChannel(channel);
            } catch (RuntimeException e) {
                raw.release();
                channel.close();
                LOG.warn("the HTTP service failed to set up {}", channel, e);
                return;
            }
            channel.pipeline().fireChannelRead(raw);
            channel.pipeline().fireChannelReadComplete();
        });
    }

    private void closeDescriptor() {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("closing {} failed", this, e);
        }
    }

    @Override
    protected long onDeadline(long nowNanos) {
        long left = acceptedNanos() + loop.server.handshakeTimeoutNanos - nowNanos;
        if (left > 0) {
            return left;
        }
        unlink();
        try {
            loop.server.counters.rejected.increment();
            replyAndClose(new UpgradeOutcome.Reply(HttpReplyReason.HANDSHAKE_TIMEOUT), false);
        } catch (Throwable t) {
            failInternally(t);
        }
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
        Promise<Void> written = executor().newPromise();
        written.addListener(f -> closeWire());
        writeToWire(HttpReplies.reply(alloc(), reply, head), written);
        if (!closed() && outbound() != null) {
            // The kernel did not take a reply of a few hundred bytes at once: give the client the close timeout.
            executor().schedule(this::closeWire, loop.server.closeTimeoutNanos, TimeUnit.NANOSECONDS);
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

    /**
     * Netty's epoll loop hands every ready event of this socket here. Nothing thrown while handling it may reach
     * the loop (Netty's epoll loop rethrows errors, which would end it, and drops the rest of its ready list on
     * other exceptions): any throwable ends this connection only.
     */
    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        try {
            EpollIoOps ops = ((EpollIoEvent) event).ops();
            if (ops.contains(EpollIoOps.EPOLLOUT)) {
                flushWire();
            }
            if (closed()) {
                return;
            }
            if (readPaused()) {
                if (ops.contains(EpollIoOps.EPOLLERR)) {
                    closeWire(); // reset: nothing to wait for
                }
                return; // not read while paused; resuming reads what arrived meanwhile
            }
            if (ops.contains(EpollIoOps.EPOLLIN)
                    || ops.contains(EpollIoOps.EPOLLRDHUP)
                    || ops.contains(EpollIoOps.EPOLLERR)) {
                readNow();
            }
        } catch (Throwable t) {
            failInternally(t);
        }
    }

    @Override
    public void close() {
        closeWire(); // the event loop is shutting down
    }

    /** {@link #readNow(boolean)} within the loop's time slice. */
    void readNow() {
        readNow(true);
    }

    /**
     * Reads until the socket is drained (edge-triggered), or until {@link #MAX_READS_PER_EVENT} reads or the loop's
     * time slice for this turn ({@link ServerLoop#sliceSpent}; unless {@code withinSlice} is false) are used up, then
     * leaves the rest for the loop's next poll (level-triggered until drained). Reads nothing while reading is paused.
     *
     * <p>Once the slice is spent, a socket still gets one read of {@link #READ_SIZE} per turn, unless it is receiving
     * a large frame: a connection with a small message is answered in the turn it arrives, while the expensive
     * work (the rest of large frames, which complete large messages) waits for the next turn.
     */
    void readNow(boolean withinSlice) {
        ByteBufAllocator alloc = alloc();
        boolean drained = false;
        for (int i = 0; i < MAX_READS_PER_EVENT && !closed() && !readPaused(); i++) {
            if (withinSlice && loop.sliceSpent(System.nanoTime()) && (i > 0 || holdsWholeFrame())) {
                break; // left for the next turn
            }
            ByteBuf buf = takeWholeFrameBuffer(); // the rest of a large frame goes straight into its own buffer
            long charge = 0;
            if (buf != null) {
                charge = takeHeldCharge();
            } else {
                buf = alloc.directBuffer(READ_SIZE);
            }
            int attempted = buf.writableBytes();
            int n;
            try {
                n = buf.hasMemoryAddress()
                        ? socket.readAddress(buf.memoryAddress(), buf.writerIndex(), buf.capacity())
                        : readNio(buf);
            } catch (IOException e) {
                buf.release();
                loop.server.budget.release(charge);
                closeWire(); // reset by peer and the like
                return;
            }
            if (n <= 0) {
                if (charge > 0) {
                    restoreWholeFrameBuffer(buf, charge); // nothing new: it goes back to being held
                } else {
                    buf.release();
                }
                if (n < 0) {
                    closeWire(); // EOF: the peer closed TCP
                    return;
                }
                drained = true;
                break; // EAGAIN: drained
            }
            buf.writerIndex(buf.writerIndex() + n);
            drained = n < attempted;
            loop.server.counters.bytesIn.add(n);
            onBytes(buf, charge);
            if (drained) {
                break; // a short read: the socket is empty; the next bytes bring a new edge
            }
        }
        if (closed()) {
            return;
        }
        onReadComplete();
        if (!drained && !readPaused() && (state & LEVEL_TRIGGERED) == 0) {
            state |= LEVEL_TRIGGERED; // input left: epoll reports it again after the others had their turn
            updateInterest();
        } else if (drained && (state & LEVEL_TRIGGERED) != 0) {
            state &= ~LEVEL_TRIGGERED;
            updateInterest();
        }
    }

    private int readNio(ByteBuf buf) throws IOException {
        ByteBuffer nio = buf.internalNioBuffer(buf.writerIndex(), buf.writableBytes());
        return socket.read(nio, nio.position(), nio.limit());
    }

    // ---- the wire ---------------------------------------------------------------------------------------------

    @Override
    ByteBufAllocator alloc() {
        return ByteBufAllocator.DEFAULT;
    }

    @Override
    void wirePauseReading() {
        if ((state & LEVEL_TRIGGERED) != 0) {
            state &= ~LEVEL_TRIGGERED; // edge-triggered, or epoll would report the unread input again and again
            updateInterest();
        }
    }

    @Override
    void wireResumeReading() {
        readNow();
    }

    @Override
    void wirePollInput() {
        if (!readPaused()) {
            readNow(false); // keepalive must see what is there before it judges, slice or not
        }
    }

    @Override
    void writeToWire(ByteBuf frame, Promise<Void> promise) {
        if (closed()) {
            frame.release();
            if (promise != null) {
                promise.tryFailure(new ClosedChannelException());
            }
            return;
        }
        if (!frame.isDirect()) {
            frame = toDirect(frame); // the native write takes memory addresses, as Netty's channels arrange too
        }
        ArrayDeque<Object> outbound = outbound();
        if (outbound == null && (state & CORKED) != 0) {
            outbound = new ArrayDeque<>(4); // flushWire() writes it once the cork is off
            pending().outbound = outbound;
        }
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
        outboundQueued(frame.readableBytes());
    }

    /**
     * Writes what is queued, several frames per gathering write, until the queue is empty (then it is dropped) or
     * the kernel refuses bytes (then EPOLLOUT is asked for). Nothing while corked.
     */
    @Override
    void flushWire() {
        if ((state & CORKED) != 0) {
            return;
        }
        for (ArrayDeque<Object> outbound; (outbound = outbound()) != null && !closed(); ) {
            IovArray iov = loop.iov();
            for (Object o : outbound) { // frames and promises alternate
                if (o instanceof ByteBuf frame
                        && frame.isReadable()
                        && !iov.add(frame, frame.readerIndex(), frame.readableBytes())) {
                    break; // the iovec is full: the rest in the next write
                }
            }
            long attempted = iov.size();
            long taken = 0;
            if (attempted > 0) {
                try {
                    taken = Math.max(0, socket.writevAddresses(iov.memoryAddress(0), iov.count()));
                } catch (IOException e) {
                    closeWire(); // broken pipe, reset
                    return;
                }
            } else if (((ByteBuf) outbound.peek()).isReadable()) {
                throw new IllegalStateException("a queued frame fits no iovec"); // direct frames always do
            }
            if (taken > 0) {
                state |= WRITE_PROGRESS;
                outboundQueued(-taken);
            }
            long left = taken;
            while (outbound == outbound() && !closed()) { // what the kernel took leaves the queue, in order
                ByteBuf frame = (ByteBuf) outbound.peek();
                if (left < frame.readableBytes()) {
                    frame.skipBytes((int) left);
                    break;
                }
                left -= frame.readableBytes();
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
            if (taken < attempted && outbound() != null && !closed()) {
                wantWrite(true); // the kernel is full: go on at EPOLLOUT
                outboundDrained();
                return;
            }
        }
        wantWrite(false);
        outboundDrained();
    }

    /** Keepalive pings and empty pongs: straight from the shared frame's memory to the kernel, without a duplicate. */
    @Override
    void writeConstantToWire(ConstantFrame constant) {
        ByteBuf frame = constant.frame();
        long address = constant.address();
        if (outbound() != null || closed() || address == 0) {
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

    /**
     * A frame many connections share: straight from its memory to the kernel, without a duplicate or a reference
     * count change; only what the kernel did not take is queued (a retained slice of the frame, not a copy).
     */
    @Override
    void writeSharedToWire(ByteBuf frame, long address) {
        if (outbound() != null || closed() || address == 0) {
            super.writeSharedToWire(frame, address); // behind queued bytes, in order
            return;
        }
        int length = frame.readableBytes();
        int written;
        try {
            written = Math.max(0, socket.writeAddress(address, 0, length));
        } catch (IOException e) {
            closeWire(); // broken pipe, reset
            return;
        }
        if (written < length) { // the kernel's buffer is full: queue the rest until EPOLLOUT
            writeToWire(frame.retainedSlice(frame.readerIndex() + written, length - written), null);
        }
    }

    /**
     * Several shared frames in one gathering write (a subscriber's share of several publications): straight from
     * their memory, as {@link #writeSharedToWire(ByteBuf, long)} does for one; what the kernel did not take is
     * queued as retained slices, in order.
     */
    @Override
    void writeSharedToWire(ByteBuf[] frames, long[] addresses, int count) {
        for (int i = 0; i < count; i++) {
            if (addresses[i] == 0) {
                super.writeSharedToWire(frames, addresses, count);
                return;
            }
        }
        int next = 0;
        while (next < count && outbound() == null && !closed()) {
            IovArray iov = loop.iov();
            int first = next;
            while (next < count && iov.add(frames[next], frames[next].readerIndex(), frames[next].readableBytes())) {
                next++;
            }
            if (next == first) { // cannot happen with direct frames below the iovec's limits; keep going anyway
                writeSharedToWire(frames[next], addresses[next]);
                next++;
                continue;
            }
            long written;
            try {
                written = Math.max(0, socket.writevAddresses(iov.memoryAddress(0), iov.count()));
            } catch (IOException e) {
                closeWire(); // broken pipe, reset
                return;
            }
            for (int i = first; i < next; i++) {
                int length = frames[i].readableBytes();
                if (written >= length) {
                    written -= length;
                } else { // the kernel's buffer is full: queue the rest of this frame, then the others, until EPOLLOUT
                    writeToWire(
                            frames[i].retainedSlice(frames[i].readerIndex() + (int) written, length - (int) written),
                            null);
                    written = 0;
                    for (int j = i + 1; j < count; j++) {
                        writeToWire(frames[j].retainedSlice(), null);
                    }
                    return;
                }
            }
        }
        for (int i = next; i < count && !closed(); i++) { // behind queued bytes, in order
            super.writeSharedToWire(frames[i], addresses[i]);
        }
    }

    private ByteBuf toDirect(ByteBuf frame) {
        ByteBuf direct = alloc().directBuffer(frame.readableBytes());
        try {
            direct.writeBytes(frame, frame.readerIndex(), frame.readableBytes());
        } finally {
            frame.release();
        }
        return direct;
    }

    /**
     * Writes as much of {@code frame} (direct) as the kernel takes; returns whether all of it went. A frame of
     * several buffers (a header and a payload, FrameWriter) goes in one gathering write, without a copy.
     */
    private boolean writeSome(ByteBuf frame) throws IOException {
        while (frame.isReadable()) {
            long written;
            if (frame.hasMemoryAddress()) {
                written = socket.writeAddress(frame.memoryAddress(), frame.readerIndex(), frame.writerIndex());
            } else if (frame.nioBufferCount() > 1) {
                IovArray iov = loop.iov();
                iov.add(frame, frame.readerIndex(), frame.readableBytes());
                if (iov.count() == 0) {
                    throw new IOException("no part of a " + frame.readableBytes() + "-byte frame fits an iovec");
                }
                written = socket.writevAddresses(iov.memoryAddress(0), iov.count());
            } else {
                ByteBuffer nio = frame.internalNioBuffer(frame.readerIndex(), frame.readableBytes());
                written = socket.write(nio, nio.position(), nio.limit());
            }
            if (written <= 0) {
                return false;
            }
            frame.skipBytes((int) written);
        }
        return true;
    }

    private void wantWrite(boolean want) {
        if (want != ((state & WRITE_INTEREST) != 0)) {
            state = want ? state | WRITE_INTEREST : state & ~WRITE_INTEREST;
            updateInterest();
        }
    }

    /** Tells epoll what this socket waits for now: input (edge- or level-triggered) and, while queued, output. */
    private void updateInterest() {
        if (registration != null && registration.isValid() && !closed()) {
            EpollIoOps ops = (state & LEVEL_TRIGGERED) != 0 ? LEVEL_READ_OPS : READ_OPS;
            registration.submit((state & WRITE_INTEREST) != 0 ? ops.with(EpollIoOps.EPOLLOUT) : ops);
        }
    }

    @Override
    void closeWire() {
        if (closed()) {
            return;
        }
        publish(FD_CLOSED);
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
            outboundQueued(-pending.outboundBytes);
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
        return pendingOutboundBytes() < loop.server.config.limits().writeBufferHighWaterMark();
    }

    @Override
    boolean wireActive() {
        return !closedAcquire();
    }

    private boolean closedAcquire() {
        return (stateAcquire() & FD_CLOSED) != 0;
    }

    @Override
    synchronized Future<Void> wireCloseFuture() { // may be called from any thread, by close()
        if (closePromise == null) {
            closePromise = executor().newPromise();
            if (closedAcquire()) {
                closePromise.trySuccess(null);
            }
        }
        return closePromise;
    }

    @Override
    Promise<Void> newPromise() {
        return executor().newPromise();
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
