package dev.throng.bench.hsload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.throng.bench.plan.PayloadType;
import dev.throng.bench.plan.Scenario;
import dev.throng.bench.plan.TargetUrl;
import dev.throng.bench.protocol.FanoutSnapshot;
import dev.throng.bench.protocol.HistogramKind;
import dev.throng.bench.protocol.Histograms;
import dev.throng.bench.protocol.SourceSlice;
import dev.throng.bench.protocol.SubscribeSpec;
import dev.throng.bench.protocol.WorkerSnapshot;
import dev.throng.bench.protocol.WorkerSpec;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class HsloadSnapshotsTest {

    static WorkerSpec spec(int steps) {
        return new WorkerSpec(
                2,
                1000,
                4000,
                List.of(TargetUrl.parse("ws://127.0.0.1:8080/app/app-key?protocol=7")),
                List.of(new SourceSlice("127.0.0.2", 20000, 29999), new SourceSlice("127.0.0.3", 20000, 29999)),
                1000,
                0,
                1000,
                Scenario.SUBSCRIBE,
                1000,
                32,
                PayloadType.TEXT,
                0,
                10_000,
                5000,
                1,
                "auto",
                new SubscribeSpec(4, 1, "bench-", "bench", steps));
    }

    private static final HsloadSnapshots.Extras EXTRAS =
            new HsloadSnapshots.Extras(77, 5_000_000, 9 << 20, 0, 0, false);

    @Test
    void countsLandWhereTheJavaWorkerPutsThem() {
        WorkerSnapshot w =
                new HsloadSnapshots(spec(2)).snapshot(HsloadStats.parse(HsloadStatsTest.FILE), EXTRAS, false);
        assertThat(w.worker()).isEqualTo(2);
        assertThat(w.pid()).isEqualTo(77);
        assertThat(w.attempted()).isEqualTo(1000);
        assertThat(w.established()).isEqualTo(997);
        assertThat(w.open()).isEqualTo(995);
        assertThat(w.failures()).containsExactlyInAnyOrderEntriesOf(Map.of("refused", 1L, "http-503", 2L));
        assertThat(w.lost()).containsExactlyInAnyOrderEntriesOf(Map.of("reset", 1L, "closed", 1L));
        assertThat(w.portsSkipped()).isEqualTo(4);
        assertThat(w.serverPings()).isEqualTo(12);
        assertThat(w.messagesReceived()).isEqualTo(7000);
        assertThat(w.cpuNanos()).isEqualTo(5_000_000);
        FanoutSnapshot f = w.fanout();
        assertThat(f.subscribedConnections()).isEqualTo(994);
        assertThat(f.subscriptions()).isEqualTo(994);
        assertThat(f.subscribeFailures()).containsExactlyInAnyOrderEntriesOf(Map.of("pusher-error", 1L, "lost", 1L));
        assertThat(f.subscribersPerChannel()).containsExactly(249, 249, 248, 248);
        assertThat(f.delivered()).isEqualTo(4980);
        assertThat(f.outOfOrder()).isEqualTo(1);
        assertThat(f.gaps()).isEqualTo(2);
        assertThat(f.unreadable()).isEqualTo(3);
        assertThat(f.pusherErrors()).isEqualTo(1);
        assertThat(f.steps()).hasSize(2);
        assertThat(f.steps().get(0).received()).isEqualTo(4970);
        assertThat(f.steps().get(0).outOfOrder()).isEqualTo(1);
        assertThat(f.steps().get(1).received()).isEqualTo(10);
        assertThat(f.steps().get(1).latency()).isNull(); // no buckets
    }

    @Test
    void percentilesLandInTheirBucketsMiddles() {
        // 4000 at 4992-5055 us (width 64 above 4096), 900 at 5056-5119, 70 at 901120-909311 (8192 wide above 2^19)
        WorkerSnapshot w =
                new HsloadSnapshots(spec(1)).snapshot(HsloadStats.parse(HsloadStatsTest.FILE), EXTRAS, false);
        Histogram h = Histograms.decode(w.fanout().steps().get(0).latency());
        assertThat(h.getTotalCount()).isEqualTo(4970);
        assertThat((double) h.getValueAtPercentile(50)).isCloseTo(5023, within(6.0));
        assertThat((double) h.getValueAtPercentile(95)).isCloseTo(5087, within(6.0));
        assertThat((double) h.getValueAtPercentile(99)).isCloseTo(905_215, within(910.0));
        Histogram all = Histograms.decode(w.histograms().get(HistogramKind.DELIVERY.key()));
        assertThat(all.getTotalCount()).isEqualTo(4970);
        Histogram handshakes = Histograms.decode(w.histograms().get(HistogramKind.HANDSHAKE.key()));
        assertThat(handshakes.getTotalCount()).isEqualTo(997);
        assertThat((double) handshakes.getValueAtPercentile(50)).isCloseTo(303, within(1.0)); // 288-319, 8 per power
    }

    @Test
    void stepsTheRunDoesNotHaveCountAsUnreadableAsTheJavaWorkerCountsThem() {
        FanoutSnapshot f = new HsloadSnapshots(spec(1))
                .snapshot(HsloadStats.parse(HsloadStatsTest.FILE), EXTRAS, false)
                .fanout();
        assertThat(f.steps()).hasSize(1);
        assertThat(f.delivered()).isEqualTo(4970);
        assertThat(f.unreadable()).isEqualTo(3 + 10);
    }

    @Test
    void intervalHistogramsHoldOnlyWhatArrivedSinceTheLastOne() {
        HsloadSnapshots snapshots = new HsloadSnapshots(spec(2));
        String second = HsloadStatsTest.FILE
                .replace("hist 4992:4000,5056:900,901120:70", "hist 4992:4000,5056:900,901120:70,1966080:5")
                .replace("step 0 recv 4970", "step 0 recv 4975");
        snapshots.snapshot(HsloadStats.parse(HsloadStatsTest.FILE), EXTRAS, true);
        WorkerSnapshot w = snapshots.snapshot(HsloadStats.parse(second), EXTRAS, true);
        Histogram interval = Histograms.decode(w.histograms().get(HistogramKind.DELIVERY.key()));
        assertThat(interval.getTotalCount()).isEqualTo(5);
        assertThat(interval.getMinValue()).isGreaterThanOrEqualTo(1_966_080);
        assertThat(w.histograms()).doesNotContainKey(HistogramKind.HANDSHAKE.key()); // none new
        // the step's own histogram stays cumulative, as FanoutSnapshot's are
        assertThat(Histograms.decode(w.fanout().steps().get(0).latency()).getTotalCount())
                .isEqualTo(4975);
    }

    @Test
    void beforeHsloadWroteAnythingEverythingIsZero() {
        WorkerSnapshot w = new HsloadSnapshots(spec(3)).snapshot(null, EXTRAS, true);
        assertThat(w.established()).isZero();
        assertThat(w.histograms()).isEmpty();
        assertThat(w.fanout().steps()).hasSize(3);
        assertThat(w.fanout().subscribersPerChannel()).containsExactly(0, 0, 0, 0);
    }

    @Test
    void subscriptionsStillWaitingCountAsTimeoutsAndAClosedWorkerHoldsNothing() {
        HsloadSnapshots.Extras closed = new HsloadSnapshots.Extras(77, 0, 0, 2, 1500, true);
        WorkerSnapshot w =
                new HsloadSnapshots(spec(1)).snapshot(HsloadStats.parse(HsloadStatsTest.FILE), closed, false);
        assertThat(w.open()).isZero();
        assertThat(w.rampMillis()).isEqualTo(1500);
        assertThat(w.fanout().subscribeFailures()).containsEntry("timeout", 2L);
        assertThat(w.fanout().subscribeFailed()).isEqualTo(4);
    }

    @Test
    void aBucketsMiddleIsWithinItsBounds() {
        assertThat(HsloadSnapshots.middle(5, 6)).isEqualTo(5); // one wide below 64
        assertThat(HsloadSnapshots.middle(64, 6)).isEqualTo(64); // 64-127: one wide
        assertThat(HsloadSnapshots.middle(128, 6)).isEqualTo(128); // two wide: 128-129
        assertThat(HsloadSnapshots.middle(4992, 6)).isEqualTo(4992 + 31); // 64 wide
        assertThat(HsloadSnapshots.middle(288, 3)).isEqualTo(288 + 15); // 8 per power: 32 wide
    }
}
