package dev.throng.doctor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where systemd would find {@code throng.service} and the {@code LimitNOFILE=} it would give the server: the unit
 * file, then its drop-ins ({@code throng.service.d/*.conf}, in name order, the later assignment winning), then
 * {@code DefaultLimitNOFILE=} from {@code /etc/systemd/system.conf}, then systemd's own default.
 */
public final class SystemdUnit {

    /** The unit {@code deploy/throng.service} installs. */
    public static final String UNIT = "throng.service";

    /** Unit directories in systemd's order of precedence: the administrator's, runtime, then the vendor's. */
    static final List<String> UNIT_DIRS =
            List.of("/etc/systemd/system", "/run/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system");

    /** systemd's built-in hard limit for services since v240 (soft 1024, so select() keeps working). */
    static final long SYSTEMD_DEFAULT_HARD = 524_288;

    /**
     * The limit systemd would apply.
     *
     * @param source where it comes from (a file path, or "systemd default")
     * @param text   the value as written, e.g. {@code 1024:524288} or {@code infinity}
     * @param hard   the hard limit it sets ({@code infinity} is capped by the kernel at {@code fs.nr_open})
     */
    public record Limit(String source, String text, long hard) {}

    private SystemdUnit() {}

    /** The installed unit file's path, if any. */
    public static Optional<String> find(SystemReader system) {
        for (String dir : UNIT_DIRS) {
            String path = dir + "/" + UNIT;
            if (system.read(path).isPresent()) {
                return Optional.of(path);
            }
        }
        return Optional.empty();
    }

    /**
     * The {@code LimitNOFILE} systemd would give the unit at {@code unitPath}.
     *
     * @param nrOpen {@code fs.nr_open}, what {@code infinity} amounts to
     */
    public static Limit limitNofile(SystemReader system, String unitPath, long nrOpen) {
        List<String> files = new ArrayList<>();
        files.add(unitPath);
        // A drop-in in /etc masks one of the same name further down the list, as in systemd.
        TreeMap<String, String> dropIns = new TreeMap<>();
        for (String dir : UNIT_DIRS) {
            String dropInDir = dir + "/" + UNIT + ".d";
            for (String name : system.list(dropInDir)) {
                if (name.endsWith(".conf")) {
                    dropIns.putIfAbsent(name, dropInDir + "/" + name);
                }
            }
        }
        files.addAll(dropIns.values());

        Limit limit = null;
        for (String file : files) {
            Optional<String> value = lastAssignment(system.read(file).orElse(""), "Service", "LimitNOFILE");
            if (value.isPresent()) {
                // An empty assignment resets to the default, as systemd does.
                limit = value.get().isEmpty() ? null : new Limit(file, value.get(), hardOf(value.get(), nrOpen));
            }
        }
        if (limit != null) {
            return limit;
        }
        String systemConf = "/etc/systemd/system.conf";
        Optional<String> manager = lastAssignment(system.read(systemConf).orElse(""), "Manager", "DefaultLimitNOFILE");
        if (manager.isPresent() && !manager.get().isEmpty()) {
            return new Limit(systemConf + " (DefaultLimitNOFILE)", manager.get(), hardOf(manager.get(), nrOpen));
        }
        return new Limit("systemd default", "1024:" + SYSTEMD_DEFAULT_HARD, SYSTEMD_DEFAULT_HARD);
    }

    /** The hard part of a systemd rlimit value: {@code N}, {@code soft:hard} or {@code infinity}. */
    static long hardOf(String value, long nrOpen) {
        String hard = value.contains(":") ? value.substring(value.indexOf(':') + 1) : value;
        hard = hard.trim();
        if (hard.equals("infinity")) {
            return nrOpen;
        }
        try {
            return Long.parseLong(hard);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The last {@code key=value} in {@code [section]} of a unit file; empty when the key is not set there. */
    static Optional<String> lastAssignment(String unitText, String section, String key) {
        String current = "";
        String found = null;
        for (String raw : unitText.split("\n")) {
            String line = raw.trim();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                current = line.substring(1, line.length() - 1);
                continue;
            }
            int eq = line.indexOf('=');
            if (current.equals(section)
                    && eq > 0
                    && line.substring(0, eq).trim().equals(key)) {
                found = line.substring(eq + 1).trim();
            }
        }
        return Optional.ofNullable(found);
    }
}
