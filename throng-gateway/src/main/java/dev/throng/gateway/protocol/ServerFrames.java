package dev.throng.gateway.protocol;

import java.util.List;

/**
 * The text of every frame the gateway sends to a client, in Pusher's shapes (protocol 7; see {@code docs/gateway.md}
 * and the spec's sections 1-6).
 *
 * <p>Fields come in the order Pusher's servers write them: {@code event}, {@code data}, {@code channel}, then
 * {@code user_id}. Third-party clients match frames byte for byte (erlpusher matches
 * <code>{"event":"pusher_internal:subscription_succeeded","data":"{}","channel":"</code> and takes the channel as what
 * follows the last {@code channel":"}), so every frame with a channel has it after {@code data}. Every frame carries
 * {@code data}: the Java client throws without it, the Swift client ignores a {@code subscription_succeeded}
 * without it. Where Pusher double-encodes ({@code data} is a string holding JSON) these do too; {@code pusher:error}
 * and {@code pusher:signin_success} carry an object, as Pusher's do.
 *
 * <p>Strings are escaped by {@link JsonText} (what {@code JSON.stringify} escapes; unpaired surrogates as
 * {@code \}{@code uXXXX}), so every frame is valid JSON and valid UTF-8 whatever the arguments hold. Stateless and
 * thread-safe; {@link #channelEvent} is the fan-out frame, built once per publication.
 */
public final class ServerFrames {
    private static final String PONG = "{\"event\":\"pusher:pong\",\"data\":\"{}\"}";
    private static final String PING = "{\"event\":\"pusher:ping\",\"data\":\"{}\"}";

    private ServerFrames() {}

    /**
     * The first frame of every connection: {@code {"event":"pusher:connection_established","data":"{\"socket_id\":
     * \"123.456\",\"activity_timeout\":120}"}}.
     *
     * @param socketId two decimal numbers joined by a dot ({@code ^\d+\.\d+$}): the server SDKs refuse anything else
     * @param activityTimeoutSeconds at least 1: pusher-js refuses a handshake without it, and never retries
     */
    public static String connectionEstablished(String socketId, int activityTimeoutSeconds) {
        if (activityTimeoutSeconds < 1) {
            throw new IllegalArgumentException("activity_timeout must be at least 1 s, got " + activityTimeoutSeconds);
        }
        StringBuilder data = new StringBuilder(64).append("{\"socket_id\":");
        JsonText.appendQuoted(data, socketId)
                .append(",\"activity_timeout\":")
                .append(activityTimeoutSeconds)
                .append('}');
        return frame("pusher:connection_established", data, null, null);
    }

    /** The answer to a client's {@code pusher:ping}: {@code {"event":"pusher:pong","data":"{}"}}, Pusher's bytes. */
    public static String pong() {
        return PONG;
    }

    /** The gateway's own ping to a quiet client: {@code {"event":"pusher:ping","data":"{}"}}; pusher-js answers. */
    public static String ping() {
        return PING;
    }

    /**
     * A public, private or encrypted subscription succeeded:
     * {@code {"event":"pusher_internal:subscription_succeeded","data":"{}","channel":"my-channel"}}.
     */
    public static String subscriptionSucceeded(String channel) {
        return frame("pusher_internal:subscription_succeeded", "{}", channel, null);
    }

    /**
     * A presence subscription succeeded; {@code data} holds the members, the subscriber included:
     * {@code {"presence":{"ids":[...],"hash":{"id":info,...},"count":N}}}. Ids go into {@code ids} as the JSON values
     * received, and into {@code hash} as keys (strings); a member without {@code user_info} has {@code null} there,
     * never no key (pusher-js's {@code members.me} would be null).
     *
     * @param members distinct users (the caller deduplicates by id); {@code count} is their number
     */
    public static String presenceSubscriptionSucceeded(String channel, List<PresenceMember> members) {
        StringBuilder data = new StringBuilder(32 + members.size() * 48).append("{\"presence\":{\"ids\":[");
        for (int i = 0; i < members.size(); i++) {
            if (i > 0) {
                data.append(',');
            }
            data.append(members.get(i).userIdJson());
        }
        data.append("],\"hash\":{");
        for (int i = 0; i < members.size(); i++) {
            PresenceMember member = members.get(i);
            if (i > 0) {
                data.append(',');
            }
            data.append(member.hashKeyJson())
                    .append(':')
                    .append(member.userInfoJson() == null ? "null" : member.userInfoJson());
        }
        data.append("},\"count\":").append(members.size()).append("}}");
        return frame("pusher_internal:subscription_succeeded", data, channel, null);
    }

    /**
     * A user joined a presence channel (sent to the other subscribers, never to the joiner):
     * {@code data} is {@code {"user_id":..,"user_info":..}}, without {@code user_info} when the app gave none.
     *
     * @param userIdJson the id as the JSON value received ({@code 10} or {@code "abc"})
     * @param userInfoJson JSON text, or null
     */
    public static String memberAdded(String channel, String userIdJson, String userInfoJson) {
        StringBuilder data = new StringBuilder(32 + userIdJson.length())
                .append("{\"user_id\":")
                .append(userIdJson);
        if (userInfoJson != null) {
            data.append(",\"user_info\":").append(userInfoJson);
        }
        data.append('}');
        return frame("pusher_internal:member_added", data, channel, null);
    }

