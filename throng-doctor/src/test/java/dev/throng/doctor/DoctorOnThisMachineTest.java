package dev.throng.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Runs the doctor on the real machine, read-only: whatever the box, it must report every check and not crash. */
class DoctorOnThisMachineTest {

    @Test
    void reportsEveryCheckForTheRealMachine() {
        Report report = new Doctor(SystemReader.machine(), EpollProbe.netty(), Fixtures.SERVER_BACKLOG)
                .examine(Target.defaults());

        assertThat(report.checks()).extracting(Check::id).containsExactly(CheckId.values());
        assertThat(report.checks()).allSatisfy(c -> {
            assertThat(c.current()).isNotBlank();
            assertThat(c.needed()).isNotBlank();
            if (c.status() == Status.FAIL || c.status() == Status.WARN) {
                assertThat(c.fix()).as(c.name()).isNotBlank();
            }
        });
        assertThat(report.check(CheckId.NOFILE_HARD).current()).matches("\\d+|unlimited");
        // Every sysctl the doctor shows must be what the kernel says (read by cat, not by the doctor's reader).
        for (Sysctl sysctl : report.sysctls()) {
            if (sysctl.current() != null) {
                assertThat(Sysctl.normalize(sysctl.current())).as(sysctl.key()).isEqualTo(cat(sysctl.procPath()));
            }
        }
        assertThat(report.check(CheckId.NR_OPEN).current()).isEqualTo(cat("/proc/sys/fs/nr_open"));
        assertThat(report.sysctls()).extracting(Sysctl::key).contains("fs.nr_open", "fs.file-max", "net.ipv4.tcp_mem");
        assertThat(report.check(CheckId.MEMORY).current()).endsWith(" available");
        assertThat(report.reachable()).isEqualTo(report.failures().isEmpty());
        System.out.println(ReportText.table(report.checks()));
    }

    /** The file as the kernel gives it to an ordinary reader, whitespace-normalised like the report. */
    private static String cat(String path) {
        try {
            Process cat =
                    new ProcessBuilder("cat", path).redirectErrorStream(true).start();
            String text = new String(cat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(cat.waitFor()).as("cat " + path).isZero();
            return Sysctl.normalize(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
