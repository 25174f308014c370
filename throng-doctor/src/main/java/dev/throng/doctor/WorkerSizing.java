package dev.throng.doctor;

import java.util.OptionalInt;

/**
 * How many server processes hold a connection target under a per-process open-files limit, and how many connections
 * each may take: the one rule {@code throng serve --workers auto} applies and {@code throng doctor} recommends
 * (docs/configuration.md, {@code --workers} and {@code maxConnections}). Pure arithmetic, so every figure is unit
 * tested.
 *
 * <p>A process keeps {@link #RESERVED_FDS} descriptors for itself and holds a connection in each of the rest
 * ({@link #perProcess}). Workers share one port through SO_REUSEPORT, where the kernel hands each connection to a
 * worker by a hash of its addresses and ports, so the workers' counts scatter around the even share by about its
 * square root: one of several workers may be dealt its share plus {@link #spread} ({@link #busiest}), and
 * {@link #workersFor} is the fewest workers for which that still fits the limit.
 *
 * <pre>
 * WorkerSizing.workersFor(1_000_000, 20_000)   // 53: with 52, one worker would be full at 3.7 standard deviations
 * WorkerSizing.busiest(1_000_000, 53)          // 19,418: the share of 18,868 plus 550
 * WorkerSizing.descriptorsFor(19_418)          // 19,674: the open-files limit each of the 53 needs
 * </pre>
 */
public final class WorkerSizing {

    /**
     * File descriptors a worker keeps for itself (listening socket, epoll, jars, logs, pipes; a worker uses ~13), or
     * a quarter of a smaller limit than 1,024.
     */
    public static final int RESERVED_FDS = 256;

    /**
     * Standard deviations of a binomial count above its mean that a worker's cap allows for: one worker in ~30,000
     * is dealt more.
     */
    private static final int SPREAD_DEVIATIONS = 4;

    private WorkerSizing() {}

    /** The connections a process can hold under an open-files limit, leaving {@link #RESERVED_FDS}. */
    public static long perProcess(long openFiles) {
        return Math.max(1, openFiles - Math.min(RESERVED_FDS, openFiles / 4));
    }

    /**
     * The smallest open-files limit under which a process holds {@code connections}, the inverse of
     * {@link #perProcess}: {@code connections + 256} from 769 connections on; below, where the reserve is a quarter
     * of the limit, about four thirds of them.
     */
    public static long descriptorsFor(long connections) {
        if (connections <= 1) {
            return 1;
        }
        if (connections > 3L * RESERVED_FDS) { // perProcess(4 * RESERVED_FDS) = 3 * RESERVED_FDS
            return connections + RESERVED_FDS;
        }
        // Under 4 * RESERVED_FDS, perProcess(limit) = limit - floor(limit / 4) = ceil(3 limit / 4).
        return Math.floorDiv(4 * (connections - 1), 3) + 1;
    }

    /**
     * How far above its share one of many workers can be pushed by the kernel's hash: 4 standard deviations of a
     * binomial count ({@code 4 sqrt(share)}), which one worker in ~30,000 exceeds.
     */
    public static long spread(long share) {
        return (long) Math.ceil(SPREAD_DEVIATIONS * Math.sqrt(share));
    }

    /** One worker's even share of {@code total} connections: the remainder rounds up. */
    public static long share(long total, long workers) {
        return (total + workers - 1) / workers;
    }

    /**
     * The most connections one of {@code workers} processes sharing {@code total} may be dealt: its share, plus
     * {@link #spread} when it has siblings (a single process holds exactly the total).
     */
    public static long busiest(long total, long workers) {
        long share = share(total, workers);
        return workers == 1 ? share : share + spread(share);
    }

    /**
     * One worker's connection cap when {@code workers} processes share {@code total} (0: none): {@link #busiest}, and
     * never more than its open-files limit allows, so a full process answers 503 instead of failing to accept. The
     * price of the margin: when every worker is full, the total may exceed {@code total} by it (2.9 % at a million
     * over 53 workers).
     */
    public static long cap(long total, int workers, long openFiles) {
        return total == 0 ? 0 : Math.min(perProcess(openFiles), busiest(total, workers));
    }

    /**
     * The fewest workers whose {@link #busiest} share of {@code total} connections fits the open-files limit: 1 when
     * one process holds them all, 53 for a million at 20,000. Empty when no number of processes helps: a limit so
     * small that even one connection and its spread do not fit (5 descriptors or fewer), or more workers than an
     * {@code int} counts.
     */
    public static OptionalInt workersFor(long total, long openFiles) {
        long perProcess = perProcess(openFiles);
        if (total <= perProcess) {
            return OptionalInt.of(1);
        }
        // busiest(total, n) does not grow with n (a smaller share never has a larger spread), so the fewest workers
        // that fit is found by bisection between the fewest at an even split and one connection each.
        long fit = Math.min(total, Integer.MAX_VALUE); // one connection each, or as many workers as an int counts
        if (busiest(total, fit) > perProcess) {
            return OptionalInt.empty();
        }
        long tooFew = (total + perProcess - 1) / perProcess - 1; // the fewest at an even split, less one
        while (fit - tooFew > 1) {
            long n = tooFew + (fit - tooFew) / 2;
            if (busiest(total, n) > perProcess) {
                tooFew = n;
            } else {
                fit = n;
            }
        }
        return OptionalInt.of((int) fit);
    }
}
