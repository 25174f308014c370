package dev.throng.gateway.protocol;

import java.util.Locale;
import java.util.OptionalInt;

/**
 * Every error the gateway sends as {@code pusher:error} (issue #17): its code ({@code "code":null} for the
 * non-fatal ones, as Pusher sends them), its message, whether the gateway then closes the WebSocket with that code,
 * and what pusher-js 8.6 does on it. Every constant has a row in {@code docs/gateway.md}'s error table
 * ({@code PusherErrorDocumentationTest} holds the two together, as {@code CloseReason} is held to
 * {@code docs/protocol.md}).
 *
 * <p><b>What the codes do.</b> After the handshake, pusher-js only logs a {@code pusher:error} message: the close
 * code is what makes it reconnect or stop (pusher-js {@code Protocol.getCloseAction}): 4000-4099 stop for good,
 * 4100-4199 reconnect after 1 s, 4200-4299 reconnect at once, and 4300 and above stop for good too. So:
 * <ul>
 *   <li>a fatal error is sent as the message, then the close with the same code: the message first because before
 *   the handshake pusher-js acts on it deterministically (it closes itself), the close because after it only the
 *   close counts;</li>
 *   <li>no close code is ever 4300 or above: 4301 and 4302 are messages only;</li>
 *   <li>a non-fatal error has no code ({@code null}) and is only ever sent after {@code pusher:connection_established}:
 *   before it, pusher-js would look the null up as a close action and throw.</li>
 * </ul>
 *
 * <pre>
 * ErrorReply reply = PusherError.EXISTING_SUBSCRIPTION.reply(channel);
 * connection.sendText(reply.frame());
 * if (reply.error().closes()) {
 *     connection.close(reply.error().closeCode(), reply.error().name());
 * }
 * </pre>
 *
 * <p>Messages are {@link String#format} patterns; {@link #reply} and {@link #frame} check the number of arguments.
 */
public enum PusherError {
    // ---- fatal: the connection is closed with the code ------------------------------------------------------------

    /** The key in {@code /app/{key}} names no configured app. */
    APP_NOT_FOUND(4001, "Application does not exist", Doc.REFUSED),
    /** The app is configured but disabled. */
    APP_DISABLED(4003, "Application disabled", Doc.REFUSED),
    /** The app already holds its {@code maxConnections}. */
    OVER_CONNECTION_QUOTA(4004, "Application is over connection quota", Doc.REFUSED),
    /** An upgrade under the WebSocket path to something other than {@code /app/{key}}. */
    PATH_NOT_FOUND(4005, "Path not found", Doc.REFUSED),
    /** The {@code protocol} query parameter is below 4, above 7, or not a number. */
    UNSUPPORTED_PROTOCOL(4007, "Unsupported protocol version", Doc.REFUSED),
    /** No {@code protocol} query parameter (every Pusher client sends one). */
    NO_PROTOCOL(4008, "No protocol version supplied", Doc.REFUSED),
    /**
     * Pusher's "authorized connections": the app requires them and this one neither signed in nor subscribed to a
     * private or presence channel in time. Never sent yet: no app setting asks for it (docs/gateway.md, "Not
     * implemented").
     */
    UNAUTHORIZED_CONNECTION(4009, "Connection is unauthorized", Doc.REFUSED),
    /**
     * The REST API's {@code terminate_connections} named the user this connection is signed in as. 4009, as Soketi:
     * the app means to kick the user, so pusher-js must not reconnect by itself.
     */
    TERMINATED(4009, "Connection terminated by the app", Doc.REFUSED),
    /**
     * The server sheds load. Never sent yet: the engine refuses connections over its caps before the upgrade (HTTP
     * 503), and a full memory budget makes reads wait.
     */
    OVER_CAPACITY(4100, "Over capacity", Doc.BACKOFF),
    /**
     * The connection's outbound queue passed its limit: the client does not read as fast as its channels publish.
     * Its own code in the backoff range rather than 4100, so that logs and client error handlers can tell a slow
     * reader from a full server; every client treats 4100-4199 alike (pusher-js: back off 1 s; the Java and Swift
     * clients: reconnect with backoff). The close frame may be all that reaches a client whose queue is full.
     */
    SLOW_CONSUMER(4101, "Slow consumer: not reading fast enough", Doc.BACKOFF),
    /**
     * The server is shutting down (a drain): 4200 rather than the engine's 1001, so that pusher-js reconnects at once
     * (to another node) instead of after 1 s.
     */
    SHUTTING_DOWN(4200, "Server shutting down, reconnect", Doc.RETRY),
    /** The gateway pinged a connection that sent nothing for a whole activity timeout, and got no answer. */
    PONG_NOT_RECEIVED(4201, "Pong reply not received", Doc.RETRY),

