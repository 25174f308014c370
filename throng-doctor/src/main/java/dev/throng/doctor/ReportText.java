package dev.throng.doctor;

import java.util.List;
import java.util.stream.Collectors;

/** The human-readable report: the table, the verdict, then the files to install. */
public final class ReportText {

    private static final String[] HEADER = {"CHECK", "CURRENT", "NEEDED", "STATUS", "FIX"};

    private ReportText() {}

    /** Everything {@code throng doctor} prints without {@code --json}; {@code applied} is empty without --apply. */
    public static String render(Report report, List<SysctlApplier.Change> applied, boolean didApply) {
        Target target = report.target();
        StringBuilder out = new StringBuilder()
                .append("throng doctor: ")
                .append(target.connections())
                .append(" connections, role ")
                .append(target.role().label())
                .append(", ")
                .append(target.workers())
                .append(target.workers() == 1 ? " process" : " processes")
                .append("\n\n");
        if (didApply) {
            out.append(applied(applied)).append('\n');
        }
        out.append(table(report.checks())).append('\n').append(verdict(report)).append('\n');
        out.append("===== ")
                .append(SysctlFile.PATH)
                .append(" =====\n")
                .append(SysctlFile.render(report))
                .append('\n');
        out.append("===== open-files limit =====\n").append(LimitsSnippet.render(report.limitNofile()));
        return out.toString();
    }

    /** The table; columns padded to their widest cell, FIX last and unpadded so long fixes do not widen it. */
    static String table(List<Check> checks) {
        int[] width = new int[HEADER.length - 1];
        for (int i = 0; i < width.length; i++) {
            width[i] = HEADER[i].length();
        }
        for (Check check : checks) {
            String[] cells = cells(check);
            for (int i = 0; i < width.length; i++) {
                width[i] = Math.max(width[i], cells[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        row(out, HEADER, width);
        for (Check check : checks) {
            row(out, cells(check), width);
        }
        return out.toString();
    }

    static String verdict(Report report) {
        long warnings =
                report.checks().stream().filter(c -> c.status() == Status.WARN).count();
        String warned = warnings == 0 ? "" : " (" + warnings + (warnings == 1 ? " warning" : " warnings") + ")";
        if (report.reachable()) {
            return "REACHABLE: nothing on this machine stops " + report.target().connections() + " connections" + warned
                    + ".\n";
        }
        List<Check> failures = report.failures();
        StringBuilder out = new StringBuilder("NOT REACHABLE: ")
                .append(failures.size())
                .append(failures.size() == 1 ? " check fails: " : " checks fail: ")
                .append(failures.stream().map(Check::name).collect(Collectors.joining(", ")))
                .append(warned)
                .append(".\n");
        report.workersNeeded()
                .ifPresent(w -> out.append("The hard open-files limit allows it in ")
                        .append(w)
                        .append(" processes: throng doctor --connections ")
                        .append(report.target().connections())
                        .append(" --role ")
                        .append(report.target().role().label())
                        .append(" --workers ")
                        .append(w)
                        .append('\n'));
        return out.toString();
    }

    static String applied(List<SysctlApplier.Change> changes) {
        if (changes.isEmpty()) {
            return "Applied: nothing to change.\n";
        }
        StringBuilder out =
                new StringBuilder("Applied (sysctls only, not persistent until the file below is " + "installed):\n");
        for (SysctlApplier.Change change : changes) {
            out.append("  ")
                    .append(change.key())
                    .append(": ")
                    .append(change.from() == null ? "?" : change.from())
                    .append(" -> ")
                    .append(change.to())
                    .append(change.applied() ? "" : "  REFUSED: " + change.error())
                    .append('\n');
        }
        return out.toString();
    }

    private static String[] cells(Check check) {
        return new String[] {
            check.name(),
            check.current(),
            check.needed(),
            check.status().name(),
            check.fix().isEmpty() ? "-" : check.fix()
        };
    }

    private static void row(StringBuilder out, String[] cells, int[] width) {
        for (int i = 0; i < width.length; i++) {
            out.append(cells[i]).append(" ".repeat(width[i] - cells[i].length() + 2));
        }
        out.append(cells[cells.length - 1]).append('\n');
    }
}
