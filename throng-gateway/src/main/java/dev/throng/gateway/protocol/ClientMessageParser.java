package dev.throng.gateway.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.throng.gateway.app.AppLimits;
import java.io.IOException;

/**
 * Reads one text frame from a client into a {@link ClientMessage}, with Jackson's streaming parser (no databind on
 * this path, no tree).
 *
 * <p><b>Contract.</b> {@link #parse} never throws: any input gives a message, and input that is not a frame the
 * gateway can act on gives {@link ClientMessage.Invalid} with the {@code pusher:error} to answer (never a closing
 * one: a bad frame costs the client an error message, not its connection). The parser only reads: it does not know
 * the connection, and the caller sends the answer. Immutable and thread-safe: one instance serves every connection.
 *
 * <pre>
 * ClientMessage message = parser.parse(text);
 * if (message instanceof ClientMessage.Subscribe s) { ... }
 * else if (message instanceof ClientMessage.Invalid i) { connection.sendText(i.reply().frame()); }
 * </pre>
 *
 * <p><b>What it accepts</b> (what pusher-js, the Java and Swift clients send; the spec's sections 1.4, 3.1, 4.4, 5):
 * <ul>
 *   <li>fields in any order (Swift's dictionaries put {@code data} first), unknown fields ignored;</li>
 *   <li>{@code data} of {@code pusher:subscribe}, {@code unsubscribe} and {@code signin}: an object, or a string
 *   holding one (as Reverb accepts); {@code null} for an optional field is the same as no field;</li>
 *   <li>{@code pusher:ping} and {@code pusher:pong} with any {@code data}, or none;</li>
 *   <li>{@code client-} events with a top-level {@code channel} and any {@code data} (see
 *   {@link ClientMessage.ClientEvent#data()}).</li>
 * </ul>
 *
 * <p><b>Bounded work.</b> The frame is at most the engine's message size and valid UTF-8 already. Beyond that:
 * nesting deeper than {@link Limits#maxDepth()} is refused as soon as the parser reaches it, and each field has a
 * length limit ({@link Limits}); every token passes through a depth-checked loop of this class (values that are not
 * kept are skipped by it, never by Jackson's unbounded {@code skipChildren}), at most twice (a {@code pusher:} event's
 * {@code data} is copied, then read); field names are not interned (Jackson's shared symbol table would grow with,
 * and could be hash-flooded by, names clients choose).
 */
public final class ClientMessageParser {
    /** The top-level object is depth 1; a {@code data} object is depth 2. */
    private static final int FRAME_DEPTH = 1;

    private static final int DATA_DEPTH = 2;
    /** Jackson's own messages can quote input; an error message carries at most this much of them. */
    private static final int MAX_DETAIL = 120;

    /**
     * How much one frame may hold.
     *
     * @param maxDepth levels of nesting, the frame's object being 1. 10: pusher-js frames use 2 (the frame, its
     *     {@code data}), leaving a client event's data 8 levels of its own
     * @param maxNameLength an {@code event} or {@code channel} name, in characters. 200: Pusher's event-name limit,
     *     above its 164-character channel names
     * @param maxAuthLength {@code auth}, in characters. 256: a key (at most 128 characters), {@code :} and 64 hex
     *     digits, with room
     * @param maxDataLength {@code data} (a string, or an object's compact JSON text), {@code channel_data} and
     *     {@code user_data}, in characters. 32 KiB: three times Pusher's 10 KB limit on event data, and twice a
     *     sign-in's largest {@code user_data} (a 100-id watchlist of 128-character ids and 1 KB of user_info)
     */
    public record Limits(int maxDepth, int maxNameLength, int maxAuthLength, int maxDataLength) {
        public static final Limits DEFAULTS = new Limits(10, 200, 256, 32 * 1024);

        public Limits {
            if (maxDepth < DATA_DEPTH) {
                throw new IllegalArgumentException(
                        "maxDepth must be at least 2 (a frame and its data), got " + maxDepth);
            }
            if (maxNameLength < 1 || maxAuthLength < 1 || maxDataLength < 2) {
                throw new IllegalArgumentException(
                        "limits must be positive: " + maxNameLength + ", " + maxAuthLength + ", " + maxDataLength);
            }
        }

