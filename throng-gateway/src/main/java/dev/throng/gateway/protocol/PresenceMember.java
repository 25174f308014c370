package dev.throng.gateway.protocol;

import java.util.Objects;

/**
 * One user of a presence channel as the frames carry it: the {@code user_id} as the JSON value the app's
 * {@code channel_data} gave it ({@code 10} or {@code "abc"}: a number stays a number, as Pusher, Soketi and Reverb
 * send it back), and the {@code user_info} as JSON text, or null when the app gave none.
 *
 * @param userIdJson a JSON number or JSON string literal, e.g. {@code 10} or {@code "u-1"}
 * @param userInfoJson any JSON value as text, or null
 */
public record PresenceMember(String userIdJson, String userInfoJson) {
    public PresenceMember {
        Objects.requireNonNull(userIdJson, "userIdJson");
        if (!isIdLiteral(userIdJson)) {
            throw new IllegalArgumentException("userIdJson must be a JSON string or number, got " + userIdJson);
        }
    }

    /** A member whose id is the string {@code userId} (quoted here). */
    public static PresenceMember withStringId(String userId, String userInfoJson) {
        return new PresenceMember(JsonText.quote(userId), userInfoJson);
    }

    /**
     * The id as a JSON object key: a string literal as it is, a number in quotes ({@code 10} → {@code "10"}), as
     * JavaScript turns keys into strings; pusher-js looks members up by this key.
     */
    String hashKeyJson() {
        return userIdJson.charAt(0) == '"' ? userIdJson : '"' + userIdJson + '"';
    }

    /** Cheap shape check: the frames embed the text as it is, so it must at least start and end as a literal. */
    static boolean isIdLiteral(String json) {
        if (json.isEmpty()) {
            return false;
        }
        char first = json.charAt(0);
        if (first == '"') {
            return json.length() >= 2 && json.charAt(json.length() - 1) == '"';
        }
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            boolean numberChar = (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
            if (!numberChar) {
                return false;
            }
        }
        return first == '-' || (first >= '0' && first <= '9');
    }
}
