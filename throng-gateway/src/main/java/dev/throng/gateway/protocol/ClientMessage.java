package dev.throng.gateway.protocol;

import java.util.Objects;

/**
 * One frame a client sent, as {@link ClientMessageParser} read it: one of Pusher's events for clients, a client
 * event, an event the gateway does not know, or {@link Invalid}, which carries the {@code pusher:error} to answer.
 *
 * <p>Strings are as the client sent them (JSON escapes decoded); signatures are checked over them, so nothing here
 * is trimmed, normalised or re-serialised, except a client event's object {@code data}, which becomes its compact
 * JSON text.
 */
public sealed interface ClientMessage {

    /** {@code pusher:ping}, whatever its {@code data} ({@code {}}, {@code "{}"}, or none from the Java client). */
    record Ping() implements ClientMessage {
        public static final Ping INSTANCE = new Ping();
    }

    /** {@code pusher:pong}, the answer to the gateway's {@code pusher:ping}, whatever its {@code data}. */
    record Pong() implements ClientMessage {
        public static final Pong INSTANCE = new Pong();
    }

    /**
     * {@code pusher:subscribe}.
     *
     * @param channel the channel's name, not yet validated ({@link ChannelNames})
     * @param auth {@code key:signature}; {@code ""} from pusher-js for public channels; null when absent (the Java
     *     and Swift clients send none for public channels)
     * @param channelData the exact {@code channel_data} string (signed as it is), or null when absent
     */
    record Subscribe(String channel, String auth, String channelData) implements ClientMessage {
        public Subscribe {
            Objects.requireNonNull(channel, "channel");
        }
    }

    /** {@code pusher:unsubscribe}. */
    record Unsubscribe(String channel) implements ClientMessage {
        public Unsubscribe {
            Objects.requireNonNull(channel, "channel");
        }
    }

    /**
     * {@code pusher:signin}.
     *
     * @param auth {@code key:signature}
     * @param userData the exact {@code user_data} string (signed as it is, and echoed in {@code signin_success})
     */
    record Signin(String auth, String userData) implements ClientMessage {
        public Signin {
            Objects.requireNonNull(auth, "auth");
            Objects.requireNonNull(userData, "userData");
        }
    }

    /**
     * A {@code client-} event, to relay to the channel's other subscribers.
     *
     * @param event the name, starting with {@code client-}
     * @param channel the top-level {@code channel}
     * @param data the string to send on as the frame's {@code data}: a string as the client sent it; an object, array
     *     or other value as its compact JSON text (the spec's section 5 item 9: clients that read {@code data} only as
     *     a string, Swift's, then work); {@code "null"} when the client sent no {@code data}
     */
    record ClientEvent(String event, String channel, String data) implements ClientMessage {
        public ClientEvent {
            Objects.requireNonNull(event, "event");
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(data, "data");
        }
    }

    /** An event that is neither one of the above nor a client event ({@code pusher_internal:x}, {@code my-event}). */
    record Unknown(String event) implements ClientMessage {
        public Unknown {
            Objects.requireNonNull(event, "event");
        }
    }

    /** A frame that could not be read: what to answer ({@code reply().error()} never closes the connection). */
    record Invalid(ErrorReply reply) implements ClientMessage {
        public Invalid {
            Objects.requireNonNull(reply, "reply");
        }

        public PusherError error() {
            return reply.error();
        }
    }
}
