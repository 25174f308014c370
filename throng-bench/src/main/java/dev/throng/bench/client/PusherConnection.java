package dev.throng.bench.client;

import dev.throng.bench.protocol.HistogramKind;
import dev.throng.bench.pusher.ChannelPlan;
import dev.throng.bench.pusher.EpochClock;
import dev.throng.bench.pusher.MessageScanner;
import io.netty.buffer.ByteBuf;

/**
 * A subscriber of the subscribe scenario: once the WebSocket is open it waits for
 * {@code pusher:connection_established}, subscribes to its K public channels ({@link ChannelPlan}), and counts the
 * attempt as made when every {@code pusher_internal:subscription_succeeded} has arrived (the {@code subscribe}
 * histogram times connect to that). Then it reads each benchmark event's step, sequence number and publish time
 * ({@link MessageScanner}), records the publish-to-receive latency, and checks the sequence of each of its channels.
 * It answers {@code pusher:ping} with {@code pusher:pong}, and sends {@code pusher:ping} itself after
 * {@code activity_timeout} without receiving anything, as pusher-js does (Soketi closes a socket it has not written
 * to for 120 s).
 *
 * <p><b>Size: 96 bytes</b> ({@link BenchConnection}'s 72 plus a long, three ints' worth, a reference, a short and
 * two bytes; compressed oops), guarded by {@code BenchConnectionLayoutTest}; plus an {@code int[K-1]} when K > 1.
 * Event-loop thread only.
 */
final class PusherConnection extends BenchConnection {

    /** Waiting for {@code pusher:connection_established}. */
    private static final byte AWAITING = 0;

    private static final byte SUBSCRIBING = 1;
    private static final byte SUBSCRIBED = 2;
    /** Did not subscribe (counted in {@code subscribeFailures}); stays open, receives nothing. */
    private static final byte FAILED = 3;

    private final int firstChannel;
    /** {@code connect()} time, until subscribed. */
    private long startNanos;
    /** The last sequence number of the first channel (K = 1 needs nothing more). */
    private int lastSeq;
    /** The last sequence numbers of channels 2..K, or null when K = 1. */
    private final int[] moreSeqs;

    private short acknowledged;
    private byte phase = AWAITING;
    /** Something arrived since the last sweep (markNanos then moves to now + activity timeout). */
    private boolean heard;

    PusherConnection(LoopDriver driver, Attempt attempt, int firstChannel) {
        super(driver, attempt);
        this.firstChannel = firstChannel;
        int k = driver.pusher.plan.perClient();
        this.moreSeqs = k > 1 ? new int[k - 1] : null;
    }

    @Override
    protected boolean wholeTextMessages() {
        return true;
    }

    @Override
    void opened(long now, long startNanos) {
        this.startNanos = startNanos; // resolved when subscribed, failed, or lost
    }

    @Override
    void lostWhileOpen(String reason) {
        if (phase < SUBSCRIBED) {
            fail("lost");
        }
    }

    @Override
    protected void onText(ByteBuf buf, int from, int to) {
        LoopStats stats = driver.stats;
        stats.messagesReceived++;
        heard = true;
        PusherLoop p = driver.pusher;
        MessageScanner scan = p.scanner;
        FanoutStats f = stats.fanout;
        int length = to - from;
        byte[] b = p.scratch; // the parser delivers at most MAX_WHOLE_TEXT bytes whole
        buf.getBytes(from, b, 0, length);
        switch (scan.kind(b, 0, length)) {
            case MessageScanner.BENCH_EVENT:
                deliver(b, length, p, f);
                break;
            case MessageScanner.SUBSCRIPTION_SUCCEEDED:
                acknowledge(scan.channel(b, 0, length), p, f);
                break;
            case MessageScanner.PING:
                f.pusherPings++;
                send(PusherLoop.PONG);
                break;
            case MessageScanner.CONNECTION_ESTABLISHED:
                established(b, length, p);
                break;
            case MessageScanner.ERROR:
                f.pusherErrors++;
                if (phase < SUBSCRIBED) {
                    fail("pusher-error");
                }
                break;
            case MessageScanner.OTHER:
                f.otherEvents++;
                break;
            default:
                f.unreadable++;
                break;
        }
    }

    private void established(byte[] b, int length, PusherLoop p) {
        if (phase != AWAITING) {
            driver.stats.fanout.otherEvents++;
            return;
        }
        p.activityTimeout(p.scanner.activityTimeout(b, 0, length));
        phase = SUBSCRIBING;
        for (int i = 0; i < p.plan.perClient(); i++) {
            send(p.subscribe(p.plan.channel(firstChannel, i)));
        }
    }

    private void acknowledge(int channel, PusherLoop p, FanoutStats f) {
        if (channel < 0 || p.plan.slot(firstChannel, channel) < 0) {
            f.unknownChannel++;
            return;
        }
        f.subscriptions++;
        f.subscribersPerChannel[channel]++;
        if (phase == SUBSCRIBING && ++acknowledged == p.plan.perClient()) {
            long now = System.nanoTime();
            phase = SUBSCRIBED;
            f.subscribedConnections++;
            driver.stats.record(HistogramKind.SUBSCRIBE, now - startNanos);
            markNanos = now + p.activityNanos;
            driver.resolved();
        }
    }

    private void deliver(byte[] b, int length, PusherLoop p, FanoutStats f) {
        MessageScanner scan = p.scanner;
        int channel = scan.channel(b, 0, length);
        int slot = channel < 0 ? -1 : p.plan.slot(firstChannel, channel);
        if (slot < 0) {
            f.unknownChannel++;
            return;
        }
        if (!scan.readData(b, 0, length)) {
            f.unreadable++;
            return;
        }
        long micros = EpochClock.micros() - scan.time;
        f.deliver(scan.step, micros);
        driver.stats.record(HistogramKind.DELIVERY, micros * 1000);
        int seq = (int) scan.seq;
        int last = slot == 0 ? lastSeq : moreSeqs[slot - 1];
        if (seq <= last) {
            f.outOfOrder(scan.step);
            return;
        }
        if (seq > last + 1) {
            f.gaps += seq - last - 1;
        }
        if (slot == 0) {
            lastSeq = seq;
        } else {
            moreSeqs[slot - 1] = seq;
        }
    }

    @Override
    void tick(long now) {
        if (state != OPEN) {
            super.tick(now);
            return;
        }
        if (phase < SUBSCRIBED) {
            if (phase != FAILED && now - startNanos >= driver.pusher.subscribeTimeoutNanos) {
                fail("timeout");
            }
            return;
        }
        if (heard) { // the activity timer restarts on anything received, as pusher-js's does
            heard = false;
            markNanos = now + driver.pusher.activityNanos;
        } else if (now - markNanos >= 0) {
            markNanos = now + driver.pusher.activityNanos;
            send(PusherLoop.PING);
            channel.flush();
            flushNeeded = false;
        }
    }

    /** The subscription failed for {@code reason}: counted, and the attempt resolved. */
    private void fail(String reason) {
        if (phase == FAILED || phase == SUBSCRIBED) {
            return;
        }
        phase = FAILED;
        driver.stats.fanout.failSubscribe(reason);
        driver.resolved();
    }

    /** Writes a text message; the loop's read-complete flush (or the caller) sends it. */
    private void send(byte[] payload) {
        if (state != OPEN) {
            return;
        }
        ByteBuf frame = ClientFrames.text(channel.alloc(), payload, mask());
        driver.stats.bytesSent += frame.readableBytes();
        driver.stats.messagesSent++;
        channel.write(frame, channel.voidPromise());
        flushNeeded = true;
    }
}
