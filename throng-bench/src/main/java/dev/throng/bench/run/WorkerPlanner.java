package dev.throng.bench.run;

import dev.throng.bench.plan.Loader;
import dev.throng.bench.plan.PortRange;
import dev.throng.bench.protocol.SourceSlice;
import dev.throng.bench.protocol.SubscribeSpec;
import dev.throng.bench.protocol.WorkerSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a run among worker processes: how many workers, how many connections each, and which (source address,
 * port) pairs each may bind.
 *
 * <p>Ports are cut into one contiguous slice per worker and every worker gets its slice on <em>every</em> source
 * address: worker {@code k} of {@code W} binds ports {@code slice(k, W)} of {@code --ports} on each address. Slices
 * are disjoint, so workers never compete for a pair, and each worker spreads its connections over all addresses
 * (the kernel's per-address costs stay even).
 */
public final class WorkerPlanner {

    /**
     * The share of a worker's open-files limit given to connections: the rest covers the JVM's own files (jars,
     * epoll and event fds, pipes to the coordinator) with a wide margin.
     */
    static final double CONNECTION_SHARE_OF_FILES = 0.9;
    /**
     * Files an hsload process needs beside its connections: its -c handshakes in flight (32), stdio, the statistics
     * file, with room to spare (hsload refuses to start when connections + -c + 32 exceed its limit).
     */
    static final int HSLOAD_RESERVED_FILES = 1000;

    private WorkerPlanner() {}

    /** Connections one Java worker may hold under an open-files limit of {@code fileLimit}. */
    public static int connectionsPerWorker(long fileLimit) {
        return connectionsPerWorker(fileLimit, Loader.JAVA);
    }

    /**
     * Connections one worker of {@code loader} may hold under an open-files limit of {@code fileLimit}: 90 % of it
     * for a JVM, all but {@link #HSLOAD_RESERVED_FILES} for hsload (19,000 under 20,000).
     */
    public static int connectionsPerWorker(long fileLimit, Loader loader) {
        long n = loader == Loader.HSLOAD
                ? Math.max(1, fileLimit - HSLOAD_RESERVED_FILES)
                : (long) (fileLimit * CONNECTION_SHARE_OF_FILES);
        return (int) Math.min(Integer.MAX_VALUE / 2, n);
    }

    /** The worker count: {@code --workers}, or else the fewest whose shares fit the open-files limit. */
    public static int workerCount(BenchSettings s, long fileLimit) {
        int perWorker = connectionsPerWorker(fileLimit, s.loader());
        int workers = s.workers() > 0 ? s.workers() : (int) ((s.connections() + (long) perWorker - 1) / perWorker);
        return Math.max(1, Math.min(workers, s.connections()));
    }

    /**
     * The specs of all workers.
     *
     * @throws IllegalArgumentException when a share exceeds the open-files limit or the (address, port) pairs
     */
    public static List<WorkerSpec> plan(BenchSettings s, long fileLimit) {
        int workers = workerCount(s, fileLimit);
        int perWorker = connectionsPerWorker(fileLimit, s.loader());
        int largestShare = (int) ((s.connections() + (long) workers - 1) / workers);
        if (largestShare > perWorker) {
            long needed = (s.connections() + (long) perWorker - 1) / perWorker;
            throw new IllegalArgumentException(workers + " workers would hold up to " + largestShare
                    + " connections each, but the open-files limit (" + fileLimit + ") allows " + perWorker
                    + " per worker: use --workers " + needed + " or more");
        }
        PortRange ports = s.ports();
        int threads = s.loader() == Loader.HSLOAD ? 1 : s.ioThreads(); // hsload: one thread, one slice
        int slicesNeeded = workers * threads;
        if (ports.size() < slicesNeeded) {
            throw new IllegalArgumentException("--ports " + ports + " has " + ports.size() + " ports, fewer than the "
                    + slicesNeeded + " slices needed (one per worker event loop)");
        }
        long pairsPerWorker = (long) s.sources().size() * (ports.size() / slicesNeeded) * threads;
        if (pairsPerWorker < largestShare) {
            long perAddress = ports.size();
            long addressesNeeded = (s.connections() + perAddress - 1) / perAddress;
            throw new IllegalArgumentException("not enough (source address, port) pairs: each of " + workers
                    + " workers gets about " + pairsPerWorker + " but must open " + largestShare + "; "
                    + s.connections() + " connections need at least " + addressesNeeded
                    + " source addresses with --ports "
                    + ports + " (e.g. --source 127.0.0.2-127.0.0." + (1 + Math.min(254, addressesNeeded)) + ")");
        }
        SubscribeSettings sub = s.subscribe();
        SubscribeSpec subscribe = sub == null
                ? null
                : new SubscribeSpec(
                        sub.plan().channels(),
                        sub.plan().perClient(),
                        sub.channelPrefix(),
                        sub.eventName(),
                        sub.stepSlots());
        List<WorkerSpec> specs = new ArrayList<>(workers);
        long first = 0;
        for (int k = 0; k < workers; k++) {
            int share = (int) ((long) s.connections() * (k + 1) / workers - (long) s.connections() * k / workers);
            PortRange slice = ports.slice(k, workers);
            List<SourceSlice> sources = new ArrayList<>();
            for (String address : s.sources()) {
                sources.add(new SourceSlice(address, slice.first(), slice.last()));
            }
            double fraction = (double) share / s.connections();
            specs.add(new WorkerSpec(
                    k,
                    share,
                    first,
                    s.urls(),
                    sources,
                    s.rate() * fraction,
                    s.warmup().toMillis(),
                    s.effectiveCloseRate() * fraction,
                    s.scenario(),
                    s.interval().toMillis(),
                    s.messageSize(),
                    s.payload(),
                    s.clientPing().toMillis(),
                    s.connectTimeout().toMillis(),
                    s.closeTimeout().toMillis(),
                    threads,
                    s.transport(),
                    subscribe));
            first += share;
        }
        return specs;
    }
}
