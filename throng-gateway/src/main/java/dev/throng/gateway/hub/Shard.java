package dev.throng.gateway.hub;

import dev.throng.core.IoLoop;
import java.util.HashMap;

/**
 * The channels of one event loop: per app, channel name → its subscribers on this loop. The loop's attachment
 * ({@link IoLoop#attach}); confined to the loop, so no lock: every subscribe, unsubscribe and delivery of the loop's
 * connections runs on it.
 */
final class Shard {
    final IoLoop loop;
    private final HashMap<String, LocalChannel>[] byApp;

    @SuppressWarnings("unchecked")
    Shard(IoLoop loop, int apps) {
        this.loop = loop;
        this.byApp = new HashMap[apps];
        for (int i = 0; i < apps; i++) {
            byApp[i] = new HashMap<>();
        }
    }

    /** The loop's shard, made on first use. On the loop. */
    static Shard of(IoLoop loop, int apps) {
        Shard shard = loop.attachment();
        if (shard == null) {
            shard = new Shard(loop, apps);
            loop.attach(shard);
        }
        return shard;
    }

    LocalChannel get(AppHub app, String channel) {
        return byApp[app.index].get(channel);
    }

    /** The channel on this loop, made when absent; {@code created[0]} tells whether it was. */
    LocalChannel getOrCreate(AppHub app, String channel, boolean[] created) {
        HashMap<String, LocalChannel> channels = byApp[app.index];
        LocalChannel lc = channels.get(channel);
        created[0] = lc == null;
        if (lc == null) {
            lc = new LocalChannel(app, channel);
            channels.put(channel, lc);
        }
        return lc;
    }

    void remove(LocalChannel channel) {
        byApp[channel.app.index].remove(channel.name, channel);
    }
}
