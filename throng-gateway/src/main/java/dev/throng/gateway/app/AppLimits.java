package dev.throng.gateway.app;

/**
 * The limits of one app, with Pusher's defaults (pusher.com/docs/channels/library_auth_reference/rest-api and
 * the channel, presence and client-event pages), so that an app that works on Pusher works here unchanged.
 *
 * @param maxEventDataBytes an event's {@code data}, in UTF-8 bytes (REST: 413 over it; a client event: pusher:error).
 *     10 KB, Pusher's
 * @param maxEventNameLength an event's name, in characters. 200, as the pusher SDKs check
 * @param maxChannelNameLength a channel's name, prefix included. 164, Pusher's documented limit
 * @param maxChannelsPerTrigger channels one REST trigger may name. 100, Pusher's
 * @param maxEventsPerBatch events one {@code batch_events} call may carry. 10, Pusher's
 * @param maxPresenceMembers distinct users in one presence channel (a user with several connections is one). 100
 * @param maxUserInfoBytes a presence member's {@code user_info}, serialised. 1 KB, Pusher's
 * @param maxUserIdLength a presence or signed-in user id. 128 characters, Pusher's
 * @param clientEventsPerSecond client events one connection may send per second; over it pusher:error 4301. 10
 * @param maxSubscriptionsPerConnection channels one connection may be subscribed to at once; over it the subscription
 *     fails with pusher:error. 100: Pusher sets no number, and 100 keeps what one socket can make the server hold
 *     bounded (a few bytes each) while no real page comes near it
 */
public record AppLimits(
        int maxEventDataBytes,
        int maxEventNameLength,
        int maxChannelNameLength,
        int maxChannelsPerTrigger,
        int maxEventsPerBatch,
        int maxPresenceMembers,
        int maxUserInfoBytes,
        int maxUserIdLength,
        int clientEventsPerSecond,
        int maxSubscriptionsPerConnection) {

    /** Pusher's limits. */
    public static final AppLimits PUSHER = new AppLimits(10 * 1024, 200, 164, 100, 10, 100, 1024, 128, 10, 100);

    public AppLimits {
        positive(maxEventDataBytes, "maxEventDataBytes");
        positive(maxEventNameLength, "maxEventNameLength");
        positive(maxChannelNameLength, "maxChannelNameLength");
        positive(maxChannelsPerTrigger, "maxChannelsPerTrigger");
        positive(maxEventsPerBatch, "maxEventsPerBatch");
        positive(maxPresenceMembers, "maxPresenceMembers");
        positive(maxUserInfoBytes, "maxUserInfoBytes");
        positive(maxUserIdLength, "maxUserIdLength");
        positive(clientEventsPerSecond, "clientEventsPerSecond");
        positive(maxSubscriptionsPerConnection, "maxSubscriptionsPerConnection");
    }

    private static void positive(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException("limits." + name + " must be at least 1, got " + value);
        }
    }
}
