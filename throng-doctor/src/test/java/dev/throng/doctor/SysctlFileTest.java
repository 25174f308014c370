package dev.throng.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SysctlFileTest {

    /** The key = value lines of a sysctl file, in order. */
    static Map<String, String> settings(String file) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String line : file.split("\n")) {
            String trimmed = line.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith(";")) {
                continue;
            }
            int eq = trimmed.indexOf('=');
            settings.put(
                    trimmed.substring(0, eq).trim(), trimmed.substring(eq + 1).trim());
        }
        return settings;
    }

    @Test
    void raisesEveryShortSysctlOfASmallBoxForAMillion() {
        String file = SysctlFile.render(Fixtures.examine(Fixtures.SMALL, Target.defaults()));
        assertThat(settings(file))
                .containsExactly(
                        Map.entry("fs.nr_open", "1048576"),
                        Map.entry("fs.file-max", "2097152"),
                        Map.entry("net.core.somaxconn", "4096"),
                        Map.entry("net.ipv4.tcp_max_syn_backlog", "4096"),
                        Map.entry("net.netfilter.nf_conntrack_max", "2097152"),
                        Map.entry("net.ipv4.tcp_mem", "786432 1048576 1572864"));
    }

    @Test
    void explainsEachLineAndHowToApplyIt() {
        String file = SysctlFile.render(Fixtures.examine(Fixtures.SMALL, Target.defaults()));
        assertThat(file)
                .startsWith("# /etc/sysctl.d/99-throng.conf, from: throng doctor --connections 1000000 "
                        + "--role server --workers 1\n");
        assertThat(file)
                .contains(
                        "sysctl -p /etc/sysctl.d/99-throng.conf",
                        "# ceiling of RLIMIT_NOFILE: LimitNOFILE=1048576 must fit under it\nfs.nr_open = 1048576\n",
                        "/etc/modules-load.d/throng.conf\nnet.netfilter.nf_conntrack_max = 2097152\n");
    }

    @Test
    void addsThePortRangeForAClient() {
        String file = SysctlFile.render(Fixtures.examine(Fixtures.SMALL, new Target(1_000_000, Role.CLIENT, 1)));
        assertThat(settings(file))
                .containsEntry("net.ipv4.ip_local_port_range", "1024 65535")
                .doesNotContainKeys("net.core.somaxconn", "net.ipv4.tcp_max_syn_backlog");
    }

    @Test
    void neverLowersWhatTheKernelHas(@TempDir Path dir) {
        Path root = Fixtures.copy(Fixtures.TUNED, dir);
        Fixtures.write(root.resolve("proc/sys/fs/file-max"), "9223372036854775807\n");
        Fixtures.write(root.resolve("proc/sys/net/core/somaxconn"), "65535\n");
        Fixtures.write(root.resolve("proc/sys/net/ipv4/tcp_mem"), "786432\t1048576\t9999999\n");
        String file = SysctlFile.render(Fixtures.doctor(root).examine(new Target(1_000_000, Role.BOTH, 1)));
        assertThat(settings(file))
                .containsEntry("fs.file-max", "9223372036854775807")
                .containsEntry("net.core.somaxconn", "65535")
                // The cap was high enough; pressure gets raised and keeps the higher cap.
                .containsEntry("net.ipv4.tcp_mem", "1572864 2097152 9999999");
    }

    @Test
    void limitsSnippetHasTheDropInAndTheLimitsLine() {
        String snippet = LimitsSnippet.render(
                Fixtures.examine(Fixtures.SMALL, Target.defaults()).limitNofile());
        assertThat(snippet)
                .contains(
                        "# /etc/systemd/system/throng.service.d/limits.conf",
                        "[Service]\nLimitNOFILE=1048576\n",
                        "# /etc/security/limits.d/99-throng.conf",
                        "throng - nofile 1048576\n");
    }
}
