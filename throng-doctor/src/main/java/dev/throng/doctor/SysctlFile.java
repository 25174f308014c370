package dev.throng.doctor;

/**
 * The text of {@code /etc/sysctl.d/99-throng.conf} for a report: every sysctl the target depends on, each with its
 * reason. Values never lower what the kernel has now, so the file is safe to apply on a box tuned for more.
 */
public final class SysctlFile {

    /** Where the file goes; {@code 99-} sorts it after the distribution's own files, so it wins. */
    public static final String PATH = "/etc/sysctl.d/99-throng.conf";

    private SysctlFile() {}

    /** The file's content. Deterministic for a given report (no dates, no host names), so it diffs cleanly. */
    public static String render(Report report) {
        Target target = report.target();
        StringBuilder text = new StringBuilder()
                .append("# ")
                .append(PATH)
                .append(", from: throng doctor --connections ")
                .append(target.connections())
                .append(" --role ")
                .append(target.role().label())
                .append(" --workers ")
                .append(target.workers())
                .append('\n')
                .append("# Apply now: sysctl -p ")
                .append(PATH)
                .append("  (at boot systemd-sysctl applies it)\n")
                .append("# Values never lower what the kernel had; docs/doctor.md explains each one.\n");
        for (Sysctl sysctl : report.sysctls()) {
            text.append('\n').append("# ").append(sysctl.reason()).append('\n');
            if (sysctl.key().startsWith("net.netfilter.")) {
                // The key only exists once the module is loaded; at boot systemd-sysctl may run first.
                text.append("# needs nf_conntrack loaded first: echo nf_conntrack > /etc/modules-load.d/throng.conf\n");
            }
            text.append(sysctl.key())
                    .append(" = ")
                    .append(Sysctl.normalize(sysctl.value()))
                    .append('\n');
        }
        return text.toString();
    }
}
