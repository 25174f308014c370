package dev.throng.bench.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.throng.bench.plan.Loader;
import dev.throng.bench.plan.PortRange;
import dev.throng.bench.plan.Scenario;
import dev.throng.bench.plan.SourceAddresses;
import dev.throng.bench.protocol.SourceSlice;
import dev.throng.bench.protocol.WorkerSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkerPlannerTest {

    private static final long HARD_LIMIT = 20_000;

    @Test
    void aMillionConnectionsUnderA20kLimitNeedFiftySixWorkers() {
        BenchSettings s = BenchSettings.builder()
                .connections(1_000_000)
                .sources(SourceAddresses.parse("127.0.0.2-127.0.0.40"))
                .build();
        assertThat(WorkerPlanner.connectionsPerWorker(HARD_LIMIT)).isEqualTo(18_000);
        assertThat(WorkerPlanner.workerCount(s, HARD_LIMIT)).isEqualTo(56);
        List<WorkerSpec> specs = WorkerPlanner.plan(s, HARD_LIMIT);
        assertThat(specs).hasSize(56);
        assertThat(specs.stream().mapToLong(WorkerSpec::connections).sum()).isEqualTo(1_000_000);
        assertThat(specs).allSatisfy(w -> assertThat(w.connections()).isLessThanOrEqualTo(18_000));
    }

    @Test
    void hsloadWorkersHold19000EachSoAHundredThousandNeedSix() {
        BenchSettings s = BenchSettings.builder()
                .connections(100_000)
                .scenario(Scenario.SUBSCRIBE)
                .ioThreads(2)
                .loader(Loader.HSLOAD)
                .sources(SourceAddresses.parse("127.0.0.2-127.0.0.9"))
                .build();
        assertThat(WorkerPlanner.connectionsPerWorker(HARD_LIMIT, Loader.HSLOAD))
                .isEqualTo(19_000);
        List<WorkerSpec> specs = WorkerPlanner.plan(s, HARD_LIMIT);
        assertThat(specs).hasSize(6);
        assertThat(specs).allSatisfy(w -> assertThat(w.ioThreads()).isEqualTo(1)); // one hsload thread
        assertThat(specs.get(1).firstIndex()).isEqualTo(specs.get(0).connections());
    }

    @Test
    void hsloadSubscribesEachConnectionToOneChannelOnly() {
        assertThatThrownBy(() -> BenchSettings.builder()
                        .scenario(Scenario.SUBSCRIBE)
                        .subscribe(SubscribeSettings.builder()
                                .channels(4)
                                .subscriptionsPerClient(2)
                                .build())
                        .loader(Loader.HSLOAD)
                        .build())
                .hasMessageContaining("--subscriptions-per-client must be 1");
        assertThatThrownBy(() -> BenchSettings.builder().loader(Loader.HSLOAD).build())
                .hasMessageContaining("the subscribe scenario only");
    }

    @Test
    void anExplicitWorkerCountWins() {
        BenchSettings s = BenchSettings.builder().connections(2000).workers(3).build();
        assertThat(WorkerPlanner.plan(s, HARD_LIMIT))
                .extracting(WorkerSpec::connections)
                .containsExactly(666, 667, 667);
    }

    @Test
    void noTwoWorkersShareAnAddressAndPort() {
        BenchSettings s = BenchSettings.builder()
                .connections(30_000)
                .workers(7)
                .sources(List.of("127.0.0.2", "127.0.0.3"))
                .ports(new PortRange(20000, 39999))
                .build();
        Set<String> seen = new HashSet<>();
        long pairs = 0;
        for (WorkerSpec w : WorkerPlanner.plan(s, HARD_LIMIT)) {
            assertThat(w.sources()).extracting(SourceSlice::address).containsExactly("127.0.0.2", "127.0.0.3");
            for (SourceSlice slice : w.sources()) {
                for (int p = slice.firstPort(); p <= slice.lastPort(); p++) {
                    assertThat(seen.add(slice.address() + ":" + p))
                            .as("%s:%d used twice", slice.address(), p)
                            .isTrue();
                    pairs++;
                }
            }
        }
        assertThat(pairs).isEqualTo(2 * 20_000);
    }

    @Test
    void connectionIndexesAndRatesAreSplitInProportion() {
        BenchSettings s = BenchSettings.builder()
                .connections(1000)
                .workers(4)
                .rate(2000)
                .closeRate(0)
                .build();
        List<WorkerSpec> specs = WorkerPlanner.plan(s, HARD_LIMIT);
        assertThat(specs).extracting(WorkerSpec::firstIndex).containsExactly(0L, 250L, 500L, 750L);
        assertThat(specs.stream().mapToDouble(WorkerSpec::connectRate).sum()).isEqualTo(2000.0);
        assertThat(specs).allSatisfy(w -> assertThat(w.closeRate()).isEqualTo(w.connectRate()));
    }

    @Test
    void failsWhenTheSharesExceedTheOpenFilesLimit() {
        BenchSettings s = BenchSettings.builder()
                .connections(40_000)
                .workers(2)
                .sources(List.of("127.0.0.2", "127.0.0.3"))
                .build();
        assertThatThrownBy(() -> WorkerPlanner.plan(s, HARD_LIMIT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--workers 3");
    }

    @Test
    void failsWhenThereAreTooFewAddressPortPairs() {
        BenchSettings s = BenchSettings.builder().connections(100_000).build(); // one address, 64,512 ports
        assertThatThrownBy(() -> WorkerPlanner.plan(s, HARD_LIMIT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("source addresses");
    }

    @Test
    void neverStartsMoreWorkersThanConnections() {
        BenchSettings s = BenchSettings.builder().connections(2).workers(5).build();
        assertThat(WorkerPlanner.plan(s, HARD_LIMIT)).hasSize(2);
    }
}
