package dev.throng.doctor;

/**
 * The arithmetic from a {@link Target} to the limits it needs. Pure: no I/O, so every figure is unit tested. How
 * processes share connections and what each needs of the open-files limit is {@link WorkerSizing}'s, the rule
 * {@code throng serve} runs by; the per-connection costs come from {@link MeasuredCosts}; the policy constants below
 * each carry their reason.
 */
public final class Sizing {

    /** Open files the rest of the OS holds (sshd, journald, shells): 64 Ki, generous since file-max is free. */
    public static final long FD_HEADROOM_FOR_OS = 65_536;

    /**
     * Conntrack entries beyond the target, in percent of it: closed connections stay tracked through TIME_WAIT
     * (two minutes by default) while their clients reconnect, so churn needs room in proportion to the target.
     */
    public static final long CONNTRACK_HEADROOM_PERCENT = 25;

    /**
     * Pages of TCP buffer memory ({@code tcp_mem} counts pages) a socket holds while anything is queued on it: the
     * kernel charges socket memory in whole pages, so a broadcast of even one small message to every connection
     * takes at least one page per socket until it is acknowledged.
     */
    public static final long TCP_PAGES_PER_BUSY_SOCKET = 1;

    /**
     * Heap to provision per byte of live heap: a tracing collector needs free room to work, and at twice the live
     * set G1 and Parallel GC neither thrash nor pause long.
     */
    public static final long HEAP_PER_LIVE_BYTE = 2;

    /** Lowest local port a client should use: 1024 and up needs no privilege and is the widest usable range. */
    public static final int PORT_RANGE_LOW = 1_024;

    /** Highest local port: the top of the 16-bit port space. */
    public static final int PORT_RANGE_HIGH = 65_535;

    private Sizing() {}

    /** {@code ceil(a / b)} for positive {@code b}. */
    public static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    /** The smallest power of two at or above {@code n} (n at least 1): the round values limits are set to. */
    public static long roundUpToPowerOfTwo(long n) {
        if (n <= 1) {
            return 1;
        }
        return Long.highestOneBit(n - 1) << 1;
    }

    /**
     * Open files the busiest process needs: the connections it may be dealt ({@link Target#connectionsPerProcess})
     * and {@link WorkerSizing}'s reserve, so a limit of at least this lets {@code throng serve} cap that process at
     * what it may be dealt.
     */
    public static long fdsPerProcess(Target target) {
        return WorkerSizing.descriptorsFor(target.connectionsPerProcess());
    }

    /** Open files system-wide ({@code fs.file-max}): every socket on the box, each process's reserve, the OS. */
    public static long systemFds(Target target) {
        return target.socketsOnBox() + target.processes() * (long) WorkerSizing.RESERVED_FDS + FD_HEADROOM_FOR_OS;
    }

    /**
     * Conntrack entries: one per connection whatever the role (on loopback the kernel tracks a connection once,
     * not once per end), plus {@link #CONNTRACK_HEADROOM_PERCENT}.
     */
    public static long conntrackEntries(Target target) {
        return target.connections() + ceilDiv(target.connections() * CONNTRACK_HEADROOM_PERCENT, 100);
    }

    /** Pages of {@code tcp_mem} a message to every socket on the box takes at once. */
    public static long tcpPages(Target target) {
        return target.socketsOnBox() * TCP_PAGES_PER_BUSY_SOCKET;
    }

    /**
     * The recommended {@code tcp_mem} triple for {@code pagesNeeded}: pressure at the next power of two, low at
     * three quarters of it, the hard cap at one and a half times. For a million sockets that is the widely used
     * {@code 786432 1048576 1572864} (3, 4 and 6 GiB).
     */
    public static long[] tcpMem(long pagesNeeded) {
        long pressure = roundUpToPowerOfTwo(pagesNeeded);
        return new long[] {pressure / 4 * 3, pressure, pressure / 2 * 3};
    }

    /** Local ports one source address has against one destination address and port. */
    public static long portsInRange(long low, long high) {
        return Math.max(0, high - low + 1);
    }

    /**
     * Source addresses a client needs: the kernel picks a local port per (source address, destination address and
     * port), so each source address carries at most {@code ports} connections to one server port.
     */
    public static long sourceAddressesFor(long connections, long ports) {
        return ports <= 0 ? Long.MAX_VALUE : ceilDiv(connections, ports);
    }

    /** Memory one connection costs this box: kernel and provisioned heap for each of its sockets here. */
    public static long bytesPerConnection(Role role) {
        long perSocket = MeasuredCosts.KERNEL_BYTES_PER_IDLE_SOCKET
                + MeasuredCosts.JVM_HEAP_BYTES_PER_CONNECTION * HEAP_PER_LIVE_BYTE;
        return perSocket * role.socketsPerConnection();
    }

    /** Memory the target needs: {@link #bytesPerConnection} for each connection plus each process's baseline. */
    public static long memoryBytes(Target target) {
        return target.connections() * bytesPerConnection(target.role())
                + target.processes() * MeasuredCosts.JVM_BASELINE_BYTES_PER_PROCESS;
    }

    /** The most connections {@code availableBytes} can hold for this role and worker count (0 if none). */
    public static long connectionsThatFit(long availableBytes, Role role, int workers) {
        long forConnections = availableBytes
                - (long) workers * role.socketsPerConnection() * MeasuredCosts.JVM_BASELINE_BYTES_PER_PROCESS;
        return Math.max(0, forConnections / bytesPerConnection(role));
    }
}
