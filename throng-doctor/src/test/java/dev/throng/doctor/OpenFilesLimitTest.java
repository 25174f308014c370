package dev.throng.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenFilesLimitTest {

    @Test
    void readsSoftAndHardFromTheMaxOpenFilesLine() {
        assertThat(OpenFilesLimit.parse(Fixtures.limits(1024, 20_000))).contains(new OpenFilesLimit(1024, 20_000));
    }

    @Test
    void readsUnlimitedAsTheLargestLimit() {
        String text = "Max open files            unlimited            unlimited            files     \n";
        assertThat(OpenFilesLimit.parse(text)).contains(new OpenFilesLimit(Long.MAX_VALUE, Long.MAX_VALUE));
    }

    @Test
    void isEmptyWithoutTheLineOrWithGarbage() {
        assertThat(OpenFilesLimit.parse("Max stack size 8388608 unlimited bytes\n"))
                .isEmpty();
        assertThat(OpenFilesLimit.parse("Max open files            lots                 more                 files\n"))
                .isEmpty();
    }

    @Test
    void readsTheLimitsOfTheProcessASystemReaderBelongsTo() {
        assertThat(OpenFilesLimit.read(Fixtures.reader(Fixtures.SMALL))).contains(new OpenFilesLimit(1024, 4096));
    }

    @Test
    void isEmptyWhereProcSelfLimitsIsMissing(@TempDir Path empty) {
        assertThat(OpenFilesLimit.read(SystemReader.rootedAt(empty))).isEmpty();
    }

    @Test
    void thisProcessReadsItsOwnLimitsWhichTheJvmHasRaisedToTheHardOne() throws Exception {
        OpenFilesLimit expected = OpenFilesLimit.parse(Files.readString(Path.of("/proc/self/limits")))
                .orElseThrow();
        assertThat(OpenFilesLimit.ofThisProcess()).isEqualTo(expected);
        assertThat(expected.soft()).isEqualTo(expected.hard());
    }
}
