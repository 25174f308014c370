package dev.throng.core.test;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP response as {@link RawWebSocketClient} read it off the socket.
 *
 * @param status the status code
 * @param headers header names in lower case; a repeated header keeps its last value
 * @param body the body (by Content-Length; empty for 101)
 */
public record RawHttpResponse(int status, Map<String, String> headers, byte[] body) {

    /** The value of header {@code name} (any case), or {@code null}. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "RawHttpResponse[" + status + " " + headers + ", body " + body.length + " bytes]";
    }
}