    // ---- a code, but message only ---------------------------------------------------------------------------------

    /** A connection sent more client events per second than the app's limit (Pusher: 10); the event is dropped. */
    CLIENT_EVENT_RATE_LIMIT(4301, false, "Client event rejected due to rate limit", Doc.LOGGED),
    /** A sign-in's watchlist is longer than the limit: the first ones are kept; sent besides signin_success. */
    WATCHLIST_LIMIT(4302, false, "Watchlist limit exceeded. Only the first %d user IDs are accepted.", Doc.LOGGED),

    // ---- no code: non-fatal, after the handshake only -------------------------------------------------------------

    /** A frame that is not JSON, or has more after its object. */
    INVALID_JSON("Invalid JSON: %s", Doc.LOGGED),
    /** A frame that is not a JSON object, or lacks a field, or has one of the wrong type or twice. */
    INVALID_MESSAGE("Invalid message: %s", Doc.LOGGED),
    /** A frame nested deeper than the parser's limit (10 levels). */
    MESSAGE_TOO_DEEP("Invalid message: nested deeper than %d levels", Doc.LOGGED),
    /** A field longer than the parser's limit for it. */
    FIELD_TOO_LONG("Invalid message: %s longer than %d characters", Doc.LOGGED),
    /** An event that is neither one of the {@code pusher:} events a client sends nor a {@code client-} event. */
    UNSUPPORTED_EVENT("Unsupported event %s", Doc.LOGGED),
    /** A subscribe to a channel this connection is already subscribed to (the subscription stays). Pusher's text. */
    EXISTING_SUBSCRIPTION("Existing subscription to channel %s", Doc.LOGGED),
    /** An unsubscribe from a channel this connection is not subscribed to. Pusher's text. */
    NO_SUBSCRIPTION("No current subscription to channel %s, or subscription in progress", Doc.LOGGED),
    /** A subscribe to a name that breaks the channel-name rules. */
    INVALID_CHANNEL_NAME("Invalid channel name '%s'", Doc.PENDING),
    /**
     * The {@code auth} of a subscribe or sign-in is not {@code key:signature} with the app's key. Pusher's text,
     * with {@code subscription} or {@code signin} as the first argument.
     */
    INVALID_KEY("Invalid key in %s auth data: '%s'", Doc.PENDING),
    /** The signature of a subscribe or sign-in does not match. Pusher's text: the string to sign, then the one sent. */
    INVALID_SIGNATURE("Invalid signature: Expected HMAC SHA256 hex digest of %s, but got %s", Doc.PENDING),
    /** A presence subscribe without {@code channel_data} from a connection that has not signed in. */
    CHANNEL_DATA_REQUIRED("Presence channel subscription requires channel_data", Doc.PENDING),
    /** A presence subscribe whose {@code channel_data} is not an object with a string or number {@code user_id}. */
    INVALID_CHANNEL_DATA("Invalid channel_data: %s", Doc.PENDING),
    /** A new user joining a presence channel that holds the app's maximum of users (Pusher: 100). */
    PRESENCE_FULL("Presence channel %s is full: at most %d members", Doc.PENDING),
    /**
     * A presence subscribe while the cluster's shared state cannot be reached (a Redis broker in degraded mode): the
     * members cannot be known, so nobody joins; the client may subscribe again later.
     */
    PRESENCE_UNAVAILABLE(
            "Presence channel %s is unavailable: the cluster's shared state cannot be reached; subscribe "
                    + "again later",
            Doc.PENDING),
    /** A presence member's {@code user_info} larger than the app's limit (Pusher: 1 KB). */
    USER_INFO_TOO_LARGE("user_info larger than %d bytes", Doc.PENDING),
    /** A presence or signed-in user id longer than the app's limit (Pusher: 128). */
    USER_ID_TOO_LONG("user_id longer than %d characters", Doc.PENDING),
    /** A subscribe to {@code #server-to-user-{id}} from a connection not signed in as {@code id}. */
    NOT_SIGNED_IN_AS_USER("Subscribing to %s requires being signed in as that user", Doc.PENDING),
    /** A subscribe past the app's {@code maxSubscriptionsPerConnection}. */
    TOO_MANY_SUBSCRIPTIONS("Subscription limit reached: at most %d channels per connection", Doc.PENDING),
    /** A sign-in whose {@code user_data} is not an object with a non-empty string {@code id}. */
    INVALID_USER_DATA("Invalid user_data: %s", Doc.SIGNIN),
    /** A sign-in as another user than the one this connection is already signed in as. */
    ALREADY_SIGNED_IN("Connection is already signed in as a different user", Doc.SIGNIN),
    /** A client event while the app has client events off. */
    CLIENT_EVENTS_DISABLED("Client events are not enabled for this app", Doc.LOST),
    /** A client event on a channel this connection is not subscribed to. */
    CLIENT_EVENT_NOT_SUBSCRIBED("Client event rejected - not subscribed to channel %s", Doc.LOST),
    /** A client event on a public, encrypted or server-to-user channel. */
    CLIENT_EVENT_CHANNEL_TYPE(
            "Client event rejected - only supported on private and presence channels, not on %s", Doc.LOST),
    /** A client event whose data is larger than the app's limit (Pusher: 10 KB). */
    CLIENT_EVENT_TOO_LARGE("Client event rejected - data larger than %d bytes", Doc.LOST);

