package dev.throng.gateway.auth;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The authentication of a REST request (Pusher's HTTP API reference, "Authentication"; the {@code signature} gem
 * Pusher's API used, whose messages these are).
 *
 * <p>The query carries {@code auth_key}, {@code auth_timestamp} (Unix seconds), {@code auth_version=1.0},
 * {@code body_md5} (the lowercase hex MD5 of the body, when there is one) and {@code auth_signature}, the lowercase hex
 * HMAC-SHA256 of
 * <pre>
 * METHOD + "\n" + path + "\n" + key=value&amp;key=value...
 * </pre>
 * over every other query parameter, keys lower-cased and sorted, values decoded and not escaped again. The query is
 * decoded as {@code application/x-www-form-urlencoded} ({@code %XX} and {@code +}): the PHP SDK (Guzzle) sends
 * {@code info=user_count%2Csubscription_count}, the Node SDK sends the same value unencoded, and both sign the
 * decoded text, so both verify.
 *
 * <p>Checks, in the gem's order, each failure a 401 with its message: {@code auth_key} is the app's;
 * {@code auth_version} is {@code 1.0}; {@code auth_timestamp} is within the window of now (|Δ| of 600 s fails, 599
 * passes); the signature matches, compared in constant time; then {@code body_md5} matches the body (a body needs
 * one; an empty body may omit it, and one given must be the MD5 of nothing), so a captured request cannot carry
 * another body. A query that cannot be decoded, or names a parameter twice, is a 400. No message reveals the
 * secret; the signature's names the string to sign, as Pusher's does, so a client can see what it got wrong.
 *
 * <p>Thread-safe; one per app.
 */
public final class RequestAuth {
    /** The answer: {@link #OK}, or the status (401, 400) and message to reply with. */
    public record Verdict(int status, String message) {
        public static final Verdict OK = new Verdict(200, "");

        public boolean ok() {
            return status == 200;
        }

        static Verdict unauthorized(String message) {
            return new Verdict(401, message);
        }
    }

    private static final String MD5_OF_NOTHING = "d41d8cd98f00b204e9800998ecf8427e";
    private static final HexFormat HEX = HexFormat.of();

    private final String key;
    private final Hmac hmac;
    private final long windowSeconds;

    /**
     * @param key the app's key; {@code hmac} made with its secret
     * @param window how far {@code auth_timestamp} may be from now. Pusher's is 600 s
     */
    public RequestAuth(String key, Hmac hmac, Duration window) {
        this.key = Objects.requireNonNull(key, "key");
        this.hmac = Objects.requireNonNull(hmac, "hmac");
        if (window.toSeconds() < 1) {
            throw new IllegalArgumentException("the timestamp window must be at least 1 s, got " + window);
        }
        this.windowSeconds = window.toSeconds();
    }

    /**
     * Checks one request.
     *
     * @param method the HTTP method (any case)
     * @param path the request path as received, without the query and without any deployment prefix the SDK does
     *     not sign (e.g. {@code /apps/3/events})
     * @param rawQuery the query as received, without the {@code ?}; null or empty for none. Each character below
     *     U+0100 is one byte, as Netty's request line gives it; the bytes, once {@code %XX} are decoded, must be UTF-8
     * @param body the raw body; null or empty for none
     * @param now the server's clock
     */
    public Verdict verify(String method, String path, String rawQuery, byte[] body, Instant now) {
        SortedMap<String, String> params;
        try {
            params = decodeQuery(rawQuery);
        } catch (MalformedQueryException e) {
            return new Verdict(400, e.getMessage());
        }
        String authKey = params.get("auth_key");
        if (authKey == null) {
            return Verdict.unauthorized("Authentication key required");
        }
        if (!authKey.equals(key)) {
            return Verdict.unauthorized("Invalid authentication key");
        }
        String version = params.get("auth_version");
        if (version == null) {
            return Verdict.unauthorized("Version required");
        }
        if (!version.equals("1.0")) {
            return Verdict.unauthorized("Version not supported");
        }
        Verdict timestamp = checkTimestamp(params.get("auth_timestamp"), now.getEpochSecond());
        if (timestamp != null) {
            return timestamp;
        }
        String stringToSign = stringToSign(method, path, params);
        String sent = params.get("auth_signature");
        if (sent == null || !hmac.verify(stringToSign, sent)) {
            return Verdict.unauthorized("Invalid signature: you should have sent HmacSHA256Hex(" + inspect(stringToSign)
                    + ", your_secret_key), but you sent " + (sent == null ? "nil" : inspect(sent)));
        }
        return checkBody(params.get("body_md5"), body);
    }

    /**
     * {@code METHOD\npath\nk=v&k=v...}: the method upper-cased, then every parameter but {@code auth_signature},
     * keys lower-cased and sorted, values as they are.
     *
     * @param params decoded parameters (keys in any case)
     */
    public static String stringToSign(String method, String path, Map<String, String> params) {
        SortedMap<String, String> sorted = new TreeMap<>();
        params.forEach((k, v) -> sorted.put(k.toLowerCase(Locale.ROOT), v));
        StringBuilder out = new StringBuilder(128)
                .append(method.toUpperCase(Locale.ROOT))
                .append('\n')
                .append(path)
                .append('\n');
        boolean first = true;
        for (Map.Entry<String, String> param : sorted.entrySet()) {
            if (param.getKey().equals("auth_signature")) {
                continue;
            }
            if (!first) {
                out.append('&');
            }
            out.append(param.getKey()).append('=').append(param.getValue());
            first = false;
        }
        return out.toString();
    }

    /** The {@code auth_signature} of a request with these (decoded) parameters: what an SDK sends (tests, bench). */
    public String signature(String method, String path, Map<String, String> params) {
        return hmac.hex(stringToSign(method, path, params));
    }

    /** The lowercase hex MD5 of {@code body}, as {@code body_md5} carries it. */
    public static String md5Hex(byte[] body) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("MD5").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is not available", e);
        }
    }

    private Verdict checkTimestamp(String value, long now) {
        if (value == null) {
            return Verdict.unauthorized("Timestamp required");
        }
        long timestamp;
        try {
            timestamp = Long.parseLong(value);
        } catch (NumberFormatException e) {
            return Verdict.unauthorized("Timestamp invalid: " + inspect(value) + " is not a number of seconds");
        }
        boolean within;
        try {
            long delta = Math.subtractExact(timestamp, now);
            within = delta > -windowSeconds && delta < windowSeconds;
        } catch (ArithmeticException e) {
            within = false;
        }
        if (within) {
            return null;
        }
        return Verdict.unauthorized("Timestamp expired: Given timestamp (" + iso(timestamp) + ") not within "
                + windowSeconds + "s of server time (" + iso(now) + ")");
    }

    private static Verdict checkBody(String bodyMd5, byte[] body) {
        boolean empty = body == null || body.length == 0;
        if (empty && bodyMd5 == null) {
            return Verdict.OK;
        }
        if (bodyMd5 == null) {
            return Verdict.unauthorized("Body MD5 required: a request with a body must sign body_md5");
        }
        String actual = empty ? MD5_OF_NOTHING : md5Hex(body);
        if (!actual.equals(bodyMd5)) {
            return Verdict.unauthorized(
                    "Invalid body_md5: the body's MD5 is " + actual + ", but you sent " + inspect(bodyMd5));
        }
        return Verdict.OK;
    }

    /** The gem's format ({@code %Y-%m-%dT%H:%M:%SZ}); the number itself when it is no date. */
    private static String iso(long epochSecond) {
        try {
            return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(epochSecond));
        } catch (DateTimeException e) {
            return Long.toString(epochSecond);
        }
    }

    /** A string as Ruby's {@code String#inspect} shows it, as the gem's messages do: quoted, escapes visible. */
    static String inspect(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                case '\f' -> out.append("\\f");
                case 0x0B -> out.append("\\v");
                case '\b' -> out.append("\\b");
                case 0x07 -> out.append("\\a");
                case 0x1B -> out.append("\\e");
                case '#' -> {
                    // Ruby escapes what would start an interpolation: #{ #$ #@
                    char next = i + 1 < s.length() ? s.charAt(i + 1) : 0;
                    out.append(next == '{' || next == '$' || next == '@' ? "\\#" : "#");
                }
                default -> {
                    if (c < 0x20 || c == 0x7F) {
                        out.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** Keys lower-cased; a key twice (in any case) is malformed: which value would be the signed one? */
    static SortedMap<String, String> decodeQuery(String rawQuery) throws MalformedQueryException {
        SortedMap<String, String> params = new TreeMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        int start = 0;
        while (start <= rawQuery.length()) {
            int end = rawQuery.indexOf('&', start);
            if (end < 0) {
                end = rawQuery.length();
            }
            if (end > start) {
                int equals = start;
                while (equals < end && rawQuery.charAt(equals) != '=') {
                    equals++;
                }
                String key;
                String value;
                if (equals == end) {
                    key = decode(rawQuery, start, end);
                    value = "";
                } else {
                    key = decode(rawQuery, start, equals);
                    value = decode(rawQuery, equals + 1, end);
                }
                key = key.toLowerCase(Locale.ROOT);
                if (params.putIfAbsent(key, value) != null) {
                    throw new MalformedQueryException(
                            "Malformed query string: parameter " + inspect(key) + " given twice");
                }
            }
            start = end + 1;
        }
        return params;
    }

    private static String decode(String s, int from, int to) throws MalformedQueryException {
        boolean plain = true;
        for (int i = from; i < to && plain; i++) {
            char c = s.charAt(i);
            plain = c != '%' && c != '+' && c < 0x80;
        }
        if (plain) {
            return s.substring(from, to);
        }
        ByteBuffer bytes = ByteBuffer.allocate((to - from) * 3);
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '+') {
                bytes.put((byte) ' ');
            } else if (c == '%') {
                int high = i + 2 < to ? Character.digit(s.charAt(i + 1), 16) : -1;
                int low = i + 2 < to ? Character.digit(s.charAt(i + 2), 16) : -1;
                if (high < 0 || low < 0) {
                    throw new MalformedQueryException("Malformed query string: '%' not followed by two hex digits");
                }
                bytes.put((byte) (high << 4 | low));
                i += 2;
            } else if (c < 0x100) {
                bytes.put((byte) c);
            } else {
                // A character from a caller that decoded the request line itself: its UTF-8 bytes.
                int codePoint = s.codePointAt(i);
                if (Character.isSurrogate(c) && !Character.isSupplementaryCodePoint(codePoint)) {
                    throw new MalformedQueryException("Malformed query string: not UTF-8 once decoded");
                }
                bytes.put(new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(codePoint) - 1;
            }
        }
        bytes.flip();
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes)
                    .toString();
        } catch (CharacterCodingException e) {
            throw new MalformedQueryException("Malformed query string: not UTF-8 once decoded");
        }
    }

    /** A query that cannot be read: a 400. */
    static final class MalformedQueryException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedQueryException(String message) {
            super(message, null, false, false);
        }
    }
}
