package dev.throng.cli;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.throng.core.ServerConfig;
import dev.throng.doctor.MeasuredCosts;
import dev.throng.doctor.OpenFilesLimit;
import dev.throng.doctor.WorkerSizing;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * How many server processes {@code throng serve} runs ({@link WorkerSizing}'s rule, which {@code throng doctor}
 * recommends too), and the JVM flags each gets.
 */
final class WorkerPlan {
    /**
     * Up to this many connections per process the JVM runs the Serial collector with a small fixed heap: there the
     * JVM's own baseline dominates RSS (the open-files limit of 20,000 caps a process at ~19,700 connections), and
     * Serial has the smallest one (no concurrent threads, no remembered sets): 71 MiB at 18k connections against
     * G1's 136 MiB (docs/configuration.md). Above it, G1: a bigger heap is not compacted in one pause.
     */
    static final int SERIAL_MAX_CONNECTIONS = 32_768;
    /**
     * Serial heap per connection: about 2.75 times the measured 186 B of live heap per idle connection
     * ({@link MeasuredCosts#LIVE_HEAP_BYTES_PER_IDLE_CONNECTION}), so the old generation has room for the garbage
     * handshakes promote without a full collection.
     */
    static final int SERIAL_HEAP_BYTES_PER_CONNECTION = 512;
    /** Serial heap whatever the connection count: ~5 MiB live after start, the 4 MiB young generation, headroom. */
    static final int SERIAL_BASE_HEAP_MB = 24;
    /**
     * Serial young generation, at most: small, because eden is touched whole between collections (RSS), and the young
     * pause copies what survives; 4 MiB kept young pauses at 6-15 ms during a 3,000/s ramp where 8 MiB reached 81 ms,
     * and cost 10 MiB less RSS at 18k connections.
     */
    static final int SERIAL_YOUNG_MB = 4;
    /**
     * Serial young generation per byte of {@code --max-message-size}: eden (8/10 of it) holds four messages' worth,
     * because a text message lives on the heap up to three times over while it is handled (its bytes, the String,
     * the encoded reply). Below the 4 MiB of the default 1 MiB messages, a smaller young generation saves up to 3 MiB
     * per worker (docs/benchmarks.md section 14); a message that outgrows eden is allocated in the old generation,
     * where its garbage waits for a full collection.
     */
    static final int SERIAL_YOUNG_PER_MESSAGE_BYTE = 5;
    /**
     * The least memory budget for bytes in flight a process gets from {@code throng serve} (ServerConfig.memoryBudget):
     * 16 MiB holds sixteen of the default 1 MiB messages in flight at once, the rest wait (issue #15: 60 clients
     * sending 1 MiB messages at once used to exhaust a worker's ~34 MiB of direct memory), and it costs an idle
     * worker nothing: it is a limit, not an allocation.
     */
    static final long MIN_MEMORY_BUDGET = 16L << 20;
    /**
     * The memory budget per byte of {@code --max-message-size}, when that is larger: one message of the largest size
     * in flight needs its frame (or fragments), its inflated form when compressed, and its echo or reply: three.
     */
    static final int BUDGET_PER_MESSAGE_BYTE = 3;
    /**
     * Direct memory beyond the budget: the allocator's pools and chunks, read buffers in use, handshakes. The JVM's
     * default limit equals the heap (~34 MiB for a worker), which the budget alone may exceed; an explicit limit above
     * the budget means the budget, not an OutOfMemoryError, is what stops a flood of large messages.
     */
    static final long DIRECT_MEMORY_HEADROOM = 16L << 20;
    /**
     * Heap a text message takes while it is handled, per byte of it: the bytes copied out of the frame, the String,
     * and the encoding of a reply (a direct buffer, so not counted here) with room for one more. Per event loop,
     * since a loop handles one message at a time. The base heap covers the default 1 MiB messages; larger maximums
     * add this much per loop for the part above 1 MiB, so that a 16 MB text message fits (Autobahn 9.1.6 with
     * {@code --max-message-size 20m}).
     */
    static final int HEAP_PER_TEXT_BYTE = 3;
    /** The message size the base heap already has room for: the default. */
    static final int MESSAGE_BYTES_IN_BASE_HEAP = 1 << 20;

