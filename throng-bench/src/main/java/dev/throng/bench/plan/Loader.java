package dev.throng.bench.plan;

import java.util.Locale;

/**
 * What holds the connections of a run: the Java worker processes (every scenario), or {@code bench/hsload}, the C
 * load generator, driven by a small Java worker each (subscribe scenario only; bench/hsload/README.md).
 */
public enum Loader {
    /** {@code dev.throng.bench.worker.Worker}: Netty event loops in one JVM per worker. */
    JAVA,
    /**
     * {@code dev.throng.bench.worker.HsloadWorker} (the same entry point, {@code WorkerMain}, given hsload's path),
     * which runs one hsload process and reports what it counts: a
     * subscriber there costs a fraction of a Java one's CPU, so the subscribers stop being what limits a fan-out run.
     */
    HSLOAD;

    /** The name on the command line: {@code java} or {@code hsload}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The loader named {@code id}, as {@link #id()} spells it. */
    public static Loader parse(String id) {
        for (Loader l : values()) {
            if (l.id().equals(id)) {
                return l;
            }
        }
        throw new IllegalArgumentException("--loader must be java or hsload, got " + id);
    }
}
