package dev.throng.doctor;

/**
 * The measured (or, where marked, estimated) cost of one connection: the doctor's memory check multiplies them by
 * the target, and {@code throng serve} sizes its workers' heaps from them (WorkerPlan in throng-cli). They live here
 * and nowhere else, so a new measurement is a one-line change and code and comments refer to them by name; each
 * figure cites where it comes from. {@code docs/benchmarks.md} is the record of every measurement.
 */
public final class MeasuredCosts {

    /**
     * Live heap per idle connection on the epoll transport, JDK 17: 186 B (154 B on JDK 25 with compact object
     * headers), the growth of {@code GC.class_histogram} after a full GC divided by 15,000 held connections
     * (docs/benchmarks.md sections 1 and 17; {@code ConnectionFootprintIT} guards it in throng-core).
     */
    public static final long LIVE_HEAP_BYTES_PER_IDLE_CONNECTION = 186;

    /**
     * Kernel memory per idle, established TCP socket: ~3.9 kB (socket and tcp_sock slabs, file, dentry/inode and
     * epoll item; no queued data). Measured on the 2-core bench box; see "kernel memory per idle socket" in
     * docs/benchmarks.md.
     */
    public static final long KERNEL_BYTES_PER_IDLE_SOCKET = 3_900;

    /**
     * JVM heap to count per connection before {@code Sizing.HEAP_PER_LIVE_BYTE}: 1,600 B, so that with it the
     * doctor plans 3.2 KiB per connection, the server RSS per held connection measured by {@code throng bench} at
     * 18,000 connections per process (docs/benchmarks.md section 2, JDK 17). The live heap alone is
     * {@link #LIVE_HEAP_BYTES_PER_IDLE_CONNECTION}; the rest is heap the collector commits while handshakes churn
     * garbage, which a RAM plan must count.
     */
    public static final long JVM_HEAP_BYTES_PER_CONNECTION = 1_600;

    /**
     * Resident memory of one idle {@code throng serve} process before its first connection: 64 MiB, measured at
     * 58-78 MiB on JDK 17 depending on GC flags (docs/benchmarks.md section 2). Counted once per worker process.
     */
    public static final long JVM_BASELINE_BYTES_PER_PROCESS = 64L << 20;

    private MeasuredCosts() {}
}
