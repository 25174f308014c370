package dev.throng.bench.client;

import dev.throng.bench.plan.PayloadType;
import dev.throng.bench.plan.Scenario;
import dev.throng.bench.plan.TargetUrl;
import dev.throng.bench.protocol.SourceSlice;
import dev.throng.bench.protocol.WorkerSpec;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Everything one event loop does for a run: opens its share of connections at its share of the rate, sweeps its
 * connections (sends, deadlines), closes them at the close rate, and keeps their counters. All shared per-loop
 * state (targets, source ports, SHA-1, statistics) hangs off this object, so a connection holds one reference to it.
 *
 * <p><b>Threading.</b> {@link #start}, {@link #stopRamp}, {@link #startClose}, {@link #dropRemaining} and
 * {@link #snapshot} may be called from any thread and
 * hand their work to the loop; everything else runs on the loop. {@link #rampDone()} and {@link #closeDone()} are
 * safe to read from any thread.
 *
 * <p><b>One sweep per loop</b>, never a timer per connection: every {@link #sweepNanos} the sweep walks the loop's
 * connections once (a few million checks a second per core, far more than needed).
 */
public final class LoopDriver {

    /** How often the ramp and close tasks run: fine enough for smooth rates, coarse enough to cost nothing. */
    private static final long PACE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** The coarsest sweep: bounds how late a deadline (connect, close) is noticed. */
    private static final long MAX_SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * Most connects issued in one ramp tick. A loop that fell behind catches up in steps, handling the I/O of the
     * connects already made in between, instead of one burst that delays every completion (and inflates the
     * measured connect latency with the bench's own queueing).
     */
    private static final int MIN_BURST = 64;
    /** Unexpected errors logged per loop; the rest are only counted. */
    private static final int MAX_LOGGED = 5;

    private final EventLoop loop;
    private final Supplier<Channel> channelFactory;
    private final InetSocketAddress[] targets;
    private final HandshakeRequest[] requests;
    private final SourcePorts[] sources;
    private final int quota;
    private final long firstIndex;
    private final double connectsPerNano;
    private final long warmupNanos;
    private final double closesPerNano;
    final MessageDigest sha1 = HandshakeRequest.sha1();
    final LoopStats stats = new LoopStats();
    private final ConnectionSet connections = new ConnectionSet();

    final long connectTimeoutNanos;
    final long closeTimeoutNanos;
    /** Time between two sends (messages or client pings) of one connection; 0 when nothing is sent. */
    final long sendEveryNanos;

    final boolean echo;
    final boolean textPayload;
    final int messageSize;
    /** Subscribe scenario: what the loop's connections share; null otherwise. */
    final PusherLoop pusher;

    private final long sweepNanos;
    private final int maxBurst;

    private long goNanos;
    private int issued;
    private int resolved;
    private boolean closing;
    /** The ramp was stopped before its quota ({@link #stopRamp}): it ends when the attempts issued resolve. */
    private boolean rampStopped;

    private long closeStartNanos;
    private long closesBegun;
    private int closeCursor;
    private int logged;
    private ScheduledFuture<?> rampTask;
    private ScheduledFuture<?> sweepTask;
    private ScheduledFuture<?> closeTask;
    private volatile boolean rampDone;
    private volatile long rampNanos;
    private volatile boolean closeDone;
    private Runnable onPhaseChange = () -> {};

    /**
     * @param quota connections this loop opens
     * @param firstIndex run-wide index of this loop's first connection (selects its target)
     * @param sources this loop's disjoint (address, port range) slices
     * @param connectRate connections per second this loop opens
     * @param closeRate connections per second this loop closes
     */
    public LoopDriver(
            EventLoop loop,
            Supplier<Channel> channelFactory,
            WorkerSpec spec,
            int quota,
            long firstIndex,
            List<SourceSlice> sources,
            double connectRate,
            double closeRate) {
        this.loop = loop;
        this.channelFactory = channelFactory;
        List<TargetUrl> urls = spec.targets();
        this.targets = new InetSocketAddress[urls.size()];
        this.requests = new HandshakeRequest[urls.size()];
        for (int i = 0; i < urls.size(); i++) {
            targets[i] = new InetSocketAddress(urls.get(i).host(), urls.get(i).port());
            requests[i] = new HandshakeRequest(urls.get(i));
        }
        this.sources = sources.stream().map(SourcePorts::new).toArray(SourcePorts[]::new);
        this.quota = quota;
        this.firstIndex = firstIndex;
        this.connectsPerNano = connectRate / 1e9;
        this.warmupNanos = TimeUnit.MILLISECONDS.toNanos(spec.warmupMillis());
        this.closesPerNano = closeRate / 1e9;
        this.maxBurst = (int) Math.max(MIN_BURST, 5 * connectsPerNano * PACE_NANOS); // 25 ms worth
        this.connectTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(spec.connectTimeoutMillis());
        this.closeTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(spec.closeTimeoutMillis());
        this.echo = spec.scenario() == Scenario.ECHO;
        this.textPayload = spec.payload() == PayloadType.TEXT;
        this.messageSize = spec.messageSize();
        this.pusher =
                spec.scenario() == Scenario.SUBSCRIBE ? new PusherLoop(spec.subscribe(), connectTimeoutNanos) : null;
        if (pusher != null) {
            stats.fanout = new FanoutStats(
                    spec.subscribe().channels(), spec.subscribe().steps());
        }
        this.sendEveryNanos = TimeUnit.MILLISECONDS.toNanos(echo ? spec.intervalMillis() : spec.clientPingMillis());
        this.sweepNanos = sendEveryNanos > 0
                ? Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(MAX_SWEEP_NANOS, sendEveryNanos / 10))
                : MAX_SWEEP_NANOS;
        if (quota == 0) {
            rampDone = true;
        }
    }

    /** Called on the loop when {@link #rampDone()} or {@link #closeDone()} turns true, so they are reported at once. */
    public void onPhaseChange(Runnable listener) {
        this.onPhaseChange = listener;
    }

    /** Starts the ramp; {@code goNanos} is the worker's start of the run (System.nanoTime). */
    public void start(long goNanos) {
        loop.execute(() -> {
            this.goNanos = goNanos;
            sweepTask = loop.scheduleAtFixedRate(this::sweep, sweepNanos, sweepNanos, TimeUnit.NANOSECONDS);
            if (quota > 0) {
                rampTask = loop.scheduleAtFixedRate(this::rampTick, 0, PACE_NANOS, TimeUnit.NANOSECONDS);
            }
        });
    }

    private void rampTick() {
        if (closing) {
            return;
        }
        long due = Math.min(quota, attemptsDue(System.nanoTime() - goNanos, connectsPerNano, warmupNanos) + 1);
        due = Math.min(due, issued + maxBurst);
        while (issued < due) {
            int local = issued++;
            stats.attempted++;
            long index = firstIndex + local;
            connect(new BenchConnection.Attempt(index, (int) (index % targets.length), local % sources.length));
        }
        if (issued == quota) {
            rampTask.cancel(false);
        }
    }

    /**
     * Attempts due {@code elapsed} nanoseconds into the ramp at {@code perNano} attempts per nanosecond, the rate
     * climbing linearly from 0 over the first {@code warmup} nanoseconds: the area under that rate.
     */
    static long attemptsDue(long elapsed, double perNano, long warmup) {
        if (elapsed <= 0) {
            return 0;
        }
        if (elapsed < warmup) {
            return (long) (perNano * elapsed / 2.0 * elapsed / warmup);
        }
        return (long) (perNano * (elapsed - warmup / 2.0));
    }

    /** Tries {@code attempt} from the next free port of its source (or of the next source that has one). */
    void connect(BenchConnection.Attempt attempt) {
        int port = -1;
        int source = attempt.source;
        for (int k = 0; k < sources.length && port < 0; k++) {
            source = (attempt.source + k) % sources.length;
            port = sources[source].take();
        }
        if (port < 0) {
            stats.fail(FailureReason.NO_PORT.id());
            resolved();
            return;
        }
        attempt.source = source;
        attempt.startNanos = System.nanoTime();
        Channel channel;
        try {
            channel = channelFactory.get(); // socket(): fails with EMFILE at the open-files limit
        } catch (RuntimeException e) {
            logUnexpected(FailureReason.OTHER.id(), e);
            stats.fail(FailureReason.OTHER.id());
            resolved();
            return;
        }
        BenchConnection c = pusher == null
                ? new BenchConnection(this, attempt)
                : new PusherConnection(this, attempt, pusher.plan.firstChannel(attempt.index));
        c.channel = channel;
        // Reuse lets us bind a pair whose previous connection lingers in TIME_WAIT; our own timeouts replace
        // Netty's per-connection connect timer.
        channel.config().setOption(ChannelOption.SO_REUSEADDR, true);
        channel.config().setOption(ChannelOption.TCP_NODELAY, true);
        channel.config().setOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, 0);
        channel.pipeline().addLast(c);
        connections.add(c);
        ChannelFuture registered = loop.register(channel);
        InetSocketAddress local = new InetSocketAddress(sources[source].address, port);
        InetSocketAddress remote = targets[attempt.target];
        if (registered.isDone()) { // always, on the loop's own thread
            connectRegistered(c, registered, remote, local);
        } else {
            registered.addListener(f -> connectRegistered(c, registered, remote, local));
        }
    }

    private void connectRegistered(
            BenchConnection c, ChannelFuture registered, InetSocketAddress remote, InetSocketAddress local) {
        if (!registered.isSuccess()) {
            connections.remove(c);
            logUnexpected(FailureReason.OTHER.id(), registered.cause());
            c.terminate(FailureReason.OTHER.id());
            return;
        }
        c.channel.connect(remote, local).addListener(c);
    }

    /**
     * Stops issuing attempts (the coordinator's ramp deadline passed): the ramp ends once the attempts already
     * issued resolve, and those never issued count as neither made nor failed.
     */
    public void stopRamp() {
        loop.execute(() -> {
            if (rampDone || closing) {
                return;
            }
            rampStopped = true;
            if (rampTask != null) {
                rampTask.cancel(false);
            }
            if (resolved == issued) {
                endRamp();
            }
        });
    }

    /** An attempt resolved (established or failed). */
    void resolved() {
        if (++resolved == (rampStopped ? issued : quota)) {
            endRamp();
        }
    }

    private void endRamp() {
        rampNanos = System.nanoTime() - goNanos;
        rampDone = true;
        onPhaseChange.run();
    }

    void unregistered(BenchConnection c) {
        connections.remove(c);
        if (closing && connections.size() == 0) {
            finishClose();
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        forEachConnection(c -> c.tick(now));
    }

    /**
     * Calls {@code action} on every connection, from the last; the action may end connections, and their
     * swap-removes only move connections already visited.
     */
    private void forEachConnection(Consumer<BenchConnection> action) {
        for (int i = connections.size() - 1; i >= 0; i--) {
            if (i < connections.size()) {
                action.accept(connections.get(i));
            }
        }
    }

    /** Starts closing every connection, {@code closeRate} per second; stops the ramp if it still runs. */
    public void startClose() {
        loop.execute(() -> {
            if (closing) {
                return;
            }
            closing = true;
            closeStartNanos = System.nanoTime();
            if (rampTask != null) {
                rampTask.cancel(false);
            }
            if (connections.size() == 0) {
                finishClose();
                return;
            }
            closeTask = loop.scheduleAtFixedRate(this::closeTick, 0, PACE_NANOS, TimeUnit.NANOSECONDS);
        });
    }

    /**
     * Ends every connection still open or closing at once, without waiting for the closing handshake (the
     * coordinator's close deadline passed): each counts as an unclean close, an attempt still opening as aborted.
     */
    public void dropRemaining() {
        loop.execute(() -> {
            if (!closing || closeDone) {
                return;
            }
            if (closeTask != null) {
                closeTask.cancel(false);
            }
            forEachConnection(BenchConnection::drop);
        });
    }

    private void closeTick() {
        long now = System.nanoTime();
        long due = (long) ((now - closeStartNanos) * closesPerNano) + 1;
        int size = connections.size();
        for (int scanned = 0; scanned < size && closesBegun < due; scanned++) {
            if (closeCursor >= connections.size()) {
                closeCursor = 0; // swap-removes may have moved unvisited connections behind the cursor
            }
            if (connections.size() == 0) {
                break;
            }
            BenchConnection c = connections.get(closeCursor++);
            if (c.state == BenchConnection.OPEN) {
                closesBegun++;
            }
            c.beginClose(now);
        }
    }

    private void finishClose() {
        if (closeDone) {
            return;
        }
        if (closeTask != null) {
            closeTask.cancel(false);
        }
        if (sweepTask != null) {
            sweepTask.cancel(false);
        }
        if (!rampDone) { // stopped early: attempts never made count as neither made nor failed
            rampNanos = System.nanoTime() - goNanos;
            rampDone = true;
        }
        closeDone = true;
        onPhaseChange.run();
    }

    /** A copy of this loop's statistics, taken on the loop; the interval histograms start over when asked. */
    public Future<LoopStats> snapshot(boolean resetInterval) {
        return loop.submit(() -> stats.copy(resetInterval));
    }

    HandshakeRequest request(int target) {
        return requests[target];
    }

    /** A random delay before a new connection's first send, spreading sends evenly over the interval. */
    long firstSendDelay() {
        return sendEveryNanos > 0 ? ThreadLocalRandom.current().nextLong(sendEveryNanos) : 0;
    }

    int secondsSinceGo(long now) {
        return (int) TimeUnit.NANOSECONDS.toSeconds(now - goNanos);
    }

    void logUnexpected(String reason, Throwable cause) {
        if (FailureReason.OTHER.id().equals(reason) && logged < MAX_LOGGED) {
            logged++;
            System.err.println("unexpected connection error (" + logged + " of at most " + MAX_LOGGED
                    + " shown per loop): " + cause);
        }
    }

    public boolean rampDone() {
        return rampDone;
    }

    /** Time from start until the last attempt resolved; valid once {@link #rampDone()}. */
    public long rampNanos() {
        return rampNanos;
    }

    public boolean closeDone() {
        return closeDone;
    }
}
