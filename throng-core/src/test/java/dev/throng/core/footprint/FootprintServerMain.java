package dev.throng.core.footprint;

import dev.throng.core.EchoHandler;
import dev.throng.core.ServerConfig;
import dev.throng.core.ThrongServer;
import dev.throng.core.TransportKind;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A bare echo server for {@link ConnectionFootprintIT} and {@link IdleAllocationIT}, run in its own JVM so its heap
 * holds only the server.
 *
 * <p>Arguments: the transport, then optionally the ping interval in milliseconds (default: the server's). Prints
 * {@code PORT n}; then each {@code ALLOC} line on standard input is answered with {@code ALLOC bytes pings}: the
 * bytes the I/O threads have allocated so far and the keepalive pings sent; each {@code DIRECT} line with {@code
 * DIRECT allocations cpuNanos}: the direct buffers of a page or more the pooled allocator has made so far (run with
 * {@code -Dio.netty.allocator.type=pooled}; -1 otherwise) and the CPU time of the I/O threads. The server stops when
 * the input ends.
 */
public final class FootprintServerMain {
    private FootprintServerMain() {}

    public static void main(String[] args) throws IOException {
        ServerConfig.Builder config = ServerConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .transport(TransportKind.valueOf(args[0]))
                .ioThreads(2);
        if (args.length > 1) {
            config.pingInterval(Duration.ofMillis(Long.parseLong(args[1])));
        }
        ThrongServer server = ThrongServer.start(config.build(), new EchoHandler());
        System.out.println("PORT " + server.port());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("ALLOC")) {
                System.out.println("ALLOC " + ioThreadAllocatedBytes() + " "
                        + server.stats().pingsSent());
                System.out.flush();
            } else if (line.equals("DIRECT")) {
                System.out.println("DIRECT " + largeDirectAllocations() + " " + ioThreadCpuNanos());
                System.out.flush();
            }
        }
        server.close();
    }

    /**
     * Direct allocations of the pooled allocator's arenas that its thread caches cannot serve (normal and huge: above
     * the 32 KiB the caches keep), from all threads: every payload-sized buffer the server makes for a large message.
     */
    private static long largeDirectAllocations() {
        if (!(ByteBufAllocator.DEFAULT instanceof PooledByteBufAllocator pooled)) {
            return -1;
        }
        long total = 0;
        for (PoolArenaMetric arena : pooled.metric().directArenas()) {
            total += arena.numNormalAllocations() + arena.numHugeAllocations();
        }
        return total;
    }

    private static long ioThreadCpuNanos() {
        long total = 0;
        for (long id : ioThreadIds()) {
            total += Math.max(0, ManagementFactory.getThreadMXBean().getThreadCpuTime(id));
        }
        return total;
    }

    private static long[] ioThreadIds() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("throng-io"))
                .mapToLong(Thread::getId)
                .toArray();
    }

    private static long ioThreadAllocatedBytes() {
        long[] ids = ioThreadIds();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = 0;
        for (long bytes : threads.getThreadAllocatedBytes(ids)) {
            total += Math.max(0, bytes);
        }
        return total;
    }
}
