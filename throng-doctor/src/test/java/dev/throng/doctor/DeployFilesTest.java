package dev.throng.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.throng.core.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy/ must say what the doctor says, so the files and the checks cannot drift apart. */
class DeployFilesTest {

    /** The repository's deploy/ directory; surefire runs in the module directory. */
    private static final Path DEPLOY = Path.of("..", "deploy");

    @Test
    void sysctlDropInHasTheDoctorsValuesForAMillion() {
        Map<String, String> expected = new LinkedHashMap<>(
                SysctlFileTest.settings(SysctlFile.render(Fixtures.examine(Fixtures.SMALL, Target.defaults()))));
        expected.put(
                "net.ipv4.ip_local_port_range",
                SysctlFileTest.settings(SysctlFile.render(
                                Fixtures.examine(Fixtures.SMALL, new Target(1_000_000, Role.CLIENT, 1))))
                        .get("net.ipv4.ip_local_port_range"));

        Map<String, String> deployed = SysctlFileTest.settings(Fixtures.read(DEPLOY.resolve("99-throng.conf")));

        assertThat(deployed).containsExactlyInAnyOrderEntriesOf(expected);
    }

    @Test
    void serviceSetsTheDoctorsOpenFilesLimit() {
        String unit = Fixtures.read(DEPLOY.resolve("throng.service"));
        long limit = Fixtures.examine(Fixtures.SMALL, Target.defaults()).limitNofile();
        assertThat(SystemdUnit.lastAssignment(unit, "Service", "LimitNOFILE")).contains(Long.toString(limit));
        assertThat(SystemdUnit.lastAssignment(unit, "Service", "ExecStart").orElseThrow())
                .startsWith("/opt/throng/bin/throng serve");
    }

    @Test
    void serviceStopsWithSigtermAndWaitsLongerThanTheCloseHandshake() {
        String unit = Fixtures.read(DEPLOY.resolve("throng.service"));
        assertThat(SystemdUnit.lastAssignment(unit, "Service", "KillSignal")).contains("SIGTERM");
        long stopSeconds = Long.parseLong(
                SystemdUnit.lastAssignment(unit, "Service", "TimeoutStopSec").orElseThrow());
        long closeSeconds =
                ServerConfig.builder().build().keepalive().closeTimeout().toSeconds();
        assertThat(stopSeconds).isGreaterThan(closeSeconds).isGreaterThanOrEqualTo(30);
        // The JIT needs writable+executable memory: this setting would stop the JVM from starting.
        assertThat(SystemdUnit.lastAssignment(unit, "Service", "MemoryDenyWriteExecute"))
                .isEmpty();
    }

    @Test
    void theDoctorPassesTheInstalledService(@TempDir Path dir) throws Exception {
        Path root = Fixtures.copy(Fixtures.TUNED, dir);
        Files.delete(root.resolve("etc/systemd/system/throng.service.d/limits.conf"));
        Files.copy(
                DEPLOY.resolve("throng.service"),
                root.resolve("etc/systemd/system/throng.service"),
                StandardCopyOption.REPLACE_EXISTING);

        Check systemd = Fixtures.doctor(root).examine(Target.defaults()).check(CheckId.SYSTEMD_LIMIT_NOFILE);

        assertThat(systemd.status()).isEqualTo(Status.OK);
        assertThat(systemd.current()).isEqualTo("1048576 (/etc/systemd/system/throng.service)");
    }
}
