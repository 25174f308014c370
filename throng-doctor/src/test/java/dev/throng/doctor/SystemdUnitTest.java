package dev.throng.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemdUnitTest {

    @Test
    void readsTheHardPartOfEverySpelling() {
        assertThat(SystemdUnit.hardOf("65536", 1_048_576)).isEqualTo(65_536);
        assertThat(SystemdUnit.hardOf("1024:524288", 1_048_576)).isEqualTo(524_288);
        assertThat(SystemdUnit.hardOf("infinity", 1_048_576)).isEqualTo(1_048_576);
        assertThat(SystemdUnit.hardOf("1024:infinity", 2_097_152)).isEqualTo(2_097_152);
    }

    @Test
    void takesTheLastAssignmentInTheServiceSectionOnly() {
        String unit = "[Unit]\nLimitNOFILE=1\n[Service]\nLimitNOFILE=2\n# LimitNOFILE=3\nLimitNOFILE = 4\n[Install]\n";
        assertThat(SystemdUnit.lastAssignment(unit, "Service", "LimitNOFILE")).contains("4");
        assertThat(SystemdUnit.lastAssignment("[Service]\nExecStart=x\n", "Service", "LimitNOFILE"))
                .isEmpty();
    }

    @Test
    void aDropInOverridesTheUnit() {
        SystemReader tuned = Fixtures.reader(Fixtures.TUNED);
        String unit = SystemdUnit.find(tuned).orElseThrow();
        SystemdUnit.Limit limit = SystemdUnit.limitNofile(tuned, unit, 1_048_576);
        assertThat(limit.hard()).isEqualTo(1_048_576);
        assertThat(limit.source()).isEqualTo("/etc/systemd/system/throng.service.d/limits.conf");
    }

    @Test
    void withoutLimitNofileTheServiceGetsTheManagerDefault(@TempDir Path root) {
        Fixtures.write(root.resolve("lib/systemd/system/throng.service"), "[Service]\nExecStart=/bin/true\n");
        SystemReader system = SystemReader.rootedAt(root);
        String unit = SystemdUnit.find(system).orElseThrow();
        assertThat(unit).isEqualTo("/lib/systemd/system/throng.service");
        assertThat(SystemdUnit.limitNofile(system, unit, 1_048_576).hard()).isEqualTo(524_288);

        Fixtures.write(root.resolve("etc/systemd/system.conf"), "[Manager]\nDefaultLimitNOFILE=4096:8192\n");
        assertThat(SystemdUnit.limitNofile(system, unit, 1_048_576).hard()).isEqualTo(8_192);
    }

    @Test
    void anEmptyAssignmentInADropInResetsTheLimit(@TempDir Path root) {
        Fixtures.write(root.resolve("etc/systemd/system/throng.service"), "[Service]\nLimitNOFILE=1048576\n");
        Fixtures.write(root.resolve("etc/systemd/system/throng.service.d/reset.conf"), "[Service]\nLimitNOFILE=\n");
        SystemReader system = SystemReader.rootedAt(root);
        SystemdUnit.Limit limit =
                SystemdUnit.limitNofile(system, SystemdUnit.find(system).orElseThrow(), 1_048_576);
        assertThat(limit.source()).isEqualTo("systemd default");
        assertThat(limit.hard()).isEqualTo(524_288);
    }
}
