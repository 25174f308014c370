package dev.throng.doctor;

/**
 * The measured (or, where marked, estimated) cost of one connection, which the memory check multiplies by the
 * target. They live here and nowhere else so a new measurement is a one-line change; each figure cites where it
 * comes from. {@code docs/benchmarks.md} is the record of every measurement.
 */
public final class MeasuredCosts {

    /**
     * Kernel memory per idle, established TCP socket: ~3.9 kB (socket and tcp_sock slabs, file, dentry/inode and
     * epoll item; no queued data). Measured on the 2-core bench box; see "kernel memory per idle socket" in
     * docs/benchmarks.md.
     */
    public static final long KERNEL_BYTES_PER_IDLE_SOCKET = 3_900;

    /**
     * JVM heap to count per connection before {@code Sizing.HEAP_PER_LIVE_BYTE}: 1,600 B, so that with it the
     * doctor plans 3.2 KiB per connection, the server RSS per held connection measured by {@code throng bench} at
     * 18,000 connections per process (docs/benchmarks.md section 2, JDK 17). The live heap alone is ~260 B
     * (section 1); the rest is heap the collector commits while handshakes churn garbage, which a RAM plan must
     * count.
     */
    public static final long JVM_HEAP_BYTES_PER_CONNECTION = 1_600;

    /**
     * Resident memory of one idle {@code throng serve} process before its first connection: 64 MiB, measured at
     * 58-78 MiB on JDK 17 depending on GC flags (docs/benchmarks.md section 2). Counted once per worker process.
     */
    public static final long JVM_BASELINE_BYTES_PER_PROCESS = 64L << 20;

    private MeasuredCosts() {
    }
}
