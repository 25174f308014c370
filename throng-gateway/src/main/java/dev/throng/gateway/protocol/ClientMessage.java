package dev.throng.gateway.protocol;
// PLACEHOLDER (uncommitted)
public sealed interface ClientMessage {
    record Ping() implements ClientMessage {}
    record Pong() implements ClientMessage {}
    record Subscribe(String channel, String auth, String channelData) implements ClientMessage {}
    record Unsubscribe(String channel) implements ClientMessage {}
    record Signin(String auth, String userData) implements ClientMessage {}
    record ClientEvent(String event, String channel, String data) implements ClientMessage {}
    record Unknown(String event) implements ClientMessage {}
    record Invalid(PusherError error, String detail) implements ClientMessage {}
}
