package dev.throng.gateway.witness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.throng.core.ServerConfig;
import dev.throng.gateway.Gateway;
import dev.throng.gateway.GatewayConfig;
import dev.throng.gateway.app.App;
import dev.throng.gateway.app.AppLimits;
import dev.throng.gateway.app.Webhook;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks as the pusher SDK receives them (pusher-spec 9): pusher-js does what makes the gateway send them, a JDK
 * HTTP server in the test records every request, and the SDK's own {@code webhook({headers, rawBody}).isValid()}
 * validates each (key, lowercase-hex HMAC of the exact body, {@code Content-Type: application/json}) and reads its
 * events. The vacancy delay is 1 s here (Pusher's 3 s, shortened to keep the test quick).
 *
 * <p>Every test here fails until the real webhook sender replaces the placeholder (which sends nothing).
 */
class WebhooksIT {
    static final Duration VACANCY_DELAY = Duration.ofSeconds(1);
    /** How long a webhook may take to come when nothing delays it on purpose (batching window, one hop). */
    static final Duration PROMPTLY = Duration.ofSeconds(5);

    static WebhookReceiver receiver;
    static App hooks;
    static App flaky;
    static Gateway gateway;
    static Witness witness;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        receiver = new WebhookReceiver();
        receiver.failFirst("/flaky", 2);
        hooks = new App(
                "wh-main",
                "wh-main-key",
                "wh-main-secret",
                true,
                0,
                true,
                AppLimits.PUSHER,
                List.of(new Webhook(receiver.url("/hooks"), Set.of())));
        flaky = new App(
                "wh-flaky",
                "wh-flaky-key",
                "wh-flaky-secret",
                true,
                0,
                true,
                AppLimits.PUSHER,
                List.of(new Webhook(receiver.url("/flaky"), Set.of())));
        GatewayConfig config = new GatewayConfig(
                List.of(hooks, flaky),
                Duration.ofSeconds(120),
                Duration.ofSeconds(600),
                256 * 1024,
                Duration.ofMinutes(30),
                Duration.ofMillis(50),
                VACANCY_DELAY,
                Duration.ofMinutes(1),
                10_000);
        gateway = Gateway.start(
                ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(2).build(), config);
        witness = new Witness(gateway, Map.of("hooks", hooks, "flaky", flaky));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        receiver.close();
    }

    /** One event of one recorded request, as the receiver parsed it. */
    record Hook(String name, JsonNode event, long receivedAtMillis, int status) {}

    @Test
    void channelOccupiedComesAtOnceAndChannelVacatedOnlyAfterTheVacancyDelay() throws Exception {
        JsonNode seen = witness.run("webhooks.js", "occupyAndLeave");
        long leftAt = seen.path("leftAt").asLong();
        await().atMost(PROMPTLY.plus(VACANCY_DELAY))
                .until(() -> hooks("/hooks", "wh-room").size() >= 2);
        settle();
        List<Hook> room = hooks("/hooks", "wh-room");
        assertThat(names(room)).containsExactly("channel_occupied", "channel_vacated");
        assertThat(room.get(1).receivedAtMillis() - leftAt)
                .as("vacated waited the delay after the client left")
                .isGreaterThanOrEqualTo(VACANCY_DELAY.toMillis() - 50);
        assertEveryRequestValidAndSaying("/hooks", "wh-room", "channel_occupied", "channel_vacated");
    }

    @Test
    void aReconnectWithinTheVacancyDelaySendsNeitherVacatedNorOccupiedAgain() throws Exception {
        witness.run(
                "webhooks.js",
                "quickReconnect",
                Map.of("withinDelayMs", 200, "afterDelayMs", VACANCY_DELAY.toMillis() + 500));
        await().atMost(PROMPTLY.plus(VACANCY_DELAY))
                .until(() -> names(hooks("/hooks", "wh-quick")).contains("channel_vacated"));
        settle();
        assertThat(names(hooks("/hooks", "wh-quick")))
                .as("one occupancy, end to end")
                .containsExactly("channel_occupied", "channel_vacated");
        assertEveryRequestValidAndSaying("/hooks", "wh-quick", "channel_occupied", "channel_vacated");
    }

    @Test
    void memberAddedAndMemberRemovedComeOncePerUserWithTheUserIdAsAString() throws Exception {
        witness.run("webhooks.js", "presence");
        await().atMost(PROMPTLY.plus(VACANCY_DELAY))
                .until(() -> names(hooks("/hooks", "presence-wh")).stream()
                                .filter("member_removed"::equals)
                                .count()
                        >= 2);
        settle();
        List<Hook> presence = hooks("/hooks", "presence-wh");
        assertThat(members(presence, "member_added")).containsExactlyInAnyOrder("alice", "7");
        assertThat(members(presence, "member_removed")).containsExactlyInAnyOrder("alice", "7");
        assertThat(names(presence)).containsOnlyOnce("channel_occupied", "channel_vacated");
        for (Hook h : presence) {
            if (h.name().startsWith("member_")) {
                assertThat(h.event().path("user_id").isTextual())
                        .as("user_id as a string: %s", h.event())
                        .isTrue();
            }
        }
        assertEveryRequestValidAndSaying(
                "/hooks",
                "presence-wh",
                "channel_occupied",
                "member_added",
                "member_added",
                "member_removed",
                "member_removed",
                "channel_vacated");
    }

    @Test
    void clientEventsAreReportedWithChannelEventDataSocketIdAndOnPresenceTheUserId() throws Exception {
        JsonNode seen = witness.run("webhooks.js", "clientEvents");
        String socketId = seen.path("socketId").asText();
        await().atMost(PROMPTLY)
                .until(() -> names(hooks("/hooks", "private-wh")).contains("client_event")
                        && names(hooks("/hooks", "presence-wh-chat")).contains("client_event"));
        settle();
        JsonNode onPrivate = only(hooks("/hooks", "private-wh"), "client_event").event();
        assertThat(onPrivate.path("event").asText()).isEqualTo("client-note");
        assertThat(onPrivate.path("data").isTextual()).as("data as a string").isTrue();
        assertThat(Witness.parse(onPrivate.path("data").asText()).path("on").asText())
                .isEqualTo("private");
        assertThat(onPrivate.path("socket_id").asText()).isEqualTo(socketId);
        assertThat(onPrivate.has("user_id"))
                .as("user_id only on presence channels")
                .isFalse();
        JsonNode onPresence =
                only(hooks("/hooks", "presence-wh-chat"), "client_event").event();
        assertThat(onPresence.path("user_id").asText()).isEqualTo("carol");
        assertThat(onPresence.path("socket_id").asText()).isEqualTo(socketId);
        assertEveryRequestValid("/hooks");
    }

    @Test
    void anEmptyCacheChannelReportsOneCacheMissForItsSubscribers() throws Exception {
        witness.run("webhooks.js", "cacheMiss");
        await().atMost(PROMPTLY).until(() -> names(hooks("/hooks", "cache-wh")).contains("cache_miss"));
        settle();
        assertThat(names(hooks("/hooks", "cache-wh")))
                .as("deduplicated per channel")
                .containsOnlyOnce("cache_miss");
        assertEveryRequestValid("/hooks");
    }

    @Test
    void aSignedInUsersServerToUserChannelSendsNoOccupancyWebhooks() throws Exception {
        witness.run("webhooks.js", "signedIn");
        // The ordinary channel the user joined after signing in is the barrier: its vacated comes after the delay.
        await().atMost(PROMPTLY.plus(VACANCY_DELAY))
                .until(() -> names(hooks("/hooks", "wh-after-signin")).contains("channel_vacated"));
        settle();
        assertThat(hooks("/hooks", "#server-to-user-wh-user"))
                .as("pusher-spec 4.5: no occupancy, no webhooks")
                .isEmpty();
        assertEveryRequestValid("/hooks");
    }

    @Test
    void aWebhookAnswered500IsRetriedUntilAcceptedAndItsEventsArriveOnce() throws Exception {
        witness.run("webhooks.js", "flaky", Map.of("stayMs", 300));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> hooks("/flaky", "flaky-room").stream()
                        .anyMatch(h -> h.status() == 200 && h.name().equals("channel_occupied")));
        settle();
        List<Hook> occupied = hooks("/flaky", "flaky-room").stream()
                .filter(h -> h.name().equals("channel_occupied"))
                .toList();
        assertThat(occupied.stream().map(Hook::status).toList())
                .as("tried, refused twice, then accepted")
                .startsWith(500, 500, 200);
        assertThat(occupied.stream().filter(h -> h.status() == 200).count())
                .as("accepted once")
                .isEqualTo(1);
        assertEveryRequestValid("/flaky");
    }

    // ---- what the receiver recorded -------------------------------------------------------------------------

    /** Waits a little longer than a webhook takes, so that one sent twice would be seen. */
    private static void settle() throws InterruptedException {
        Thread.sleep(VACANCY_DELAY.toMillis() / 2 + 300);
    }

    /** The events for {@code channel} in the requests to {@code path}, in the order received. */
    private static List<Hook> hooks(String path, String channel) throws Exception {
        List<Hook> out = new ArrayList<>();
        for (WebhookReceiver.Received r : receiver.to(path)) {
            for (JsonNode e : Witness.parse(r.body()).path("events")) {
                if (e.path("channel").asText().equals(channel)) {
                    out.add(new Hook(e.path("name").asText(), e, r.receivedAtMillis(), r.status()));
                }
            }
        }
        return out;
    }

    private static List<String> names(List<Hook> hooks) {
        return hooks.stream().map(Hook::name).toList();
    }

    private static List<String> members(List<Hook> hooks, String name) {
        return hooks.stream()
                .filter(h -> h.name().equals(name))
                .map(h -> h.event().path("user_id").asText())
                .toList();
    }

    private static Hook only(List<Hook> hooks, String name) {
        List<Hook> named = hooks.stream().filter(h -> h.name().equals(name)).toList();
        assertThat(named).as(name).hasSize(1);
        return named.get(0);
    }

    /** The pusher SDK's verdict on every request to {@code path}: valid, with the app's key and the exact type. */
    private static JsonNode assertEveryRequestValid(String path) throws Exception {
        List<WebhookReceiver.Received> requests = receiver.to(path);
        String app = path.equals("/flaky") ? "flaky" : "hooks";
        List<Map<String, Object>> recorded = new ArrayList<>();
        for (WebhookReceiver.Received r : requests) {
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("app", app);
            request.put("headers", r.headers());
            request.put("body", r.body());
            recorded.add(request);
        }
        Path file = Files.createTempFile(tmp, "webhooks", ".json");
        Witness.JSON.writeValue(file.toFile(), recorded);
        JsonNode validated = witness.run("webhooks.js", "validate", Map.of("requestsFile", file.toString()))
                .path("requests");
        assertThat(validated).hasSize(requests.size());
        for (JsonNode v : validated) {
            assertThat(v.path("contentType").asText()).isEqualTo("application/json");
            assertThat(v.path("key").asText()).isEqualTo(app.equals("flaky") ? flaky.key() : hooks.key());
            assertThat(v.path("valid").asBoolean()).as("the SDK accepts %s", v).isTrue();
        }
        return validated;
    }

    /** As {@link #assertEveryRequestValid}, and the SDK reads these events for {@code channel}, in this order. */
    private static void assertEveryRequestValidAndSaying(String path, String channel, String... names)
            throws Exception {
        JsonNode validated = assertEveryRequestValid(path);
        List<String> read = new ArrayList<>();
        for (JsonNode request : validated) {
            for (JsonNode e : request.path("events")) {
                if (e.path("channel").asText().equals(channel)) {
                    read.add(e.path("name").asText());
                }
            }
        }
        assertThat(read).as("events the SDK reads for %s", channel).containsExactlyInAnyOrder(names);
    }
}
