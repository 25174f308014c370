package dev.throng.gateway.protocol;

/**
 * Writes JSON string literals (RFC 8259 §7) by hand, for {@link ServerFrames} and the parser's compact copies.
 *
 * <p>Escapes exactly what JSON requires, as {@code JSON.stringify} does (ES2019 "well-formed JSON.stringify"):
 * {@code "} and {@code \}; control characters below U+0020 ({@code \b \t \n \f \r} in short form, the rest as
 * {@code \}{@code u00xx}); and an unpaired surrogate as {@code \}{@code udxxx}, so that every frame is valid UTF-8
 * and a string read from a client's {@code "\}{@code ud800"} goes back out unchanged instead of as {@code ?}.
 * Everything else, non-ASCII included, is written as it is (the frame is UTF-8).
 */
final class JsonText {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonText() {}

    /** Appends {@code s} as a quoted JSON string. */
    static StringBuilder appendQuoted(StringBuilder out, CharSequence s) {
        out.append('"');
        appendEscaped(out, s);
        return out.append('"');
    }

    /** {@code s} as a quoted JSON string. */
    static String quote(CharSequence s) {
        return appendQuoted(new StringBuilder(s.length() + 8), s).toString();
    }

    /** Appends the characters of {@code s} escaped for the inside of a JSON string, without quotes. */
    static void appendEscaped(StringBuilder out, CharSequence s) {
        int length = s.length();
        int copied = 0;
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\' && !Character.isSurrogate(c)) {
                continue;
            }
            if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++; // a pair: written as it is
                continue;
            }
            out.append(s, copied, i);
            appendEscape(out, c);
            copied = i + 1;
        }
        out.append(s, copied, length);
    }

    /** The same for {@code length} characters of {@code chars} from {@code offset} (Jackson's text buffers). */
    static void appendEscaped(StringBuilder out, char[] chars, int offset, int length) {
        int end = offset + length;
        int copied = offset;
        for (int i = offset; i < end; i++) {
            char c = chars[i];
            if (c >= 0x20 && c != '"' && c != '\\' && !Character.isSurrogate(c)) {
                continue;
            }
            if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(chars[i + 1])) {
                i++;
                continue;
            }
            out.append(chars, copied, i - copied);
            appendEscape(out, c);
            copied = i + 1;
        }
        out.append(chars, copied, end - copied);
    }

    private static void appendEscape(StringBuilder out, char c) {
        switch (c) {
            case '"' -> out.append("\\\"");
            case '\\' -> out.append("\\\\");
            case '\b' -> out.append("\\b");
            case '\t' -> out.append("\\t");
            case '\n' -> out.append("\\n");
            case '\f' -> out.append("\\f");
            case '\r' -> out.append("\\r");
            default ->
                out.append("\\u")
                        .append(HEX[c >> 12])
                        .append(HEX[(c >> 8) & 0xF])
                        .append(HEX[(c >> 4) & 0xF])
                        .append(HEX[c & 0xF]);
        }
    }
}
