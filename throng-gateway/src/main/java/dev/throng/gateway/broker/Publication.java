package dev.throng.gateway.broker;

import dev.throng.gateway.app.App;

/**
 * One event for one channel, as it travels from whoever published it (a REST call, a client event, a presence change)
 * to every subscriber on every node: encoded into a frame once per receiving node.
 *
 * @param app the app the channel belongs to
 * @param channel the channel's name
 * @param event the event name
 * @param data the event's data as the frame carries it: a string (usually JSON)
 * @param excludedSocketId the {@code socket_id} that must not receive it (the REST {@code socket_id} parameter, the
 *     sender of a client event or the member whose join it announces), or {@code null}
 * @param userId the {@code user_id} the frame carries (client events on presence channels), or {@code null}
 * @param publishedNanos when the gateway accepted it ({@link System#nanoTime()} of the publishing node; for the
 *     fan-out latency of local deliveries)
 */
public record Publication(App app, String channel, String event, String data, String excludedSocketId, String userId,
                          long publishedNanos) {
}
