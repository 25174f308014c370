package dev.throng.gateway.webhook;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.throng.gateway.app.App;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * One webhook event and its JSON form (pusher-spec section 9's table): every event has {@code name} and
 * {@code channel}; {@code member_added}/{@code member_removed} add {@code user_id} (a string); {@code client_event}
 * adds {@code event}, {@code data} (a string), {@code socket_id}, and {@code user_id} only when given (presence
 * channels).
 *
 * <p>The fields above the line are set by the caller's thread when the event is made and never change; the ones
 * below it belong to the webhook thread. One object is shared by every endpoint the event goes to.
 */
final class WebhookEvent {
    static final String CHANNEL_OCCUPIED = "channel_occupied";
    static final String CHANNEL_VACATED = "channel_vacated";
    static final String MEMBER_ADDED = "member_added";
    static final String MEMBER_REMOVED = "member_removed";
    static final String CLIENT_EVENT = "client_event";
    static final String CACHE_MISS = "cache_miss";

    private static final JsonFactory JSON = new JsonFactory();

    final App app;
    final String name;
    final String channel;
    /** member events: the user; client events: the sender's user on presence channels, else null. */
    final String userId;
    /** client events only: the event name, its data (a JSON string's content) and the sender's socket id. */
    final String event;

    final String data;
    final String socketId;
    /** Wall-clock time the event was made: a request's {@code time_ms} is its first event's. */
    final long createdMillis;
    /** {@link System#nanoTime()} when the event was made: the vacancy delay counts from it. */
    final long createdNanos;

    // ---- webhook thread only
    /** When the event was handed to its endpoints: the batch window counts from it. */
    long dueNanos;
    /** Endpoint copies not yet finished (delivered, given up or refused); at 0 the event leaves the queue. */
    int copies;
    /** Endpoint copies not yet put into a request; at 0 a {@code cache_miss} stops de-duplicating its channel. */
    int unsent;

    WebhookEvent(
            App app,
            String name,
            String channel,
            String userId,
            String event,
            String data,
            String socketId,
            long createdMillis,
            long createdNanos) {
        this.app = app;
        this.name = name;
        this.channel = channel;
        this.userId = userId;
        this.event = event;
        this.data = data;
        this.socketId = socketId;
        this.createdMillis = createdMillis;
        this.createdNanos = createdNanos;
    }

    /**
     * The request body for {@code events}, in their order: {@code {"time_ms":<first's createdMillis>,"events":[...]}},
     * UTF-8. These are the bytes both signed and sent.
     */
    static byte[] body(List<WebhookEvent> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 96 * events.size());
        try (JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            json.writeStartObject();
            json.writeNumberField("time_ms", events.get(0).createdMillis);
            json.writeArrayFieldStart("events");
            for (WebhookEvent e : events) {
                e.write(json);
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }

    private void write(JsonGenerator json) throws IOException {
        json.writeStartObject();
        json.writeStringField("name", name);
        json.writeStringField("channel", channel);
        if (CLIENT_EVENT.equals(name)) {
            json.writeStringField("event", event);
            json.writeStringField("data", data);
            json.writeStringField("socket_id", socketId);
        }
        if (userId != null) {
            json.writeStringField("user_id", userId);
        }
        json.writeEndObject();
    }

    @Override
    public String toString() {
        return name + " " + channel + (userId == null ? "" : " " + userId) + (event == null ? "" : " " + event);
    }
}
