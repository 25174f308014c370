package dev.throng.doctor;

/** The verdict of one check. Only {@link #FAIL} makes the target unreachable. */
public enum Status {
    /** The machine allows the target. */
    OK,
    /** The target is reachable, but slower, riskier or only with care (the fix says what to do). */
    WARN,
    /** This limit stops the target. */
    FAIL,
    /** The check does not apply to this role or machine (e.g. conntrack not loaded). */
    SKIP
}
