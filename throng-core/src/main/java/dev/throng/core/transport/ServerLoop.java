package dev.throng.core.transport;

import dev.throng.core.IoLoop;
import dev.throng.core.codec.FrameParser;
import dev.throng.core.codec.MessageDeflate;
import dev.throng.core.internal.KeepaliveWheel;
import io.netty.buffer.ByteBuf;
import io.netty.channel.unix.IovArray;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One server's state on one event loop (uWebSockets' "loop data"): everything a connection needs that is shared by
 * the connections of its loop, in one object each connection references once. The loop's keepalive wheel (its
 * connection registry), its handshakes in progress, the parser idle connections borrow for a read, the zlib pair,
 * a scratch vector for gathering writes, the connections waiting for memory, and the heartbeat the watchdog reads.
 *
 * <p>It is also what the application sees of the loop ({@link IoLoop}), with an attachment slot for its own per-loop
 * state (the gateway keeps its shard of the channel index there).
 *
 * <p>Confined to its event loop, except {@link #lastBeatNanos()}, which the watchdog reads from its own thread.
 */
final class ServerLoop implements IoLoop {
    /** How often the loop proves it is alive ({@link LoopWatchdog}) and measures how late it runs. */
    static final long HEARTBEAT_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /**
     * Lateness at which the loop counts as behind: its scheduled work ran this much later than due. Keepalive then
     * neither pings nor judges anyone dead (issue #15: overload degrades, it does not disconnect). Half a second is
     * far above a healthy loop's lateness (a keepalive tick of 30,000 connections takes ~30 ms) and far below the
     * 30 s ping interval.
     */
    static final long BEHIND_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /**
     * How often a loop with connections waiting for memory looks whether the budget has room for them, when no
     * release on this loop woke it sooner.
     */
    private static final long MEMORY_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /**
     * How long a connection may wait for memory before it is closed with 1013 (try again later): enough for many
     * large messages ahead of it to complete, and a bound on how long a crunch that does not ease can stall it.
     */
    static final long MEMORY_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /**
     * How long one turn of the loop (the sockets epoll reported ready at once) may spend reading before the sockets
     * not yet served wait for the next turn: a message can cost milliseconds (a megabyte to inflate, decode, encode and
     * deflate), and thirty such sockets ready together would otherwise hold every other connection of the loop for
     * the whole turn (issue #15: "others on the same loop are served within a few ms").
     */
    static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** Buffers one gathering write takes: a frame is a header and a payload of a few components at most. */
    private static final int IOV_ENTRIES = 64;

    final ServerContext server;
    final EventExecutor executor;
    private final int index;
    /** The application's object for this loop ({@link IoLoop#attach}). */
    private Object attachment;

    final KeepaliveWheel wheel;
    /** The handshakes in progress: sockets whose request has not arrived yet (both transports). */
    final HandshakeTimeouts handshakes;
    /** The zlib pair every connection of this loop shares (no context takeover: MessageDeflate). */
    final MessageDeflate deflate = new MessageDeflate();
    /**
     * The parser for connections between messages: a connection borrows it for one read and keeps it only when the
     * read ends inside a message or frame, so an idle connection holds no parser. Null while lent out.
     */
    private FrameParser idleParser;
    /** Scratch iovec array for writing a frame's header and payload in one system call (lean sessions). */
    private IovArray iov;
    /** Connections that wait for memory to read on, oldest first. */
    private final ArrayDeque<WebSocketSession> waitingForMemory = new ArrayDeque<>();

    private boolean memoryPollScheduled;

    /** When the current turn's slice began ({@link #sliceSpent}), and whether the end-of-turn marker is queued. */
    private long turnStartNanos;

    private boolean turnMarked;
    private final Runnable endOfTurn = () -> turnMarked = false;

    /** Written by the heartbeat on the loop, read by the watchdog thread. */
    private volatile long lastBeatNanos = System.nanoTime();
    /** How late the last heartbeat ran against when it was due. */
    private long lateNanos;
    /** The loop's thread, learnt by its first task (the watchdog logs its stack when it stalls). */
    private volatile Thread thread;
    /** The kernel's scheduling figures of the loop's thread, learnt by its first task; null where unreadable. */
    private volatile SchedStat schedStat;

    ServerLoop(ServerContext server, EventExecutor executor, int index, KeepaliveWheel wheel) {
        this.server = server;
        this.executor = executor;
        this.index = index;
        this.wheel = wheel;
        this.handshakes = new HandshakeTimeouts(executor, server.handshakeTimeoutNanos);
    }

    // ---- IoLoop -----------------------------------------------------------------------------------------------

    @Override
    public int index() {
        return index;
    }

    @Override
    public boolean inLoop() {
        return executor.inEventLoop();
    }

    @Override
    public void execute(Runnable task) {
        executor.execute(task);
    }

    @Override
    public void schedule(Runnable task, long delayNanos) {
        executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T attachment() {
        return (T) attachment;
    }

    @Override
    public void attach(Object attachment) {
        this.attachment = attachment;
    }

    /** Starts the heartbeat; called once, before the server accepts. */
    void start() {
        executor.execute(() -> {
            thread = Thread.currentThread();
            schedStat = SchedStat.ofCurrentThread();
        });
        executor.scheduleWithFixedDelay(this::beat, HEARTBEAT_NANOS, HEARTBEAT_NANOS, TimeUnit.NANOSECONDS);
    }

    /** The loop's thread name for messages, or the executor's description before the loop has run. */
    String name() {
        Thread t = thread;
        return t != null ? t.getName() : executor.toString();
    }

    private void beat() {
        long now = System.nanoTime();
        // Fixed delay: this run was due one period after the previous one ended.
        lateNanos = Math.max(0, now - lastBeatNanos - HEARTBEAT_NANOS);
        lastBeatNanos = System.nanoTime();
    }

    /** The loop's thread, once it has run its first task; else null. */
    Thread thread() {
        return thread;
    }

    /**
     * How long the loop's thread has waited, in all, for a CPU while it was ready to run (the kernel's run-queue
     * wait); -1 where the kernel does not say (not Linux, or before the loop has run). Any thread.
     */
    long runQueueWaitNanos() {
        SchedStat stat = schedStat;
        return stat == null ? -1 : stat.runQueueWaitNanos();
    }

    /** When this loop last ran its heartbeat (any thread). */
    long lastBeatNanos() {
        return lastBeatNanos;
    }

    /**
     * Whether this loop runs behind: its last heartbeat ran late, or the next one is overdue now (the loop is busy
     * with a long stretch of work, such as a keepalive visit of many connections behind a burst of reads).
     */
    boolean isBehind(long nowNanos) {
        return lateNanos > BEHIND_NANOS || nowNanos - lastBeatNanos > HEARTBEAT_NANOS + BEHIND_NANOS;
    }

    /**
     * Whether the loop has spent {@link #SLICE_NANOS} of its current turn on reads: then a socket with input leaves it
     * for the next turn. A turn's slice starts at its first read; a task queued then runs after the turn's I/O (Netty
     * runs tasks between two polls) and ends the turn, so the next read starts a new slice. One task per busy turn,
     * none at idle beyond a turn's first read.
     */
    boolean sliceSpent(long nowNanos) {
        if (!turnMarked) {
            turnMarked = true;
            turnStartNanos = nowNanos;
            executor.execute(endOfTurn);
            return false;
        }
        return nowNanos - turnStartNanos > SLICE_NANOS;
    }

    // ---- the parser idle connections share --------------------------------------------------------------------

    /** The idle parser (the caller's until {@link #returnParser}), or a new one when it is lent out. */
    FrameParser borrowParser() {
        FrameParser parser = idleParser;
        if (parser == null) {
            return new FrameParser(server.frameLimits); // a read nested in another read
        }
        idleParser = null;
        return parser;
    }

    /** Gives an {@linkplain FrameParser#isIdle() idle} parser back. */
    void returnParser(FrameParser parser) {
        if (idleParser == null) {
            idleParser = parser;
        }
    }

    // ---- gathering writes -------------------------------------------------------------------------------------

    /** Scratch for a batched offer: the frames and their addresses (see {@link #sharedFrames}). */
    private ByteBuf[] sharedFrames = new ByteBuf[0];

    private long[] sharedAddresses = new long[0];

    /** Scratch for a batched offer's frames, at least {@code count} long; the caller clears what it set. */
    ByteBuf[] sharedFrames(int count) {
        if (sharedFrames.length < count) {
            sharedFrames = new ByteBuf[Math.max(count, 2 * sharedFrames.length)];
        }
        return sharedFrames;
    }

    /** Scratch for a batched offer's frame addresses, at least {@code count} long. */
    long[] sharedAddresses(int count) {
        if (sharedAddresses.length < count) {
            sharedAddresses = new long[Math.max(count, 2 * sharedAddresses.length)];
        }
        return sharedAddresses;
    }

    /** The loop's iovec array, cleared; made on first use (a loop that never writes a large frame has none). */
    IovArray iov() {
        if (iov == null) {
            iov = new IovArray(IOV_ENTRIES);
        }
        iov.clear();
        return iov;
    }

    // ---- connections waiting for memory -----------------------------------------------------------------------

    /** {@code session} stopped reading until the budget has room for what it wants to read. */
    void waitForMemory(WebSocketSession session) {
        waitingForMemory.add(session);
        scheduleMemoryPoll();
    }

    /** Memory was released on this loop: let waiting connections look at once instead of at the next poll. */
    void memoryReleased() {
        if (!waitingForMemory.isEmpty() && server.budget.available() > 0) {
            executor.execute(this::resumeWaiting);
        }
    }

    private void scheduleMemoryPoll() {
        if (!memoryPollScheduled) {
            memoryPollScheduled = true;
            executor.schedule(this::pollMemory, MEMORY_POLL_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    private void pollMemory() {
        memoryPollScheduled = false;
        resumeWaiting();
        if (!waitingForMemory.isEmpty()) {
            scheduleMemoryPoll();
        }
    }

    /**
     * Resumes waiting connections, oldest first, while the budget has room for what each wants; the first that
     * does not fit stops the round (so a large message is not overtaken forever by small ones). A connection that
     * waited longer than {@link #MEMORY_WAIT_NANOS} is closed with 1013.
     */
    private void resumeWaiting() {
        long now = System.nanoTime();
        for (WebSocketSession session; (session = waitingForMemory.peek()) != null; ) {
            switch (session.memoryWait(now)) {
                case GONE:
                    waitingForMemory.poll();
                    break;
                case RESUMED:
                    waitingForMemory.poll();
                    session.resumeReading();
                    break;
                default: // WAITING: still no room for the oldest
                    return;
            }
        }
    }

    /** Releases what the loop holds natively; on the loop, when it shuts down. */
    void close() {
        if (iov != null) {
            iov.release();
            iov = null;
        }
        deflate.close();
    }
}
