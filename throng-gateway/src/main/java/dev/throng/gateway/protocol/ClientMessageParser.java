package dev.throng.gateway.protocol;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
// PLACEHOLDER (uncommitted)
public final class ClientMessageParser {
    private static final ObjectMapper M = new ObjectMapper();
    public static ClientMessage parse(String text) {
        try {
            JsonNode n = M.readTree(text);
            String event = n.path("event").asText();
            JsonNode data = n.get("data");
            if (data != null && data.isTextual() && !event.startsWith("client-")) { try { data = M.readTree(data.asText()); } catch (Exception e) { } }
            switch (event) {
                case "pusher:ping": return new ClientMessage.Ping();
                case "pusher:pong": return new ClientMessage.Pong();
                case "pusher:subscribe": return new ClientMessage.Subscribe(data.path("channel").asText(), data.path("auth").asText(null), data.hasNonNull("channel_data") ? data.get("channel_data").asText() : null);
                case "pusher:unsubscribe": return new ClientMessage.Unsubscribe(data.path("channel").asText());
                case "pusher:signin": return new ClientMessage.Signin(data.path("auth").asText(), data.path("user_data").asText());
                default:
                    if (event.startsWith("client-")) return new ClientMessage.ClientEvent(event, n.path("channel").asText(), data == null ? "null" : data.isTextual() ? data.asText() : M.writeValueAsString(data));
                    return new ClientMessage.Unknown(event);
            }
        } catch (Exception e) { return new ClientMessage.Invalid(PusherError.INVALID_MESSAGE, String.valueOf(e.getMessage())); }
    }
}
