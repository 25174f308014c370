package dev.throng.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.throng.core.ServerConfig;
import dev.throng.gateway.Gateway;
import dev.throng.gateway.GatewayConfig;
import dev.throng.gateway.app.App;
import dev.throng.gateway.broker.LocalBroker;
import dev.throng.gateway.broker.Publication;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A loop that fell far behind (held busy while thousands of publications wait for it, more than one drain's first
 * scratch arrays and more than one write takes for a channel) catches up with every subscriber getting each of its
 * channel's publications once, in order: the drain grows, and a channel's publications beyond one write's worth go in
 * the next write. Witnessed by the JDK's WebSocket client.
 */
class DrainIT {
    static final App APP = App.of("dr", "dr-key", "dr-secret", false);
    /** More than a write takes for one channel (Inbox.MAX_PER_WRITE, 1,024) and than the first scratch (1,024). */
    static final int BUSY = 2_500;

    static final int OTHERS = 1_500;

    @Test
    void aLoopFarBehindDeliversEveryChannelsPublicationsOnceEachInOrder() throws Exception {
        LocalBroker broker = new LocalBroker();
        try (Gateway gateway = Gateway.start(
                        ServerConfig.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .ioThreads(1)
                                .pingInterval(Duration.ZERO)
                                .build(),
                        GatewayConfig.DEFAULTS.withApps(List.of(APP)),
                        broker);
                PusherWire busy = PusherWire.connect(gateway.server().port(), APP.key());
                PusherWire quiet = PusherWire.connect(gateway.server().port(), APP.key())) {
            busy.subscribePublic("busy");
            quiet.subscribePublic("quiet");

            try (RestBackpressureIT.Held held =
                    new RestBackpressureIT.Held(gateway.server().loops().get(0))) {
                for (int i = 0; i < BUSY; i++) {
                    broker.publish(
                            new Publication(APP, "busy", "e", Integer.toString(i), null, null, System.nanoTime()));
                    if (i < OTHERS) {
                        broker.publish(
                                new Publication(APP, "quiet", "e", Integer.toString(i), null, null, System.nanoTime()));
                    }
                }
            }

            for (int i = 0; i < BUSY; i++) {
                assertThat(busy.next("e").path("data").asText()).isEqualTo(Integer.toString(i));
            }
            for (int i = 0; i < OTHERS; i++) {
                assertThat(quiet.next("e").path("data").asText()).isEqualTo(Integer.toString(i));
            }
            assertThat(busy.frames.poll(300, TimeUnit.MILLISECONDS))
                    .as("nothing twice")
                    .isNull();
            assertThat(quiet.frames.poll(10, TimeUnit.MILLISECONDS))
                    .as("nothing twice")
                    .isNull();
        }
    }
}
