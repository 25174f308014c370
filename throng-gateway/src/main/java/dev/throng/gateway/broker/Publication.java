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
 * @param publishedNanos when this node accepted it ({@link System#nanoTime()}; for a publication from another node,
 *     when it arrived here): the start of the fan-out latency
 */
public record Publication(
        App app,
        String channel,
        String event,
        String data,
        String excludedSocketId,
        String userId,
        long publishedNanos) {

    /** {@code pusher_internal:member_added} for {@code member}'s first connection, to all but {@code socketId}. */
    public static Publication memberAdded(App app, String channel, Broker.Member member, String socketId) {
        return new Publication(
                app,
                channel,
                "pusher_internal:member_added",
                memberAddedData(member),
                socketId,
                null,
                System.nanoTime());
    }

    /** {@code pusher_internal:member_removed} for {@code member}'s last connection. */
    public static Publication memberRemoved(App app, String channel, Broker.Member member) {
        return new Publication(
                app,
                channel,
                "pusher_internal:member_removed",
                memberRemovedData(member),
                null,
                null,
                System.nanoTime());
    }

    /** The {@code data} of {@code pusher_internal:member_added}: {@code {"user_id":..,"user_info":..}}. */
    public static String memberAddedData(Broker.Member member) {
        return "{\"user_id\":" + member.idJson()
                + (member.infoJson() == null ? "" : ",\"user_info\":" + member.infoJson()) + "}";
    }

    /** The {@code data} of {@code pusher_internal:member_removed}: {@code {"user_id":..}}. */
    public static String memberRemovedData(Broker.Member member) {
        return "{\"user_id\":" + member.idJson() + "}";
    }
}
