package dev.throng.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.throng.bench.plan.FailureBudget;
import dev.throng.bench.protocol.HistogramKind;
import dev.throng.bench.protocol.Histograms;
import dev.throng.bench.protocol.WorkerSnapshot;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ReportBuilderTest {

    private static final long S = 1_000_000_000L;

    private static String histogram(long... micros) {
        Histogram h = Histograms.create();
        for (long v : micros) {
            h.recordValue(v);
        }
        return Histograms.encode(h);
    }

    private static WorkerSnapshot worker(
            int id,
            long established,
            Map<String, Long> failures,
            Map<String, Long> lost,
            Map<Integer, Long> lostBySecond,
            long cpuNanos,
            long rss,
            long heap,
            long open,
            Map<String, String> histograms) {
        long failed = failures.values().stream().mapToLong(Long::longValue).sum();
        return new WorkerSnapshot(
                id,
                100 + id,
                established + failed,
                established,
                open,
                failures,
                lost,
                lostBySecond,
                established - open,
                0,
                1,
                10 * established,
                10 * established,
                1000,
                900,
                0,
                5,
                0,
                0,
                2000 + id,
                cpuNanos,
                rss,
                heap,
                histograms,
                null);
    }

    private final List<WorkerSnapshot> ready = List.of(
            worker(0, 0, Map.of(), Map.of(), Map.of(), S, 50 << 20, 10 << 20, 0, Map.of()),
            worker(1, 0, Map.of(), Map.of(), Map.of(), S, 50 << 20, 10 << 20, 0, Map.of()));
    private final List<WorkerSnapshot> ramped = List.of(
            worker(
                    0,
                    1000,
                    Map.of(),
                    Map.of(),
                    Map.of(),
                    2 * S,
                    (50 << 20) + 2_000_000,
                    (10 << 20) + 1_000_000,
                    1000,
                    Map.of()),
            worker(
                    1,
                    1000,
                    Map.of(),
                    Map.of(),
                    Map.of(),
                    2 * S,
                    (50 << 20) + 2_000_000,
                    (10 << 20) + 1_000_000,
                    1000,
                    Map.of()));
    private final List<WorkerSnapshot> reports = List.of(
            worker(
                    0,
                    1000,
                    Map.of("refused", 3L),
                    Map.of("close-1001", 2L),
                    Map.of(5, 2L),
                    4 * S,
                    60 << 20,
                    0,
                    0,
                    Map.of(HistogramKind.ECHO_ROUND_TRIP.key(), histogram(1000, 2000, 3000))),
            worker(
                    1,
                    1000,
                    Map.of("refused", 1L, "http-503", 4L),
                    Map.of("reset", 1L),
                    Map.of(5, 1L),
                    4 * S,
                    60 << 20,
                    0,
                    0,
                    Map.of(HistogramKind.ECHO_ROUND_TRIP.key(), histogram(4000))));

    private Observations observations() {
        return observations(false);
    }

    private Observations observations(boolean rampStopped) {
        return new Observations(
                ready,
                ramped,
                reports,
                0,
                2 * S,
                12 * S,
                14 * S,
                1997,
                1500.0,
                0.5,
                130 << 20,
                rampStopped,
                false,
                new Observations.ServerObservations(
                        List.of(7L),
                        100_000_000,
                        100_000_000 + 1997 * 5000L,
                        120_000_000,
                        60_000_000,
                        60_000_000 + 1997 * 4000L,
                        10 * S,
                        10 * S + S / 2));
    }

    private RunReport build(FailureBudget budget) {
        return ReportBuilder.build(
                new ReportBuilder.RunDescription(
                        "echo", true, 2010, List.of("ws://x/"), List.of("127.0.0.2"), budget, 2),
                observations());
    }

    @Test
    void sumsCountsAndMergesReasons() {
        RunReport r = build(FailureBudget.NONE);
        assertThat(r.connections().attempted()).isEqualTo(2008);
        assertThat(r.connections().established()).isEqualTo(2000);
        assertThat(r.connections().failed()).isEqualTo(8);
        assertThat(r.connections().failures())
                .containsExactlyInAnyOrderEntriesOf(Map.of("refused", 4L, "http-503", 4L));
        assertThat(r.connections().lost()).isEqualTo(3);
        assertThat(r.connections().lostBySecond()).containsExactlyEntriesOf(Map.of(5, 3L));
        assertThat(r.messages().sent()).isEqualTo(20_000);
        assertThat(r.workers()).isEqualTo(2);
    }

    @Test
    void mergesHistogramsBeforeTakingPercentiles() {
        RunReport.Latency l = build(FailureBudget.NONE).latencyMillis().get("echoRoundTrip");
        assertThat(l.count()).isEqualTo(4);
        assertThat(l.p50()).isCloseTo(2.0, within(0.01));
        assertThat(l.max()).isCloseTo(4.0, within(0.01));
    }

    @Test
    void ratesUseTheTimeUntilTheClosePhase() {
        RunReport r = build(FailureBudget.NONE);
        assertThat(r.messages().sentPerSecond()).isCloseTo(20_000 / 12.0, within(0.01));
        assertThat(r.timing().rampSeconds()).isCloseTo(2.001, within(0.0001));
        assertThat(r.timing().holdSeconds()).isCloseTo(10.0, within(0.0001));
    }

    @Test
    void measuresTheBenchPerHeldConnection() {
        RunReport.LoadGenerator b = build(FailureBudget.NONE).loadGenerator();
        assertThat(b.rssBytesPerConnection()).isEqualTo(2000);
        assertThat(b.heapBytesPerConnection()).isEqualTo(1000);
        assertThat(b.cpuSeconds()).isCloseTo(6.0, within(0.001));
    }

    @Test
    void measuresTheServerPerHeldConnection() {
        RunReport.Server s = build(FailureBudget.NONE).server();
        assertThat(s.rssBytesPerConnection()).isEqualTo(5000);
        assertThat(s.pssBytesHeld()).isEqualTo(60_000_000 + 1997 * 4000L);
        assertThat(s.pssBytesHeldPerConnection()).isEqualTo((60_000_000 + 1997 * 4000L) / 1997);
        assertThat(s.cpuCoresDuringHold()).isCloseTo(0.05, within(0.0001));
        // 0.05 cores for 1,997 connections = 2.504 cores per 100k = 250.4% of a core
        assertThat(s.cpuPercentOfCorePer100kConnections()).isCloseTo(250.376, within(0.01));
    }

    @Test
    void theVerdictFollowsTheBudget() {
        assertThat(build(FailureBudget.NONE).verdict().passed()).isFalse();
        assertThat(build(FailureBudget.NONE).verdict().failures()).isEqualTo(11);
        assertThat(build(FailureBudget.parse("11")).verdict().passed()).isTrue();
        assertThat(build(FailureBudget.parse("0.5%")).verdict().passed()).isFalse();
        assertThat(build(FailureBudget.parse("1%")).verdict().passed()).isTrue();
    }

    @Test
    void aRampStoppedAtItsDeadlineFailsTheVerdictButStillReports() {
        RunReport r = ReportBuilder.build(
                new ReportBuilder.RunDescription(
                        "echo", true, 5000, List.of("ws://x/"), List.of("127.0.0.2"), FailureBudget.parse("1%"), 2),
                observations(true));
        assertThat(r.verdict().passed()).isFalse();
        assertThat(r.verdict().rampCompleted()).isFalse();
        assertThat(r.warnings()).anyMatch(w -> w.contains("stopped at its deadline: 2008 of 5000"));
        assertThat(r.connections().heldAtEndOfHold()).isEqualTo(1997);
        assertThat(r.server().rssBytesPerConnection()).isEqualTo(5000);
    }

    @Test
    void warnsAboutNothingWhenTheBenchWasIdleAndEveryEchoCameBack() {
        assertThat(build(FailureBudget.NONE).warnings()).isEmpty();
    }

    @Test
    void warnsWhenTheBenchWasBusyOrEchoesAreMissing() {
        Observations o = observations();
        List<WorkerSnapshot> missing = List.of(
                reports.get(0),
                new WorkerSnapshot(
                        1, 1, 1000, 1000, 0, Map.of(), Map.of(), Map.of(), 1000, 0, 0, 100, 90, 0, 0, 0, 0, 0, 0, 1, 1,
                        1, 0, Map.of(), null));
        RunReport r = ReportBuilder.build(
                new ReportBuilder.RunDescription(
                        "echo", true, 2000, List.of("ws://x/"), List.of("127.0.0.2"), FailureBudget.NONE, 2),
                new Observations(ready, ramped, missing, 0, S, 2 * S, 3 * S, 1000, 0, 1.9, 0, false, true, null));
        assertThat(r.warnings())
                .anyMatch(w -> w.contains("10 echo messages never came back"))
                .anyMatch(w -> w.contains("closing passed its deadline"))
                .anyMatch(w -> w.contains("bottleneck"));
        assertThat(r.server()).isNull();
    }
}
