package dev.throng.bench.pusher;

import java.nio.charset.StandardCharsets;

/**
 * Reads the few fields the bench needs from a Pusher message a server sent, without parsing the JSON:
 * the event name, the channel's index, {@code activity_timeout}, and the numbers of an {@link EventData}. Servers
 * order the members differently (Throng and Pusher: event, data, channel; Soketi: event, channel, data), so each
 * member is found by its key; string values are expected without escapes, which holds for every name the bench uses.
 * Tolerates a space after a colon; anything else it does not understand reads as "absent" (a negative result).
 *
 * <p>Works on a {@code byte[]}: the connection copies each message out of Netty's buffer first (one bulk copy of a
 * few hundred bytes), because reading a {@code ByteBuf} byte by byte checks bounds and reference count on every byte,
 * which profiling showed to be most of the bench's own cost per delivery.
 *
 * <p>Pure and allocation-free; one instance per event loop, since {@link #readData} fills its fields.
 */
public final class MessageScanner {

    /** A benchmark event (the configured event name). */
    public static final int BENCH_EVENT = 1;

    public static final int CONNECTION_ESTABLISHED = 2;
    public static final int SUBSCRIPTION_SUCCEEDED = 3;
    public static final int PING = 4;
    public static final int ERROR = 5;
    /** A message with an event the bench does not handle (e.g. {@code pusher:pong}). */
    public static final int OTHER = 6;
    /** No {@code event} member found. */
    public static final int UNREADABLE = 0;

    private static final byte[] EVENT_KEY = ascii("\"event\":");
    private static final byte[] CHANNEL_KEY = ascii("\"channel\":");
    private static final byte[] DATA_KEY = ascii("\"data\":");
    private static final byte[] ACTIVITY_KEY = ascii("activity_timeout");
    private static final byte[] ESTABLISHED = ascii("pusher:connection_established");
    private static final byte[] SUCCEEDED = ascii("pusher_internal:subscription_succeeded");
    private static final byte[] PING_NAME = ascii("pusher:ping");
    private static final byte[] ERROR_NAME = ascii("pusher:error");
    private static final byte[] FIELDS = {'t', 's', 'k'};

    private final byte[] benchEvent;
    private final byte[] channelPrefix;

    /** {@link EventData}'s {@code t}, after a successful {@link #readData}. */
    public long time;
    /** {@link EventData}'s {@code s}. */
    public long seq;
    /** {@link EventData}'s {@code k}. */
    public long step;

    public MessageScanner(String benchEvent, String channelPrefix) {
        this.benchEvent = ascii(benchEvent);
        this.channelPrefix = ascii(channelPrefix);
    }

    /** What kind of message {@code buf[from, to)} is. */
    public int kind(byte[] buf, int from, int to) {
        int at = valueStart(buf, from, to, EVENT_KEY);
        if (at < 0 || buf[at] != '"') {
            return UNREADABLE;
        }
        at++;
        if (matchesString(buf, at, to, benchEvent)) {
            return BENCH_EVENT;
        }
        if (matchesString(buf, at, to, SUCCEEDED)) {
            return SUBSCRIPTION_SUCCEEDED;
        }
        if (matchesString(buf, at, to, PING_NAME)) {
            return PING;
        }
        if (matchesString(buf, at, to, ESTABLISHED)) {
            return CONNECTION_ESTABLISHED;
        }
        if (matchesString(buf, at, to, ERROR_NAME)) {
            return ERROR;
        }
        return OTHER;
    }

    /** The index {@code i} of a {@code "channel":"<prefix><i>"} member, or -1 (absent, or another name). */
    public int channel(byte[] buf, int from, int to) {
        // Most servers put the channel last, after the data: look at the end before scanning the data.
        int tail = Math.max(from, to - CHANNEL_KEY.length - channelPrefix.length - 16);
        int key = lastIndexOf(buf, tail, to, CHANNEL_KEY);
        int at = key >= 0 ? valueStart(buf, key, to, CHANNEL_KEY) : valueStart(buf, from, to, CHANNEL_KEY);
        if (at < 0 || buf[at] != '"' || !startsWith(buf, at + 1, to, channelPrefix)) {
            return -1;
        }
        at += 1 + channelPrefix.length;
        long n = 0;
        int digits = 0;
        for (; at < to; at++, digits++) {
            int b = buf[at];
            if (b == '"') {
                return digits == 0 || n > Integer.MAX_VALUE ? -1 : (int) n;
            }
            if (b < '0' || b > '9' || digits > 9) {
                return -1;
            }
            n = n * 10 + (b - '0');
        }
        return -1;
    }

