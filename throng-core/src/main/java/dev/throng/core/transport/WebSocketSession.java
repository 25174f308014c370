package dev.throng.core.transport;

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
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One upgraded connection: the WebSocket protocol above a byte stream, and the {@link WebSocketConnection} the
 * application sees. It cumulates input only while a frame is incomplete, runs the {@link FrameParser}, assembles
 * fragmented messages, answers pings and closes, and acts on every verdict in one place ({@link #fail}).
 *
 * <p>The byte stream below is abstract (the "wire" methods): {@link ChannelSession} is a Netty channel handler,
 * {@link EpollSession} a bare file descriptor registered with Netty's epoll loop, without a channel.
 *
 * <p>Size: this object is the per-connection cost above the socket, so its fields are few, and what a connection
 * holds only while something is in progress (partial input, fragments, a close handshake, a write queue) lives in one
 * {@link Pending} object made on demand. It is its own keepalive wheel node.
 *
 * <p>Threading: all state is confined to the connection's event loop; public send/close methods hop onto it.
 */
abstract class WebSocketSession extends KeepaliveWheel.Member implements WebSocketConnection, FrameSink {

    static final Logger LOG = LoggerFactory.getLogger(WebSocketConnection.class);

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

    // flags bits
    private static final int CLOSE_SENT = 1;
    private static final int CLOSE_RECEIVED = 1 << 1;
    private static final int INBOUND_SEEN = 1 << 2; // any frame since the last keepalive visit
    private static final int AWAITING_PONG = 1 << 3; // a keepalive ping is unanswered
    private static final int IN_READ = 1 << 4; // inside a read: writes are flushed when the read completes
    private static final int NEEDS_FLUSH = 1 << 5;
    private static final int CLOSED = 1 << 6; // the TCP connection is closed
    private static final int OPENED = 1 << 7; // open() ran: counters, admission and onClose are owed

    final ServerContext server;
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
    /** permessage-deflate: 0 when not negotiated, else the client's window bits (8-15). */
    private byte deflateBits;
    private byte flags;

    /**
     * A connection's occasional state, in one object made when first needed, so that an idle connection pays one
     * reference for all of it instead of seven fields (the session shrank from 112 to 88 B on JDK 17;
     * docs/benchmarks.md section 17). It is dropped again when nothing is in progress, except once closing began.
     */
    static final class Pending {
        /** Unparsed input: set only while a frame is incomplete. */
        ByteBuf cumulation;
        /** The fragments of a message in progress; set only while one is. */
        ByteBuf fragments;
        /** Runs while a close we sent awaits the peer's answer. */
        ScheduledFuture<?> closeTimer;
        /** The close code and reason the application is told; 0 and null until closing began. */
        short closeCode;
        String closeReason;
        /** The wire's write queue (lean sessions): frames and their promises while the kernel refuses bytes. */
        ArrayDeque<Object> outbound;
        /** Bytes in {@link #outbound}. */
        long outboundBytes;

        boolean idle() {
            return cumulation == null && fragments == null && closeTimer == null && closeCode == 0 && outbound == null;
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

    WebSocketSession(ServerContext server, UpgradeOutcome.Accept accept) {
        this.server = server;
        accepted(accept);
    }

    /** A session that reads its opening handshake itself, and is {@link #accepted} once it is upgraded. */
    WebSocketSession(ServerContext server, long acceptedNanos) {
        this.server = server;
        this.lastDataNanos = acceptedNanos;
    }

    /** Takes on what the handshake agreed; from now on input is parsed as WebSocket frames. */
    final void accepted(UpgradeOutcome.Accept accept) {
        this.path = server.sharedTarget(accept.path());
        this.subprotocol = accept.subprotocol();
        this.deflateBits = (byte) (accept.deflate() == null ? 0 : accept.deflate().serverMaxWindowBits());
    }

    /** When the socket was accepted, while the handshake is in progress (see {@link #lastDataNanos}). */
    final long acceptedNanos() {
        return lastDataNanos;
    }


    // ---- the wire below ---------------------------------------------------------------------------------------

    /** The event loop that owns this connection. */
    abstract EventExecutor executor();

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

    @Override
    public abstract SocketAddress remoteAddress();

    // ---- lifecycle --------------------------------------------------------------------------------------------

    /** Called once the session is in place and the 101 response is written. */
    final void open() {
        flags |= OPENED;
        server.counters.open.increment();
        server.counters.accepted.increment();
        if (server.idleTimeoutNanos > 0) {
            lastDataNanos = System.nanoTime();
        }
        KeepaliveWheel wheel = server.wheel(executor());
        if (wheel != null) {
            wheel.add(this);
        }
        try {
            server.handler.onOpen(this);
        } catch (Throwable t) {
            handlerFailed(t);
            fail(CloseReason.HANDLER_ERROR);
        }
    }

    /** The TCP connection closed: release everything and tell the application, once. */
    final void onWireClosed() {
        if ((flags & CLOSED) != 0) {
            return;
        }
        flags |= CLOSED;
        unlink();
        cancelCloseTimer();
        releaseBuffers();
        if ((flags & OPENED) == 0) {
            return; // never opened (the upgrade failed half way): its owner releases what it took
        }
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

    // ---- input ------------------------------------------------------------------------------------------------

    /** Bytes read from the wire (ownership passes). */
    final void onBytes(ByteBuf in) {
        server.counters.bytesIn.add(in.readableBytes());
        if ((flags & (CLOSE_RECEIVED | CLOSED)) != 0) {
            in.release(); // §5.5.1: nothing after a close frame is processed
            return;
        }
        if (path == null) {
            onRequestBytes(in);
            return;
        }
        frames(in);
    }

    /** Input of a session whose handshake is in progress (lean sessions only); ownership passes. */
    void onRequestBytes(ByteBuf in) {
        in.release();
        throw new IllegalStateException("no handshake in progress on " + this);
    }

    /** From now on, input is dropped (a reply that ends the connection was sent). */
    final void refuseInput() {
        flags |= CLOSE_SENT | CLOSE_RECEIVED;
    }

    /** {@code in} appended to what is held from earlier reads; the session holds nothing after this. */
    final ByteBuf takeWithHeld(ByteBuf in) {
        Pending p = pending;
        if (p == null || p.cumulation == null) {
            return in;
        }
        ByteBuf buf = ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(alloc(), p.cumulation, in);
        p.cumulation = null;
        dropPendingIfIdle();
        return buf;
    }

    /** Holds {@code buf} (ownership passes) until more bytes arrive. */
    final void hold(ByteBuf buf) {
        pending().cumulation = buf;
    }

    /** Parses WebSocket frames from {@code in} and what is held (ownership passes). */
    final void frames(ByteBuf in) {
        ByteBuf buf = takeWithHeld(in);
        flags |= IN_READ;
        FrameParser p = parser != null ? parser : server.borrowParser();
        CloseReason verdict;
        try {
            verdict = p.parse(buf, this, deflateBits != 0);
        } catch (RuntimeException e) {
            LOG.warn("parser error on {}", this, e);
            verdict = CloseReason.HANDLER_ERROR;
        } finally {
            flags &= ~IN_READ;
        }
        if (p.isIdle()) {
            parser = null;
            server.returnParser(p);
        } else {
            parser = p; // mid-message or mid-frame: the state is this connection's until the message ends
        }
        if (verdict != null || (flags & (CLOSE_RECEIVED | CLOSED)) != 0 || !buf.isReadable()) {
            buf.release();
        } else {
            hold(trim(buf));
        }
        if (verdict != null) {
            fail(verdict);
        }
    }

    /** The wire has no more bytes for now: flush what the reads produced. */
    final void onReadComplete() {
        if ((flags & NEEDS_FLUSH) != 0) {
            flags &= ~NEEDS_FLUSH;
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
    public final CloseReason onData(ByteBuf payload, boolean text, boolean first, boolean last, boolean compressed) {
        flags |= INBOUND_SEEN;
        if (server.idleTimeoutNanos > 0 && last) {
            lastDataNanos = System.nanoTime();
        }
        if ((flags & CLOSE_SENT) != 0) {
            return null; // closing: data may be discarded (§5.5.1)
        }
        if (first && last) {
            return deliver(payload, text, compressed);
        }
        Pending p = pending();
        if (first) {
            p.fragments = alloc().buffer(Math.max(256, payload.readableBytes() * 2));
        }
        p.fragments.writeBytes(payload);
        if (!last) {
            return null;
        }
        ByteBuf message = p.fragments;
        p.fragments = null;
        dropPendingIfIdle();
        try {
            return deliver(message, text, compressed);
        } finally {
            message.release();
        }
    }

    /** Hands a complete message to the application; {@code data} stays owned by the caller. */
    private CloseReason deliver(ByteBuf data, boolean text, boolean compressed) {
        ByteBuf plain = data;
        if (compressed) {
            try {
                plain = MessageDeflate.inflate(alloc(), data, server.config.frameLimits().maxMessageSize());
            } catch (MessageDeflate.InflateException e) {
                return e.reason();
            }
            if (text && !Utf8Validator.isValid(plain)) {
                plain.release();
                return CloseReason.INVALID_UTF8;
            }
        }
        try {
            if (text) {
                server.handler.onText(this, plain.toString(StandardCharsets.UTF_8));
            } else {
                server.handler.onBinary(this, plain);
            }
            return null;
        } catch (Throwable t) {
            handlerFailed(t);
            return CloseReason.HANDLER_ERROR;
        } finally {
            if (compressed) {
                plain.release();
            }
        }
    }

    @Override
    public final CloseReason onPing(ByteBuf payload) {
        flags |= INBOUND_SEEN;
        if ((flags & CLOSE_SENT) == 0) {
            if (payload.isReadable()) {
                write(FrameWriter.control(alloc(), Opcode.PONG, payload), null);
            } else {
                writeConstant(EMPTY_PONG);
            }
        }
        return null;
    }

    @Override
    public final CloseReason onPong(ByteBuf payload) {
        flags = (byte) ((flags | INBOUND_SEEN) & ~AWAITING_PONG);
        return null;
    }

    @Override
    public final CloseReason onClose(int code, ByteBuf reason) {
        flags |= CLOSE_RECEIVED | INBOUND_SEEN;
        Pending p = pending();
        p.closeCode = (short) code;
        p.closeReason = reason.toString(StandardCharsets.UTF_8);
        if ((flags & CLOSE_SENT) == 0) {
            // §5.5.1: answer with a close echoing the code; §7.1.1: the server then closes TCP first.
            flags |= CLOSE_SENT;
            writeThenClose(FrameWriter.close(alloc(), code, ""));
        } else {
            closeWire(); // the answer to our close: the handshake is complete
        }
        return null;
    }

    // ---- keepalive --------------------------------------------------------------------------------------------

    @Override
    protected final void onKeepalive(long nowNanos) {
        if ((flags & (CLOSE_SENT | CLOSED)) != 0) {
            return;
        }
        if (server.idleTimeoutNanos > 0 && nowNanos - lastDataNanos >= server.idleTimeoutNanos) {
            close(CloseReason.NORMAL.code(), "idle timeout");
            return;
        }
        if (server.config.pingInterval().isZero()) {
            return;
        }
        boolean seen = (flags & INBOUND_SEEN) != 0;
        if ((flags & AWAITING_PONG) != 0 && !seen) {
            server.counters.deadPeers.increment();
            fail(CloseReason.PONG_TIMEOUT);
            return;
        }
        flags &= ~INBOUND_SEEN;
        if (seen && server.config.skipPingWhenActive()) {
            flags &= ~AWAITING_PONG;
            return;
        }
        flags |= AWAITING_PONG;
        server.counters.pings.increment();
        writeConstant(PING);
    }

    /** Counts and writes a shared, pre-encoded frame, then flushes. */
    private void writeConstant(ConstantFrame constant) {
        server.counters.bytesOut.add(constant.frame().readableBytes());
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
    public final Future<Void> sendBinary(ByteBuf data) {
        Promise<Void> promise = newPromise();
        if (executor().inEventLoop()) {
            sendBinary0(data, promise);
        } else {
            executor().execute(() -> sendBinary0(data, promise));
        }
        return promise;
    }

    private void sendText0(CharSequence text, Promise<Void> promise) {
        if (refuseSend(promise)) {
            return;
        }
        if (deflateBits != 0 && text.length() >= server.config.compressionThreshold()) {
            sendMessage(Opcode.TEXT, ByteBufUtil.writeUtf8(alloc(), text), promise);
        } else {
            write(FrameWriter.text(alloc(), text), promise);
        }
    }

    private void sendBinary0(ByteBuf data, Promise<Void> promise) {
        if (refuseSend(promise)) {
            data.release();
            return;
        }
        sendMessage(Opcode.BINARY, data, promise);
    }

    /** Frames {@code payload} (owned), compressing it when negotiated and worthwhile. */
    private void sendMessage(int opcode, ByteBuf payload, Promise<Void> promise) {
        int length = payload.readableBytes();
        if (deflateBits != 0 && length >= server.config.compressionThreshold()
            && (deflateBits >= 15 || length <= 1 << deflateBits)) {
            ByteBuf compressed = MessageDeflate.deflate(alloc(), payload);
            if (compressed != null) {
                payload.release();
                write(FrameWriter.frame(alloc(), opcode, true, compressed), promise);
                return;
            }
        }
        write(FrameWriter.frame(alloc(), opcode, false, payload), promise);
    }

    /**
     * Refuses a send when closing, or when the bytes already waiting for the socket reached the outbound limit (then
     * failing the connection with 1013: a peer that does not read must not make the server buffer without bound).
     * The message itself is not counted, so buffered bytes stay below the limit plus one message. Returns whether
     * it refused.
     */
    private boolean refuseSend(Promise<Void> promise) {
        if ((flags & (CLOSE_SENT | CLOSED)) != 0) {
            promise.tryFailure(new ClosedChannelException());
            return true;
        }
        long pending = pendingOutboundBytes();
        if (pending >= server.config.maxOutboundBytes()) {
            promise.tryFailure(new SlowConsumerException(pending, server.config.maxOutboundBytes()));
            fail(CloseReason.SLOW_CONSUMER);
            return true;
        }
        return false;
    }

    private void write(ByteBuf frame, Promise<Void> promise) {
        server.counters.bytesOut.add(frame.readableBytes());
        writeToWire(frame, promise);
        if ((flags & IN_READ) != 0) {
            flags |= NEEDS_FLUSH;
        } else {
            flushWire();
        }
    }

    /** Writes a close frame and closes TCP once it is written, or after the close timeout if it never is. */
    private void writeThenClose(ByteBuf closeFrame) {
        Promise<Void> written = newPromise();
        written.addListener(f -> closeWire());
        server.counters.bytesOut.add(closeFrame.readableBytes());
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
            executor().execute(() -> close0(code, reason));
        }
        return wireCloseFuture();
    }

    private void close0(int code, String reason) {
        if ((flags & (CLOSE_SENT | CLOSED)) != 0) {
            return;
        }
        flags |= CLOSE_SENT;
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
        if ((flags & CLOSED) != 0) {
            return;
        }
        Pending p = pending();
        if (p.closeCode == 0) {
            p.closeCode = (short) reason.code();
            p.closeReason = reason.id();
        }
        if ((flags & CLOSE_SENT) != 0 || reason.code() == CloseCodes.ABNORMAL) {
            flags |= CLOSE_SENT;
            closeWire();
            return;
        }
        flags |= CLOSE_SENT;
        writeThenClose(FrameWriter.close(alloc(), reason.code(), reason.id()));
    }

    private void armCloseTimer() {
        Pending p = pending();
        if (p.closeTimer == null && (flags & CLOSED) == 0) {
            p.closeTimer = executor().schedule(this::closeWire, server.closeTimeoutNanos, TimeUnit.NANOSECONDS);
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
            server.handler.onError(this, t);
        } catch (Throwable again) {
            t.addSuppressed(again);
        }
        LOG.warn("handler threw on {}; closing with 1011", this, t);
    }

    final void releaseBuffers() {
        Pending p = pending;
        if (p == null) {
            return;
        }
        if (p.cumulation != null) {
            p.cumulation.release();
            p.cumulation = null;
        }
        if (p.fragments != null) {
            p.fragments.release();
            p.fragments = null;
        }
    }

    // ---- accessors --------------------------------------------------------------------------------------------

    @Override
    public final boolean isOpen() {
        return (flags & (CLOSE_SENT | CLOSE_RECEIVED | CLOSED)) == 0 && wireActive();
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
        return deflateBits != 0;
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
