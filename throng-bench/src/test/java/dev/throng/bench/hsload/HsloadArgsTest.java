package dev.throng.bench.hsload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.throng.bench.protocol.SourceSlice;
import dev.throng.bench.protocol.SubscribeSpec;
import dev.throng.bench.protocol.WorkerSpec;
import dev.throng.bench.pusher.ChannelPlan;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class HsloadArgsTest {

    private static final Path HSLOAD = Path.of("/opt/hsload");
    private static final Path STATS = Path.of("/tmp/stats");

    @Test
    void holdsTheSpecsShareFromItsSourcesOnTheChannelsJavaWorkersWouldUse() {
        List<String> cmd = HsloadArgs.command(HSLOAD, HsloadSnapshotsTest.spec(2), STATS);
        String line = String.join(" ", cmd);
        assertThat(cmd.get(0)).isEqualTo("/opt/hsload");
        assertThat(line)
                .contains("-t 1 --hold ")
                .contains("--stop-with-parent --stats /tmp/stats")
                .contains("-n 1000 ")
                .contains("-s 127.0.0.2-127.0.0.3 -p 20000-29999")
                .contains("-T 10.000")
                .contains("--path /app/app-key?protocol=7")
                .contains("--subscribe 4 --channel-prefix bench- --index-base 4000")
                .contains("-r 1000.000");
        assertThat(cmd.get(cmd.size() - 1)).isEqualTo("127.0.0.1:8080");
        // hsload's channel for its connection i is (index-base + i) mod C; ChannelPlan's for K = 1 is the same
        ChannelPlan plan = new ChannelPlan(4, 1);
        for (long index = 4000; index < 4010; index++) {
            assertThat(plan.firstChannel(index)).isEqualTo((int) (index % 4));
        }
    }

    @Test
    void theRampsBoundIsTwiceItsLengthPlusTheConnectTimeoutAndSlack() {
        assertThat(HsloadArgs.rampBoundSeconds(HsloadSnapshotsTest.spec(1))).isEqualTo(2 * 1.0 + 10 + 60);
    }

    @Test
    void refusesAddressesThatAreNotOneRange() {
        List<SourceSlice> gap = List.of(new SourceSlice("127.0.0.2", 1, 9), new SourceSlice("127.0.0.4", 1, 9));
        assertThatThrownBy(() -> HsloadArgs.addresses(gap)).hasMessageContaining("consecutive");
        assertThat(HsloadArgs.addresses(List.of(new SourceSlice("0.0.0.0", 1, 9))))
                .isEqualTo("0.0.0.0-0.0.0.0");
    }

    @Test
    void refusesPortSlicesThatDifferBetweenAddresses() {
        List<SourceSlice> slices = List.of(new SourceSlice("127.0.0.2", 1, 9), new SourceSlice("127.0.0.3", 2, 9));
        assertThatThrownBy(() -> HsloadArgs.ports(slices)).hasMessageContaining("same ports");
    }

    @Test
    void refusesMoreThanOneSubscriptionPerConnection() {
        WorkerSpec k2 = withSubscribe(new SubscribeSpec(4, 2, "bench-", "bench", 1));
        assertThatThrownBy(() -> HsloadArgs.command(HSLOAD, k2, STATS)).hasMessageContaining("one channel");
    }

    private static WorkerSpec withSubscribe(SubscribeSpec sub) {
        WorkerSpec s = HsloadSnapshotsTest.spec(1);
        return new WorkerSpec(
                s.worker(),
                s.connections(),
                s.firstIndex(),
                s.targets(),
                s.sources(),
                s.connectRate(),
                s.warmupMillis(),
                s.closeRate(),
                s.scenario(),
                s.intervalMillis(),
                s.messageSize(),
                s.payload(),
                s.clientPingMillis(),
                s.connectTimeoutMillis(),
                s.closeTimeoutMillis(),
                s.ioThreads(),
                s.transport(),
                sub);
    }
}
