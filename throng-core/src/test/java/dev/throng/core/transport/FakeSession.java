package dev.throng.core.transport;

import dev.throng.core.ServerConfig;
import dev.throng.core.WebSocketHandler;
import dev.throng.core.handshake.DeflateAgreement;
import dev.throng.core.handshake.UpgradeOutcome;
import dev.throng.core.internal.KeepaliveWheel;
import dev.throng.core.test.ServerFrame;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link WebSocketSession} over an in-memory wire, so the protocol rules above the socket (fragmentation, close,
 * backpressure, keepalive, the memory budget) get millisecond tests; Netty's {@code EmbeddedChannel} plays this part
 * for its handlers. Everything runs on the test's thread, which is the session's event loop ({@link ManualLoop}).
 *
 * <pre>
 * FakeSession s = FakeSession.open(config, handler);          // upgraded and opened, as after a 101
 * s.receive(ClientFrames.frame(FIN | TEXT, utf8("hi")));      // one read from the client, then read-complete
 * ServerFrame echo = s.nextFrame();                           // what the client would read
 * s.peerStopsReading();                                       // the kernel takes no more: writes queue up
 * s.keepalive();                                              // one visit of the keepalive wheel, on time
 * s.advance(Duration.ofSeconds(5));                           // the loop's clock: the close timer fires
 * s.finish();                                                 // closes, then asserts every buffer was released
 * </pre>
 *
 * <p>The wire behaves as a Netty channel does: a write waits in the outbound buffer until a flush (so a missing
 * flush shows), flushed bytes go to the peer while it reads and queue up while it does not (all counted in
 * {@link #pendingOutboundBytes()}), the peer taking queued bytes reports progress ({@link #WRITE_PROGRESS}) and calls
 * {@link #outboundDrained()}, bytes the client sends while reading is paused wait in the "socket" and are read when
 * reading resumes, and closing fails what is still queued.
 *
 * <p>Buffers: the session allocates from a counting, leak-aware heap allocator ({@link CountingAllocator}), and
 * the test's input is allocated there too, so {@link #finish()} can assert that everything was released (at once,
 * not when the garbage collector happens to find a leak) and that the memory budget is back to zero.
 */
final class FakeSession extends WebSocketSession {
    private static final SocketAddress PEER = new InetSocketAddress(InetAddress.getLoopbackAddress(), 50_000);

    final ManualLoop manual;
    final ServerContext server;
    private final CountingAllocator allocator;
    private final Promise<Void> closeFuture;

    /** Frames written and not yet taken by the peer, and their promises; the first {@link #flushed} are flushed. */
    private final ArrayDeque<ByteBuf> queued = new ArrayDeque<>();

    private final ArrayDeque<Promise<Void>> promises = new ArrayDeque<>();
    private int flushed;
    private long queuedBytes;
    /** Bytes the peer will still take: unlimited while it reads. */
    private long peerWindow = Long.MAX_VALUE;
    /** What the peer received, and how much of it the test has read as frames. */
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    private int readUpTo;

    /** Client bytes the session has not read, because reading was paused when they arrived. */
    private final ArrayDeque<byte[]> unread = new ArrayDeque<>();

    private boolean readingPaused;
    private boolean wireClosed;
    /** How many times the session flushed. */
    int flushes;

    private FakeSession(ServerLoop loop, UpgradeOutcome.Accept accept, ManualLoop manual, CountingAllocator alloc) {
        super(loop, accept);
        this.manual = manual;
        this.server = loop.server;
        this.allocator = alloc;
        this.closeFuture = manual.newPromise();
    }

    /** A session upgraded at {@code /chat} without permessage-deflate, and opened. */
    static FakeSession open(ServerConfig config, WebSocketHandler handler) {
        return open(config, handler, null);
    }

    /**
     * A session upgraded with {@code deflate} (or none), and opened. Its loop has a keepalive wheel with the
     * configured interval, as the server's loops do, and is the only loop of its server.
     */
    static FakeSession open(ServerConfig config, WebSocketHandler handler, DeflateAgreement deflate) {
        ManualLoop manual = new ManualLoop();
        ServerContext server = new ServerContext(config, handler, null);
        ServerConfig.Keepalive keepalive = config.keepalive();
        Duration interval = !keepalive.pingInterval().isZero() ? keepalive.pingInterval() : keepalive.idleTimeout();
        KeepaliveWheel wheel = new KeepaliveWheel(interval.isZero() ? 1000 : interval.toMillis());
        ServerLoop loop = new ServerLoop(server, manual, 0, wheel);
        server.loops(List.of(loop));
        UpgradeOutcome.Accept accept =
                new UpgradeOutcome.Accept("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", null, deflate, "/chat");
        FakeSession session = new FakeSession(loop, accept, manual, new CountingAllocator());
        server.admission.admit(WebSocketSession.addressOf(PEER)); // the slot an accepted upgrade holds
        session.open();
        manual.runTasks();
        return session;
    }

    // ---- driving it -------------------------------------------------------------------------------------------

    /**
     * The client's bytes arrive: each array is one read, and read-complete follows the last. What arrives while
     * reading is paused stays in the socket until it resumes; what arrives after TCP closed is lost. Then runs the
     * loop's queued tasks.
     */
    void receive(byte[]... reads) {
        boolean read = false;
        for (byte[] bytes : reads) {
            if (wireClosed) {
                break;
            }
            if (readingPaused || !unread.isEmpty()) {
                unread.add(bytes);
                continue;
            }
            read = true;
            onBytes(inputBuffer(bytes), 0);
        }
        if (read && !wireClosed) {
            onReadComplete();
        }
        manual.runTasks();
    }

    private ByteBuf inputBuffer(byte[] bytes) {
        return allocator.buffer(bytes.length).writeBytes(bytes);
    }

    /** The peer's kernel takes no more: what the session writes from now on queues up. */
    void peerStopsReading() {
        peerWindow = 0;
    }

    /** The peer reads again, everything flushed and all that follows. */
    void peerReads() {
        peerWindow = Long.MAX_VALUE;
        deliver();
        manual.runTasks();
    }

    /** The peer takes {@code bytes} of what is flushed, then stops again. */
    void peerTakes(int bytes) {
        peerWindow = bytes;
        deliver();
        peerWindow = 0;
        manual.runTasks();
    }

    /**
     * One visit of the keepalive wheel to its members (this session, while it is in the wheel), at a time when the
     * loop is on time: the moment of its last heartbeat.
     */
    void keepalive() {
        keepaliveAt(loop.lastBeatNanos());
    }

    /**
     * A visit at {@code nowNanos} on {@code System.nanoTime()}'s clock, which the session's own timestamps use (the
     * last data message, for the idle timeout). A time more than {@link ServerLoop#HEARTBEAT_NANOS} plus {@link
     * ServerLoop#BEHIND_NANOS} after the loop's last heartbeat finds the loop behind (its heartbeat never runs here:
     * the loop was made, not started).
     */
    void keepaliveAt(long nowNanos) {
        List<KeepaliveWheel.Member> members = new ArrayList<>();
        loop.wheel.forEach(members::add); // collected first: a visit may close a member, which leaves the wheel
        for (KeepaliveWheel.Member member : members) {
            ((WebSocketSession) member).onKeepalive(nowNanos);
        }
        manual.runTasks();
    }

    /** Whether this session is in its loop's keepalive wheel (the registry of open connections). */
    boolean inWheel() {
        boolean[] found = {false};
        loop.wheel.forEach(member -> found[0] |= member == this);
        return found[0];
    }

    /** Moves the loop's clock (scheduled tasks: the close timer, the memory poll) and runs what falls due. */
    void advance(Duration time) {
        manual.advance(time);
    }

    /** Runs the tasks queued on the loop (sends from other threads, resumes). */
    int runTasks() {
        return manual.runTasks();
    }

    // ---- what the client sees ---------------------------------------------------------------------------------

    /** The next complete frame the peer received; fails when there is none. */
    ServerFrame nextFrame() {
        ServerFrame frame = pollFrame();
        if (frame == null) {
            throw new AssertionError("the client received no (complete) frame; " + (received.size() - readUpTo)
                    + " bytes unread, " + queuedBytes + " B queued for it");
        }
        return frame;
    }

    /** Every complete frame the peer received and the test has not read yet. */
    List<ServerFrame> frames() {
        List<ServerFrame> frames = new ArrayList<>();
        for (ServerFrame f; (f = pollFrame()) != null; ) {
            frames.add(f);
        }
        return frames;
    }

    private ServerFrame pollFrame() {
        byte[] all = received.toByteArray();
        int at = readUpTo;
        if (all.length - at < 2) {
            return null;
        }
        int b0 = all[at] & 0xFF;
        int b1 = all[at + 1] & 0xFF;
        boolean masked = (b1 & 0x80) != 0;
        int length7 = b1 & 0x7F;
        int header = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + (masked ? 4 : 0);
        if (all.length - at < header) {
            return null;
        }
        long length = length7;
        if (length7 == 126) {
            length = ((all[at + 2] & 0xFF) << 8) | (all[at + 3] & 0xFF);
        } else if (length7 == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | (all[at + 2 + i] & 0xFF);
            }
        }
        if (all.length - at - header < length) {
            return null;
        }
        byte[] payload = Arrays.copyOfRange(all, at + header, at + header + (int) length);
        if (masked) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= all[at + header - 4 + (i & 3)];
            }
        }
        readUpTo = at + header + (int) length;
        return new ServerFrame(b0, masked, payload);
    }

    /** Whether the session closed the TCP connection. */
    boolean tcpClosed() {
        return wireClosed;
    }

    /** Whether the session has stopped reading (the wire was told to pause and not yet to resume). */
    boolean readingPaused() {
        return readingPaused;
    }

    /**
     * Ends the test: closes TCP if the session has not, runs what is left, and asserts that every buffer was
     * released, the memory budget is back to zero and no connection counts as paused. Releases the loop's zlib.
     */
    void finish() {
        try {
            if (!wireClosed) {
                closeWire();
            }
            manual.runTasks();
            if (allocator.live != 0) {
                throw new AssertionError(allocator.live + " buffer(s) not released");
            }
            if (server.budget.used() != 0) {
                throw new AssertionError(server.budget.used() + " B still counted in the memory budget");
            }
            if (server.counters.pausedNow.sum() != 0) {
                throw new AssertionError("a closed connection still counts as paused");
            }
        } finally {
            loop.close();
        }
    }

    // ---- the wire ---------------------------------------------------------------------------------------------

    @Override
    ByteBufAllocator alloc() {
        return allocator;
    }

    @Override
    void writeToWire(ByteBuf frame, Promise<Void> promise) {
        if (wireClosed) {
            frame.release();
            if (promise != null) {
                promise.tryFailure(new ClosedChannelException());
            }
            return;
        }
        queued.add(frame);
        promises.add(promise == null ? manual.newPromise() : promise);
        queuedBytes += frame.readableBytes();
    }

    @Override
    void flushWire() {
        flushes++;
        flushed = queued.size();
        deliver();
    }

    /**
     * The kernel sends flushed bytes while the peer's window has room; taking any is progress, after which the wire
     * tells the session its queue shrank (as a channel turning writable does).
     */
    private void deliver() {
        boolean progress = false;
        while (flushed > 0 && peerWindow > 0 && !wireClosed) {
            ByteBuf frame = queued.peek();
            int take = (int) Math.min(frame.readableBytes(), peerWindow);
            byte[] bytes = new byte[take];
            frame.readBytes(bytes);
            received.writeBytes(bytes);
            queuedBytes -= take;
            if (peerWindow != Long.MAX_VALUE) {
                peerWindow -= take;
            }
            progress |= take > 0;
            if (frame.isReadable()) {
                break; // the peer's window is full
            }
            queued.poll();
            flushed--;
            Promise<Void> promise = promises.poll();
            frame.release();
            promise.trySuccess(null); // listeners may write or close: the queue is consistent already
        }
        if (progress && !wireClosed) {
            state |= WRITE_PROGRESS;
            outboundDrained();
        }
    }

    @Override
    void closeWire() {
        if (wireClosed) {
            return;
        }
        wireClosed = true;
        ClosedChannelException cause = new ClosedChannelException();
        for (ByteBuf frame; (frame = queued.poll()) != null; ) {
            frame.release();
            promises.poll().tryFailure(cause);
        }
        queuedBytes = 0;
        flushed = 0;
        unread.clear();
        onWireClosed();
        closeFuture.trySuccess(null);
    }

    @Override
    long pendingOutboundBytes() {
        return queuedBytes;
    }

    @Override
    boolean wireWritable() {
        return queuedBytes < server.config.limits().writeBufferHighWaterMark();
    }

    @Override
    boolean wireActive() {
        return !wireClosed;
    }

    @Override
    Future<Void> wireCloseFuture() {
        return closeFuture;
    }

    @Override
    Promise<Void> newPromise() {
        return manual.newPromise();
    }

    @Override
    void wirePauseReading() {
        readingPaused = true;
    }

    @Override
    void wireResumeReading() {
        readingPaused = false;
        boolean read = false;
        while (!unread.isEmpty() && !readingPaused && !wireClosed) {
            read = true;
            onBytes(inputBuffer(unread.poll()), 0);
        }
        if (read && !wireClosed) {
            onReadComplete();
        }
    }

    @Override
    public SocketAddress remoteAddress() {
        return PEER;
    }

    /**
     * Heap buffers, leak-aware (the paranoid detector of the test run watches them too) and counted: how many are
     * not yet released. Single-threaded, like an event loop's allocations.
     */
    static final class CountingAllocator extends AbstractByteBufAllocator {
        int live;

        CountingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            live++;
            return toLeakAwareBuffer(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity) {
                @Override
                protected void deallocate() {
                    live--;
                    super.deallocate();
                }
            });
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return newHeapBuffer(initialCapacity, maxCapacity); // the fake wire needs no native memory
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }
}
