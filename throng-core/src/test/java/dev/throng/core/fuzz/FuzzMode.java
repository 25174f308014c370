package dev.throng.core.fuzz;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.function.Executable;

/**
 * How the fuzz tests run in Jazzer's two modes, and the per-input time bound in both.
 *
 * <ul>
 *   <li>Regression mode (every {@code mvn test}; no {@code JAZZER_FUZZ}): the seed corpus is replayed. Jazzer still
 *   installs its agent and, by default, its bug-detector hooks, which rewrite every class loaded afterwards (Netty's
 *   included, for the rest of the surefire JVM) and cost 10-20 s here. Replaying needs none of that, since the
 *   targets assert their own invariants, so the hooks are turned off ({@code jazzer.hooks=false}; an explicit
 *   {@code -Djazzer.hooks=...} wins). Each input runs under a preemptive timeout.</li>
 *   <li>Fuzzing mode ({@code JAZZER_FUZZ=1}, see {@code .ci/fuzz.sh}): untouched instrumentation, and libFuzzer's
 *   {@code -timeout} bounds each input (a hang is a finding). Not JUnit's {@code @Timeout}: Jazzer 0.24 applies that
 *   to the whole fuzzing run as well (jazzer issue #930).</li>
 * </ul>
 */
public final class FuzzMode {
    /** Longer than any input may take; a parser loop that does not end trips it. */
    public static final Duration PER_INPUT = Duration.ofSeconds(10);

    public static final boolean FUZZING = isTrue(System.getenv("JAZZER_FUZZ"));

    private FuzzMode() {}

    /**
     * Call from each fuzz test class's {@code @BeforeAll}: it runs before Jazzer reads its configuration (JUnit
     * configuration parameters, which fall back to system properties).
     */
    public static void configure() {
        if (!FUZZING) {
            System.getProperties().putIfAbsent("jazzer.hooks", "false");
        } else if (System.getProperty("jazzer.internal.arg.0") == null) {
            // Jazzer 0.24 passes these to libFuzzer (the first is argv[0]).
            System.setProperty("jazzer.internal.arg.0", "jazzer");
            System.setProperty("jazzer.internal.arg.1", "-timeout=" + PER_INPUT.toSeconds());
        }
    }

    /** Runs one input: directly when fuzzing (libFuzzer times it), else under a preemptive timeout. */
    public static void run(Executable input) throws Throwable {
        if (FUZZING) {
            input.execute();
        } else {
            assertTimeoutPreemptively(PER_INPUT, input);
        }
    }

    private static boolean isTrue(String value) {
        return value != null
                && Set.of("1", "true", "yes", "on").contains(value.trim().toLowerCase(Locale.ROOT));
    }
}
