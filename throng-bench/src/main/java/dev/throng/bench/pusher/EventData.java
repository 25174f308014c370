package dev.throng.bench.pusher;

/**
 * The {@code data} of a benchmark event, a JSON object of a fixed size that tells the receiver when it was published,
 * its place in its channel's sequence, and the publish step it belongs to:
 *
 * <pre>
 * {"t":1733350000123456,"s":42,"k":3,"p":"xxxxxxxx…"}
 * </pre>
 *
 * {@code t}: publish time, {@link EpochClock} microseconds; {@code s}: sequence number from 1, one per event of a
 * channel (a trigger to several channels gives each the same number, so the publisher always triggers the same group
 * of channels together); {@code k}: the step, from 0; {@code p}: padding up to the size. The size is the byte
 * length of this string, what Pusher limits to 10 KB. Numbers come first so the receiver finds them in the first
 * bytes of the data, whatever the padding.
 */
public final class EventData {

    /** Room for the fields at their widest (16-digit t, 10-digit s, 4-digit k) and an empty padding. */
    public static final int MIN_SIZE = 64;

    private EventData() {}

    /**
     * Appends the data, JSON-escaped as the value of a string (quotes as {@code \"}, no enclosing quotes), to
     * {@code out}: what goes between the quotes of {@code "data":"…"} in a trigger body.
     *
     * @param size the byte length of the unescaped data, at least {@link #MIN_SIZE}
     */
    public static void appendEscaped(StringBuilder out, long t, long seq, int step, int size) {
        out.append("{\\\"t\\\":")
                .append(t)
                .append(",\\\"s\\\":")
                .append(seq)
                .append(",\\\"k\\\":")
                .append(step)
                .append(",\\\"p\\\":\\\"");
        // {"t": , "s": , "k": ,"p":" and the closing "} are 23 bytes unescaped; the numbers take the rest.
        long unescaped = 23L + digits(t) + digits(seq) + digits(step);
        for (long i = unescaped; i < size; i++) {
            out.append('x');
        }
        out.append("\\\"}");
    }

    private static int digits(long v) {
        return Long.toString(v).length();
    }

    /** The data unescaped, for tests and for servers that take it as it is. */
    public static String of(long t, long seq, int step, int size) {
        StringBuilder b = new StringBuilder();
        appendEscaped(b, t, seq, step, size);
        return b.toString().replace("\\\"", "\"");
    }
}
