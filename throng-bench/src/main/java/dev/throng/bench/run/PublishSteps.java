package dev.throng.bench.run;

import dev.throng.bench.protocol.WorkerSnapshot;
import dev.throng.bench.report.FanoutTotals;
import dev.throng.bench.report.Format;
import dev.throng.bench.report.ReportBuilder;
import dev.throng.bench.report.RunReport;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The subscribe scenario's hold: an unjudged warm-up at the first step's rate ({@code --publish-warmup}), then the
 * publish steps, one after another. Each step publishes at its rate for
 * {@code --step-duration} ({@link Publisher}, on a thread of its own), waits {@code --step-gap} after its last
 * response, then counts what the workers received of it (from progress snapshots sent after that) and judges it:
 * passed when nothing is missing or extra or out of sequence, p99 is below {@code --max-p99}, every request was
 * accepted and the rate was kept (the publisher keeps each channel's events in sequence: {@link Publisher}). After the first failing step it stops, unless told to go on. Every wait is bounded.
 *
 * <p>Driven by the coordinator's thread: {@link #advance} is called every few milliseconds during the hold.
 */
final class PublishSteps implements AutoCloseable {

    /** How long evaluation waits for every worker to report after the gap; a worker that does not is left out. */
    private static final long EVALUATION_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** A step passes only if at least this share of its asked rate was published. */
    static final double RATE_KEPT = 0.95;

    private enum Phase {
        /** Holding the subscribers for {@code --publish-after} before the first publication. */
        WAITING,
        IDLE,
        PUBLISHING,
        DRAINING,
        EVALUATING,
        DONE
    }

    private final SubscribeSettings s;
    private final Publisher publisher;
    private final ServerSampler sampler;
    /** {@code --broker-pid}; null without. */
    private final ServerSampler broker;

    private final PrintWriter out;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "bench-publisher");
        t.setDaemon(true);
        return t;
    });
    private final List<RunReport.Step> steps = new ArrayList<>();
    private Phase phase = Phase.IDLE;
    /** The step running or next; -1 while warming up. */
    private int step;

    private Future<Publisher.StepPublication> running;
    private Publisher.StepPublication published;
    private long stepStartCpu;
    private long stepStartBrokerCpu;
    private long waitEnd;
    private long drainEnd;
    private long evaluationDeadline;

    PublishSteps(
            SubscribeSettings s, Publisher publisher, ServerSampler sampler, ServerSampler broker, PrintWriter out) {
        this.s = s;
        this.publisher = publisher;
        this.sampler = sampler;
        this.broker = broker;
        this.out = out;
    }

    /**
     * Starts the first step, or the wait of {@code --publish-after} before it; {@code subscribersPerChannel} are the
     * acknowledged subscriptions, {@code now} the start of the hold.
     */
    void start(long[] subscribersPerChannel, long now) {
        publisher.subscribers(subscribersPerChannel);
        if (s.steps().isEmpty()) {
            phase = Phase.DONE;
            return;
        }
        if (s.hasWarmup()) {
            step = -1;
        }
        if (!s.publishAfter().isZero()) {
            waitEnd = now + s.publishAfter().toNanos();
            phase = Phase.WAITING;
        }
    }

    /** Moves on as far as {@code now} allows; returns whether every step is over. */
    boolean advance(long now, List<WorkerProcess> workers) {
        switch (phase) {
            case WAITING:
                if (now - waitEnd >= 0) {
                    phase = Phase.IDLE;
                }
                return false;
            case IDLE: {
                double rate = s.steps().get(Math.max(0, step));
                stepStartCpu = sampler == null ? 0 : sampler.sample().cpuNanos();
                stepStartBrokerCpu = broker == null ? 0 : broker.sample().cpuNanos();
                int slot = slot();
                Duration duration = step < 0 ? s.warmup() : s.stepDuration();
                running = thread.submit(() -> publisher.publish(slot, rate, duration));
                phase = Phase.PUBLISHING;
                return false;
            }
            case PUBLISHING:
                if (!running.isDone()) {
                    return false;
                }
                try {
                    published = running.get();
                } catch (ExecutionException | InterruptedException e) {
                    out.println("publisher failed in step " + step + ": " + e.getCause());
                    out.flush();
                    phase = Phase.DONE;
                    return true;
                }
                drainEnd = now + s.stepGap().toNanos();
                phase = Phase.DRAINING;
                return false;
            case DRAINING:
                if (now - drainEnd < 0) {
                    return false;
                }
                evaluationDeadline = now + EVALUATION_WAIT_NANOS;
                phase = Phase.EVALUATING;
                return false;
            case EVALUATING:
                // Counts from snapshots taken after the gap: every worker's latest must be newer than its end.
                if (now - evaluationDeadline < 0
                        && !workers.stream().allMatch(w -> w.ended || w.latestNanos - drainEnd >= 0)) {
                    return false;
                }
                RunReport.Step result = evaluate(workers);
                if (step < 0) {
                    printWarmup(result);
                    step++;
                    phase = Phase.IDLE;
                    return false;
                }
                steps.add(result);
                printStep(result);
                step++;
                if (step == s.steps().size() || !result.passed() && s.stopOnFail()) {
                    phase = Phase.DONE;
                    return true;
                }
                phase = Phase.IDLE;
                return false;
            default:
                return true;
        }
    }

    private RunReport.Step evaluate(List<WorkerProcess> workers) {
        Publisher.StepPublication p = published;
        List<WorkerSnapshot> latest = workers.stream().map(w -> w.latest).toList();
        FanoutTotals t =
                FanoutTotals.merge(latest.stream().map(WorkerSnapshot::fanout).toList());
        long received = t == null ? 0 : t.stepReceived.get(slot());
        long outOfOrder = t == null ? 0 : t.stepOutOfOrder.get(slot());
        Histogram latency = t == null ? null : t.stepLatency.get(slot());
        double rate = s.steps().get(Math.max(0, step));
        double target = rate * s.plan().channels();
        double achieved = p.publishSeconds() > 0 ? p.channelEvents() / p.publishSeconds() : 0;
        long missing = p.expectedDeliveries() - received;
        Double cpuSeconds = null;
        Double cpuPerDelivery = null;
        if (sampler != null) {
            cpuSeconds = round((sampler.sample().cpuNanos() - stepStartCpu) / 1e9);
            cpuPerDelivery = received > 0 ? round(cpuSeconds * 1e6 / received) : null;
        }
        Double brokerSeconds = null;
        Double brokerPerDelivery = null;
        if (broker != null) {
            brokerSeconds = round((broker.sample().cpuNanos() - stepStartBrokerCpu) / 1e9);
            brokerPerDelivery = received > 0 ? round(brokerSeconds * 1e6 / received) : null;
        }
        RunReport.Latency l = latency == null || latency.getTotalCount() == 0 ? null : ReportBuilder.latency(latency);
        List<String> failed = new ArrayList<>();
        if (missing > 0) {
            failed.add("missing " + missing);
        } else if (missing < 0) {
            failed.add("extra " + -missing);
        }
        if (outOfOrder > 0) {
            failed.add("out of order " + outOfOrder);
        }
        if (l == null || l.p99() >= s.maxP99().toMillis()) {
            failed.add("p99 " + (l == null ? "n/a" : Format.millis(l.p99()) + " ms"));
        }
        if (p.failed() > 0) {
            failed.add("requests failed " + p.errors());
        }
        if (achieved < RATE_KEPT * target) {
            failed.add(String.format(Locale.ROOT, "published %.1f of %.1f events/s", achieved, target));
        }
        return new RunReport.Step(
                step,
                rate,
                round(target),
                p.requests(),
                p.failed(),
                p.errors(),
                p.channelEvents(),
                round(p.publishSeconds()),
                round(achieved),
                round(p.lagMaxMillis()),
                ReportBuilder.latency(p.requestLatency()),
                p.expectedDeliveries(),
                received,
                missing,
                round(p.publishSeconds() > 0 ? received / p.publishSeconds() : 0),
                l,
                cpuSeconds,
                cpuPerDelivery,
                brokerSeconds,
                brokerPerDelivery,
                0,
                0,
                failed.isEmpty(),
                failed);
    }

    /** The step number the events of the running step carry: its index, or the warm-up's slot after the steps. */
    private int slot() {
        return step < 0 ? s.steps().size() : step;
    }

    private void printWarmup(RunReport.Step r) {
        RunReport.Latency l = r.latency();
        out.printf(
                Locale.ROOT,
                "warm-up: %s events/s per channel for %s, %s deliveries (%s expected), p99 %s ms " + "(not judged)%n",
                Format.decimal(r.ratePerChannel(), 1),
                Format.duration(s.warmup()),
                Format.count(r.receivedAtEvaluation()),
                Format.count(r.expectedDeliveries()),
                l == null ? "-" : Format.millis(l.p99()));
        out.flush();
    }

    private void printStep(RunReport.Step r) {
        RunReport.Latency l = r.latency();
        out.printf(
                Locale.ROOT,
                "step %d: %s events/s per channel (%s/s asked, %s/s published), %s deliveries/s, "
                        + "p50 %s p99 %s max %s ms, missing %s%s%s: %s%n",
                r.step(),
                Format.decimal(r.ratePerChannel(), 1),
                Format.decimal(r.targetEventsPerSecond(), 1),
                Format.decimal(r.eventsPerSecond(), 1),
                Format.count(Math.round(r.deliveriesPerSecond())),
                l == null ? "-" : Format.millis(l.p50()),
                l == null ? "-" : Format.millis(l.p99()),
                l == null ? "-" : Format.millis(l.max()),
                Format.count(r.missingAtEvaluation()),
                r.serverCpuMicrosPerDelivery() == null
                        ? ""
                        : ", server " + Format.decimal(r.serverCpuMicrosPerDelivery(), 2) + " µs/delivery",
                r.brokerCpuMicrosPerDelivery() == null
                        ? ""
                        : ", broker " + Format.decimal(r.brokerCpuMicrosPerDelivery(), 2) + " µs/delivery",
                r.passed() ? "PASS" : "FAIL (" + String.join(", ", r.failedBecause()) + ")");
        out.flush();
    }

    /** The steps evaluated so far. */
    List<RunReport.Step> steps() {
        return steps;
    }

    /** The progress line's name of the step now publishing or waiting. */
    String current() {
        return phase == Phase.WAITING ? "hold" : step < 0 ? "warm" : "step" + step;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    @Override
    public void close() {
        thread.shutdownNow();
        publisher.close();
    }

    /** Sums the acknowledged subscriptions per channel of {@code snapshots}. */
    static long[] subscribersPerChannel(List<WorkerSnapshot> snapshots) {
        FanoutTotals t = FanoutTotals.merge(
                snapshots.stream().map(WorkerSnapshot::fanout).toList());
        return t == null ? new long[0] : t.subscribersPerChannel;
    }

    /** The report's fan-out part as far as the coordinator knows it; {@link ReportBuilder} adds the final counts. */
    RunReport.Fanout report() {
        return new RunReport.Fanout(
                s.plan().channels(),
                s.plan().perClient(),
                0,
                0,
                s.eventSize(),
                s.groupSize(),
                null,
                null,
                List.copyOf(steps),
                null);
    }
}
