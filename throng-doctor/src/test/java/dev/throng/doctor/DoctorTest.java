package dev.throng.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DoctorTest {

    private static final Target MILLION = Target.defaults();

    @Test
    void reportsEveryCheckOnceInOrder() {
        Report report = Fixtures.examine(Fixtures.SMALL, MILLION);
        assertThat(report.checks()).extracting(Check::id).containsExactly(CheckId.values());
    }

    @Nested
    class OnASmallBox {

        private final Report report = Fixtures.examine(Fixtures.SMALL, MILLION);

        @Test
        void cannotReachAMillion() {
            assertThat(report.reachable()).isFalse();
            assertThat(report.failures())
                    .extracting(Check::id)
                    .containsExactly(
                            CheckId.NOFILE_HARD,
                            CheckId.SYSTEMD_LIMIT_NOFILE,
                            CheckId.FILE_MAX,
                            CheckId.CONNTRACK_MAX,
                            CheckId.TCP_MEM,
                            CheckId.MEMORY);
        }

        @Test
        void failsTheHardOpenFilesLimitAndSaysHowManyWorkers() {
            Check hard = report.check(CheckId.NOFILE_HARD);
            assertThat(hard.status()).isEqualTo(Status.FAIL);
            assertThat(hard.current()).isEqualTo("4096");
            assertThat(hard.needed()).isEqualTo(">= 1000256");
            // 4096 - 256 = 3840 per process; 278 workers are dealt up to 3,598 + 240, 277 up to 3,611 + 241.
            assertThat(hard.fix())
                    .contains(
                            "LimitNOFILE=1048576",
                            "throng - nofile 1048576",
                            "split the load over 278 processes of up to 3838 connections",
                            "throng serve --workers auto --max-connections 1000000 picks 278",
                            "throng doctor --workers 278");
            assertThat(report.workersNeeded()).hasValue(278);
        }

        @Test
        void onlyWarnsAboutTheSoftLimitSinceTheJvmRaisesIt() {
            Check soft = report.check(CheckId.NOFILE_SOFT);
            assertThat(soft.status()).isEqualTo(Status.WARN);
            assertThat(soft.fix()).contains("ulimit -Sn 4096", "MaxFDLimit");
        }

        @Test
        void failsTheInstalledUnitsLimitNofile() {
            Check systemd = report.check(CheckId.SYSTEMD_LIMIT_NOFILE);
            assertThat(systemd.status()).isEqualTo(Status.FAIL);
            assertThat(systemd.current()).isEqualTo("65536 (/etc/systemd/system/throng.service)");
            assertThat(systemd.fix()).contains("LimitNOFILE=1048576", "throng.service.d/limits.conf", "daemon-reload");
        }

        @Test
        void passesNrOpenAtTheKernelDefault() {
            assertThat(report.check(CheckId.NR_OPEN).status()).isEqualTo(Status.OK);
        }

        @Test
        void failsFileMaxWithTheSysctlToSet() {
            Check fileMax = report.check(CheckId.FILE_MAX);
            assertThat(fileMax.status()).isEqualTo(Status.FAIL);
            assertThat(fileMax.needed()).isEqualTo(">= 1065792");
            assertThat(fileMax.fix()).startsWith("sysctl -w fs.file-max=2097152");
        }

        @Test
        void warnsThatSomaxconnCutsTheServersBacklog() {
            Check somaxconn = report.check(CheckId.SOMAXCONN);
            assertThat(somaxconn.status()).isEqualTo(Status.WARN);
            assertThat(somaxconn.fix())
                    .startsWith("sysctl -w net.core.somaxconn=4096")
                    .contains("to 128");
            assertThat(report.check(CheckId.SYN_BACKLOG).fix())
                    .startsWith("sysctl -w net.ipv4.tcp_max_syn_backlog=4096");
        }

        @Test
        void skipsThePortRangeForAServer() {
            assertThat(report.check(CheckId.PORT_RANGE).status()).isEqualTo(Status.SKIP);
            assertThat(report.sysctls()).extracting(Sysctl::key).doesNotContain("net.ipv4.ip_local_port_range");
        }

        @Test
        void failsConntrackWithTheSysctlToSet() {
            Check conntrack = report.check(CheckId.CONNTRACK_MAX);
            assertThat(conntrack.status()).isEqualTo(Status.FAIL);
            assertThat(conntrack.current()).isEqualTo("65536");
            assertThat(conntrack.fix())
                    .startsWith("sysctl -w net.netfilter.nf_conntrack_max=2097152")
                    .contains("NOTRACK");
        }

        @Test
        void failsTcpMemWithTheTripleInPages() {
            Check tcpMem = report.check(CheckId.TCP_MEM);
            assertThat(tcpMem.status()).isEqualTo(Status.FAIL);
            assertThat(tcpMem.current()).startsWith("46080 61440 92160");
            assertThat(tcpMem.fix()).startsWith("sysctl -w net.ipv4.tcp_mem='786432 1048576 1572864'");
        }

        @Test
        void failsMemoryAndSaysHowManyConnectionsFit() {
            Check memory = report.check(CheckId.MEMORY);
            assertThat(memory.status()).isEqualTo(Status.FAIL);
            // (1,523,400 KiB - 64 MiB) / 7,100 B per connection.
            assertThat(memory.fix()).contains("--connections 210260");
        }

        @Test
        void aSmallTargetFitsTheSameBox() {
            Report small = Fixtures.examine(Fixtures.SMALL, Fixtures.server(2_000));
            assertThat(small.reachable()).isTrue();
            assertThat(small.workersNeeded()).isEmpty();
        }
    }

    @Nested
    class OnATunedBox {

        @Test
        void reachesAMillionAsAServer() {
            Report report = Fixtures.examine(Fixtures.TUNED, MILLION);
            assertThat(report.reachable()).isTrue();
            assertThat(report.checks()).allSatisfy(c -> {
                assertThat(c.status()).isIn(Status.OK, Status.SKIP);
                if (c.status() == Status.OK) {
                    assertThat(c.fix()).isEmpty();
                }
            });
            assertThat(report.check(CheckId.SYSTEMD_LIMIT_NOFILE).current()).contains("limits.conf");
            assertThat(report.sysctls()).noneMatch(Sysctl::changes);
        }

        @Test
        void warnsAClientHowManySourceAddressesItNeeds() {
            Report report = Fixtures.examine(Fixtures.TUNED, new Target(1_000_000, Role.CLIENT, 1));
            Check ports = report.check(CheckId.PORT_RANGE);
            assertThat(ports.status()).isEqualTo(Status.WARN);
            assertThat(ports.current()).isEqualTo("1024 65535 (64512 ports: 16 source addresses)");
            assertThat(ports.fix()).contains("16 source addresses", "127.0.0.1-127.0.0.16");
            assertThat(report.check(CheckId.SOMAXCONN).status()).isEqualTo(Status.SKIP);
            assertThat(report.check(CheckId.SYSTEMD_LIMIT_NOFILE).status()).isEqualTo(Status.SKIP);
            assertThat(report.reachable()).isTrue();
        }

        @Test
        void failsTcpMemWithBothEndsOnTheBox() {
            Report report = Fixtures.examine(Fixtures.TUNED, new Target(1_000_000, Role.BOTH, 1));
            assertThat(report.failures()).extracting(Check::id).containsExactly(CheckId.TCP_MEM);
            assertThat(report.check(CheckId.TCP_MEM).fix()).contains("'1572864 2097152 3145728'");
            assertThat(report.check(CheckId.FILE_MAX).status()).isEqualTo(Status.OK);
        }

        @Test
        void widensANarrowPortRangeAndCountsAddressesForIt(@TempDir Path dir) {
            Path root = Fixtures.copy(Fixtures.TUNED, dir);
            Fixtures.write(root.resolve("proc/sys/net/ipv4/ip_local_port_range"), "32768\t60999\n");
            Report report = Fixtures.doctor(root).examine(new Target(1_000_000, Role.CLIENT, 1));
            Check ports = report.check(CheckId.PORT_RANGE);
            assertThat(ports.current()).isEqualTo("32768 60999 (28232 ports: 36 source addresses)");
            assertThat(ports.fix())
                    .startsWith("sysctl -w net.ipv4.ip_local_port_range='1024 65535'")
                    .contains("16 source addresses");
        }
    }

    @Test
    void aHardLimitOf20000NeedsFiftyThreeWorkersAndPassesWithThem(@TempDir Path dir) {
        Path root = Fixtures.copy(Fixtures.TUNED, dir);
        Fixtures.write(root.resolve("proc/self/limits"), Fixtures.limits(20_000, 20_000));
        Doctor doctor = Fixtures.doctor(root);

        Report alone = doctor.examine(MILLION);
        assertThat(alone.check(CheckId.NOFILE_HARD).status()).isEqualTo(Status.FAIL);
        assertThat(alone.check(CheckId.NOFILE_HARD).fix())
                .contains(
                        "over 53 processes of up to 19418 connections",
                        "throng serve --workers auto --max-connections 1000000 picks 53");
        assertThat(alone.workersNeeded()).hasValue(53);

        Report split = doctor.examine(new Target(1_000_000, Role.SERVER, 53));
        assertThat(split.check(CheckId.NOFILE_HARD).status()).isEqualTo(Status.OK);
        assertThat(split.check(CheckId.NOFILE_HARD).needed()).isEqualTo(">= 19674");
        assertThat(split.reachable()).isTrue();
    }

    @Test
    void skipsConntrackWhenTheModuleIsNotLoaded(@TempDir Path dir) throws Exception {
        Path root = Fixtures.copy(Fixtures.SMALL, dir);
        Files.delete(root.resolve("proc/sys/net/netfilter/nf_conntrack_max"));
        Report report = Fixtures.doctor(root).examine(MILLION);
        assertThat(report.check(CheckId.CONNTRACK_MAX).status()).isEqualTo(Status.SKIP);
        assertThat(report.check(CheckId.CONNTRACK_MAX).current()).isEqualTo("not loaded");
        assertThat(report.sysctls()).extracting(Sysctl::key).doesNotContain("net.netfilter.nf_conntrack_max");
    }

    @Test
    void warnsWhenNrOpenIsBelowTheRoundedLimit(@TempDir Path dir) {
        Path root = Fixtures.copy(Fixtures.TUNED, dir);
        Fixtures.write(root.resolve("proc/sys/fs/nr_open"), "1010000\n");
        Report report = Fixtures.doctor(root).examine(MILLION);
        assertThat(report.check(CheckId.NR_OPEN).status()).isEqualTo(Status.WARN);
        assertThat(report.check(CheckId.NR_OPEN).fix()).startsWith("sysctl -w fs.nr_open=1048576");
    }

    @Test
    void warnsWithoutEpollAndFailsWhenWorkersNeedReusePort() {
        EpollProbe missing = () -> Optional.of("java.lang.UnsatisfiedLinkError: no netty_transport_native_epoll");
        Doctor doctor = new Doctor(Fixtures.reader(Fixtures.TUNED), missing, Fixtures.SERVER_BACKLOG);

        Check alone = doctor.examine(MILLION).check(CheckId.EPOLL);
        assertThat(alone.status()).isEqualTo(Status.WARN);
        assertThat(alone.current()).contains("UnsatisfiedLinkError");
        assertThat(alone.fix()).contains("NIO", "noexec");

        Check workers = doctor.examine(new Target(1_000_000, Role.SERVER, 2)).check(CheckId.EPOLL);
        assertThat(workers.status()).isEqualTo(Status.FAIL);
        assertThat(workers.fix()).contains("SO_REUSEPORT");
    }

    @Test
    void warnsButDoesNotFailWhenNothingCanBeRead(@TempDir Path empty) {
        Report report = Fixtures.doctor(empty).examine(MILLION);
        assertThat(report.checks()).extracting(Check::id).containsExactly(CheckId.values());
        assertThat(report.checks())
                .filteredOn(c -> c.current().equals("unreadable"))
                .extracting(Check::id)
                .containsExactlyElementsOf(Arrays.asList(
                        CheckId.NOFILE_SOFT,
                        CheckId.NOFILE_HARD,
                        CheckId.NR_OPEN,
                        CheckId.FILE_MAX,
                        CheckId.SOMAXCONN,
                        CheckId.SYN_BACKLOG,
                        CheckId.TCP_MEM,
                        CheckId.MEMORY));
        assertThat(report.checks())
                .filteredOn(c -> c.current().equals("unreadable"))
                .allSatisfy(c -> assertThat(c.status()).isEqualTo(Status.WARN));
    }
}
