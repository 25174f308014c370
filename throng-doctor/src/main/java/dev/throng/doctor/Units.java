package dev.throng.doctor;

import java.util.Locale;

/** Human-readable sizes for the report. */
final class Units {

    private Units() {}

    /** Binary units with one decimal: {@code 3.7 GiB}, {@code 64.0 MiB}, {@code 512 B}. */
    static String bytes(long bytes) {
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
