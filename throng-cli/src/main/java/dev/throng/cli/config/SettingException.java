package dev.throng.cli.config;

import java.util.List;

/**
 * A value that cannot be used, with the settings it concerns: {@code limits.maxFrameSize: must be at least 125}. The
 * first path is the one named first in the problem; a check between two settings names both, so that whoever reports
 * it can point at the one that was set ({@code throng serve} names where each value came from).
 */
public final class SettingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final List<String> paths;
    private final String problem;

    public SettingException(String path, String problem) {
        this(List.of(path), problem);
    }

    public SettingException(List<String> paths, String problem) {
        super(paths.get(0) + ": " + problem);
        this.paths = List.copyOf(paths);
        this.problem = problem;
    }

    /** The settings concerned, in the order the problem names them; never empty. */
    public List<String> paths() {
        return paths;
    }

    /** What is wrong, without the path in front. */
    public String problem() {
        return problem;
    }
}
