package dev.throng.doctor;

/**
 * The open-files limit, written the two ways a process gets it: a systemd drop-in for the service and a
 * {@code limits.d} line for login sessions. RLIMIT_NOFILE is per process and inherited at fork; the doctor never
 * changes it on a running process.
 */
public final class LimitsSnippet {

    /** The drop-in that raises the service's limit without editing the unit. */
    public static final String DROP_IN_PATH = "/etc/systemd/system/throng.service.d/limits.conf";

    /** Read by pam_limits at login: shells, ssh, su; not by systemd services. */
    public static final String LIMITS_D_PATH = "/etc/security/limits.d/99-throng.conf";

    /** The account {@code deploy/throng.service} runs as. */
    public static final String USER = "throng";

    private LimitsSnippet() {}

    /** The systemd drop-in's content. */
    public static String systemdDropIn(long limitNofile) {
        return "[Service]\nLimitNOFILE=" + limitNofile + "\n";
    }

    /** The limits.d line: {@code -} sets soft and hard together. */
    public static String limitsLine(long limitNofile) {
        return USER + " - nofile " + limitNofile;
    }

    /** Both, each under a comment naming its file and how to make it take effect. */
    public static String render(long limitNofile) {
        return "# " + DROP_IN_PATH + "  (then: systemctl daemon-reload && systemctl restart throng)\n"
                + systemdDropIn(limitNofile)
                + "\n# " + LIMITS_D_PATH + "  (login sessions only; log in again)\n"
                + limitsLine(limitNofile) + "\n";
    }
}
