package dev.throng.bench.pusher;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs Pusher HTTP API requests (the REST scheme of docs/pusher-spec §8, as the {@code pusher} SDKs do): the query
 * carries {@code auth_key}, {@code auth_timestamp}, {@code auth_version=1.0}, {@code body_md5} when there is a body,
 * and {@code auth_signature} = lowercase hex HMAC-SHA256(secret, {@code METHOD\npath\nsorted query}), where the
 * sorted query is every parameter but {@code auth_signature}, keys lower-cased, sorted by key, {@code key=value}
 * joined with {@code &} and <em>not</em> URL-escaped.
 *
 * <pre>
 * RestSigner signer = new RestSigner("app-key", "app-secret");
 * String query = signer.signedQuery("POST", "/apps/app-id/events", Map.of(), body, nowSeconds);
 * // POST /apps/app-id/events?{query} with body
 * </pre>
 *
 * <p>Not thread-safe (it keeps one MD5 and one HMAC); one per publishing thread.
 */
public final class RestSigner {

    private static final HexFormat HEX = HexFormat.of(); // lowercase, as Pusher compares
    private final String key;
    private final Mac hmac;
    private final MessageDigest md5;

    public RestSigner(String key, String secret) {
        this.key = key;
        try {
            this.hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256 and MD5", e);
        }
    }

    /**
     * The query string of a signed request: {@code params} (values as they go on the wire; only values that need no
     * escaping, which the bench never needs), the auth parameters, then {@code auth_signature} last as the SDKs put
     * it.
     *
     * @param body the exact body bytes, or {@code null} for none (no {@code body_md5})
     * @param timestamp {@code auth_timestamp}, Unix seconds
     */
    public String signedQuery(String method, String path, Map<String, String> params, byte[] body, long timestamp) {
        TreeMap<String, String> all = new TreeMap<>();
        params.forEach((k, v) -> all.put(k.toLowerCase(Locale.ROOT), v));
        all.put("auth_key", key);
        all.put("auth_timestamp", Long.toString(timestamp));
        all.put("auth_version", "1.0");
        if (body != null && body.length > 0) {
            all.put("body_md5", bodyMd5(body));
        }
        String sorted = join(all);
        return sorted + "&auth_signature=" + signature(method, path, sorted);
    }

    /** Lowercase hex MD5 of {@code body}. */
    public String bodyMd5(byte[] body) {
        return HEX.formatHex(md5.digest(body));
    }

    /** The signature of {@code METHOD\npath\nsortedQuery}. */
    public String signature(String method, String path, String sortedQuery) {
        String toSign = method.toUpperCase(Locale.ROOT) + "\n" + path + "\n" + sortedQuery;
        return HEX.formatHex(hmac.doFinal(toSign.getBytes(StandardCharsets.UTF_8)));
    }

    /** {@code key=value} pairs of {@code params} (already lower-cased and sorted) joined with {@code &}. */
    static String join(TreeMap<String, String> params) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (b.length() > 0) {
                b.append('&');
            }
            b.append(e.getKey()).append('=').append(e.getValue());
        }
        return b.toString();
    }
}