    /**
     * Reads {@code t}, {@code s} and {@code k} of an {@link EventData} into {@link #time}, {@link #seq} and
     * {@link #step}, whether the server sent {@code data} as a JSON string (as Pusher does: the quotes escaped) or as
     * an object.
     *
     * @return whether all three were found, in that order at the start of the data
     */
    public boolean readData(byte[] buf, int from, int to) {
        int at = valueStart(buf, from, to, DATA_KEY);
        if (at < 0) {
            return false;
        }
        boolean escaped = buf[at] == '"';
        if (escaped) {
            at++;
        }
        if (at >= to || buf[at++] != '{') {
            return false;
        }
        for (int f = 0; f < FIELDS.length; f++) {
            // \"t\": or "t":
            if (escaped && (at >= to || buf[at++] != '\\')) {
                return false;
            }
            if (at + 2 >= to || buf[at++] != '"' || buf[at++] != FIELDS[f]) {
                return false;
            }
            if (escaped && (at >= to || buf[at++] != '\\')) {
                return false;
            }
            if (at + 1 >= to || buf[at++] != '"' || buf[at++] != ':') {
                return false;
            }
            long n = 0;
            int start = at;
            for (; at < to; at++) {
                int b = buf[at];
                if (b < '0' || b > '9') {
                    break;
                }
                n = n * 10 + (b - '0');
            }
            // Each number ends with a comma: k is followed by the padding.
            if (at == start || at - start > 18 || at >= to || buf[at++] != ',') {
                return false;
            }
            if (f == 0) {
                time = n;
            } else if (f == 1) {
                seq = n;
            } else {
                step = n;
            }
        }
        return true;
    }

    /** The number after {@code activity_timeout} (seconds), or -1. */
    public long activityTimeout(byte[] buf, int from, int to) {
        int at = indexOf(buf, from, to, ACTIVITY_KEY);
        if (at < 0) {
            return -1;
        }
        at += ACTIVITY_KEY.length;
        while (at < to && (buf[at] == '\\' || buf[at] == '"' || buf[at] == ':' || buf[at] == ' ')) {
            at++;
        }
        long n = 0;
        int start = at;
        for (; at < to && at - start < 9; at++) {
            int b = buf[at];
            if (b < '0' || b > '9') {
                break;
            }
            n = n * 10 + (b - '0');
        }
        return at == start ? -1 : n;
    }

    /** Where the value of the member {@code key} (a quoted key and its colon) starts, spaces skipped; -1: absent. */
    static int valueStart(byte[] buf, int from, int to, byte[] key) {
        int at = indexOf(buf, from, to, key);
        if (at < 0) {
            return -1;
        }
        at += key.length;
        while (at < to && buf[at] == ' ') {
            at++;
        }
        return at < to ? at : -1;
    }

    /** The first index of {@code needle} in {@code buf[from, to)}, or -1. */
    static int indexOf(byte[] buf, int from, int to, byte[] needle) {
        byte first = needle[0];
        for (int at = from, last = to - needle.length; at <= last; at++) {
            if (buf[at] == first && startsWith(buf, at, to, needle)) {
                return at;
            }
        }
        return -1;
    }

    /** The last index of {@code needle} that starts at or after {@code from} in {@code buf[from, to)}, or -1. */
    static int lastIndexOf(byte[] buf, int from, int to, byte[] needle) {
        byte first = needle[0];
        for (int at = to - needle.length; at >= from; at--) {
            if (buf[at] == first && startsWith(buf, at, to, needle)) {
                return at;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] buf, int at, int to, byte[] prefix) {
        if (to - at < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (buf[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether the string value starting at {@code at} (after its opening quote) is exactly {@code value}. */
    private static boolean matchesString(byte[] buf, int at, int to, byte[] value) {
        return startsWith(buf, at, to, value) && at + value.length < to && buf[at + value.length] == '"';
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
