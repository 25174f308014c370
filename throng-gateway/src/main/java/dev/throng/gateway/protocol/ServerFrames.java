package dev.throng.gateway.protocol;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.throng.gateway.broker.Broker;
import java.util.List;
// PLACEHOLDER (uncommitted)
public final class ServerFrames {
    private static final ObjectMapper M = new ObjectMapper();
    private static String s(Object o) { try { return M.writeValueAsString(o); } catch (Exception e) { throw new IllegalStateException(e); } }
    public static String connectionEstablished(String socketId, long t) { return "{\"event\":\"pusher:connection_established\",\"data\":" + s("{\"socket_id\":\"" + socketId + "\",\"activity_timeout\":" + t + "}") + "}"; }
    public static String pong() { return "{\"event\":\"pusher:pong\",\"data\":\"{}\"}"; }
    public static String subscriptionSucceeded(String c) { return "{\"event\":\"pusher_internal:subscription_succeeded\",\"data\":\"{}\",\"channel\":" + s(c) + "}"; }
    public static String presenceSubscriptionSucceeded(String c, List<Broker.Member> members) {
        StringBuilder ids = new StringBuilder("["); StringBuilder hash = new StringBuilder("{");
        for (int i = 0; i < members.size(); i++) { Broker.Member m = members.get(i); if (i > 0) { ids.append(','); hash.append(','); } ids.append(s(m.id())); hash.append(s(m.id())).append(':').append(m.infoJson() == null ? "null" : m.infoJson()); }
        String data = "{\"presence\":{\"ids\":" + ids + "],\"hash\":" + hash + "},\"count\":" + members.size() + "}}";
        return "{\"event\":\"pusher_internal:subscription_succeeded\",\"data\":" + s(data) + ",\"channel\":" + s(c) + "}";
    }
    public static String channelEvent(String e, String c, String d, String u) { return "{\"event\":" + s(e) + ",\"data\":" + s(d) + ",\"channel\":" + s(c) + (u == null ? "" : ",\"user_id\":" + s(u)) + "}"; }
    public static String cacheMiss(String c) { return "{\"event\":\"pusher:cache_miss\",\"channel\":" + s(c) + ",\"data\":\"{}\"}"; }
    public static String signinSuccess(String u) { return "{\"event\":\"pusher:signin_success\",\"data\":{\"user_data\":" + s(u) + "}}"; }
}
