package dev.throng.gateway.witness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.throng.core.ServerConfig;
import dev.throng.gateway.Gateway;
import dev.throng.gateway.GatewayConfig;
import dev.throng.gateway.app.App;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * pusher-js's browser build in a real browser: headless Chromium (the system's, driven by playwright-core) loads a page
 * that subscribes to a private channel through an auth endpoint (signed by the pusher SDK) and receives an event the
 * SDK triggers. The browser's own WebSocket is the client here, not Node's.
 *
 * <p>Needs Chromium at {@code /usr/bin/chromium} (Debian's {@code chromium} package; CI installs it), or where the
 * {@code throng.chromium} system property says.
 */
class ChromiumPusherJsIT {
    static final App MAIN = App.of("browser-main", "browser-main-key", "browser-main-secret", true);
    static final String CHROMIUM = System.getProperty("throng.chromium", "/usr/bin/chromium");

    static Gateway gateway;
    static Witness witness;

    @BeforeAll
    static void start() {
        assertThat(Files.isExecutable(Path.of(CHROMIUM)))
                .as("Chromium at %s (apt-get install chromium)", CHROMIUM)
                .isTrue();
        gateway = Gateway.start(
                ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(2).build(),
                GatewayConfig.DEFAULTS.withApps(List.of(MAIN)));
        witness = new Witness(gateway, Map.of("main", MAIN));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void pusherJsInChromiumSubscribesToAPrivateChannelThroughAnAuthEndpointAndReceivesWhatTheSdkTriggers()
            throws Exception {
        JsonNode seen = witness.run(
                "browser.js", "privateChannelInChromium", Map.of("chromium", CHROMIUM), Duration.ofSeconds(40));
        JsonNode subscribed = report(seen, "subscribed");
        assertThat(subscribed.path("state").asText()).isEqualTo("connected");
        assertThat(subscribed.path("socketId").asText()).matches("\\d+\\.\\d+");
        assertThat(subscribed.path("userAgent").asText()).contains("Chrome");
        assertThat(seen.path("authRequests"))
                .as("the browser asked the auth endpoint once")
                .hasSize(1);
        assertThat(seen.path("authRequests").get(0).path("socketId").asText())
                .isEqualTo(subscribed.path("socketId").asText());
        assertThat(seen.path("authRequests").get(0).path("channelName").asText())
                .isEqualTo("private-browser");
        assertThat(report(seen, "event").path("data").path("text").asText()).isEqualTo("hello, browser");
        assertThat(seen.path("title").asText()).isEqualTo("greeted: hello, browser");
        assertThat(kinds(seen)).doesNotContain("error", "subscription_error");
        assertThat(seen.path("pageErrors")).isEmpty();
    }

    private static JsonNode report(JsonNode seen, String kind) {
        for (JsonNode r : seen.path("reports")) {
            if (r.path("kind").asText().equals(kind)) {
                return r;
            }
        }
        throw new AssertionError("no " + kind + " report in " + seen.path("reports"));
    }

    private static List<String> kinds(JsonNode seen) {
        List<String> kinds = new ArrayList<>();
        seen.path("reports").forEach(r -> kinds.add(r.path("kind").asText()));
        return kinds;
    }
}
