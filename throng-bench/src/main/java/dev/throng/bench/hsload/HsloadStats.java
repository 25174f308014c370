package dev.throng.bench.hsload;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One version of the statistics file hsload writes with {@code --stats} (bench/hsload/README.md, "Statistics file"):
 * every line a name, for {@code step} and {@code channels} a number, then {@code key value} pairs; histograms as
 * {@code low:count,...} with the bucket's low bound in microseconds. Counters are cumulative since hsload started.
 *
 * <pre>
 * HsloadStats s = HsloadStats.parse(Files.readString(path));
 * long ok = s.get("handshakes", "ok");
 * HsloadStats.Step step0 = s.steps().get(0);   // null when nothing of step 0 arrived
 * </pre>
 *
 * <p>Immutable once parsed.
 */
public final class HsloadStats {

    /** The format version this class reads. */
    static final int VERSION = 1;

    /** One step's events: received, out of order, sequence numbers skipped, and their latency buckets. */
    public record Step(long received, long outOfOrder, long gaps, List<Bucket> latency) {}

    /** A histogram bucket: its low bound (microseconds) and how many values fell in it. */
    public record Bucket(long low, long count) {}

    private final Map<String, Map<String, String>> lines;
    private final Map<Integer, Step> steps;
    private final Map<Integer, Long> channelAcks;
    private final long channels;
    private final List<Bucket> handshakes;
    private final Map<Integer, Long> statuses;
    private final int latencySubBits;
    private final int handshakeSubBits;

    private HsloadStats(
            Map<String, Map<String, String>> lines,
            Map<Integer, Step> steps,
            Map<Integer, Long> channelAcks,
            long channels,
            List<Bucket> handshakes,
            Map<Integer, Long> statuses,
            int latencySubBits,
            int handshakeSubBits) {
        this.lines = lines;
        this.steps = steps;
        this.channelAcks = channelAcks;
        this.channels = channels;
        this.handshakes = handshakes;
        this.statuses = statuses;
        this.latencySubBits = latencySubBits;
        this.handshakeSubBits = handshakeSubBits;
    }

    /**
     * Parses a whole file.
     *
     * @throws IllegalArgumentException when it is not a version-1 file, or does not end with {@code end} (hsload
     *     renames a whole file into place, so that means something else wrote it)
     */
    public static HsloadStats parse(String text) {
        String[] raw = text.split("\n");
        if (raw.length < 2 || !raw[raw.length - 1].equals("end")) {
            throw new IllegalArgumentException("not a whole hsload statistics file (no final `end`)");
        }
        Map<String, String> header = pairs(raw[0].split(" "), 2);
        if (!raw[0].startsWith("hsload-stats ") || !raw[0].split(" ")[1].equals(Integer.toString(VERSION))) {
            throw new IllegalArgumentException("not an hsload statistics file of version " + VERSION + ": " + raw[0]);
        }
        Map<String, Map<String, String>> lines = new HashMap<>();
        Map<Integer, Step> steps = new TreeMap<>();
        Map<Integer, Long> acks = new TreeMap<>();
        Map<Integer, Long> statuses = new TreeMap<>();
        long channels = 0;
        List<Bucket> handshakes = List.of();
        for (int i = 1; i < raw.length - 1; i++) {
            String[] w = raw[i].split(" ", -1);
            switch (w[0]) {
                case "step" -> {
                    Map<String, String> p = pairs(w, 2);
                    steps.put(
                            Integer.parseInt(w[1]),
                            new Step(
                                    number(p, "recv"),
                                    number(p, "ooo"),
                                    number(p, "gaps"),
                                    buckets(p.getOrDefault("hist", ""))));
                }
                case "channels" -> {
                    channels = Long.parseLong(w[1]);
                    for (Bucket b : buckets(pairs(w, 2).getOrDefault("acks", ""))) {
                        acks.put((int) b.low(), b.count());
                    }
                }
                case "handshake" -> handshakes = buckets(pairs(w, 1).getOrDefault("hist", ""));
                case "status" ->
                    pairs(w, 1).forEach((code, n) -> statuses.put(Integer.parseInt(code), Long.parseLong(n)));
                default -> lines.put(w[0], pairs(w, 1));
            }
        }
        return new HsloadStats(
                lines,
                Collections.unmodifiableMap(steps),
                Collections.unmodifiableMap(acks),
                channels,
                handshakes,
                Collections.unmodifiableMap(statuses),
                Integer.parseInt(header.getOrDefault("lat_sub_bits", "6")),
                Integer.parseInt(header.getOrDefault("handshake_sub_bits", "3")));
    }

    /** The number {@code key} of line {@code line} (e.g. {@code "pusher", "subscribed"}); 0 when absent. */
    public long get(String line, String key) {
        String v = lines.getOrDefault(line, Map.of()).get(key);
        return v == null ? 0 : Long.parseLong(v);
    }

    /** {@code connecting}, {@code holding} or {@code done}. */
    public String phase() {
        return lines.getOrDefault("time", Map.of()).getOrDefault("phase", "");
    }

    /** Steps that received anything, by step number. */
    public Map<Integer, Step> steps() {
        return steps;
    }

    /** Acknowledged subscriptions by channel index (channels with none are absent). */
    public Map<Integer, Long> channelAcks() {
        return channelAcks;
    }

    /** The channel count hsload subscribes over ({@code --subscribe}). */
    public long channels() {
        return channels;
    }

    /** Connect to verified 101, microseconds. */
    public List<Bucket> handshakes() {
        return handshakes;
    }

    /** Handshakes answered with another status than 101, by status. */
    public Map<Integer, Long> statuses() {
        return statuses;
    }

    /** Sub-buckets per power of two of the step latency histograms, as a power of two. */
    public int latencySubBits() {
        return latencySubBits;
    }

    /** Sub-buckets per power of two of the handshake histogram, as a power of two. */
    public int handshakeSubBits() {
        return handshakeSubBits;
    }

    private static Map<String, String> pairs(String[] words, int from) {
        Map<String, String> p = new HashMap<>();
        for (int i = from; i + 1 < words.length; i += 2) {
            p.put(words[i], words[i + 1]);
        }
        return p;
    }

    private static long number(Map<String, String> p, String key) {
        String v = p.get(key);
        return v == null ? 0 : Long.parseLong(v);
    }

    private static List<Bucket> buckets(String list) {
        if (list.isEmpty()) {
            return List.of();
        }
        String[] items = list.split(",");
        List<Bucket> out = new ArrayList<>(items.length);
        for (String item : items) {
            int colon = item.indexOf(':');
            out.add(new Bucket(Long.parseLong(item.substring(0, colon)), Long.parseLong(item.substring(colon + 1))));
        }
        return Collections.unmodifiableList(out);
    }
}
