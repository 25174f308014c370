package dev.throng.doctor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SysctlApplierTest {

    @Test
    void writesOnlyTheSysctlsThatFallShortThroughProcSys(@TempDir Path dir) {
        Path root = Fixtures.copy(Fixtures.SMALL, dir);
        Doctor doctor = Fixtures.doctor(root);

        List<SysctlApplier.Change> changes =
                SysctlApplier.apply(doctor.examine(Target.defaults()), SysctlWriter.procSysUnder(root));

        assertThat(changes)
                .allMatch(SysctlApplier.Change::applied)
                .extracting(SysctlApplier.Change::key)
                .containsExactly(
                        "fs.file-max",
                        "net.core.somaxconn",
                        "net.ipv4.tcp_max_syn_backlog",
                        "net.netfilter.nf_conntrack_max",
                        "net.ipv4.tcp_mem");
        assertThat(changes.get(0)).isEqualTo(new SysctlApplier.Change("fs.file-max", "98304", "2097152", null));
        assertThat(Fixtures.read(root.resolve("proc/sys/net/ipv4/tcp_mem"))).isEqualTo("786432 1048576 1572864\n");
        assertThat(Fixtures.read(root.resolve("proc/sys/fs/nr_open"))).isEqualTo("1048576\n");

        Report after = doctor.examine(Target.defaults());
        assertThat(after.checks())
                .filteredOn(c -> List.of(
                                CheckId.FILE_MAX,
                                CheckId.SOMAXCONN,
                                CheckId.SYN_BACKLOG,
                                CheckId.CONNTRACK_MAX,
                                CheckId.TCP_MEM)
                        .contains(c.id()))
                .allMatch(c -> c.status() == Status.OK);
        assertThat(after.sysctls()).noneMatch(Sysctl::changes);
    }

    @Test
    void neverTouchesResourceLimits(@TempDir Path dir) {
        Path root = Fixtures.copy(Fixtures.SMALL, dir);
        String limitsBefore = Fixtures.read(root.resolve("proc/self/limits"));
        String unitBefore = Fixtures.read(root.resolve("etc/systemd/system/throng.service"));
        Report report = Fixtures.doctor(root).examine(Target.defaults());

        SysctlApplier.apply(report, SysctlWriter.procSysUnder(root));

        assertThat(Fixtures.read(root.resolve("proc/self/limits"))).isEqualTo(limitsBefore);
        assertThat(Fixtures.read(root.resolve("etc/systemd/system/throng.service")))
                .isEqualTo(unitBefore);
        assertThat(Fixtures.doctor(root)
                        .examine(Target.defaults())
                        .check(CheckId.NOFILE_HARD)
                        .status())
                .isEqualTo(Status.FAIL);
    }

    @Test
    void reportsARefusedWriteAndGoesOnWithTheRest(@TempDir Path dir) {
        Path root = Fixtures.copy(Fixtures.SMALL, dir);
        SysctlWriter real = SysctlWriter.procSysUnder(root);
        SysctlWriter refusesSomaxconn = (key, value) -> {
            if (key.equals("net.core.somaxconn")) {
                throw new IOException("Read-only file system");
            }
            real.write(key, value);
        };
        Report report = Fixtures.doctor(root).examine(Target.defaults());

        List<SysctlApplier.Change> changes = SysctlApplier.apply(report, refusesSomaxconn);

        assertThat(changes)
                .filteredOn(c -> !c.applied())
                .containsExactly(
                        new SysctlApplier.Change("net.core.somaxconn", "128", "4096", "Read-only file system"));
        assertThat(changes).filteredOn(SysctlApplier.Change::applied).hasSize(4);
        assertThat(Fixtures.read(root.resolve("proc/sys/fs/file-max"))).isEqualTo("2097152\n");
    }

    @Test
    void neverCreatesASysctlTheKernelDoesNotHave(@TempDir Path dir) {
        assertThatThrownBy(() -> SysctlWriter.procSysUnder(dir).write("net.core.somaxconn", "4096"))
                .isInstanceOf(IOException.class);
        assertThat(dir.resolve("proc/sys/net/core/somaxconn")).doesNotExist();
    }
}
