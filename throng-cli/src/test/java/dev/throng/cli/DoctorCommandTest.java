package dev.throng.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.throng.doctor.CheckId;
import dev.throng.doctor.EpollProbe;
import dev.throng.doctor.SysctlFile;
import dev.throng.doctor.SysctlWriter;
import dev.throng.doctor.SystemReader;
import dev.throng.doctor.Target;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code throng doctor}'s command line on the doctor's fixture trees, and once read-only on this machine. */
class DoctorCommandTest {

    /** A writer for runs that must stay read-only. */
    private static final SysctlWriter MUST_NOT_WRITE = (key, value) -> {
        throw new AssertionError("wrote " + key + " without --apply");
    };

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(SystemReader system, SysctlWriter writer, String... args) {
        return run(new DoctorCommand(system, writer, DoctorFixtures.EPOLL_LOADS), args);
    }

    private int run(DoctorCommand doctor, String... args) {
        CommandLine cmd = new CommandLine(doctor);
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        return cmd.execute(args);
    }

    private int run(String fixture, String... args) {
        return run(DoctorFixtures.reader(fixture), MUST_NOT_WRITE, args);
    }

    @Test
    void exitsZeroWhenTheTargetIsReachable() {
        assertThat(run(DoctorFixtures.TUNED)).isEqualTo(DoctorCommand.REACHABLE).isZero();
        assertThat(out.toString()).contains("REACHABLE: nothing on this machine stops 1000000 connections");
    }

    @Test
    void exitsOneWhenACheckFails() {
        assertThat(run(DoctorFixtures.SMALL))
                .isEqualTo(DoctorCommand.NOT_REACHABLE)
                .isEqualTo(1);
        assertThat(out.toString())
                .contains(
                        "NOT REACHABLE: 6 checks fail: RLIMIT_NOFILE hard",
                        "throng doctor --connections 1000000 --role server --workers 278");
    }

    @Test
    void exitsOneForATargetTheTunedBoxCannotHold() {
        assertThat(run(DoctorFixtures.TUNED, "--connections", "1000000", "--role", "both"))
                .isEqualTo(1);
        assertThat(run(DoctorFixtures.TUNED, "--connections", "1000000", "--role", "CLIENT"))
                .isZero();
    }

    @Test
    void exitsTwoOnUsageErrors() {
        for (String[] args : List.of(
                new String[] {"--connections", "0"},
                new String[] {"--connections", "many"},
                new String[] {"--role", "proxy"},
                new String[] {"--workers", "0"},
                new String[] {"--connections", "10", "--workers", "11"},
                new String[] {"--frobnicate"})) {
            assertThat(run(DoctorFixtures.TUNED, args))
                    .as(Arrays.toString(args))
                    .isEqualTo(DoctorCommand.USAGE)
                    .isEqualTo(2);
        }
        assertThat(err.toString())
                .contains("expected server, client or both, got 'proxy'", "connections must be at least 1");
    }

    @Test
    void printsATableRowPerCheckThenTheFiles() {
        run(DoctorFixtures.SMALL);
        String text = out.toString();
        assertThat(text).containsPattern("(?m)^CHECK +CURRENT +NEEDED +STATUS +FIX$");
        for (CheckId id : CheckId.values()) {
            assertThat(text).containsPattern("(?m)^" + id.label().replace(".", "\\.") + " ");
        }
        assertThat(text)
                .containsPattern("(?m)^fs\\.file-max +98304 +>= 1065792 +FAIL +sysctl -w fs\\.file-max=2097152");
        assertThat(text)
                .contains(
                        "===== /etc/sysctl.d/99-throng.conf =====",
                        "fs.file-max = 2097152",
                        "LimitNOFILE=1048576",
                        "throng - nofile 1048576");
    }

