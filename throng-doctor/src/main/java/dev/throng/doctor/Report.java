package dev.throng.doctor;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * What the doctor found for one {@link Target}.
 *
 * @param target        what was checked for
 * @param checks        one row per {@link CheckId}, in that order
 * @param sysctls       the settings of the sysctl file for this target and role (unchanged ones keep their value)
 * @param limitNofile   the {@code LimitNOFILE} / limits.d value to set: the per-process need, rounded up to a
 *                      power of two
 * @param workersNeeded when the hard open-files limit stops one process: how many processes that limit allows
 *                      the target in; empty otherwise (or when no number of processes helps)
 */
public record Report(
        Target target, List<Check> checks, List<Sysctl> sysctls, long limitNofile, OptionalInt workersNeeded) {

    public Report {
        Objects.requireNonNull(target, "target");
        checks = List.copyOf(checks);
        sysctls = List.copyOf(sysctls);
        Objects.requireNonNull(workersNeeded, "workersNeeded");
    }

    /** True when no check fails: the machine can hold the target as planned. */
    public boolean reachable() {
        return checks.stream().allMatch(Check::ok);
    }

    /** The failing checks, in report order. */
    public List<Check> failures() {
        return checks.stream().filter(c -> !c.ok()).collect(Collectors.toList());
    }

    /** The row for {@code id}. */
    public Check check(CheckId id) {
        return checks.stream()
                .filter(c -> c.id() == id)
                .findFirst()
                .orElseThrow(() -> new NoSuchElementException(id.id()));
    }
}
