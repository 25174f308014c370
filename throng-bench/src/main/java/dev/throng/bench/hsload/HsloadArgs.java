package dev.throng.bench.hsload;

import dev.throng.bench.plan.TargetUrl;
import dev.throng.bench.protocol.SourceSlice;
import dev.throng.bench.protocol.WorkerSpec;
import dev.throng.bench.pusher.ChannelPlan;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The hsload command line that holds one worker's share of a subscribe run ({@link WorkerSpec}): its connections
 * from its source addresses and ports, connection {@code i} of the run ({@code firstIndex + i}) on channel
 * {@code i mod C}, which is {@link ChannelPlan#firstChannel} for K = 1, so the channels get the subscribers the Java
 * workers would give them.
 *
 * <p>Pure: builds the arguments or says why this spec cannot run on hsload.
 */
public final class HsloadArgs {

    /**
     * Handshakes in flight: hsload's default, enough to keep a 2-core box's accept queues busy; within the open files
     * the planner leaves beside the connections (WorkerPlanner.HSLOAD_RESERVED_FILES).
     */
    static final int IN_FLIGHT = 128;
    /** Bounds the hold only in case nothing ends it: the worker ends it with SIGUSR1, or its own exit does. */
    static final long HOLD_BOUND_SECONDS = 7 * 24 * 3600;
    /** Slack of the ramp's bound (hsload's -d), beyond twice its nominal length and the connect timeout. */
    static final long RAMP_SLACK_SECONDS = 60;

    private HsloadArgs() {}

    /**
     * The command for {@code spec}.
     *
     * @param hsload the binary
     * @param stats where hsload writes its statistics file ({@code --stats})
     * @throws IllegalArgumentException when hsload cannot do what the spec asks: not the subscribe scenario, K > 1,
     *     source addresses that are not one range of IPv4 addresses, or port slices that differ between them
     */
    public static List<String> command(Path hsload, WorkerSpec spec, Path stats) {
        if (spec.subscribe() == null) {
            throw new IllegalArgumentException("hsload holds Pusher subscribers: the subscribe scenario only");
        }
        if (spec.subscribe().perClient() != 1) {
            throw new IllegalArgumentException("hsload subscribes each connection to one channel, not "
                    + spec.subscribe().perClient());
        }
        // One URL per hsload process: worker k connects to URL k mod U (the Java workers spread each one's
        // connections over all of them; the channels, which the index decides, are the same either way).
        TargetUrl target = spec.targets().get(spec.worker() % spec.targets().size());
        List<String> cmd = new ArrayList<>(List.of(
                hsload.toString(),
                "-q",
                "-t",
                "1",
                "--hold",
                "--hold-for",
                Long.toString(HOLD_BOUND_SECONDS),
                "--stop-with-parent",
                "--stats",
                stats.toString(),
                "-n",
                Integer.toString(spec.connections()),
                "-c",
                Integer.toString(Math.max(1, Math.min(IN_FLIGHT, spec.connections()))),
                "-s",
                addresses(spec.sources()),
                "-p",
                ports(spec.sources()),
                "-T",
                seconds(spec.connectTimeoutMillis() / 1000.0),
                "-d",
                seconds(rampBoundSeconds(spec)),
                "--path",
                target.path(),
                "--subscribe",
                Integer.toString(spec.subscribe().channels()),
                "--channel-prefix",
                spec.subscribe().channelPrefix(),
                "--index-base",
                Long.toString(spec.firstIndex())));
        if (spec.connectRate() > 0) {
            cmd.addAll(List.of("-r", seconds(spec.connectRate())));
        }
        cmd.add(target.host() + ":" + target.port());
        return cmd;
    }

    /** hsload's -d: twice the ramp's nominal length plus the connect timeout and some slack. */
    static double rampBoundSeconds(WorkerSpec spec) {
        double nominal = spec.connectRate() > 0 ? spec.connections() / spec.connectRate() : 0;
        return 2 * nominal + spec.connectTimeoutMillis() / 1000.0 + RAMP_SLACK_SECONDS;
    }

    /** hsload's -s: the slices' addresses, which must be consecutive IPv4 addresses in order, as A-B. */
    static String addresses(List<SourceSlice> sources) {
        long first = ipv4(sources.get(0).address());
        for (int i = 1; i < sources.size(); i++) {
            if (ipv4(sources.get(i).address()) != first + i) {
                throw new IllegalArgumentException("hsload binds one range of consecutive source addresses; got "
                        + sources.stream().map(SourceSlice::address).toList());
            }
        }
        return sources.get(0).address() + "-" + sources.get(sources.size() - 1).address();
    }

    /** hsload's -p: the port slice, the same on every address (as WorkerPlanner cuts them). */
    static String ports(List<SourceSlice> sources) {
        SourceSlice s = sources.get(0);
        for (SourceSlice o : sources) {
            if (o.firstPort() != s.firstPort() || o.lastPort() != s.lastPort()) {
                throw new IllegalArgumentException(
                        "hsload binds the same ports on every source address; got " + sources);
            }
        }
        return s.firstPort() + "-" + s.lastPort();
    }

    private static long ipv4(String literal) {
        try {
            InetAddress a = InetAddress.getByName(literal);
            if (!(a instanceof Inet4Address) || !literal.matches("[0-9.]+")) {
                throw new IllegalArgumentException("hsload binds IPv4 source addresses, got " + literal);
            }
            long v = 0;
            for (byte b : a.getAddress()) {
                v = v << 8 | (b & 0xFF);
            }
            return v;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv4 address: " + literal, e);
        }
    }

    private static String seconds(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
