package dev.throng.core.transport;

import dev.throng.core.IoLoop;
import dev.throng.core.PreparedMessage;
import dev.throng.core.SlowConsumerException;
import dev.throng.core.WebSocketConnection;
import dev.throng.core.codec.CloseCodes;
import dev.throng.core.codec.CloseReason;
import dev.throng.core.codec.FrameParser;
import dev.throng.core.codec.FrameSink;
import dev.throng.core.codec.FrameWriter;
import dev.throng.core.codec.MessageDeflate;
import dev.throng.core.codec.Opcode;
import dev.throng.core.codec.Utf8Validator;
import dev.throng.core.handshake.UpgradeOutcome;
import dev.throng.core.internal.KeepaliveWheel;
import dev.throng.core.internal.MemoryBudget;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upgraded connection: the WebSocket protocol above a byte stream, and the {@link WebSocketConnection} the
 * application sees. It cumulates input only while a frame is incomplete, runs the {@link FrameParser}, assembles
 * fragmented messages, answers pings and closes, and acts on every verdict in one place ({@link #fail}).
 *
 * <p>The byte stream below is abstract (the "wire" methods): {@link ChannelSession} is a Netty channel handler,
 * {@link EpollSession} a bare file descriptor registered with Netty's epoll loop, without a channel.
 *
 * <p>Size: this object is the per-connection cost above the socket, so its fields are few, and what a connection
 * holds only while something is in progress (partial input, fragments, a close handshake, a write queue, a wait for
 * memory) lives in one {@link Pending} object made on demand. It is its own keepalive wheel node, and reaches
 * everything its loop shares through one reference ({@link ServerLoop}).
 *
 * <p>Backpressure (issue #15), in one place: a connection stops being read while its peer has
 * {@code maxOutboundBytes} or more waiting (pongs included) and resumes below half of it; and while the server's
 * {@link MemoryBudget} has no room for the large frame it is receiving, until its loop finds room (or closes it with
 * 1013 after {@link ServerLoop#MEMORY_WAIT_NANOS}). Bytes it holds between reads are counted in that budget.
 *
 * <p>Failure: any throwable raised while handling this connection ends this connection only ({@link #failInternally}:
 * 1011, or 1013 when memory ran out), never its event loop.
 *
 * <p>Threading: all state is written on the connection's event loop only; the public send and close methods hop
 * onto it. Other threads only read: the closing bits of {@link #state} (published with release, read with acquire by
 * {@link #isOpen()}), the wire's writability (a snapshot), and what {@link #accepted} set before {@link #open()}.
 */
abstract class WebSocketSession extends KeepaliveWheel.Member implements WebSocketConnection, FrameSink {

    static final Logger LOG = LoggerFactory.getLogger(WebSocketConnection.class);

    /**
     * The read size on both transports: 4 KiB holds a typical message in one read. A frame larger than this that
     * does not arrive in one read gets a buffer of its own sized once for all of it, counted in the memory budget.
     */
    static final int READ_SIZE = 4096;

    /** The keepalive ping: empty. */
    private static final ConstantFrame PING = ConstantFrame.empty(Opcode.PING);
    /** The answer to an empty ping (what most clients send): a client's keepalive allocates nothing either. */
    private static final ConstantFrame EMPTY_PONG = ConstantFrame.empty(Opcode.PONG);

    /**
     * A shared, pre-encoded frame (direct, never released) and its native address, read once (0 if it has none):
     * on JDK 24 and later Netty works a direct buffer's address out anew on every {@code memoryAddress()} call,
     * through a {@code MemorySegment} it allocates, which made every keepalive ping allocate (docs/benchmarks.md,
     * section 12).
     */
    record ConstantFrame(ByteBuf frame, long address) {
        static ConstantFrame empty(int opcode) {
            ByteBuf frame = FrameWriter.constant(opcode, new byte[0]);
            return new ConstantFrame(frame, frame.hasMemoryAddress() ? frame.memoryAddress() : 0);
        }
    }

    // state bits
    private static final int CLOSE_SENT = 1;
    private static final int CLOSE_RECEIVED = 1 << 1;
    private static final int INBOUND_SEEN = 1 << 2; // any frame since the last keepalive visit
    private static final int AWAITING_PONG = 1 << 3; // a keepalive ping is unanswered
    private static final int IN_READ = 1 << 4; // inside a read: writes are flushed when the read completes
    private static final int NEEDS_FLUSH = 1 << 5;
    private static final int CLOSED = 1 << 6; // the TCP connection is closed
    private static final int OPENED = 1 << 7; // open() ran: counters, admission and onClose are owed
    /** Not read until the memory budget has room for what it is receiving (it waits in its loop's queue). */
    private static final int PAUSED_MEMORY = 1 << 8;
    /** Not read until its peer takes what is queued for it. */
    private static final int PAUSED_OUTBOUND = 1 << 9;

    private static final int READ_PAUSED = PAUSED_MEMORY | PAUSED_OUTBOUND;
    /** Queued bytes went to the kernel since the last keepalive visit (set by the wire: {@link #wireWriteProgress}). */
    static final int WRITE_PROGRESS = 1 << 10;
    /** The held buffer was sized for the whole frame in progress: reads may land in it directly. */
    private static final int HELD_WHOLE_FRAME = 1 << 11;
    /** permessage-deflate: the client's window bits (8-15) in these four bits, 0 when not negotiated. */
    private static final int DEFLATE_SHIFT = 12;

    private static final int DEFLATE_MASK = 0xF << DEFLATE_SHIFT;
    /** Bits 16 and up belong to the wire below (EpollSession). */
    static final int WIRE_SHIFT = 16;

    /** Release/acquire access to {@link #state} for the transitions other threads read ({@link #isOpen()}). */
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(WebSocketSession.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What this connection shares with the others of its event loop, and through it, the server. */
    final ServerLoop loop;
    /**
     * This connection's own parser, set only while a message or a frame is in progress; between messages (an idle
     * connection's normal state) the connection uses its event loop's shared parser (40 B less per connection).
     */
    private FrameParser parser;
    /** Null while the opening handshake is still being read (lean sessions start before the upgrade). */
    private String path;

    private String subprotocol;
    private Object attachment;
    /** What this connection holds only while something is in progress; null when idle (see {@link Pending}). */
    Pending pending;
    /**
     * Nanos of the last data message, for the idle timeout; 0 when that is off. Before the upgrade of a lean
     * session: when the socket was accepted, for the handshake timeout.
     */
    private long lastDataNanos;
    /**
     * The bits above. Written only on the event loop; the bits other threads look at ({@link #CLOSE_SENT},
     * {@link #CLOSE_RECEIVED}, {@link #CLOSED}) are published with a release write and read with an acquire.
     */
    int state;

    /**
     * A connection's occasional state, in one object made when first needed, so that an idle connection pays one
     * reference for all of it instead of a dozen fields (docs/benchmarks.md section 17). It is dropped again when
     * nothing is in progress, except once closing began.
     */
    static final class Pending {
        /** Unparsed input: set only while a frame is incomplete (or held back while the connection is paused). */
        ByteBuf cumulation;
        /** Bytes of the memory budget counted for {@link #cumulation}. */
        long cumulationCharge;
        /** The fragments of a message in progress; set only while one is. */
        ByteBuf fragments;
        /** Bytes of the memory budget counted for {@link #fragments}. */
        long fragmentsCharge;
        /** Runs while a close we sent awaits the peer's answer. */
        ScheduledFuture<?> closeTimer;
        /** The close code and reason the application is told; 0 and null until closing began. */
        short closeCode;

        String closeReason;
        /** The wire's write queue (lean sessions): frames and their promises while the kernel refuses bytes. */
        ArrayDeque<Object> outbound;
        /** Bytes in {@link #outbound}, all counted in the memory budget. */
        long outboundBytes;
        /** While waiting for memory: the bytes it waits for, and since when. */
        long memoryWanted;

        long memoryWaitSince;

        boolean idle() {
            return cumulation == null
                    && fragments == null
                    && closeTimer == null
                    && closeCode == 0
                    && outbound == null
                    && memoryWanted == 0;
        }
    }

    /** This connection's {@link Pending} state, made now if it has none. */
    final Pending pending() {
        Pending p = pending;
        if (p == null) {
            p = new Pending();
            pending = p;
        }
        return p;
    }

    /** Drops the {@link Pending} state once nothing is in progress. */
    final void dropPendingIfIdle() {
        if (pending != null && pending.idle()) {
            pending = null;
        }
    }

    WebSocketSession(ServerLoop loop, UpgradeOutcome.Accept accept) {
        this.loop = loop;
        accepted(accept);
    }

    /** A session that reads its opening handshake itself, and is {@link #accepted} once it is upgraded. */
    WebSocketSession(ServerLoop loop, long acceptedNanos) {
        this.loop = loop;
        this.lastDataNanos = acceptedNanos;
    }

    /** Takes on what the handshake agreed; from now on input is parsed as WebSocket frames. */
    final void accepted(UpgradeOutcome.Accept accept) {
        this.path = loop.server.sharedTarget(accept.path());
        this.subprotocol = accept.subprotocol();
        this.attachment = accept.attachment();
        int bits = accept.deflate() == null ? 0 : accept.deflate().serverMaxWindowBits();
        state = (state & ~DEFLATE_MASK) | (bits << DEFLATE_SHIFT);
    }

    /** When the socket was accepted, while the handshake is in progress (see {@link #lastDataNanos}). */
    final long acceptedNanos() {
        return lastDataNanos;
    }

    private int deflateBits() {
        return (state & DEFLATE_MASK) >>> DEFLATE_SHIFT;
    }

    /** Sets {@code bits} with a release write: another thread reading with acquire sees them and all before. */
    final void publish(int bits) {
        STATE.setRelease(this, state | bits);
    }

    final int stateAcquire() {
        return (int) STATE.getAcquire(this);
    }

    // ---- the wire below ---------------------------------------------------------------------------------------

    /** The event loop that owns this connection. */
    final EventExecutor executor() {
        return loop.executor;
    }

    abstract ByteBufAllocator alloc();

    /** Queues {@code frame} (ownership passes); {@code promise} may be {@code null} when nobody waits. */
    abstract void writeToWire(ByteBuf frame, Promise<Void> promise);

    abstract void flushWire();

    /** Closes the TCP connection; {@link #onWireClosed()} follows (at once or later, on the loop). */
    abstract void closeWire();

    /** Bytes queued and not yet accepted by the kernel. */
    abstract long pendingOutboundBytes();

    abstract boolean wireWritable();

    abstract boolean wireActive();

    /** A future completed when the TCP connection is closed. */
    abstract Future<Void> wireCloseFuture();

    /** A new promise on this connection's loop. */
    abstract Promise<Void> newPromise();

    /** The connection stopped being read ({@link #READ_PAUSED}): the wire stops asking for input. */
    abstract void wirePauseReading();

    /** The connection may be read again: the wire asks for input (and reads what arrived meanwhile). */
    abstract void wireResumeReading();

    /** Whether queued bytes went to the kernel since the last keepalive visit (the peer reads, if slowly). */
    boolean wireWriteProgress() {
        return (state & WRITE_PROGRESS) != 0;
    }

    /**
     * Reads what already waits in the socket, if the wire can do that on demand (keepalive asks before it judges a
     * peer dead: the pong may be there, unread because the loop is busy). A no-op where it cannot.
     */
    void wirePollInput() {}

    @Override
    public abstract SocketAddress remoteAddress();

    // ---- lifecycle --------------------------------------------------------------------------------------------

    /** Called once the session is in place and the 101 response is written. */
    final void open() {
        state |= OPENED;
        ServerContext server = loop.server;
        server.counters.open.increment();
        server.counters.accepted.increment();
        if (server.idleTimeoutNanos > 0) {
            lastDataNanos = System.nanoTime();
        }
        loop.wheel.add(this);
        try {
            server.handler.onOpen(this);
        } catch (Throwable t) {
            handlerFailed(t);
            fail(CloseReason.HANDLER_ERROR);
        }
    }

    /** The TCP connection closed: release everything and tell the application, once. */
    final void onWireClosed() {
        if ((state & CLOSED) != 0) {
            return;
        }
        publish(CLOSED);
        unlink();
        cancelCloseTimer();
        releaseBuffers();
        if ((state & READ_PAUSED) != 0) {
            loop.server.counters.pausedNow.decrement(); // a memory waiter leaves its loop's queue at its next look
        }
        if ((state & OPENED) == 0) {
            return; // never opened (the upgrade failed half way): its owner releases what it took
        }
        ServerContext server = loop.server;
        server.counters.open.decrement();
        server.admission.release(addressOf(remoteAddress()));
        Pending p = pending;
        int code = p != null && p.closeCode != 0 ? p.closeCode : CloseCodes.ABNORMAL;
        try {
            server.handler.onClose(this, code, p == null || p.closeReason == null ? "" : p.closeReason);
        } catch (Throwable t) {
            LOG.warn("onClose threw for {}", this, t);
        }
    }

    static InetAddress addressOf(SocketAddress remote) {
        return remote instanceof InetSocketAddress ? ((InetSocketAddress) remote).getAddress() : null;
    }

    /**
     * Ends this connection after an unexpected throwable while handling it (issue #15: no event loop ever dies):
     * counted and logged once per cause, then closed with 1011, or with 1013 when memory ran out (what it held is
     * released first, so the close frame can be made). Never throws.
     */
    final void failInternally(Throwable t) {
        try {
            loop.server.failures.record(t, this);
            boolean oom = t instanceof OutOfMemoryError;
            if (oom) {
                releaseBuffers();
                loop.server.budget.refused();
            }
            fail(oom ? CloseReason.OUT_OF_MEMORY : CloseReason.INTERNAL_ERROR);
        } catch (Throwable again) {
            try {
                closeWire();
            } catch (Throwable ignored) {
                // nothing more can be done for this connection; the loop goes on
            }
        }
    }

    // ---- input ------------------------------------------------------------------------------------------------

    /**
     * Bytes read from the wire (ownership passes; {@code charge} bytes of them are counted in the budget). The
     * caller counts what it read in {@code bytesIn}: a large frame's held buffer comes back here with the bytes of its
     * earlier reads too.
     */
    final void onBytes(ByteBuf in, long charge) {
        if ((state & (CLOSE_RECEIVED | CLOSED)) != 0) {
            in.release(); // §5.5.1: nothing after a close frame is processed
            loop.server.budget.release(charge);
            return;
        }
        if (path == null) {
            onRequestBytes(in);
            return;
        }
        frames(in, charge);
    }

    /** Input of a session whose handshake is in progress (lean sessions only); ownership passes. */
    void onRequestBytes(ByteBuf in) {
        in.release();
        throw new IllegalStateException("no handshake in progress on " + this);
    }

    /** From now on, input is dropped (a reply that ends the connection was sent). */
    final void refuseInput() {
        state |= CLOSE_SENT | CLOSE_RECEIVED;
    }

    /** Whether reading is paused (memory, or a peer that does not read): the wire reads nothing then. */
    final boolean readPaused() {
        return (state & READ_PAUSED) != 0;
    }

    /**
     * The held buffer, when it was sized for the whole frame in progress and has room for more of it: the wire
     * reads straight into it (no copy, no growth) and hands it back through {@link #onBytes} with its charge. Null
     * otherwise.
     */
    final ByteBuf takeWholeFrameBuffer() {
        Pending p = pending;
        if ((state & HELD_WHOLE_FRAME) == 0 || p == null || p.cumulation == null || !p.cumulation.isWritable()) {
            return null;
        }
        state &= ~HELD_WHOLE_FRAME;
        ByteBuf held = p.cumulation;
        p.cumulation = null;
        return held;
    }

    /** What {@link #takeWholeFrameBuffer} took is counted for this many bytes (its capacity). */
    final long takeHeldCharge() {
        Pending p = pending;
        long charge = p.cumulationCharge;
        p.cumulationCharge = 0;
        return charge;
    }

    /** Whether a buffer sized for the whole frame in progress is held (the next read goes straight into it). */
    final boolean holdsWholeFrame() {
        return (state & HELD_WHOLE_FRAME) != 0;
    }

    /** Gives back what {@link #takeWholeFrameBuffer} took, when the read brought nothing. */
    final void restoreWholeFrameBuffer(ByteBuf buf, long charge) {
        Pending p = pending();
        p.cumulation = buf;
        p.cumulationCharge = charge;
        state |= HELD_WHOLE_FRAME;
    }

    /** {@code in} appended to what is held from earlier reads; the session holds nothing after this. */
    final ByteBuf takeWithHeld(ByteBuf in) {
        Pending p = pending;
        if (p == null || p.cumulation == null) {
            return in;
        }
        ByteBuf held = p.cumulation;
        p.cumulation = null;
        state &= ~HELD_WHOLE_FRAME;
        return in == null ? held : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(alloc(), held, in);
    }

    /** Holds {@code buf} (ownership passes) until more bytes arrive; no budget is counted for it. */
    final void hold(ByteBuf buf) {
        pending().cumulation = buf;
    }

    /**
     * Parses WebSocket frames from what is held and {@code in} (ownership passes; may be null to parse only what is
     * held), of which {@code charge} bytes are counted in the memory budget.
     */
    final void frames(ByteBuf in, long charge) {
        Pending p = pending;
        if (p != null && p.cumulation != null) {
            charge += p.cumulationCharge;
            p.cumulationCharge = 0;
        }
        ByteBuf buf = takeWithHeld(in);
        if (buf == null) {
            return;
        }
        state |= IN_READ;
        FrameParser parser = this.parser != null ? this.parser : loop.borrowParser();
        CloseReason verdict;
        try {
            verdict = parser.parse(buf, this, deflateBits() != 0);
        } catch (Throwable t) {
            state &= ~IN_READ;
            buf.release();
            loop.server.budget.release(charge);
            this.parser = null; // its state belongs to a message this connection will not finish
            failInternally(t);
            return;
        }
        state &= ~IN_READ;
        if (parser.isIdle()) {
            this.parser = null;
            loop.returnParser(parser);
        } else {
            this.parser = parser; // mid-message or mid-frame: the state is this connection's until the message ends
        }
        if (verdict != null || (state & (CLOSE_RECEIVED | CLOSED)) != 0 || !buf.isReadable()) {
            buf.release();
            loop.server.budget.release(charge);
            if (charge > 0) {
                loop.memoryReleased();
            }
        } else {
            holdRest(buf, charge);
        }
        if (verdict != null) {
            fail(verdict);
        }
    }

    /**
     * Keeps the unparsed rest of a read ({@code buf}, counted for {@code charge} bytes) until more arrives. A frame
     * larger than a read gets one buffer sized for all of it, if the memory budget has room for it; if not, the
     * connection keeps the little it has, stops reading, and waits in its loop's queue for room. A frame larger
     * than the whole budget could never be held: 1009.
     */
    private void holdRest(ByteBuf buf, long charge) {
        MemoryBudget budget = loop.server.budget;
        long frame = FrameParser.frameSize(buf);
        int readable = buf.readableBytes();
        ByteBuf keep;
        boolean wholeFrame = false;
        if (frame > readable && frame > READ_SIZE && (state & READ_PAUSED) == 0) {
            if (buf.readerIndex() == 0 && buf.capacity() == frame) {
                keep = buf; // the whole-frame buffer, read into again
                wholeFrame = true;
            } else if (budget.tryCharge(frame)) {
                keep = alloc().directBuffer((int) frame, (int) frame);
                keep.writeBytes(buf, buf.readerIndex(), readable);
                buf.release();
                budget.release(charge);
                charge = frame;
                wholeFrame = true;
            } else if (frame > budget.limit()) {
                buf.release();
                budget.release(charge);
                budget.refused();
                fail(CloseReason.OVER_MEMORY_BUDGET);
                return;
            } else {
                keep = trim(buf);
                pauseForMemory(frame);
            }
        } else {
            keep = trim(buf);
        }
        budget.charge(keep.capacity() - charge); // what is held now is counted, no more, no less
        Pending p = pending();
        p.cumulation = keep;
        p.cumulationCharge = keep.capacity();
        if (wholeFrame) {
            state |= HELD_WHOLE_FRAME;
        }
    }

    /** The wire has no more bytes for now: flush what the reads produced. */
    final void onReadComplete() {
        if ((state & NEEDS_FLUSH) != 0) {
            state &= ~NEEDS_FLUSH;
            flushWire();
        }
    }

    /**
     * The buffer to keep for an incomplete frame: {@code buf} itself, or a right-sized copy when most of it is
     * already consumed or empty, so a connection waiting for the rest of a small frame does not pin a read buffer.
     */
    private ByteBuf trim(ByteBuf buf) {
        int readable = buf.readableBytes();
        if (buf.capacity() <= 2 * readable + 256) {
            return buf;
        }
        ByteBuf copy = alloc().buffer(readable);
        copy.writeBytes(buf);
        buf.release();
        return copy;
    }

    @Override
    public final boolean wantsMore() {
        return (state & READ_PAUSED) == 0;
    }

    @Override
    public final CloseReason onData(ByteBuf payload, boolean text, boolean first, boolean last, boolean compressed) {
        state |= INBOUND_SEEN;
        if (loop.server.idleTimeoutNanos > 0 && last) {
            lastDataNanos = System.nanoTime();
        }
        if ((state & CLOSE_SENT) != 0) {
            return null; // closing: data may be discarded (§5.5.1)
        }
        if (first && last) {
            return deliver(payload, text, compressed);
        }
        Pending p = pending();
        MemoryBudget budget = loop.server.budget;
        if (first) {
            p.fragments = alloc().buffer(Math.max(256, payload.readableBytes() * 2));
        }
        p.fragments.writeBytes(payload);
        budget.charge(p.fragments.capacity() - p.fragmentsCharge);
        p.fragmentsCharge = p.fragments.capacity();
        if (!last) {
            if (budget.available() == 0) {
                pauseForMemory(READ_SIZE); // the budget is spent: read no more of this message until it has room
            }
            return null;
        }
        ByteBuf message = p.fragments;
        long charge = p.fragmentsCharge;
        p.fragments = null;
        p.fragmentsCharge = 0;
        dropPendingIfIdle();
        try {
            return deliver(message, text, compressed);
        } finally {
            message.release();
            budget.release(charge);
            loop.memoryReleased();
        }
    }

    /** Hands a complete message to the application; {@code data} stays owned by the caller. */
    private CloseReason deliver(ByteBuf data, boolean text, boolean compressed) {
        ByteBuf plain = data;
        long inflated = 0;
        MemoryBudget budget = loop.server.budget;
        if (compressed) {
            try {
                plain = loop.deflate.inflate(
                        alloc(), data, loop.server.config.limits().maxMessageSize());
            } catch (MessageDeflate.InflateException e) {
                return e.reason();
            } catch (OutOfMemoryError e) {
                budget.refused();
                return CloseReason.OUT_OF_MEMORY;
            }
            inflated = loop.deflate.inflatedCapacity(); // a composite's capacity() leaves out room in its parts
            budget.charge(inflated);
            if (text && !Utf8Validator.isValid(plain)) {
                plain.release();
                budget.release(inflated);
                return CloseReason.INVALID_UTF8;
            }
        }
        try {
            if (text) {
                loop.server.handler.onText(this, plain);
            } else {
                loop.server.handler.onBinary(this, plain);
            }
            return null;
        } catch (OutOfMemoryError e) {
            loop.server.failures.record(e, this);
            budget.refused();
            return CloseReason.OUT_OF_MEMORY; // the message could not be handled for lack of memory: try again later
        } catch (Throwable t) {
            handlerFailed(t);
            return CloseReason.HANDLER_ERROR;
        } finally {
            if (compressed) {
                plain.release();
                budget.release(inflated);
            }
        }
    }

    @Override
    public final CloseReason onPing(ByteBuf payload) {
        state |= INBOUND_SEEN;
        if ((state & CLOSE_SENT) == 0) {
            if (payload.isReadable()) {
                write(FrameWriter.control(alloc(), Opcode.PONG, payload), null);
            } else {
                writeConstant(EMPTY_PONG);
                pauseIfPeerNotReading();
            }
        }
        return null;
    }

    @Override
    public final CloseReason onPong(ByteBuf payload) {
        state = (state | INBOUND_SEEN) & ~AWAITING_PONG;
        return null;
    }

    @Override
    public final CloseReason onClose(int code, ByteBuf reason) {
        state |= INBOUND_SEEN;
        publish(CLOSE_RECEIVED);
        Pending p = pending();
        p.closeCode = (short) code;
        p.closeReason = reason.toString(StandardCharsets.UTF_8);
        if ((state & CLOSE_SENT) == 0) {
            // §5.5.1: answer with a close echoing the code; §7.1.1: the server then closes TCP first.
            publish(CLOSE_SENT);
            writeThenClose(FrameWriter.close(alloc(), code, ""));
        } else {
            closeWire(); // the answer to our close: the handshake is complete
        }
        return null;
    }

    // ---- pausing and resuming reads ---------------------------------------------------------------------------

    /** Stops reading (at the next frame) until the memory budget has room for {@code wanted} bytes. */
    private void pauseForMemory(long wanted) {
        Pending p = pending();
        if ((state & PAUSED_MEMORY) != 0) {
            p.memoryWanted = Math.max(p.memoryWanted, wanted);
            return;
        }
        p.memoryWanted = Math.max(1, wanted);
        p.memoryWaitSince = System.nanoTime();
        pause(PAUSED_MEMORY);
        loop.waitForMemory(this);
    }

    /** Stops reading (at the next frame) while the peer leaves {@code maxOutboundBytes} or more unread. */
    private void pauseIfPeerNotReading() {
        if ((state & (PAUSED_OUTBOUND | OPENED | CLOSE_SENT)) == OPENED
                && pendingOutboundBytes() >= loop.server.config.limits().maxOutboundBytes()) {
            pause(PAUSED_OUTBOUND);
        }
    }

    private void pause(int reason) {
        boolean wasReading = (state & READ_PAUSED) == 0;
        state |= reason;
        if (wasReading) {
            loop.server.counters.readPauses.increment();
            loop.server.counters.pausedNow.increment();
            wirePauseReading();
        }
    }

    /** What a loop's look at a connection waiting for memory found ({@link #memoryWait}). */
    enum MemoryWait {
        GONE,
        RESUMED,
        WAITING
    }

    /**
     * Asked by the loop, oldest waiter first: resumes this connection's memory wait when the budget has room for
     * what it wants (the caller then calls {@link #resumeReading}), closes it with 1013 when it waited too long.
     */
    final MemoryWait memoryWait(long nowNanos) {
        if ((state & (CLOSED | PAUSED_MEMORY)) != PAUSED_MEMORY) {
            return MemoryWait.GONE;
        }
        Pending p = pending;
        if (loop.server.budget.available() >= p.memoryWanted) {
            clearMemoryWait(p);
            return MemoryWait.RESUMED;
        }
        if (nowNanos - p.memoryWaitSince > ServerLoop.MEMORY_WAIT_NANOS) {
            clearMemoryWait(p);
            loop.server.budget.refused();
            fail(CloseReason.MEMORY_WAIT_TIMEOUT);
            return MemoryWait.GONE;
        }
        return MemoryWait.WAITING;
    }

    private void clearMemoryWait(Pending p) {
        p.memoryWanted = 0;
        p.memoryWaitSince = 0;
        unpause(PAUSED_MEMORY);
    }

    /** The peer took enough of what was queued (the wire calls this when its queue shrinks). */
    final void outboundDrained() {
        if ((state & PAUSED_OUTBOUND) != 0
                && pendingOutboundBytes() < loop.server.config.limits().maxOutboundBytes() / 2) {
            unpause(PAUSED_OUTBOUND);
            executor().execute(this::resumeReading); // not from inside the wire's flush
        }
    }

    private void unpause(int reason) {
        state &= ~reason;
        if ((state & READ_PAUSED) == 0) {
            loop.server.counters.pausedNow.decrement();
        }
    }

    /** Reading may go on: parses what was held back, then lets the wire read (unless that paused it again). */
    final void resumeReading() {
        try {
            if ((state & (READ_PAUSED | CLOSED)) != 0) {
                return;
            }
            Pending p = pending;
            if (p != null && p.cumulation != null && (state & HELD_WHOLE_FRAME) == 0) {
                frames(null, 0);
                onReadComplete();
            }
            if ((state & (READ_PAUSED | CLOSED)) == 0) {
                wireResumeReading();
            }
        } catch (Throwable t) {
            failInternally(t);
        }
    }

    // ---- keepalive --------------------------------------------------------------------------------------------

    @Override
    protected final void onKeepalive(long nowNanos) {
        try {
            keepalive(nowNanos);
        } catch (Throwable t) {
            failInternally(t);
        }
    }

    /**
     * Once per ping interval. Overload degrades, it does not disconnect (issue #15): a peer is judged dead only for
     * its own silence. Not while this loop runs behind (then no ping either: fewer pings while the server is late),
     * not while the server is not reading this connection for lack of memory, and not before reading what the socket
     * holds (the pong may be there). A peer with bytes queued is judged by whether it takes them: none taken in a
     * whole interval after the ping, and it is dead too.
     */
    private void keepalive(long nowNanos) {
        if ((state & (CLOSE_SENT | CLOSED)) != 0) {
            return;
        }
        ServerContext server = loop.server;
        if (server.idleTimeoutNanos > 0 && nowNanos - lastDataNanos >= server.idleTimeoutNanos) {
            close0(CloseReason.IDLE_TIMEOUT.code(), CloseReason.IDLE_TIMEOUT.id());
            return;
        }
        if (server.config.keepalive().pingInterval().isZero()) {
            return;
        }
        if (loop.isBehind(nowNanos)) {
            return; // we are the slow ones: judge nobody, ping nobody, until the loop has caught up
        }
        if ((state & AWAITING_PONG) != 0) {
            if (pendingOutboundBytes() > 0) {
                // The ping may still sit in the queue behind other bytes: the peer is judged by whether it reads.
                if (!wireWriteProgress()) {
                    server.counters.deadPeers.increment();
                    fail(CloseReason.WRITE_TIMEOUT);
                    return;
                }
            } else if ((state & (INBOUND_SEEN | PAUSED_MEMORY)) == 0) {
                wirePollInput(); // the pong may be in the socket, unread while the loop was busy elsewhere
                if ((state & CLOSED) != 0) {
                    return;
                }
                if ((state & INBOUND_SEEN) == 0) {
                    server.counters.deadPeers.increment();
                    int code = server.handler.deadPeerCloseCode();
                    if (code != 0) { // the application's word to a peer that may yet read it; no wait for an answer
                        publish(CLOSE_SENT);
                        writeToWire(FrameWriter.close(alloc(), code, CloseReason.PONG_TIMEOUT.id()), null);
                        flushWire();
                    }
                    fail(CloseReason.PONG_TIMEOUT);
                    return;
                }
            }
        }
        boolean seen = (state & INBOUND_SEEN) != 0;
        state &= ~(INBOUND_SEEN | WRITE_PROGRESS | AWAITING_PONG);
        if (seen && server.config.keepalive().skipPingWhenActive()) {
            return;
        }
        state |= AWAITING_PONG;
        server.counters.pings.increment();
        writeConstant(PING);
    }

    /** Counts and writes a shared, pre-encoded frame, then flushes. */
    private void writeConstant(ConstantFrame constant) {
        loop.server.counters.bytesOut.add(constant.frame().readableBytes());
        writeConstantToWire(constant);
    }

    /**
     * Writes and flushes a shared frame. Here a duplicate goes through the queue; a wire that can write from the
     * frame's memory directly overrides this and allocates nothing.
     */
    void writeConstantToWire(ConstantFrame constant) {
        writeToWire(constant.frame().duplicate(), null);
        flushWire();
    }

    /**
     * Writes and flushes a frame many connections share ({@code address}: its memory, 0 when it has none), which
     * stays the caller's. Here a retained duplicate goes through the queue; a wire that can write from memory directly
     * overrides this and keeps a slice of the frame only for what the kernel did not take.
     */
    void writeSharedToWire(ByteBuf frame, long address) {
        writeToWire(frame.retainedDuplicate(), null);
        flushWire();
    }

    /** As {@link #writeSharedToWire(ByteBuf, long)} for several frames in order; one system call where it can. */
    void writeSharedToWire(ByteBuf[] frames, long[] addresses, int count) {
        for (int i = 0; i < count; i++) {
            writeToWire(frames[i].retainedDuplicate(), null);
        }
        flushWire();
    }

    // ---- output -----------------------------------------------------------------------------------------------

    @Override
    public final Future<Void> sendText(CharSequence text) {
        Promise<Void> promise = newPromise();
        if (executor().inEventLoop()) {
            sendText0(text, promise);
        } else {
            executor().execute(() -> sendText0(text, promise));
        }
        return promise;
    }

    @Override
    public final Future<Void> sendText(ByteBuf utf8) {
        return sendData(Opcode.TEXT, utf8);
    }

    @Override
    public final Future<Void> sendBinary(ByteBuf data) {
        return sendData(Opcode.BINARY, data);
    }

    private Future<Void> sendData(int opcode, ByteBuf data) {
        Promise<Void> promise = newPromise();
        if (executor().inEventLoop()) {
            sendData0(opcode, data, promise);
        } else {
            executor().execute(() -> sendData0(opcode, data, promise));
        }
        return promise;
    }

    @Override
    public final boolean offer(PreparedMessage message) {
        if (!mayOffer()) {
            return (state & (CLOSE_SENT | CLOSED)) != 0; // closing: dropped, as a send would be
        }
        ByteBuf frame = sharedFrame(message);
        loop.server.counters.bytesOut.add(frame.readableBytes());
        writeSharedToWire(frame, sharedFrameAddress(message, frame));
        pauseIfPeerNotReading();
        return true;
    }

    @Override
    public final boolean offer(PreparedMessage[] messages, int count) {
        if (count == 1) {
            return offer(messages[0]);
        }
        if (!mayOffer()) {
            return (state & (CLOSE_SENT | CLOSED)) != 0;
        }
        ByteBuf[] frames = loop.sharedFrames(count);
        long[] addresses = loop.sharedAddresses(count);
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            ByteBuf frame = sharedFrame(messages[i]);
            frames[i] = frame;
            addresses[i] = sharedFrameAddress(messages[i], frame);
            bytes += frame.readableBytes();
        }
        loop.server.counters.bytesOut.add(bytes);
        try {
            writeSharedToWire(frames, addresses, count);
        } finally {
            Arrays.fill(frames, 0, count, null); // the loop's scratch holds no message past this call
        }
        pauseIfPeerNotReading();
        return true;
    }

    /** On the loop, open, and below the outbound limit (throws off the loop). */
    private boolean mayOffer() {
        if (!executor().inEventLoop()) {
            throw new IllegalStateException("offer() is for the connection's event loop; use send() elsewhere");
        }
        return (state & (CLOSE_SENT | CLOSED)) == 0
                && pendingOutboundBytes() < loop.server.config.limits().maxOutboundBytes();
    }

    /** The frame of {@code message} this connection gets: compressed when negotiated and worthwhile. */
    private ByteBuf sharedFrame(PreparedMessage message) {
        if (compresses(message.payloadLength())) {
            ByteBuf compressed = message.deflatedFrame(loop.deflate, alloc());
            if (compressed != null) {
                return compressed;
            }
        }
        return message.frame();
    }

    private static long sharedFrameAddress(PreparedMessage message, ByteBuf frame) {
        return frame == message.frame() ? message.frameAddress() : message.deflatedFrameAddress();
    }

    @Override
    public final Future<Void> send(PreparedMessage message) {
        Promise<Void> promise = newPromise();
        message.retain();
        Runnable task = () -> {
            try {
                if (refuseSend(promise)) {
                    return;
                }
                offer(message);
                promise.trySuccess(null);
            } catch (Throwable t) {
                promise.tryFailure(t);
                failInternally(t);
            } finally {
                message.release();
            }
        };
        if (executor().inEventLoop()) {
            task.run();
        } else {
            executor().execute(task);
        }
        return promise;
    }

    @Override
    public final IoLoop loop() {
        return loop;
    }

    /**
     * Sends on the loop. A failure while encoding or writing (memory ran out, say) fails the promise and ends this
     * connection, whoever called: it never escapes into the caller's code or the loop.
     */
    private void sendText0(CharSequence text, Promise<Void> promise) {
        if (refuseSend(promise)) {
            return;
        }
        try {
            if (deflateBits() != 0
                    && text.length() >= loop.server.config.compression().threshold()) {
                // Sized exactly: ByteBufUtil.writeUtf8(alloc, text) reserves three bytes per char (48 MB for a
                // 16 MB message).
                int length = ByteBufUtil.utf8Bytes(text);
                ByteBuf utf8 = alloc().buffer(length, length);
                ByteBufUtil.reserveAndWriteUtf8(utf8, text, length);
                sendMessage(Opcode.TEXT, utf8, promise);
            } else {
                write(FrameWriter.text(alloc(), text), promise);
            }
        } catch (Throwable t) {
            promise.tryFailure(t);
            failInternally(t);
        }
    }

    private void sendData0(int opcode, ByteBuf data, Promise<Void> promise) {
        if (refuseSend(promise)) {
            data.release();
            return;
        }
        try {
            sendMessage(opcode, data, promise);
        } catch (Throwable t) {
            promise.tryFailure(t);
            failInternally(t);
        }
    }

    /** Frames {@code payload} (owned), compressing it when negotiated and worthwhile. */
    private void sendMessage(int opcode, ByteBuf payload, Promise<Void> promise) {
        if (compresses(payload.readableBytes())) {
            ByteBuf compressed;
            try {
                compressed = loop.deflate.deflate(alloc(), payload);
            } catch (Throwable t) {
                payload.release();
                throw t;
            }
            if (compressed != null) {
                payload.release();
                write(FrameWriter.frame(alloc(), opcode, true, compressed), promise);
                return;
            }
        }
        write(FrameWriter.frame(alloc(), opcode, false, payload), promise);
    }

    /**
     * Whether a message of {@code length} bytes goes compressed: permessage-deflate was negotiated, the message
     * reaches the compression threshold, and the client's window covers all of it (a client that asked for a smaller
     * window gets longer messages uncompressed, which RFC 7692 §6 allows for any message: {@link
     * dev.throng.core.handshake.DeflateAgreement}). The one place this rule is written.
     */
    private boolean compresses(int length) {
        int bits = deflateBits();
        return bits != 0
                && length >= loop.server.config.compression().threshold()
                && (bits >= 15 || length <= 1 << bits);
    }

    /**
     * Refuses a send when closing, or when the bytes already waiting for the socket reached the outbound limit (then
     * failing the connection with 1013: a peer that does not read must not make the server buffer without bound).
     * The message itself is not counted, so buffered bytes stay below the limit plus one message. Returns whether
     * it refused.
     */
    private boolean refuseSend(Promise<Void> promise) {
        if ((state & (CLOSE_SENT | CLOSED)) != 0) {
            promise.tryFailure(new ClosedChannelException());
            return true;
        }
        long pending = pendingOutboundBytes();
        if (pending >= loop.server.config.limits().maxOutboundBytes()) {
            promise.tryFailure(new SlowConsumerException(
                    pending, loop.server.config.limits().maxOutboundBytes()));
            fail(CloseReason.SLOW_CONSUMER);
            return true;
        }
        return false;
    }

    private void write(ByteBuf frame, Promise<Void> promise) {
        loop.server.counters.bytesOut.add(frame.readableBytes());
        writeToWire(frame, promise);
        if ((state & IN_READ) != 0) {
            state |= NEEDS_FLUSH;
        } else {
            flushWire();
        }
        pauseIfPeerNotReading();
    }

    /** Writes a close frame and closes TCP once it is written, or after the close timeout if it never is. */
    private void writeThenClose(ByteBuf closeFrame) {
        Promise<Void> written = newPromise();
        written.addListener(f -> closeWire());
        loop.server.counters.bytesOut.add(closeFrame.readableBytes());
        writeToWire(closeFrame, written);
        flushWire();
        armCloseTimer();
    }

    // ---- closing ----------------------------------------------------------------------------------------------

    @Override
    public final Future<Void> close(int code, String reason) {
        if (!CloseCodes.isValidToSend(code)) {
            throw new IllegalArgumentException("close code " + code + " may not be sent");
        }
        if (executor().inEventLoop()) {
            close0(code, reason);
        } else {
            executor().execute(() -> {
                try {
                    close0(code, reason);
                } catch (Throwable t) {
                    failInternally(t);
                }
            });
        }
        return wireCloseFuture();
    }

    private void close0(int code, String reason) {
        if ((state & (CLOSE_SENT | CLOSED)) != 0) {
            return;
        }
        publish(CLOSE_SENT);
        Pending p = pending();
        p.closeCode = (short) code;
        p.closeReason = reason;
        write(FrameWriter.close(alloc(), code, reason), null);
        armCloseTimer();
    }

    /**
     * Fails the connection for {@code reason} (§7.1.7): sends a close frame with its code (unless one was sent, or
     * the code is 1006, which is never sent), then closes TCP once written, or after the close timeout when the
     * peer does not read.
     */
    final void fail(CloseReason reason) {
        if ((state & CLOSED) != 0) {
            return;
        }
        Pending p = pending();
        if (p.closeCode == 0) {
            p.closeCode = (short) reason.code();
            p.closeReason = reason.id();
        }
        if ((state & CLOSE_SENT) != 0 || reason.code() == CloseCodes.ABNORMAL) {
            publish(CLOSE_SENT);
            closeWire();
            return;
        }
        publish(CLOSE_SENT);
        writeThenClose(FrameWriter.close(alloc(), reason.code(), reason.id()));
    }

    private void armCloseTimer() {
        Pending p = pending();
        if (p.closeTimer == null && (state & CLOSED) == 0) {
            p.closeTimer = executor().schedule(this::closeWire, loop.server.closeTimeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void cancelCloseTimer() {
        Pending p = pending;
        if (p != null && p.closeTimer != null) {
            p.closeTimer.cancel(false);
            p.closeTimer = null;
        }
    }

    private void handlerFailed(Throwable t) {
        try {
            loop.server.handler.onError(this, t);
        } catch (Throwable again) {
            t.addSuppressed(again);
        }
        LOG.warn("handler threw on {}; closing with 1011", this, t);
    }

    /** Releases what the connection holds of its input (and gives the memory budget back). */
    final void releaseBuffers() {
        Pending p = pending;
        if (p == null) {
            return;
        }
        MemoryBudget budget = loop.server.budget;
        if (p.cumulation != null) {
            p.cumulation.release();
            p.cumulation = null;
            state &= ~HELD_WHOLE_FRAME;
        }
        budget.release(p.cumulationCharge);
        p.cumulationCharge = 0;
        if (p.fragments != null) {
            p.fragments.release();
            p.fragments = null;
        }
        budget.release(p.fragmentsCharge);
        p.fragmentsCharge = 0;
    }

    /** Counts {@code bytes} more (or, negative, fewer) waiting in the wire's queue, in the budget too. */
    final void outboundQueued(long bytes) {
        pending.outboundBytes += bytes;
        loop.server.budget.charge(bytes);
        if (bytes < 0) {
            loop.memoryReleased();
        }
    }

    // ---- accessors --------------------------------------------------------------------------------------------

    @Override
    public final boolean isOpen() {
        return (stateAcquire() & (CLOSE_SENT | CLOSE_RECEIVED | CLOSED)) == 0 && wireActive();
    }

    @Override
    public final boolean isWritable() {
        return wireWritable();
    }

    @Override
    public final String path() {
        return path;
    }

    @Override
    public final String subprotocol() {
        return subprotocol;
    }

    @Override
    public final boolean compressionEnabled() {
        return deflateBits() != 0;
    }

    @Override
    @SuppressWarnings("unchecked")
    public final <T> T attachment() {
        return (T) attachment;
    }

    @Override
    public final void attach(Object attachment) {
        this.attachment = attachment;
    }

    @Override
    public String toString() {
        return "WebSocketConnection[" + remoteAddress() + "]";
    }
}
