package dev.throng.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.throng.core.ServerConfig;
import dev.throng.gateway.Gateway;
import dev.throng.gateway.GatewayConfig;
import dev.throng.gateway.app.App;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code gateway.writeDelay} over real sockets, witnessed by the JDK's WebSocket client: a publication waits that
 * long on its loop for others to join it (never less), and the publications that waited together still reach the
 * subscriber once each, in order.
 */
class WriteDelayIT {
    static final App APP = App.of("wd", "wd-key", "wd-secret", false);
    static final Duration DELAY = Duration.ofMillis(300);

    @Test
    void publicationsWaitTheWriteDelayOnTheirLoopThenArriveOnceEachInOrder() throws Exception {
        try (Gateway gateway = Gateway.start(
                        ServerConfig.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .ioThreads(1)
                                .pingInterval(Duration.ZERO)
                                .build(),
                        GatewayConfig.DEFAULTS.withApps(List.of(APP)).withWriteDelay(DELAY));
                PusherWire wire = PusherWire.connect(gateway.server().port(), APP.key())) {
            wire.subscribePublic("news");
            SignedRest rest = new SignedRest(gateway.server().port(), APP.id(), APP.key(), APP.secret());

            long sent = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                assertThat(rest.post("/events", "{\"name\":\"tick\",\"channels\":[\"news\"],\"data\":\"" + i + "\"}")
                                .statusCode())
                        .isEqualTo(200);
            }
            List<String> received = new ArrayList<>();
            JsonNode first = wire.next("tick");
            long waited = System.nanoTime() - sent;
            received.add(first.path("data").asText());
            for (int i = 1; i < 5; i++) {
                received.add(wire.next("tick").path("data").asText());
            }

            assertThat(TimeUnit.NANOSECONDS.toMillis(waited))
                    .as("the first publication waited the write delay on its loop")
                    .isGreaterThanOrEqualTo(DELAY.toMillis() - 10);
            assertThat(received).containsExactly("0", "1", "2", "3", "4");
            assertThat(wire.frames.poll(DELAY.toMillis() * 2, TimeUnit.MILLISECONDS))
                    .as("nothing twice")
                    .isNull();
        }
    }
}