    /**
     * G1 heap budget per connection for sizing -Xmx: about 5.5 times the measured live heap per idle connection
     * ({@link MeasuredCosts#LIVE_HEAP_BYTES_PER_IDLE_CONNECTION}), for read buffers, handshakes in flight and
     * garbage between collections.
     */
    static final int HEAP_BYTES_PER_CONNECTION = 1024;
    /** G1 heap every worker needs whatever its connection count: classes, pools, event loops. */
    static final int BASE_HEAP_MB = 32;
    /** G1 initial heap: small, so a worker's RSS follows what it uses instead of what it may use. */
    static final int INITIAL_HEAP_MB = 16;
    /**
     * glibc malloc arenas for the JVM's native allocations; the default (8 per core) gives threads their own
     * 64 MiB-aligned arenas, each with its own resident pages. Exported by bin/throng and set for workers.
     */
    static final String MALLOC_ARENA_MAX = "2";
    /**
     * How often the JVM hands glibc's free native memory back to the kernel (malloc_trim), in ms: the handshakes of
     * a ramp leave freed C-heap pages resident until then. Every 30 s costs nothing measurable at idle.
     */
    static final int TRIM_NATIVE_HEAP_INTERVAL_MS = 30_000;

    /**
     * The code cache of a Serial process that runs C1 + C2 (tiered): C1's profiled code and C2's code for the server
     * fit with room; a reservation, not RSS (the JVM's default with C2 is 240 MiB, whose bookkeeping is larger).
     */
    static final int C2_CODE_CACHE_MB = 48;

    /**
     * The JVM the flags are for: its feature version, and whether it has {@code -XX:TrimNativeHeapInterval}
     * (JDK 22, and backported to some 17 and 21 updates; an unknown flag would stop the JVM from starting).
     */
    record Jvm(int feature, boolean trimsNativeHeap) {
        /** The JVM running this, which is the one the supervisor starts its workers with. */
        static Jvm current() {
            return new Jvm(Runtime.version().feature(), hasVmOption("TrimNativeHeapInterval"));
        }

        private static boolean hasVmOption(String name) {
            try {
                ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                        .getVMOption(name);
                return true;
            } catch (RuntimeException e) { // IllegalArgumentException: no such option; a JVM without the bean
                return false;
            }
        }
    }

    private WorkerPlan() {}

    /**
     * @param option {@code auto} or a number
     * @param maxConnections the total target (0: none)
     * @param openFiles this process's open-files limit (its workers inherit it)
     * @return the number given, or for {@code auto} {@link WorkerSizing#workersFor}: the fewest workers whose caps
     *     fit the open-files limit, as {@code throng doctor} recommends (53 for a million at 20,000)
     * @throws IllegalArgumentException for a number below 1, or when no number of workers fits the limit
     */
    static int workerCount(String option, int maxConnections, long openFiles) {
        if (!"auto".equalsIgnoreCase(option)) {
            int n = Integer.parseInt(option);
            if (n < 1) {
                throw new IllegalArgumentException("--workers must be at least 1 or 'auto', got " + option);
            }
            return n;
        }
        return WorkerSizing.workersFor(maxConnections, openFiles)
                .orElseThrow(() -> new IllegalArgumentException("--workers auto: no number of workers holds "
                        + maxConnections + " connections under an open-files limit " + "of " + openFiles));
    }

    /** One worker's connection cap when {@code workers} processes share {@code maxConnections}: see WorkerSizing. */
    static int workerCap(int maxConnections, int workers, long openFiles) {
        return (int) WorkerSizing.cap(maxConnections, workers, openFiles);
    }

    /**
     * What sizes one server process's JVM.
     *
     * @param connections its connection cap (0: none given, sized from the open-files limit)
     * @param maxMessageSize its largest message, in bytes
     * @param memoryBudget its budget for bytes in flight (ServerConfig.memoryBudget), in bytes
     * @param ioThreads its event loops, each of which may be handling one message at a time
     * @param c2 whether its JIT runs C2 as well as C1 (Serial processes; G1 ones always do): only an echo server that
     *     runs alone, see {@link #launcherFlags}
     */
    record Load(long connections, int maxMessageSize, long memoryBudget, int ioThreads, boolean c2) {
        /** The load of a process running {@code config} (whose memory budget the CLI always sets). */
        static Load of(ServerConfig config, boolean c2) {
            int maxMessageSize = config.limits().maxMessageSize();
            long given = config.limits().memoryBudget();
            long budget = given > 0 ? given : WorkerPlan.memoryBudget(maxMessageSize);
            return new Load(
                    config.admission().maxConnections(),
                    maxMessageSize,
                    budget,
                    config.listen().ioThreads(),
                    c2);
        }
    }

    /** The memory budget {@code throng serve} gives a process whose largest message is {@code maxMessageSize}. */
    static long memoryBudget(int maxMessageSize) {
        return Math.max(MIN_MEMORY_BUDGET, (long) BUDGET_PER_MESSAGE_BYTE * maxMessageSize);
    }

