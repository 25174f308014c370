package dev.throng.gateway.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * REST calls signed as Pusher's server SDKs sign them (auth_key, auth_timestamp, auth_version, body_md5,
 * auth_signature over {@code METHOD\npath\nsorted query}), written here from the documented scheme so the Java-side
 * tests do not depend on the gateway's own signer. The pusher npm SDK is the independent witness (Node tests). Public
 * for the CLI's tests.
 */
public final class SignedRest {
    private final HttpClient http = HttpClient.newHttpClient();
    private final int port;
    private final String appId;
    private final String key;
    private final String secret;

    public SignedRest(int port, String appId, String key, String secret) {
        this.port = port;
        this.appId = appId;
        this.key = key;
        this.secret = secret;
    }

    public HttpResponse<String> post(String resource, String body) throws Exception {
        return call("POST", resource, Map.of(), body, System.currentTimeMillis() / 1000);
    }

    public HttpResponse<String> get(String resource, Map<String, String> params) throws Exception {
        return call("GET", resource, params, null, System.currentTimeMillis() / 1000);
    }

    HttpResponse<String> call(String method, String resource, Map<String, String> params, String body, long timestamp)
            throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + port + target(method, resource, params, body, timestamp));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Content-Type", "application/json");
        request.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The signed request target ({@code /apps/{id}/resource?...&auth_signature=...}) of a call, for any client. */
    String target(String method, String resource, Map<String, String> params, String body, long timestamp)
            throws Exception {
        String path = "/apps/" + appId + resource;
        Map<String, String> query = new TreeMap<>(params);
        query.put("auth_key", key);
        query.put("auth_timestamp", Long.toString(timestamp));
        query.put("auth_version", "1.0");
        if (body != null) {
            query.put(
                    "body_md5",
                    HexFormat.of()
                            .formatHex(MessageDigest.getInstance("MD5").digest(body.getBytes(StandardCharsets.UTF_8))));
        }
        StringBuilder qs = new StringBuilder();
        query.forEach((k, v) ->
                qs.append(qs.length() == 0 ? "" : "&").append(k).append('=').append(v));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = HexFormat.of()
                .formatHex(mac.doFinal((method + "\n" + path + "\n" + qs).getBytes(StandardCharsets.UTF_8)));
        return path + "?" + qs + "&auth_signature=" + signature;
    }

    static String hmac(String secret, String message) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
    }
}