    /** What pusher-js 8.6 does, in the words of the documentation table. */
    private static final class Doc {
        static final String REFUSED = "refused: goes to `disconnected`, no reconnect (until the app calls `connect()`)";
        static final String BACKOFF = "backoff: reconnects after 1 s";
        static final String RETRY = "retry: reconnects at once";
        static final String LOGGED = "logs it and emits `error`; nothing else";
        static final String PENDING = "logs it and emits `error`; the channel stays pending until the next reconnect";
        static final String SIGNIN = "logs it and emits `error`; `signin()` never completes on this connection";
        static final String LOST = "logs it and emits `error`; the event is not delivered";

        private Doc() {}
    }

    private static final int NO_CODE = -1;

    private final int code;
    private final boolean closes;
    private final String message;
    private final String pusherJs;
    private final int arity;
    /** The frame of an error without arguments, made once. */
    private final String constantFrame;

    /** A fatal error: sent, then the connection is closed with {@code code}. */
    PusherError(int code, String message, String pusherJs) {
        this(code, true, message, pusherJs);
    }

    /** An error without a code ({@code "code":null}): sent, nothing else. */
    PusherError(String message, String pusherJs) {
        this(NO_CODE, false, message, pusherJs);
    }

    PusherError(int code, boolean closes, String message, String pusherJs) {
        this.code = code;
        this.closes = closes;
        this.message = message;
        this.pusherJs = pusherJs;
        this.arity = countArguments(message);
        this.constantFrame = arity == 0 ? ServerFrames.error(code == NO_CODE ? null : code, message) : null;
    }

    /** Pusher's code, or empty for {@code "code":null}. */
    public OptionalInt code() {
        return code == NO_CODE ? OptionalInt.empty() : OptionalInt.of(code);
    }

    /** Whether the gateway closes the WebSocket with {@link #closeCode()} after sending this. */
    public boolean closes() {
        return closes;
    }

    /**
     * The close code, for an error that {@link #closes()}: always in 4000-4299, never 4300 or above.
     *
     * @throws IllegalStateException for an error that does not close
     */
    public int closeCode() {
        if (!closes) {
            throw new IllegalStateException(name() + " does not close the connection");
        }
        return code;
    }

    /** The message pattern, with {@code %s}/{@code %d} where {@link #reply}'s arguments go. */
    public String messagePattern() {
        return message;
    }

    /** How many arguments the message takes. */
    public int arity() {
        return arity;
    }

    /** What pusher-js 8.6 does when it receives this (for a fatal error: the close code's action). */
    public String pusherJs() {
        return pusherJs;
    }

    /** The stable id, as in {@code docs/gateway.md}. */
    public String id() {
        return name();
    }

    /**
     * The message with {@code args} in place.
     *
     * @throws IllegalArgumentException when the number of arguments is not {@link #arity()}
     */
    public String message(Object... args) {
        if (args.length != arity) {
            throw new IllegalArgumentException(name() + " takes " + arity + " argument(s), got " + args.length);
        }
        return arity == 0 ? message : String.format(Locale.ROOT, message, args);
    }

    /** This error with its message: what to send. */
    public ErrorReply reply(Object... args) {
        return new ErrorReply(this, message(args));
    }

    /** The {@code pusher:error} frame: {@code {"event":"pusher:error","data":{"code":N,"message":"..."}}}. */
    public String frame(Object... args) {
        if (args.length == 0 && constantFrame != null) {
            return constantFrame;
        }
        return ServerFrames.error(this, message(args));
    }

    Integer codeOrNull() {
        return code == NO_CODE ? null : code;
    }

    private static int countArguments(String pattern) {
        int n = 0;
        for (int i = 0; i < pattern.length() - 1; i++) {
            if (pattern.charAt(i) == '%') {
                char next = pattern.charAt(i + 1);
                if (next == 's' || next == 'd') {
                    n++;
                } else if (next != '%') {
                    throw new IllegalArgumentException("only %s and %d are used in messages: " + pattern);
                }
                i++;
            }
        }
        return n;
    }
}
