package dev.throng.bench.os;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcStatsTest {

    @Test
    void sumsUserAndSystemTicksEvenWhenTheNameHasSpacesAndParentheses() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 30 0 123 4096 77\n";
        assertThat(ProcStats.parseCpuNanos(stat)).isEqualTo(300 * 10_000_000L);
    }

    @Test
    void readsVmRssInBytes() {
        String status = "Name:\tjava\nVmPeak:\t 999 kB\nVmRSS:\t   2048 kB\nThreads:\t9\n";
        assertThat(ProcStats.parseRssBytes(status)).isEqualTo(2048L * 1024);
    }

    @Test
    void readsPssFromTheRollupInBytes() {
        String rollup = "55d0a000-7ffd1000 ---p 00000000 00:00 0    [rollup]\nRss:    53264 kB\nPss:    29103 kB\n"
                + "Pss_Anon:   26744 kB\n";
        assertThat(ProcStats.parseKilobytesField(rollup, "Pss:")).isEqualTo(29103L * 1024);
    }

    @Test
    void aZombieHasNoRss() {
        assertThat(ProcStats.parseRssBytes("Name:\tjava\nState:\tZ (zombie)\n")).isZero();
    }

    @Test
    void readsThisProcess() throws Exception {
        assertThat(ProcStats.selfRssBytes()).isPositive();
        assertThat(ProcStats.pssBytes("self")).isPositive().isLessThanOrEqualTo(ProcStats.selfRssBytes() * 2);
        assertThat(ProcStats.selfCpuNanos()).isPositive();
    }
}
