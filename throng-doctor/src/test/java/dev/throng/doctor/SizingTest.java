package dev.throng.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SizingTest {

    @Test
    void oneProcessNeedsItsConnectionsPlusTheReserveServeKeeps() {
        assertThat(Sizing.fdsPerProcess(new Target(1_000_000, Role.SERVER, 1))).isEqualTo(1_000_256);
        assertThat(Sizing.fdsPerProcess(new Target(2_000, Role.SERVER, 1))).isEqualTo(2_256);
        // Under 1,024 descriptors a process keeps a quarter of its limit, as serve does.
        assertThat(Sizing.fdsPerProcess(new Target(600, Role.SERVER, 1))).isEqualTo(799);
    }

    @Test
    void theBusiestOfSeveralWorkersNeedsItsShareAndTheSpreadServeCapsItAt() {
        // 1,000,000 / 53 = 18,867.9: 18,868 each, plus 4 sqrt(18,868) = 550, plus 256 reserved.
        assertThat(Sizing.fdsPerProcess(new Target(1_000_000, Role.SERVER, 53))).isEqualTo(18_868 + 550 + 256);
    }

    @Test
    void theWorkersTheLimitRequiresFitUnderItAndOneFewerDoNot() {
        int workers = WorkerSizing.workersFor(1_000_000, 20_000).getAsInt();
        assertThat(Sizing.fdsPerProcess(new Target(1_000_000, Role.SERVER, workers)))
                .isLessThanOrEqualTo(20_000);
        assertThat(Sizing.fdsPerProcess(new Target(1_000_000, Role.SERVER, workers - 1)))
                .isGreaterThan(20_000);
    }

    @Test
    void roundsUpToPowersOfTwo() {
        assertThat(Sizing.roundUpToPowerOfTwo(1)).isEqualTo(1);
        assertThat(Sizing.roundUpToPowerOfTwo(1_048_576)).isEqualTo(1_048_576);
        assertThat(Sizing.roundUpToPowerOfTwo(1_048_577)).isEqualTo(2_097_152);
        assertThat(Sizing.roundUpToPowerOfTwo(1_000_256)).isEqualTo(1_048_576);
    }

    @Test
    void bothEndsOnTheBoxDoubleSocketsAndProcesses() {
        Target both = new Target(1_000_000, Role.BOTH, 2);
        assertThat(both.socketsOnBox()).isEqualTo(2_000_000);
        assertThat(both.processes()).isEqualTo(4);
        assertThat(Sizing.systemFds(both)).isEqualTo(2_000_000 + 4 * 256 + 65_536);
        assertThat(Sizing.tcpPages(both)).isEqualTo(2_000_000);
        // Loopback connections are tracked once, not once per end.
        assertThat(Sizing.conntrackEntries(both)).isEqualTo(1_250_000);
    }

    @Test
    void tcpMemForAMillionSocketsIsTheWellKnownTriple() {
        assertThat(Sizing.tcpMem(1_000_000)).containsExactly(786_432, 1_048_576, 1_572_864);
    }

    @Test
    void sourceAddressesFollowThePortRange() {
        assertThat(Sizing.portsInRange(32_768, 60_999)).isEqualTo(28_232);
        assertThat(Sizing.sourceAddressesFor(1_000_000, 28_232)).isEqualTo(36);
        assertThat(Sizing.sourceAddressesFor(1_000_000, Sizing.portsInRange(1_024, 65_535)))
                .isEqualTo(16);
        assertThat(Sizing.sourceAddressesFor(1_000, 28_232)).isEqualTo(1);
    }

    @Test
    void memoryIsKernelPlusProvisionedHeapPerSocketPlusABaselinePerProcess() {
        long perSocket = MeasuredCosts.KERNEL_BYTES_PER_IDLE_SOCKET + 2 * MeasuredCosts.JVM_HEAP_BYTES_PER_CONNECTION;
        assertThat(Sizing.memoryBytes(Fixtures.server(1_000_000)))
                .isEqualTo(1_000_000 * perSocket + MeasuredCosts.JVM_BASELINE_BYTES_PER_PROCESS);
        assertThat(Sizing.memoryBytes(new Target(1_000_000, Role.BOTH, 1)))
                .isEqualTo(2_000_000 * perSocket + 2 * MeasuredCosts.JVM_BASELINE_BYTES_PER_PROCESS);
    }

    @Test
    void connectionsThatFitInvertTheMemoryEstimate() {
        long available = 8L << 30;
        long fits = Sizing.connectionsThatFit(available, Role.SERVER, 1);
        assertThat(Sizing.memoryBytes(Fixtures.server(fits))).isLessThanOrEqualTo(available);
        assertThat(Sizing.memoryBytes(Fixtures.server(fits + 1))).isGreaterThan(available);
    }
}