    /**
     * The JVM flags of a worker of {@code connections} connections and messages up to {@code maxMessageSize} bytes,
     * with the budget {@code throng serve} derives from that size and one event loop.
     */
    static List<String> jvmFlags(int connections, int maxMessageSize, long openFiles, Jvm jvm) {
        return jvmFlags(new Load(connections, maxMessageSize, memoryBudget(maxMessageSize), 1, false), openFiles, jvm);
    }

    /**
     * The JVM flags of a process carrying {@code load}. Up to {@link #SERIAL_MAX_CONNECTIONS}: Serial, a fixed heap
     * sized from the cap (and, for messages above 1 MiB, from the message size per event loop) with a small young
     * generation sized from the message size, C1 only with a 16 MiB code cache (C1 + C2 with
     * {@link #C2_CODE_CACHE_MB} where {@link Load#c2}); above: G1 with a 10 ms pause goal, C1 + C2, and
     * a heap sized the same way. Direct memory is the memory budget plus {@link #DIRECT_MEMORY_HEADROOM}, so every
     * configuration that {@code throng serve} accepts can carry its largest message. Compact object headers where the
     * JVM has them. The measurements behind each flag are in docs/configuration.md ("JVM flags").
     */
    static List<String> jvmFlags(Load load, long openFiles, Jvm jvm) {
        // Without a cap, the open-files limit bounds the connections (at most a million: "unlimited" is no size).
        long expected =
                load.connections() > 0 ? load.connections() : Math.min(WorkerSizing.perProcess(openFiles), 1_000_000);
        long textMb = ceilMb((long) load.ioThreads()
                * HEAP_PER_TEXT_BYTE
                * Math.max(0, load.maxMessageSize() - MESSAGE_BYTES_IN_BASE_HEAP));
        List<String> flags = new ArrayList<>();
        if (expected <= SERIAL_MAX_CONNECTIONS) {
            long heapMb = SERIAL_BASE_HEAP_MB + ceilMb(expected * SERIAL_HEAP_BYTES_PER_CONNECTION) + textMb;
            flags.addAll(List.of(
                    "-XX:+UseSerialGC",
                    // Fixed: Serial grows its heap only after a full collection (17-62 ms pauses here), and pages of
                    // the old generation that hold nothing are never touched, so a fixed size costs no RSS.
                    "-Xms" + heapMb + "m",
                    "-Xmx" + heapMb + "m",
                    "-Xmn" + youngMb(load.maxMessageSize()) + "m"));
            if (load.c2()) {
                flags.add("-XX:ReservedCodeCacheSize=" + C2_CODE_CACHE_MB + "m");
            } else {
                // C1 only: C2's profiles, compiler arenas and code cost each worker ~10 MiB at 9,000 connections
                // (0.5 GiB over the million's 53 workers), and handshakes cost no more server CPU without it.
                flags.add("-XX:TieredStopAtLevel=1");
                // JDK 25 starts with more code: 16 MiB there triggered a 31 ms "CodeCache GC Threshold" full GC.
                flags.add("-XX:ReservedCodeCacheSize=" + (jvm.feature() >= 25 ? 32 : 16) + "m");
            }
        } else {
            long heapMb = BASE_HEAP_MB + expected * HEAP_BYTES_PER_CONNECTION / (1024 * 1024) + textMb;
            flags.addAll(List.of(
                    "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=10", "-Xms" + INITIAL_HEAP_MB + "m", "-Xmx" + heapMb + "m"));
        }
        // Bytes in flight live in direct buffers; the limit follows the budget instead of the heap (the default).
        flags.add("-XX:MaxDirectMemorySize=" + ceilMb(load.memoryBudget() + DIRECT_MEMORY_HEADROOM) + "m");
        flags.add("-Xss512k"); // event loops recurse little; half the default stack reservation
        // Map the JDK's class archive (CDS) at the address it was built for. JDK 17.0.x and later map it at a random
        // address by default and then rewrite its pointers, which turns ~6 MiB of pages every worker could share
        // into private copies in each (docs/configuration.md, "JVM flags"). The cost is that one region's address is
        // predictable (the ASLR the default adds); the JVM falls back to relocating when that address is taken.
        flags.addAll(List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0"));
        // No hsperfdata: its sampler wakes every 50 ms, 0.2 % of a core per idle process, times dozens of workers
        // (docs/benchmarks.md section 10). jcmd <pid> still works; jps and jstat no longer list the process.
        flags.add("-XX:-UsePerfData");
        // Netty's leak detector tracks one buffer in 128 by default, and each tracked buffer allocates its record: at
        // idle that is the only allocation left (pong reads), ~430 KiB a minute at 18k connections, a young pause
        // every few minutes. One in 4,096 still finds a leak that repeats, for ~30 KiB a minute.
        flags.add("-Dio.netty.leakDetection.samplingInterval=4096");
        // Netty's allocator reports chunk and buffer events to JFR where JFR is present, and its first chunk loads
        // JFR's event machinery (~300 classes, generated handlers): 1.9 MiB more RSS per worker after a ramp
        // (docs/benchmarks.md section 13). A flight recording still works; it just has no Netty buffer events.
        flags.add("-Dio.netty.jfr.enabled=false");
        // Lettuce (the Redis client of --redis) does the same for its connection and command events: JFR's event
        // machinery and Lettuce's event classes in every gateway worker of a cluster, 0.9 MiB of live heap
        // (docs/benchmarks.md section 24). Its own event bus still works.
        flags.add("-Dio.lettuce.core.jfr=false");
        if (jvm.trimsNativeHeap()) {
            flags.add("-XX:TrimNativeHeapInterval=" + TRIM_NATIVE_HEAP_INTERVAL_MS);
        }
        if (jvm.feature() >= 25) {
            flags.add("-XX:+UseCompactObjectHeaders"); // JDK 25: 8-byte headers shrink every object (JEP 519)
        }
        return flags;
    }

    /**
     * The JVM flags of the process {@code throng <args>} starts, for bin/throng: a {@code serve} that supervises
     * workers holds no connections and handles no messages itself (its workers get {@link #jvmFlags} from it), so it
     * gets the smallest heap; a single {@code serve} gets the flags of the configuration it will run, read from its
     * command line by the same parser {@code serve} uses.
     *
     * The configuration is read from the same sources, in the same order, as {@code serve} reads it
     * ({@link ServeSettings}: flags, {@code environment}, the {@code --config} file), so a message limit set in the
     * file or the environment sizes the JVM as the same flag would.
     *
     * @throws picocli.CommandLine.ParameterException or IllegalArgumentException for a configuration {@code serve}
     *     refuses (bin/throng then starts it with default flags, and {@code serve} says what is wrong)
     */
    static List<String> launcherFlags(List<String> args, Map<String, String> environment, long openFiles, Jvm jvm) {
        ServeCommand serve = new ServeCommand(environment);
        List<String> options = !args.isEmpty() && args.get(0).equals("serve") ? args.subList(1, args.size()) : args;
        new CommandLine(serve).parseArgs(options.toArray(String[]::new));
        if (serve.workerCount(openFiles) > 1) {
            // No connections, no messages, no traffic: the leanest flags, a worker's.
            return jvmFlags(new Load(1, 1, MIN_MEMORY_BUDGET, 1, false), openFiles, jvm);
        }
        // C2 for an echo server that runs alone: it handles every message itself, and C2 halves its CPU per message
        // (31 -> 17-20 us at 10,000 messages/s; Bun 13-16), for ~10 MiB paid once. Not for the gateway, whose work is
        // system calls (fan-out writes, accepts, subscribes): there C2 saved nothing measured, and its compiles on a
        // fresh process slowed a ramp of 15,000 subscribes from ~1.05 to ~1.5 s. Not for workers, which would pay
        // the 10 MiB each (docs/configuration.md, "JVM flags").
        boolean c2 = serve.settings().mode() == ServeSettings.Mode.ECHO;
        return jvmFlags(Load.of(serve.config(1, openFiles), c2), openFiles, jvm);
    }

    /** {@code --max-message-size}'s default: ServerConfig's, stated there only. */
    static int defaultMaxMessageSize() {
        return ServerConfig.builder().build().limits().maxMessageSize();
    }

    /** The Serial young generation for messages up to {@code maxMessageSize} bytes: 1 to 4 MiB. */
    static long youngMb(int maxMessageSize) {
        return Math.max(1, Math.min(SERIAL_YOUNG_MB, ceilMb((long) maxMessageSize * SERIAL_YOUNG_PER_MESSAGE_BYTE)));
    }

    private static long ceilMb(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }

    /**
     * Prints, space-separated, the JVM flags for {@code throng serve <args>} on the JVM running this: bin/throng
     * runs {@code java -cp throng.jar dev.throng.cli.WorkerPlan serve --max-connections 20000} and passes the output
     * to the JVM it then starts, so the script and the supervisor share one rule.
     */
    public static void main(String[] args) {
        List<String> flags;
        try {
            flags = launcherFlags(List.of(args), System.getenv(), openFilesLimit(), Jvm.current());
        } catch (RuntimeException e) { // a bad --workers, --max-connections or size: serve itself will say so
            flags = jvmFlags(0, defaultMaxMessageSize(), openFilesLimit(), Jvm.current());
        }
        System.out.println(String.join(" ", flags));
    }

    /** The open-files limit this JVM runs under, which its workers inherit: the soft one (raised to hard at start). */
    static long openFilesLimit() {
        return OpenFilesLimit.ofThisProcess().soft();
    }
}
