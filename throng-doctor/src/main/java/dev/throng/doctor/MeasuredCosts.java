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
     * Live JVM heap per idle connection: 2,000 bytes is stock Netty's figure (channel, pipeline, handlers), measured
     * in issue 4. To be replaced by Throng's own measured figure from docs/benchmarks.md once it is recorded there.
     */
    public static final long JVM_HEAP_BYTES_PER_CONNECTION = 2_000;

    /**
     * Estimate, not yet measured: resident memory of one idle JDK 17 process with Netty loaded, before its first
     * connection (metaspace, code cache, GC structures, thread stacks). Counted once per worker process.
     */
    public static final long JVM_BASELINE_BYTES_PER_PROCESS = 64L << 20;

    private MeasuredCosts() {
    }
}
