package dev.throng.gateway.hub;

import dev.throng.core.IoLoop;
import dev.throng.gateway.Gateway;
import dev.throng.gateway.app.App;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the hub holds on each event loop, read on the loop itself: for the witness tests, to show that their subscribers
 * were spread over every loop (a precondition of what they witness, not a witness itself).
 */
public final class HubProbe {
    private HubProbe() {}

    /**
     * The number of subscribers of {@code channel} on each of the gateway's loops, in loop order. {@code appIndex} is
     * the app's position in the gateway's configured apps.
     */
    public static List<Integer> subscribersPerLoop(Gateway gateway, App app, int appIndex, String channel)
            throws Exception {
        AppHub key = new AppHub(app, appIndex); // a shard's channels are found by the app's index only
        List<CompletableFuture<Integer>> counts = new ArrayList<>();
        for (IoLoop loop : gateway.server().loops()) {
            CompletableFuture<Integer> count = new CompletableFuture<>();
            loop.execute(() -> {
                Shard shard = loop.attachment();
                LocalChannel lc = shard == null ? null : shard.get(key, channel);
                count.complete(lc == null ? 0 : lc.size());
            });
            counts.add(count);
        }
        List<Integer> out = new ArrayList<>();
        for (CompletableFuture<Integer> count : counts) {
            out.add(count.get(5, TimeUnit.SECONDS));
        }
        return out;
    }
}
