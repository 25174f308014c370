package dev.throng.gateway.witness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.throng.core.ServerConfig;
import dev.throng.gateway.Gateway;
import dev.throng.gateway.GatewayConfig;
import dev.throng.gateway.app.App;
import dev.throng.gateway.app.AppLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * pusher-js (8.x, in Node) connecting to the gateway: the handshake as the client reads it, keep-alive, and what its
 * state machine does with each refusal (pusher-spec 1.3, 1.4, 2.2: a close code in 4001-4099 means "disconnected, no
 * retry"). The gateway's own handshake counter shows that a refused client did not come back.
 */
class PusherJsConnectionIT {
    static final App MAIN = App.of("conn-main", "conn-main-key", "conn-main-secret", true);
    static final App QUOTA =
            new App("conn-quota", "conn-quota-key", "conn-quota-secret", true, 2, true, AppLimits.PUSHER, List.of());
    static final App DISABLED =
            new App("conn-off", "conn-off-key", "conn-off-secret", false, 0, true, AppLimits.PUSHER, List.of());
    /** Short, so that pusher-js pings during the test; the default (120 s) is GatewayIT's. */
    static final Duration ACTIVITY_TIMEOUT = Duration.ofSeconds(1);

    static Gateway gateway;
    static Witness witness;

    @BeforeAll
    static void start() {
        GatewayConfig config = new GatewayConfig(
                List.of(MAIN, QUOTA, DISABLED),
                ACTIVITY_TIMEOUT,
                Duration.ofSeconds(600),
                256 * 1024,
                Duration.ofMinutes(30),
                Duration.ZERO,
                Duration.ofSeconds(3),
                Duration.ofMinutes(5),
                10_000);
        gateway = Gateway.start(
                ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(2).build(), config);
        witness = new Witness(
                gateway,
                Map.of(
                        "main",
                        MAIN,
                        "quota",
                        QUOTA,
                        "disabled",
                        DISABLED,
                        "unknown",
                        App.of("conn-unknown", "no-such-key", "whatever", true)));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void pusherJsConnectsWithAPusherSocketIdAndTheGatewaysActivityTimeoutAndStaysConnectedWhileIdle() throws Exception {
        JsonNode seen = witness.run("connection.js", "connects", Map.of("idleMs", 3500));
        assertThat(seen.path("socketId").asText())
                .as("socket_id, as the SDKs validate it")
                .matches("\\d+\\.\\d+");
        assertThat(seen.path("activityTimeoutMs").asLong())
                .as("pusher-js's activity timeout: the gateway's, in ms")
                .isEqualTo(ACTIVITY_TIMEOUT.toMillis());
        assertThat(seen.path("stateAfterIdle").asText()).isEqualTo("connected");
        assertThat(seen.path("socketIdAfterIdle").asText())
                .as("the same connection: never reconnected")
                .isEqualTo(seen.path("socketId").asText());
        assertThat(texts(seen.path("states"))).containsExactly("connecting", "connected");
        assertThat(seen.path("pongs").asInt())
                .as("pusher:ping after each idle second, each answered")
                .isGreaterThanOrEqualTo(2);
        assertThat(seen.path("errors")).isEmpty();
    }

    @Test
    void anUnknownKeyLeavesPusherJsDisconnectedWith4001AndNoRetry() throws Exception {
        assertRefusedWithoutRetry("unknown", 4001);
    }

    @Test
    void aDisabledAppLeavesPusherJsDisconnectedWith4003AndNoRetry() throws Exception {
        assertRefusedWithoutRetry("disabled", 4003);
    }

    @Test
    void aClientOverTheAppsConnectionQuotaIsDisconnectedWith4004AndConnectsOnceASlotIsFree() throws Exception {
        long before = gateway.server().stats().handshakesAccepted();
        JsonNode seen = witness.run("connection.js", "overQuota", Map.of("quota", QUOTA.maxConnections()));
        assertThat(texts(seen.path("insideStates"))).containsOnly("connected");
        JsonNode refused = seen.path("refused");
        assertThat(texts(refused.path("states"))).containsExactly("connecting", "disconnected");
        assertThat(refused.path("state").asText()).isEqualTo("disconnected");
        assertThat(errorCodes(refused.path("errors"))).contains(4004);
        assertThat(seen.path("stateAfterSlotFreed").asText()).isEqualTo("connected");
        assertThat(gateway.server().stats().handshakesAccepted() - before)
                .as("two inside, the refused one once (no retry), and its manual reconnect")
                .isEqualTo(4);
    }

    private static void assertRefusedWithoutRetry(String app, int code) throws Exception {
        long before = gateway.server().stats().handshakesAccepted();
        JsonNode seen = witness.run("connection.js", "refused", Map.of("refusedApp", app));
        assertThat(texts(seen.path("states"))).as("pusher-js's states").containsExactly("connecting", "disconnected");
        assertThat(seen.path("state").asText()).isEqualTo("disconnected");
        assertThat(errorCodes(seen.path("errors")))
                .as("the code pusher-js reports")
                .contains(code);
        assertThat(gateway.server().stats().handshakesAccepted() - before)
                .as("one connection: pusher-js did not retry within its 1 s backoff")
                .isEqualTo(1);
    }

    /** The codes of pusher-js's connection errors, wherever pusher-js puts them (data.code or error.data.code). */
    static List<Integer> errorCodes(JsonNode errors) {
        List<Integer> codes = new ArrayList<>();
        for (JsonNode e : errors) {
            for (JsonNode code : List.of(
                    e.path("data").path("code"), e.path("error").path("data").path("code"))) {
                if (code.isNumber()) {
                    codes.add(code.asInt());
                }
            }
        }
        return codes;
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
