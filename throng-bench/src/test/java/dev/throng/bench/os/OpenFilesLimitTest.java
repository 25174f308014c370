package dev.throng.bench.os;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OpenFilesLimitTest {

    private static final String LIMITS = ""
        + "Limit                     Soft Limit           Hard Limit           Units     \n"
        + "Max cpu time              unlimited            unlimited            seconds   \n"
        + "Max open files            1024                 20000                files     \n"
        + "Max locked memory         8388608              8388608              bytes     \n";

    @Test
    void readsSoftAndHard() {
        assertThat(OpenFilesLimit.parse(LIMITS)).isEqualTo(new OpenFilesLimit(1024, 20000));
    }

    @Test
    void aWorkerGetsTheHardLimitBecauseTheJvmRaisesItsSoftLimit() {
        assertThat(OpenFilesLimit.parse(LIMITS).forWorker()).isEqualTo(20000);
    }

    @Test
    void unlimitedIsTheLargestLong() {
        assertThat(OpenFilesLimit.parse("Max open files  unlimited unlimited files\n").hard()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void failsWithoutTheLine() {
        assertThatThrownBy(() -> OpenFilesLimit.parse("Max cpu time 1 1 s\n"))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void thisProcessHasALimit() throws Exception {
        assertThat(OpenFilesLimit.ofSelf().soft()).isPositive();
    }
}
