package dev.throng.redis;

/**
 * A publication as nodes exchange it on a channel's Redis pub/sub channel, and a cache channel's entry: text, so that
 * it can be read with {@code redis-cli} and written by the scripts too.
 *
 * <pre>
 * origin|excludedLength|userLength|eventLength|&lt;excluded&gt;&lt;user&gt;&lt;event&gt;&lt;data&gt;
 * 3f9c0a1b2c3d4e5f|14|-1|5|1234567.8901234hello{"n":1}
 * </pre>
 *
 * <p>The origin is the publishing node's id (a node ignores what it published itself: it delivered it already);
 * lengths are in characters, -1 for an absent field; the data is the rest. Short fields with unpaired surrogates are
 * written as Redis would return them (each as {@code ?}, as UTF-8 encoders do), so lengths hold after the round trip.
 *
 * @param origin the publishing node's id
 * @param excluded the socket id that must not receive it, or null
 * @param user the {@code user_id} the frame carries, or null
 * @param event the event name
 * @param data the event's data
 */
record Envelope(String origin, String excluded, String user, String event, String data) {

    /** The text of a publication. */
    static String encode(String origin, String excluded, String user, String event, String data) {
        excluded = utf8Safe(excluded);
        user = utf8Safe(user);
        event = utf8Safe(event);
        StringBuilder sb = new StringBuilder(
                origin.length() + 24 + length(excluded) + length(user) + event.length() + data.length());
        sb.append(origin)
                .append('|')
                .append(excluded == null ? -1 : excluded.length())
                .append('|')
                .append(user == null ? -1 : user.length())
                .append('|')
                .append(event.length())
                .append('|');
        if (excluded != null) {
            sb.append(excluded);
        }
        if (user != null) {
            sb.append(user);
        }
        return sb.append(event).append(data).toString();
    }

    /** Reads a publication's text; null when it is not one (another program's message on our channel). */
    static Envelope decode(String text) {
        try {
            int a = text.indexOf('|');
            int b = text.indexOf('|', a + 1);
            int c = text.indexOf('|', b + 1);
            int d = text.indexOf('|', c + 1);
            if (a <= 0 || b < 0 || c < 0 || d < 0) {
                return null;
            }
            int excludedLength = Integer.parseInt(text, a + 1, b, 10);
            int userLength = Integer.parseInt(text, b + 1, c, 10);
            int eventLength = Integer.parseInt(text, c + 1, d, 10);
            int at = d + 1;
            String excluded = null;
            if (excludedLength >= 0) {
                excluded = text.substring(at, at + excludedLength);
                at += excludedLength;
            }
            String user = null;
            if (userLength >= 0) {
                user = text.substring(at, at + userLength);
                at += userLength;
            }
            String event = text.substring(at, at + eventLength);
            return new Envelope(text.substring(0, a), excluded, user, event, text.substring(at + eventLength));
        } catch (RuntimeException malformed) {
            return null;
        }
    }

    /** A cache channel's entry: {@code eventLength|<event><data>}. */
    static String cacheEntry(String event, String data) {
        event = utf8Safe(event);
        return event.length() + "|" + event + data;
    }

    /** The event and data of a cache entry, or null when it is not one. */
    static String[] readCacheEntry(String entry) {
        try {
            int bar = entry.indexOf('|');
            int length = Integer.parseInt(entry, 0, bar, 10);
            return new String[] {entry.substring(bar + 1, bar + 1 + length), entry.substring(bar + 1 + length)};
        } catch (RuntimeException malformed) {
            return null;
        }
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }

    /** {@code s} with each unpaired surrogate replaced by {@code ?}, as a UTF-8 encoder writes it. */
    static String utf8Safe(String s) {
        if (s == null) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (Character.isSurrogate(ch)) {
                boolean paired = Character.isHighSurrogate(ch)
                        && i + 1 < s.length()
                        && Character.isLowSurrogate(s.charAt(i + 1));
                if (!paired) {
                    return replaceUnpaired(s);
                }
                i++;
            }
        }
        return s;
    }

    private static String replaceUnpaired(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (Character.isHighSurrogate(ch) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                sb.append(ch).append(s.charAt(++i));
            } else {
                sb.append(Character.isSurrogate(ch) ? '?' : ch);
            }
        }
        return sb.toString();
    }
}