    /** A user's last connection left a presence channel: {@code data} is {@code {"user_id":..}}. */
    public static String memberRemoved(String channel, String userIdJson) {
        return frame("pusher_internal:member_removed", "{\"user_id\":" + userIdJson + "}", channel, null);
    }

    /**
     * An event on a channel, the fan-out frame: {@code {"event":"my-event","data":"...","channel":"my-channel"}}, and
     * {@code "user_id":"10"} last for a client event on a presence channel.
     *
     * @param data the event's data string as published (REST) or as the parser kept it (client events)
     * @param userId the sender's presence user id as a string, or null (REST events, private channels)
     */
    public static String channelEvent(String event, String channel, String data, String userId) {
        return frame(event, data, channel, userId);
    }

    /**
     * A client subscribed to a cache channel whose cache is empty:
     * {@code {"event":"pusher:cache_miss","data":"{}","channel":"cache-foo"}}. {@code data} is added to the shape
     * Soketi and Reverb send (the Java client throws on a frame without it).
     */
    public static String cacheMiss(String channel) {
        return frame("pusher:cache_miss", "{}", channel, null);
    }

    /**
     * A channel's subscriber count changed (an app's {@code subscription_count} feature):
     * {@code {"event":"pusher_internal:subscription_count","data":"{\"subscription_count\":3}","channel":"c"}}.
     */
    public static String subscriptionCount(String channel, long count) {
        return frame("pusher_internal:subscription_count", "{\"subscription_count\":" + count + "}", channel, null);
    }

    /**
     * A sign-in succeeded: {@code {"event":"pusher:signin_success","data":{"user_data":"..."}}}, {@code data} an
     * object, {@code user_data} the exact string the client sent (pusher-js parses it again).
     */
    public static String signinSuccess(String userData) {
        StringBuilder out = new StringBuilder(64 + userData.length() + userData.length() / 4)
                .append("{\"event\":\"pusher:signin_success\",\"data\":{\"user_data\":");
        return JsonText.appendQuoted(out, userData).append("}}").toString();
    }

    /**
     * Users of a signed-in user's watchlist came online or went offline:
     * {@code {"event":"pusher_internal:watchlist_events","data":"{\"events\":[{\"name\":\"online\",\"user_ids\":
     * [\"1\"]},{\"name\":\"offline\",\"user_ids\":[\"2\"]}]}"}}; an empty list gives no entry.
     */
    public static String watchlistEvents(List<String> online, List<String> offline) {
        StringBuilder data = new StringBuilder(64).append("{\"events\":[");
        appendWatchlistEntry(data, "online", online);
        appendWatchlistEntry(data, "offline", offline);
        data.append("]}");
        return frame("pusher_internal:watchlist_events", data, null, null);
    }

    /**
     * A {@code pusher:error}: {@code {"event":"pusher:error","data":{"code":4001,"message":"..."}}}, {@code data} an
     * object and {@code "code":null} for errors without a code, as Pusher sends them.
     */
    public static String error(PusherError error, String message) {
        return error(error.codeOrNull(), message);
    }

    static String error(Integer code, String message) {
        StringBuilder out = new StringBuilder(64 + message.length())
                .append("{\"event\":\"pusher:error\",\"data\":{")
                .append("\"code\":")
                .append(code == null ? "null" : code.toString())
                .append(",\"message\":");
        return JsonText.appendQuoted(out, message).append("}}").toString();
    }

    private static void appendWatchlistEntry(StringBuilder data, String name, List<String> userIds) {
        if (userIds.isEmpty()) {
            return;
        }
        if (data.charAt(data.length() - 1) != '[') {
            data.append(',');
        }
        data.append("{\"name\":\"").append(name).append("\",\"user_ids\":[");
        for (int i = 0; i < userIds.size(); i++) {
            if (i > 0) {
                data.append(',');
            }
            JsonText.appendQuoted(data, userIds.get(i));
        }
        data.append("]}");
    }

    /** {@code {"event":E,"data":"D","channel":C,"user_id":U}}, the last two only when not null. */
    private static String frame(String event, CharSequence data, String channel, String userId) {
        int size = 32
                + event.length()
                + data.length()
                + (data.length() >> 3)
                + (channel == null ? 0 : 12 + channel.length())
                + (userId == null ? 0 : 12 + userId.length());
        StringBuilder out = new StringBuilder(size).append("{\"event\":");
        JsonText.appendQuoted(out, event).append(",\"data\":");
        JsonText.appendQuoted(out, data);
        if (channel != null) {
            JsonText.appendQuoted(out.append(",\"channel\":"), channel);
        }
        if (userId != null) {
            JsonText.appendQuoted(out.append(",\"user_id\":"), userId);
        }
        return out.append('}').toString();
    }
}
