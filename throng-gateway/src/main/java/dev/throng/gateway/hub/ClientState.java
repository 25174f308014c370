package dev.throng.gateway.hub;

import dev.throng.gateway.broker.Broker;
import java.util.HashMap;
import java.util.Map;

/**
 * A Pusher connection's state: the connection's attachment, confined to its event loop. Small on purpose (32 B
 * on JDK 17: header, three references and the socket number; issue #17's target is an idle subscribed connection at
 * or under 250 B with the engine's ~180 B): the channels it is subscribed to are one reference (one channel, or an
 * array for several), and what few connections use (a signed-in user, presence memberships, a client-event rate)
 * waits in {@link Extras}, made when first needed.
 */
final class ClientState {
    final AppHub app;
    /** The second part of the socket id ({@code prefix.seq}); the prefix is the node's. */
    final long seq;
    /** Null, one {@link LocalChannel}, or a {@code LocalChannel[]} with no nulls. */
    private Object channels;

    Extras extras;

    /** What a connection needs only after signing in, joining presence channels or sending client events. */
    static final class Extras {
        /** The signed-in user's id, and the {@code user_data} it signed in with (exact string). */
        String userId;

        String userData;
        /** Presence channel → the member this connection joined it as. */
        Map<String, Broker.Member> presence;
        /** Client events: the current one-second window and how many were sent in it. */
        long rateWindowNanos;

        int rateCount;
    }

    ClientState(AppHub app, long seq) {
        this.app = app;
        this.seq = seq;
    }

    Extras extras() {
        if (extras == null) {
            extras = new Extras();
        }
        return extras;
    }

    Map<String, Broker.Member> presence() {
        Extras e = extras();
        if (e.presence == null) {
            e.presence = new HashMap<>(4);
        }
        return e.presence;
    }

    /** The subscription to {@code name}, or null. */
    LocalChannel channel(String name) {
        Object c = channels;
        if (c instanceof LocalChannel one) {
            return one.name.equals(name) ? one : null;
        }
        if (c instanceof LocalChannel[] many) {
            for (LocalChannel lc : many) {
                if (lc.name.equals(name)) {
                    return lc;
                }
            }
        }
        return null;
    }

    int subscriptionCount() {
        Object c = channels;
        return c == null ? 0 : c instanceof LocalChannel ? 1 : ((LocalChannel[]) c).length;
    }

    void addChannel(LocalChannel channel) {
        Object c = channels;
        if (c == null) {
            channels = channel;
        } else if (c instanceof LocalChannel one) {
            channels = new LocalChannel[] {one, channel};
        } else {
            LocalChannel[] many = (LocalChannel[]) c;
            LocalChannel[] more = java.util.Arrays.copyOf(many, many.length + 1);
            more[many.length] = channel;
            channels = more;
        }
    }

    void removeChannel(LocalChannel channel) {
        Object c = channels;
        if (c == channel) {
            channels = null;
        } else if (c instanceof LocalChannel[] many) {
            int n = 0;
            LocalChannel[] rest = new LocalChannel[many.length - 1];
            for (LocalChannel lc : many) {
                if (lc != channel && n < rest.length) {
                    rest[n++] = lc;
                }
            }
            channels = rest.length == 1 ? rest[0] : rest;
        }
    }

    /** Every subscription, in the order made (a copy: the caller may unsubscribe while iterating). */
    LocalChannel[] channels() {
        Object c = channels;
        return c == null
                ? new LocalChannel[0]
                : c instanceof LocalChannel one ? new LocalChannel[] {one} : ((LocalChannel[]) c).clone();
    }
}
