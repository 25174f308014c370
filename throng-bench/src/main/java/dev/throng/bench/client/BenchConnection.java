package dev.throng.bench.client;

import dev.throng.bench.protocol.HistogramKind;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One client connection: its Netty handler, its frame parser (inherited) and its state, in one object.
 *
 * <p><b>Size budget: 72 bytes</b> (12-byte header, 4 references, 2 longs, an int, 3 bytes, plus the parser's 2 longs
 * and 3 bytes; compressed oops), guarded by {@code BenchConnectionLayoutTest}. What a connection needs only while it
 * opens (the target, the key, a partial response) lives in an {@link Attempt} dropped once the handshake succeeds;
 * partial frames are kept in {@link #pending} only until the rest arrives. No timers: the loop's sweep
 * ({@link #tick}) drives sends and deadlines.
 *
 * <p>The subscribe scenario's connection is the subclass {@link PusherConnection}, which adds its state and handles
 * whole text messages; the hooks it overrides ({@link #opened}, {@link #lostWhileOpen}, {@link #tick}) are
 * package-private.
 *
 * <p>Every method runs on the channel's event loop.
 */
public class BenchConnection extends ServerFrameParser implements ChannelInboundHandler, ChannelFutureListener {

    static final byte CONNECTING = 0;
    static final byte HANDSHAKING = 1;
    static final byte OPEN = 2;
    /** We sent a close frame and wait for the server's. */
    static final byte CLOSE_SENT = 3;
    /** Both close frames were exchanged (ours first); we wait for the server to close TCP (§7.1.1). */
    static final byte CLOSE_ACKED = 4;
    /** The server closed first and we answered; we wait for it to close TCP. */
    static final byte CLOSE_RECEIVED = 5;
    /** Counted and closing; nothing more to count. */
    static final byte DONE = 6;

    /** What only an opening connection needs. */
    static final class Attempt {
        /** The run-wide index of this connection (the subscribe scenario picks its channels by it). */
        final long index;

        final int target;
        int source;
        long startNanos;
        String expectedAccept;
        /** A partial handshake response, or null. */
        ByteBuf response;

        Attempt(long index, int target, int source) {
            this.index = index;
            this.target = target;
            this.source = source;
        }
    }

    final LoopDriver driver;
    Channel channel;
    /** Non-null until the handshake succeeded. */
    Attempt attempt;
    /** An incomplete frame header or control frame, or null (the common case). */
    private ByteBuf pending;
    /** OPEN: when the next message or client ping is due. Closing states: when our part of the close began. */
    long markNanos;

    private long lastServerPingNanos;
    /** Index in the loop's {@link ConnectionSet}; -1 when not in it. */
    int slot = -1;

    byte state = CONNECTING;
    boolean flushNeeded;
    /** The handshake succeeded (counted in {@code open} until the channel closes). */
    private boolean established;

    BenchConnection(LoopDriver driver, Attempt attempt) {
        this.driver = driver;
        this.attempt = attempt;
    }

    // ---- connecting ------------------------------------------------------------------------------------------

    /** The result of {@code connect()}. */
    @Override
    public void operationComplete(ChannelFuture future) {
        if (state != CONNECTING) {
            return; // timed out or aborted meanwhile, and already counted
        }
        if (!future.isSuccess()) {
            String reason = Failures.classify(future.cause());
            if (reason == null) { // the (address, port) pair is taken: skip it, same attempt on a new channel
                Attempt same = attempt;
                attempt = null; // handed over: this connection's cleanup must not touch it
                state = DONE;
                channel.close();
                driver.stats.portsSkipped++;
                driver.connect(same);
                return;
            }
            driver.logUnexpected(reason, future.cause());
            terminate(reason);
            return;
        }
        long now = System.nanoTime();
        driver.stats.record(HistogramKind.CONNECT, now - attempt.startNanos);
        state = HANDSHAKING;
        String key = HandshakeRequest.newKey(ThreadLocalRandom.current());
        attempt.expectedAccept = HandshakeRequest.acceptFor(key, driver.sha1);
        ByteBuf request = driver.request(attempt.target).encode(channel.alloc(), key);
        driver.stats.bytesSent += request.readableBytes();
        channel.writeAndFlush(request, channel.voidPromise());
    }

    private void readHandshake(ByteBuf in) {
        ByteBuf buf = in;
        if (attempt.response != null) {
            buf = attempt.response;
            attempt.response = null;
            buf.writeBytes(in);
            in.release();
        }
        int headLength = HandshakeResponse.headLength(buf);
        if (headLength < 0) {
            if (buf.readableBytes() > HandshakeResponse.MAX_HEAD_BYTES) {
                buf.release();
                terminate(FailureReason.HANDSHAKE_INVALID.id());
                return;
            }
            if (buf == in) {
                attempt.response = channel.alloc()
                        .heapBuffer(Math.max(256, in.readableBytes()))
                        .writeBytes(in);
                in.release();
            } else {
                attempt.response = buf;
            }
            return;
        }
        String head = buf.toString(buf.readerIndex(), headLength, StandardCharsets.US_ASCII);
        buf.skipBytes(headLength);
        HandshakeResponse.Verdict verdict = HandshakeResponse.check(head, attempt.expectedAccept);
        if (!verdict.ok()) {
            buf.release();
            terminate(verdict.failure());
            return;
        }
        long now = System.nanoTime();
        LoopStats stats = driver.stats;
        stats.record(HistogramKind.HANDSHAKE, now - attempt.startNanos);
        stats.established++;
        stats.open++;
        established = true;
        long startNanos = attempt.startNanos;
        attempt = null;
        state = OPEN;
        markNanos = now + driver.firstSendDelay();
        opened(now, startNanos);
        if (buf.isReadable()) {
            readFrames(buf);
        } else {
            buf.release();
        }
    }

    // ---- open --------------------------------------------------------------------------------------------------

    private void readFrames(ByteBuf in) {
        ByteBuf buf = in;
        if (pending != null) {
            buf = pending;
            pending = null;
            buf.writeBytes(in);
            in.release();
        }
        ParseError error = consume(buf);
        if (error != null) {
            buf.release();
            if (state == OPEN) {
                channel.writeAndFlush(
                        ClientFrames.close(channel.alloc(), error.closeCode(), mask()), channel.voidPromise());
            }
            terminate(error.id());
            return;
        }
        if (buf.isReadable() && (state == OPEN || state == CLOSE_SENT)) {
            if (buf != in) { // already our own copy: keep it
                buf.discardReadBytes();
                pending = buf;
                return;
            }
            pending = channel.alloc()
                    .heapBuffer(Math.max(32, buf.readableBytes()))
                    .writeBytes(buf);
        }
        buf.release();
    }

    /**
     * The opening handshake succeeded at {@code now}, {@code startNanos} being when {@code connect()} was called. The
     * attempt is resolved here; a subclass that has more to do before it counts as made resolves it later.
     */
    void opened(long now, long startNanos) {
        driver.resolved();
    }

    /** The open connection was lost ({@code reason}), already counted in {@code lost}. */
    void lostWhileOpen(String reason) {}

    @Override
    protected void onMessage(boolean text, boolean hasStamp, long stamp) {
        LoopStats stats = driver.stats;
        stats.messagesReceived++;
        if (hasStamp) {
            long rtt = System.nanoTime() - stamp;
            if (rtt >= 0) {
                stats.record(HistogramKind.ECHO_ROUND_TRIP, rtt);
            }
        }
    }

    @Override
    protected void onPing(ByteBuf payload) {
        long now = System.nanoTime();
        LoopStats stats = driver.stats;
        stats.serverPings++;
        if (lastServerPingNanos != 0) {
            stats.record(HistogramKind.SERVER_PING_INTERVAL, now - lastServerPingNanos);
        }
        lastServerPingNanos = now;
        if (state == OPEN || state == CLOSE_SENT) {
            ByteBuf pong = ClientFrames.pong(channel.alloc(), payload, mask());
            stats.bytesSent += pong.readableBytes();
            channel.write(pong, channel.voidPromise());
            flushNeeded = true;
        }
    }

    @Override
    protected void onPong(ByteBuf payload) {
        LoopStats stats = driver.stats;
        stats.pongs++;
        if (payload.readableBytes() == 8) {
            long rtt = System.nanoTime() - payload.getLong(payload.readerIndex());
            if (rtt >= 0) {
                stats.record(HistogramKind.CLIENT_PING_ROUND_TRIP, rtt);
            }
        }
    }

    @Override
    protected void onClose(int code) {
        if (state == OPEN) { // the server closes first: a lost connection; answer as §5.5.1 asks
            driver.stats.lose(FailureReason.closeCode(code), driver.secondsSinceGo(System.nanoTime()));
            lostWhileOpen(FailureReason.closeCode(code));
            int answer = code == NO_STATUS || code < 1000 || code >= 5000 ? 1000 : code;
            channel.write(ClientFrames.close(channel.alloc(), answer, mask()), channel.voidPromise());
            flushNeeded = true;
            state = CLOSE_RECEIVED;
            markNanos = System.nanoTime();
        } else if (state == CLOSE_SENT) {
            state = CLOSE_ACKED;
        }
    }

    /**
     * Called by the loop's sweep: sends what is due, enforces deadlines. {@code now} is the sweep's
     * {@code System.nanoTime()}.
     */
    void tick(long now) {
        switch (state) {
            case CONNECTING:
            case HANDSHAKING:
                if (now - attempt.startNanos >= driver.connectTimeoutNanos) {
                    terminate(FailureReason.TIMEOUT.id());
                }
                break;
            case OPEN:
                long every = driver.sendEveryNanos;
                if (every > 0 && now - markNanos >= 0) {
                    send(now);
                    markNanos += every;
                    if (now - markNanos >= 0) { // fell behind (a stall): skip rather than burst
                        markNanos = now + every;
                    }
                }
                break;
            case CLOSE_SENT:
            case CLOSE_ACKED:
            case CLOSE_RECEIVED:
                if (now - markNanos >= driver.closeTimeoutNanos) {
                    terminate(FailureReason.TIMEOUT.id());
                }
                break;
            default:
                break;
        }
    }

    private void send(long now) {
        LoopStats stats = driver.stats;
        if (!channel.isWritable()) {
            stats.sendsSkipped++;
            return;
        }
        ByteBuf frame;
        if (driver.echo) {
            frame = ClientFrames.stampedMessage(channel.alloc(), driver.textPayload, driver.messageSize, now, mask());
            stats.messagesSent++;
        } else {
            frame = ClientFrames.stampedPing(channel.alloc(), now, mask());
            stats.clientPings++;
        }
        stats.bytesSent += frame.readableBytes();
        channel.writeAndFlush(frame, channel.voidPromise());
    }

    /** Starts our side of the closing handshake (code 1000), or aborts an attempt still opening. */
    void beginClose(long now) {
        if (state == OPEN) {
            state = CLOSE_SENT;
            markNanos = now;
            ByteBuf close = ClientFrames.close(channel.alloc(), 1000, mask());
            driver.stats.bytesSent += close.readableBytes();
            channel.writeAndFlush(close, channel.voidPromise());
        } else if (state == CONNECTING || state == HANDSHAKING) {
            terminate(FailureReason.ABORTED.id());
        }
    }

    /** Ends the connection now, in the close phase: an open one counts as an unclean close. */
    void drop() {
        if (state == OPEN) {
            state = CLOSE_SENT;
        }
        terminate(FailureReason.ABORTED.id());
    }

    /**
     * Ends the connection for {@code reason} and counts it once, by state: a failed attempt, a lost connection, or
     * the end of a close we started (clean once both close frames were exchanged, unclean otherwise).
     */
    void terminate(String reason) {
        LoopStats stats = driver.stats;
        switch (state) {
            case CONNECTING:
            case HANDSHAKING:
                stats.fail(reason);
                driver.resolved();
                break;
            case OPEN:
                stats.lose(reason, driver.secondsSinceGo(System.nanoTime()));
                lostWhileOpen(reason);
                break;
            case CLOSE_SENT:
                stats.closedUnclean++;
                break;
            case CLOSE_ACKED:
                stats.closedClean++;
                break;
            default:
                break;
        }
        state = DONE;
        channel.close();
    }

    static int mask() {
        return ThreadLocalRandom.current().nextInt();
    }

    // ---- Netty callbacks ---------------------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        driver.stats.bytesReceived += in.readableBytes();
        switch (state) {
            case HANDSHAKING:
                readHandshake(in);
                break;
            case OPEN:
            case CLOSE_SENT:
                readFrames(in);
                break;
            default:
                in.release(); // after a close frame nothing more is read (§5.5.1)
                break;
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (flushNeeded) {
            flushNeeded = false;
            channel.flush();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (established) {
            driver.stats.open--;
        }
        if (state == CLOSE_RECEIVED) {
            state = DONE; // the server finished the close it started; already counted as lost
        } else if (state != DONE) {
            terminate(FailureReason.CLOSED.id());
        }
    }

    @Override
    @SuppressWarnings("deprecation") // ChannelInboundHandler's exceptionCaught is current; ChannelHandler's is not
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (state == DONE || state == CLOSE_RECEIVED) {
            channel.close();
            return;
        }
        String reason = Failures.classify(cause);
        if (reason == null) {
            reason = FailureReason.OTHER.id();
        }
        driver.logUnexpected(reason, cause);
        terminate(reason);
    }

    @Override
    public void channelUnregistered(ChannelHandlerContext ctx) {
        driver.unregistered(this);
        if (pending != null) {
            pending.release();
            pending = null;
        }
        if (attempt != null && attempt.response != null) {
            attempt.response.release();
            attempt.response = null;
        }
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) {}

    @Override
    public void channelActive(ChannelHandlerContext ctx) {}

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {}

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {}

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {}

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {}
}