        /** The defaults, widened where an app allows longer names or larger event data. */
        public static Limits of(AppLimits app) {
            return new Limits(
                    DEFAULTS.maxDepth,
                    Math.max(DEFAULTS.maxNameLength, Math.max(app.maxEventNameLength(), app.maxChannelNameLength())),
                    DEFAULTS.maxAuthLength,
                    Math.max(DEFAULTS.maxDataLength, app.maxEventDataBytes()));
        }
    }

    private final Limits limits;
    private final JsonFactory json;

    public ClientMessageParser() {
        this(Limits.DEFAULTS);
    }

    public ClientMessageParser(Limits limits) {
        this.limits = limits;
        this.json = JsonFactory.builder()
                // No shared symbol table of client-chosen names (see the class comment).
                .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
                .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
                // A backstop only: this parser refuses depth maxDepth + 1 itself, with its own error, before Jackson
                // would.
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(limits.maxDepth() + 1)
                        .build())
                .build();
    }

    public Limits limits() {
        return limits;
    }

    /** Reads one frame. Never throws; see the class comment. */
    public ClientMessage parse(String text) {
        try (JsonParser parser = json.createParser(text)) {
            return parseFrame(parser);
        } catch (Refusal refusal) {
            return new ClientMessage.Invalid(refusal.reply);
        } catch (IOException e) {
            return new ClientMessage.Invalid(PusherError.INVALID_JSON.reply(describe(e)));
        }
    }

    private ClientMessage parseFrame(JsonParser parser) throws IOException {
        JsonToken token = parser.nextToken();
        if (token == null) {
            throw refuse(PusherError.INVALID_JSON, "empty frame");
        }
        if (token != JsonToken.START_OBJECT) {
            throw refuse(PusherError.INVALID_MESSAGE, "not a JSON object");
        }
        String event = null;
        String channel = null;
        boolean seenChannel = false;
        boolean seenData = false;
        String data = null;
        boolean dataIsString = false;
        boolean dataIsObject = false;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            token = parser.nextToken();
            switch (name) {
                case "event" -> {
                    if (event != null) {
                        throw refuse(PusherError.INVALID_MESSAGE, "event given twice");
                    }
                    event = string(parser, token, "event", limits.maxNameLength());
                }
                case "channel" -> {
                    if (seenChannel) {
                        throw refuse(PusherError.INVALID_MESSAGE, "channel given twice");
                    }
                    seenChannel = true;
                    channel = token == JsonToken.VALUE_NULL
                            ? null
                            : string(parser, token, "channel", limits.maxNameLength());
                }
                case "data" -> {
                    if (seenData) {
                        throw refuse(PusherError.INVALID_MESSAGE, "data given twice");
                    }
                    seenData = true;
                    if (token == JsonToken.VALUE_STRING) {
                        data = string(parser, token, "data", limits.maxDataLength());
                        dataIsString = true;
                    } else if (event != null && ignoresData(event)) {
                        skip(parser, token, FRAME_DEPTH);
                    } else {
                        dataIsObject = token == JsonToken.START_OBJECT;
                        data = copy(parser, token, FRAME_DEPTH);
                    }
                }
                default -> skip(parser, token, FRAME_DEPTH);
            }
        }
        if (token != JsonToken.END_OBJECT) {
            throw refuse(PusherError.INVALID_JSON, "unexpected end of the frame");
        }
        if (parser.nextToken() != null) {
            throw refuse(PusherError.INVALID_JSON, "more after the frame's object");
        }
        if (event == null) {
            throw refuse(PusherError.INVALID_MESSAGE, "no event");
        }
        switch (event) {
            case "pusher:ping":
                return ClientMessage.Ping.INSTANCE;
            case "pusher:pong":
                return ClientMessage.Pong.INSTANCE;
            case "pusher:subscribe": {
                DataFields fields = dataFields(event, seenData, data, dataIsString, dataIsObject);
                return new ClientMessage.Subscribe(
                        required(fields.channel, "channel"), fields.auth, fields.channelData);
            }
            case "pusher:unsubscribe": {
                DataFields fields = dataFields(event, seenData, data, dataIsString, dataIsObject);
                return new ClientMessage.Unsubscribe(required(fields.channel, "channel"));
            }
            case "pusher:signin": {
                DataFields fields = dataFields(event, seenData, data, dataIsString, dataIsObject);
                return new ClientMessage.Signin(required(fields.auth, "auth"), required(fields.userData, "user_data"));
            }
            default:
                if (!EventNames.isClientEvent(event)) {
                    return new ClientMessage.Unknown(event);
                }
                if (channel == null) {
                    throw refuse(PusherError.INVALID_MESSAGE, "a client event needs a channel");
                }
                return new ClientMessage.ClientEvent(event, channel, seenData && data != null ? data : "null");
        }
    }

    private static boolean ignoresData(String event) {
        return event.equals("pusher:ping") || event.equals("pusher:pong");
    }

    /** The fields of a {@code pusher:} event's {@code data}: an object, or a string holding one. */
    private static final class DataFields {
        String channel;
        String auth;
        String channelData;
        String userData;
        boolean seenChannel;
        boolean seenAuth;
        boolean seenChannelData;
        boolean seenUserData;
    }

    private DataFields dataFields(
            String event, boolean seenData, String data, boolean dataIsString, boolean dataIsObject) {
        if (!seenData) {
            throw refuse(PusherError.INVALID_MESSAGE, event + " needs data");
        }
        if (!dataIsString && !dataIsObject) {
            throw refuse(PusherError.INVALID_MESSAGE, "data must be an object");
        }
        DataFields fields = new DataFields();
        try (JsonParser parser = json.createParser(data)) {
            JsonToken token = parser.nextToken();
            if (token != JsonToken.START_OBJECT) {
                throw refuse(PusherError.INVALID_MESSAGE, "data must be an object");
            }
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                token = parser.nextToken();
                switch (name) {
                    case "channel" -> {
                        fields.seenChannel = once(fields.seenChannel, name);
                        fields.channel = optionalString(parser, token, name, limits.maxNameLength());
                    }
                    case "auth" -> {
                        fields.seenAuth = once(fields.seenAuth, name);
                        fields.auth = optionalString(parser, token, name, limits.maxAuthLength());
                    }
                    case "channel_data" -> {
                        fields.seenChannelData = once(fields.seenChannelData, name);
                        fields.channelData = optionalString(parser, token, name, limits.maxDataLength());
                    }
                    case "user_data" -> {
                        fields.seenUserData = once(fields.seenUserData, name);
                        fields.userData = optionalString(parser, token, name, limits.maxDataLength());
                    }
                    default -> skip(parser, token, DATA_DEPTH);
                }
            }
            if (token != JsonToken.END_OBJECT) {
                throw refuse(PusherError.INVALID_JSON, "unexpected end of data");
            }
            if (parser.nextToken() != null) {
                throw refuse(PusherError.INVALID_JSON, "more after data's object");
            }
        } catch (IOException e) {
            throw refuse(PusherError.INVALID_JSON, "in data: " + describe(e));
        }
        return fields;
    }

    private static boolean once(boolean seen, String field) {
        if (seen) {
            throw refuse(PusherError.INVALID_MESSAGE, "data." + field + " given twice");
        }
        return true;
    }

    private static String required(String value, String field) {
        if (value == null) {
            throw refuse(PusherError.INVALID_MESSAGE, "no data." + field);
        }
        return value;
    }

    private static String string(JsonParser parser, JsonToken token, String field, int maxLength) throws IOException {
        if (token != JsonToken.VALUE_STRING) {
            throw refuse(PusherError.INVALID_MESSAGE, field + " must be a string");
        }
        if (parser.getTextLength() > maxLength) {
            throw refuse(PusherError.FIELD_TOO_LONG, field, maxLength);
        }
        return parser.getText();
    }

    private static String optionalString(JsonParser parser, JsonToken token, String field, int maxLength)
            throws IOException {
        return token == JsonToken.VALUE_NULL ? null : string(parser, token, "data." + field, maxLength);
    }

    /**
     * Writes the value starting at {@code token} as compact JSON text (no whitespace; strings re-escaped by
     * {@link JsonText}, which gives back the same characters when read; numbers as written), checking depth and
     * length as it goes. Leaves the parser on the value's last token.
     *
     * @param parentDepth the depth of the object holding the value
     */
    private String copy(JsonParser parser, JsonToken token, int parentDepth) throws IOException {
        StringBuilder out = new StringBuilder(64);
        int depth = parentDepth;
        while (true) {
            switch (token) {
                case START_OBJECT -> {
                    separate(out).append('{');
                    enter(++depth);
                }
                case START_ARRAY -> {
                    separate(out).append('[');
                    enter(++depth);
                }
                case END_OBJECT -> {
                    out.append('}');
                    depth--;
                }
                case END_ARRAY -> {
                    out.append(']');
                    depth--;
                }
                case FIELD_NAME ->
                    JsonText.appendQuoted(separate(out), parser.currentName()).append(':');
                case VALUE_STRING -> {
                    if (parser.getTextLength() > limits.maxDataLength()) {
                        throw refuse(PusherError.FIELD_TOO_LONG, "data", limits.maxDataLength());
                    }
                    separate(out).append('"');
                    JsonText.appendEscaped(
                            out, parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
                    out.append('"');
                }
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> separate(out).append(parser.getText());
                case VALUE_TRUE -> separate(out).append("true");
                case VALUE_FALSE -> separate(out).append("false");
                case VALUE_NULL -> separate(out).append("null");
                default -> throw refuse(PusherError.INVALID_JSON, "unexpected " + token);
            }
            if (out.length() > limits.maxDataLength()) {
                throw refuse(PusherError.FIELD_TOO_LONG, "data", limits.maxDataLength());
            }
            if (depth == parentDepth) {
                return out.toString();
            }
            token = next(parser);
        }
    }

    /** Passes over the value starting at {@code token}, checking depth. Leaves the parser on its last token. */
    private void skip(JsonParser parser, JsonToken token, int parentDepth) throws IOException {
        int depth = parentDepth;
        while (true) {
            if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                enter(++depth);
            } else if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                depth--;
            }
            if (depth == parentDepth) {
                return;
            }
            token = next(parser);
        }
    }

    private static JsonToken next(JsonParser parser) throws IOException {
        JsonToken token = parser.nextToken();
        if (token == null) {
            throw refuse(PusherError.INVALID_JSON, "unexpected end of the frame");
        }
        return token;
    }

    private void enter(int depth) {
        if (depth > limits.maxDepth()) {
            throw refuse(PusherError.MESSAGE_TOO_DEEP, limits.maxDepth());
        }
    }

    /** A comma, unless the text so far is empty or ends where a value starts (an opening brace or bracket, a colon). */
    private static StringBuilder separate(StringBuilder out) {
        if (!out.isEmpty()) {
            char last = out.charAt(out.length() - 1);
            if (last != '{' && last != '[' && last != ':') {
                out.append(',');
            }
        }
        return out;
    }

    private static String describe(IOException e) {
        String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        if (message == null) {
            message = e.getClass().getSimpleName();
        }
        if (message.length() > MAX_DETAIL) {
            message = message.substring(0, MAX_DETAIL) + "...";
        }
        JsonLocation location = e instanceof JsonProcessingException j ? j.getLocation() : null;
        return location == null || location.getCharOffset() < 0
                ? message
                : message + " (at character " + location.getCharOffset() + ")";
    }

    private static Refusal refuse(PusherError error, Object... args) {
        return new Refusal(error.reply(args));
    }

    /** Unwinds a parse with its answer; no stack trace (malformed input is not exceptional here). */
    private static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient ErrorReply reply;

        Refusal(ErrorReply reply) {
            super(reply.message(), null, false, false);
            this.reply = reply;
        }
    }
}
