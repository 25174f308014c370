package dev.throng.doctor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * {@code throng doctor --json}: the same report for scripts. Field names are part of the interface, documented in
 * {@code docs/doctor.md}; checks carry their stable {@link CheckId#id()}.
 */
public final class ReportJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ReportJson() {}

    /** The report as one pretty-printed JSON object; {@code applied} is only written after --apply. */
    public static String render(Report report, List<SysctlApplier.Change> applied, boolean didApply) {
        ObjectNode root = MAPPER.createObjectNode();
        ObjectNode target = root.putObject("target");
        target.put("connections", report.target().connections());
        target.put("role", report.target().role().label());
        target.put("workers", report.target().workers());
        root.put("reachable", report.reachable());
        ArrayNode checks = root.putArray("checks");
        for (Check check : report.checks()) {
            checks.addObject()
                    .put("id", check.id().id())
                    .put("name", check.name())
                    .put("current", check.current())
                    .put("needed", check.needed())
                    .put("status", check.status().name())
                    .put("fix", check.fix());
        }
        if (report.workersNeeded().isPresent()) {
            root.put("workersNeeded", report.workersNeeded().getAsInt());
        } else {
            root.putNull("workersNeeded");
        }
        root.put("limitNofile", report.limitNofile());
        ArrayNode sysctls = root.putArray("sysctls");
        for (Sysctl sysctl : report.sysctls()) {
            sysctls.addObject()
                    .put("key", sysctl.key())
                    .put("current", sysctl.current() == null ? null : Sysctl.normalize(sysctl.current()))
                    .put("value", Sysctl.normalize(sysctl.value()))
                    .put("changes", sysctl.changes())
                    .put("reason", sysctl.reason());
        }
        root.put("sysctlFile", SysctlFile.render(report));
        root.put("limitsSnippet", LimitsSnippet.render(report.limitNofile()));
        if (didApply) {
            ArrayNode changes = root.putArray("applied");
            for (SysctlApplier.Change change : applied) {
                changes.addObject()
                        .put("key", change.key())
                        .put("from", change.from())
                        .put("to", change.to())
                        .put("error", change.error());
            }
        }
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