    @Test
    void printsJsonForScripts() throws Exception {
        assertThat(run(DoctorFixtures.SMALL, "--json")).isEqualTo(1);
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.get("reachable").asBoolean()).isFalse();
        assertThat(json.get("target").get("connections").asLong()).isEqualTo(1_000_000);
        assertThat(json.get("workersNeeded").asInt()).isEqualTo(278);
        assertThat(json.get("limitNofile").asLong()).isEqualTo(1_048_576);
        List<String> ids = new ArrayList<>();
        json.get("checks").forEach(c -> ids.add(c.get("id").asText()));
        assertThat(ids)
                .containsExactlyElementsOf(
                        Arrays.stream(CheckId.values()).map(CheckId::id).toList());
        assertThat(json.get("checks")
                        .get(CheckId.FILE_MAX.ordinal())
                        .get("status")
                        .asText())
                .isEqualTo("FAIL");
        assertThat(json.get("sysctlFile").asText()).contains("fs.file-max = 2097152");
        assertThat(json.has("applied")).isFalse();
    }

    @Test
    void writesTheSysctlFileWhenAsked(@TempDir Path dir) {
        Path file = dir.resolve("99-throng.conf");
        run(DoctorFixtures.SMALL, "--sysctl-out", file.toString());
        assertThat(DoctorFixtures.read(file))
                .isEqualTo(SysctlFile.render(DoctorFixtures.examine(DoctorFixtures.SMALL, Target.defaults())));
    }

    @Test
    void exitsTwoWhenTheSysctlFileCannotBeWritten(@TempDir Path dir) {
        Path file = dir.resolve("no/such/dir/99-throng.conf");
        assertThat(run(DoctorFixtures.TUNED, "--sysctl-out", file.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("cannot write");
    }

    @Test
    void appliesSysctlsThenReportsTheStateAfter(@TempDir Path dir) {
        Path root = DoctorFixtures.copy(DoctorFixtures.SMALL, dir);
        int exit = run(SystemReader.rootedAt(root), SysctlWriter.procSysUnder(root), "--apply");

        // The sysctls are fixed; the hard open-files limit, the unit and the RAM are not the doctor's to change.
        assertThat(exit).isEqualTo(1);
        assertThat(out.toString())
                .contains(
                        "fs.file-max: 98304 -> 2097152",
                        "net.ipv4.tcp_mem: 46080 61440 92160 -> 786432 1048576 1572864",
                        "NOT REACHABLE: 3 checks fail: RLIMIT_NOFILE hard, systemd LimitNOFILE, MemAvailable");
        assertThat(DoctorFixtures.read(root.resolve("proc/sys/net/core/somaxconn")))
                .isEqualTo("4096\n");
    }

    @Test
    void reportsWhatApplyChangedInJson(@TempDir Path dir) throws Exception {
        Path root = DoctorFixtures.copy(DoctorFixtures.SMALL, dir);
        run(SystemReader.rootedAt(root), SysctlWriter.procSysUnder(root), "--apply", "--json");
        JsonNode applied = new ObjectMapper().readTree(out.toString()).get("applied");
        assertThat(applied).hasSize(5);
        assertThat(applied.get(0).get("key").asText()).isEqualTo("fs.file-max");
        assertThat(applied.get(0).get("error").isNull()).isTrue();
    }

    @Test
    void isASubcommandNamedDoctor() {
        CommandLine cmd = new CommandLine(new DoctorCommand(
                DoctorFixtures.reader(DoctorFixtures.TUNED), MUST_NOT_WRITE, DoctorFixtures.EPOLL_LOADS));
        assertThat(cmd.getCommandName()).isEqualTo("doctor");
        assertThat(cmd.getUsageMessage())
                .contains("--connections", "--role", "--workers", "--apply", "--sysctl-out", "--json", "Exit status:");
    }

    @Test
    void runsReadOnlyOnThisMachineAndExitsZeroOrOne() {
        int exit = run(
                new DoctorCommand(SystemReader.machine(), MUST_NOT_WRITE, EpollProbe.netty()),
                "--connections",
                "1000000",
                "--role",
                "both");

        assertThat(exit).isIn(DoctorCommand.REACHABLE, DoctorCommand.NOT_REACHABLE);
        for (CheckId id : CheckId.values()) {
            assertThat(out.toString()).contains(id.label());
        }
    }
}
