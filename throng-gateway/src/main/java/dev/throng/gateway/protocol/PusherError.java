package dev.throng.gateway.protocol;
// PLACEHOLDER (uncommitted): replaced by the protocol package.
public enum PusherError {
    APP_DOES_NOT_EXIST(4001, "Application does not exist"), APP_DISABLED(4003, "Application disabled"),
    OVER_CONNECTION_QUOTA(4004, "Application is over connection quota"), UNSUPPORTED_PROTOCOL(4007, "Unsupported protocol version"),
    TERMINATED(4009, "You got disconnected by the app"), SLOW_CONSUMER(4100, "Slow consumer"),
    CLIENT_EVENT_RATE_LIMIT(4301, "Client event rejected due to rate limit"), WATCHLIST_LIMIT(4302, "Watchlist limit exceeded"),
    INVALID_CHANNEL_NAME(0, "Invalid channel name '%s'"), EXISTING_SUBSCRIPTION(0, "Existing subscription to channel %s"),
    TOO_MANY_SUBSCRIPTIONS(0, "Too many subscriptions: at most %s"), NOT_SIGNED_IN_AS(0, "Not signed in for %s"),
    INVALID_SIGNATURE(0, "Invalid signature: Expected HMAC SHA256 hex digest of %s:%s, but got %s"),
    PRESENCE_FULL(0, "Presence channel %s is full (%s members)"), INVALID_PRESENCE_DATA(0, "Invalid presence data"),
    USER_ID_TOO_LONG(0, "user id too long (max %s)"), USER_INFO_TOO_LARGE(0, "user_info too large (max %s)"),
    NOT_SUBSCRIBED(0, "No current subscription to channel %s, or subscription in progress"),
    CLIENT_EVENTS_DISABLED(0, "Client events are disabled"), CLIENT_EVENT_CHANNEL_TYPE(0, "Client event rejected on %s"),
    CLIENT_EVENT_NOT_SUBSCRIBED(0, "Client event rejected - not subscribed to %s"), CLIENT_EVENT_TOO_LARGE(0, "too large %s"),
    INVALID_SIGNIN_SIGNATURE(0, "Invalid signin signature"), INVALID_USER_DATA(0, "Invalid user data"),
    SIGNED_IN_AS_ANOTHER_USER(0, "Signed in as another user"), INVALID_MESSAGE(0, "Invalid message %s");
    private final int code; private final String message;
    PusherError(int code, String message) { this.code = code; this.message = message; }
    public int code() { return code; }
    public String message(Object... args) { return args.length == 0 ? message : String.format(message, args); }
    public String frame(Object... args) {
        return "{\"event\":\"pusher:error\",\"data\":{\"code\":" + (code == 0 ? "null" : code) + ",\"message\":\"" + message(args).replace("\"", "\\\"") + "\"}}";
    }
}
