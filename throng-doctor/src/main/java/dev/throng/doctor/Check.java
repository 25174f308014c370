package dev.throng.doctor;

import java.util.Objects;

/**
 * One row of the report.
 *
 * @param id      which check
 * @param current what the machine has now, as read (e.g. {@code 32768 60999})
 * @param needed  what the target needs
 * @param status  the verdict
 * @param fix     the exact command or setting that clears a WARN or FAIL; empty when there is nothing to do
 */
public record Check(CheckId id, String current, String needed, Status status, String fix) {

    public Check {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(needed, "needed");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(fix, "fix");
    }

    /** The table's CHECK column. */
    public String name() {
        return id.label();
    }

    /** False only for {@link Status#FAIL}: warnings and skipped checks do not stop the target. */
    public boolean ok() {
        return status != Status.FAIL;
    }
}
