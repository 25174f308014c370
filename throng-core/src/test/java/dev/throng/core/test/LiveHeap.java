package dev.throng.core.test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Live heap of another JVM, from {@code jcmd <pid> GC.class_histogram} (which runs a full collection first): what the
 * footprint guards (core's and the gateway's) measure per connection.
 */
public final class LiveHeap {
    private LiveHeap() {}

    /** Bytes of live objects in the JVM {@code pid}, whose {@code java} binary is {@code java} (jcmd is beside it). */
    public static long total(String java, long pid) throws IOException, InterruptedException {
        return histogram(java, pid).get("Total");
    }

    /** Bytes of live objects per class in the JVM {@code pid}, and their sum as "Total". */
    public static Map<String, Long> histogram(String java, long pid) throws IOException, InterruptedException {
        String jcmdBin = Path.of(java).resolveSibling("jcmd").toString();
        Process jcmd = new ProcessBuilder(jcmdBin, Long.toString(pid), "GC.class_histogram")
                .redirectErrorStream(true)
                .start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jcmd.waitFor();
        Map<String, Long> bytes = new HashMap<>();
        for (String line : output.split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length >= 4 && parts[0].endsWith(":")) { // "num: instances bytes class"
                bytes.merge(parts[3], Long.parseLong(parts[2]), Long::sum);
            } else if (parts.length >= 3 && parts[0].equals("Total")) {
                bytes.put("Total", Long.parseLong(parts[2]));
            }
        }
        if (!bytes.containsKey("Total")) {
            throw new IOException("no histogram total in jcmd output: "
                    + output.lines().limit(3).toList());
        }
        return bytes;
    }

    /** The five classes whose live bytes grew most from {@code before} to {@code after}, for a failure message. */
    public static String grownMost(Map<String, Long> before, Map<String, Long> after) {
        return after.entrySet().stream()
                .filter(e -> !e.getKey().equals("Total"))
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(5)
                .map(e -> e.getKey() + " +" + e.getValue() + " B")
                .toList()
                .toString();
    }
}
