package dev.throng.gateway.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.throng.gateway.app.App;
import dev.throng.gateway.app.AppLimits;
import dev.throng.gateway.app.Webhook;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Webhooks} against real HTTP receivers on 127.0.0.1, with durations of milliseconds instead of seconds.
 */
class WebhooksTest {
    private static final String KEY = "278d425bdf160c739803";
    private static final String SECRET = "7ad3773142a6692b25b8";
    private static final Duration VACANCY_DELAY = Duration.ofMillis(300);

    private final List<WebhookReceiver> receivers = new ArrayList<>();
    private final List<Webhooks> started = new ArrayList<>();

    @AfterEach
    void closeEverything() {
        started.forEach(Webhooks::close);
        receivers.forEach(WebhookReceiver::close);
    }

    /** Short durations: a batch window of 20 ms, a vacancy delay of 300 ms, retries every 50-200 ms for 2 s. */
    private static WebhookSettings.Builder quick() {
        return WebhookSettings.builder()
                .batchWindow(Duration.ofMillis(20))
                .vacancyDelay(VACANCY_DELAY)
                .retryFor(Duration.ofSeconds(2))
                .firstRetryDelay(Duration.ofMillis(50))
                .maxRetryDelay(Duration.ofMillis(200))
                .connectTimeout(Duration.ofSeconds(1))
                .requestTimeout(Duration.ofSeconds(2))
                .closeTimeout(Duration.ofSeconds(2));
    }

    private static ConditionFactory await() {
        return Awaitility.await().atMost(5, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(10));
    }

    private WebhookReceiver receiver() {
        WebhookReceiver r = WebhookReceiver.start();
        receivers.add(r);
        return r;
    }

    private Webhooks start(WebhookSettings settings) {
        return start(settings, Clock.systemUTC());
    }

    private Webhooks start(WebhookSettings settings, Clock clock) {
        Webhooks w = new Webhooks(settings, clock);
        started.add(w);
        return w;
    }

    private static App app(String id, Webhook... webhooks) {
        return new App(id, KEY, SECRET, true, 0, true, AppLimits.PUSHER, List.of(webhooks));
    }

    private static App app(Webhook... webhooks) {
        return app("1", webhooks);
    }

    private static Webhook all(URI url) {
        return new Webhook(url, Set.of());
    }

    private static Webhook only(URI url, String... events) {
        return new Webhook(url, Set.of(events));
    }

    // ---- format and headers

    @Test
    void sendsChannelOccupiedAtOnceExactlyAsThePublishedExample() {
        WebhookReceiver receiver = receiver();
        Clock then = Clock.fixed(Instant.ofEpochMilli(1327078148132L), ZoneOffset.UTC);
        Webhooks webhooks = start(quick().build(), then);

        webhooks.channelOccupied(app(all(receiver.url())), "test_channel");

        await().until(() -> receiver.requests().size() == 1);
        WebhookReceiver.Received r = receiver.request(0);
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo("/webhooks");
        assertThat(r.text())
                .isEqualTo(
                        "{\"time_ms\":1327078148132,\"events\":[{\"name\":\"channel_occupied\",\"channel\":\"test_channel\"}]}");
        assertThat(r.headers().getFirst("X-Pusher-Signature"))
                .isEqualTo("709fdb84c03664445f7698120b0edf0acc1ab1c8c6e93a0368c61841d6b998aa");
    }

    @Test
    void sendsContentTypeExactlyApplicationJsonTheAppKeyAndTheBodysHmac() throws Exception {
        WebhookReceiver receiver = receiver();
        Webhooks webhooks = start(quick().build());

        webhooks.memberAdded(app(all(receiver.url())), "presence-room", "42");

        await().until(() -> receiver.requests().size() == 1);
        WebhookReceiver.Received r = receiver.request(0);
        // The pusher Node SDK compares the content type with ===: no charset, and only one such header.
        assertThat(r.headers().get("Content-Type")).containsExactly("application/json");
        assertThat(r.headers().get("X-Pusher-Key")).containsExactly(KEY);
        assertThat(r.headers().get("X-Pusher-Signature")).containsExactly(hmacSha256Hex(SECRET, r.body()));
        assertThat(r.events()).containsExactly("member_added:presence-room:42");
    }

    @Test
    void sendsClientEventsWithDataAsAStringAndTheUserIdOnlyWhenGiven() {
        WebhookReceiver receiver = receiver();
        Webhooks webhooks = start(quick().batchWindow(Duration.ofMillis(200)).build());
        App app = app(all(receiver.url()));

        webhooks.clientEvent(app, "presence-room", "client-typing", "{\"typing\":true}", "123.456", "42");
        webhooks.clientEvent(app, "private-room", "client-typing", "plain", "123.457", null);

        await().until(() -> receiver.requests().size() == 1);
        String body = receiver.request(0).text();
        assertThat(body)
                .contains("{\"name\":\"client_event\",\"channel\":\"presence-room\","
                        + "\"event\":\"client-typing\",\"data\":\"{\\\"typing\\\":true}\",\"socket_id\":\"123.456\","
                        + "\"user_id\":\"42\"}");
        assertThat(body)
                .contains("{\"name\":\"client_event\",\"channel\":\"private-room\","
                        + "\"event\":\"client-typing\",\"data\":\"plain\",\"socket_id\":\"123.457\"}");
    }

    // ---- the vacancy delay

    @Test
    void sendsChannelVacatedOnlyAfterTheVacancyDelay() {
        WebhookReceiver receiver = receiver();
        Webhooks webhooks = start(quick().build());

        long before = System.nanoTime();
        webhooks.channelVacated(app(all(receiver.url())), "room");

        await().until(() -> receiver.requests().size() == 1);
        assertThat(receiver.events()).containsExactly("channel_vacated:room");
        assertThat(Duration.ofNanos(receiver.request(0).nanos() - before)).isGreaterThanOrEqualTo(VACANCY_DELAY);
    }

    @Test
    void sendsNothingWhenAChannelIsVacatedAndOccupiedAgainWithinTheDelayAsOnAPageReload() {
        WebhookReceiver receiver = receiver();
        Webhooks webhooks = start(quick().vacancyDelay(Duration.ofSeconds(10)).build());
        App app = app(all(receiver.url()));
        webhooks.channelOccupied(app, "room");
        await().until(() -> webhooks.stats().requestsDelivered() == 1);

        webhooks.channelVacated(app, "room");
        webhooks.channelOccupied(app, "room");

        await().until(() -> webhooks.stats().eventsSuppressed() == 2);
        assertThat(webhooks.stats().eventsWaiting()).isZero(); // nothing pending that could still go out
        assertThat(receiver.events()).containsExactly("channel_occupied:room");
    }

    @Test
    void sendsBothWhenTheChannelIsOccupiedAgainAfterTheDelay() {
        WebhookReceiver receiver = receiver();
        Webhooks webhooks = start(quick().build());
        App app = app(all(receiver.url()));

        webhooks.channelVacated(app, "room");
        await().until(() -> receiver.requests().size() == 1);
        webhooks.channelOccupied(app, "room");

        await().until(() -> receiver.requests().size() == 2);
        assertThat(receiver.events()).containsExactly("channel_vacated:room", "channel_occupied:room");
        assertThat(webhooks.stats().eventsSuppressed()).isZero();
    }

    @Test
    void sendsNothingWhenAMemberLeavesAndRejoinsWithinTheDelay() {
        WebhookReceiver receiver = receiver();
        Webhooks webhooks = start(quick().vacancyDelay(Duration.ofSeconds(10)).build());
        App app = app(all(receiver.url()));

        webhooks.memberRemoved(app, "presence-room", "42");
        webhooks.memberAdded(app, "presence-room", "42");

        await().until(() -> webhooks.stats().eventsSuppressed() == 2);
        assertThat(webhooks.stats().eventsWaiting()).isZero();
        assertThat(receiver.requests()).isEmpty();
    }

    @Test
    void sendsBothWhenTheMemberRejoinsAfterTheDelay() {
        WebhookReceiver receiver = receiver();
        Webhooks webhooks = start(quick().build());
        App app = app(all(receiver.url()));

        long before = System.nanoTime();
        webhooks.memberRemoved(app, "presence-room", "42");
        await().until(() -> receiver.requests().size() == 1);
        webhooks.memberAdded(app, "presence-room", "42");

        await().until(() -> receiver.requests().size() == 2);
        assertThat(receiver.events())
                .containsExactly("member_removed:presence-room:42", "member_added:presence-room:42");
        assertThat(Duration.ofNanos(receiver.request(0).nanos() - before)).isGreaterThanOrEqualTo(VACANCY_DELAY);
    }

    @Test
    void anotherUserOrChannelDoesNotCancelAPendingRemoval() {
        WebhookReceiver receiver = receiver();
        Webhooks webhooks = start(quick().batchWindow(Duration.ofMillis(100)).build());
        App app = app(all(receiver.url()));

        webhooks.memberRemoved(app, "presence-room", "42");
        webhooks.channelVacated(app, "presence-room");
        webhooks.memberAdded(app, "presence-room", "43");
        webhooks.memberAdded(app, "presence-other", "42");
        webhooks.channelOccupied(app, "other");

        await().until(() -> webhooks.stats().eventsWaiting() == 0);
        assertThat(receiver.events())
                .containsExactly(
                        "member_added:presence-room:43",
                        "member_added:presence-other:42",
                        "channel_occupied:other",
                        "member_removed:presence-room:42",
                        "channel_vacated:presence-room");
        assertThat(webhooks.stats().eventsSuppressed()).isZero();
    }

    // ---- batching

    @Test
    void batchesEventsWithinTheWindowIntoOneRequestInCreationOrder() {
        WebhookReceiver receiver = receiver();
        Webhooks webhooks = start(quick().batchWindow(Duration.ofMillis(300)).build(), ticking(5000));
        App app = app(all(receiver.url()));

        webhooks.channelOccupied(app, "a");
        webhooks.memberAdded(app, "presence-b", "1");
        webhooks.cacheMiss(app, "cache-c");

        await().until(() -> webhooks.stats().eventsWaiting() == 0);
        assertThat(receiver.requests()).hasSize(1);
        assertThat(receiver.events())
                .containsExactly("channel_occupied:a", "member_added:presence-b:1", "cache_miss:cache-c");
        assertThat(receiver.request(0).json().get("time_ms").asLong()).isEqualTo(5000); // the first event's time
    }

    @Test
    void splitsABatchAtMaxEventsPerRequestKeepingTheOrder() {
        WebhookReceiver receiver = receiver();
        Webhooks webhooks = start(quick().batchWindow(Duration.ofMillis(300))
                .maxEventsPerRequest(2)
                .build());
        App app = app(all(receiver.url()));

        for (String channel : List.of("a", "b", "c", "d", "e")) {
            webhooks.channelOccupied(app, channel);
        }

        await().until(() -> webhooks.stats().eventsWaiting() == 0);
        assertThat(receiver.requests())
                .extracting(WebhookReceiver.Received::events)
                .containsExactly(
                        List.of("channel_occupied:a", "channel_occupied:b"),
                        List.of("channel_occupied:c", "channel_occupied:d"),
                        List.of("channel_occupied:e"));
    }

    @Test
    void sendsACacheMissOnceWhileOneIsWaitingAndAgainAfterItWasSent() {
        WebhookReceiver receiver = receiver();
        Webhooks webhooks = start(quick().batchWindow(Duration.ofMillis(200)).build());
        App app = app(all(receiver.url()));

        webhooks.cacheMiss(app, "cache-news");
        webhooks.cacheMiss(app, "cache-news");
        webhooks.cacheMiss(app, "cache-sport");
        webhooks.cacheMiss(app, "cache-news");
        await().until(() -> receiver.requests().size() == 1);
        webhooks.cacheMiss(app, "cache-news");

        await().until(() -> receiver.requests().size() == 2);
        assertThat(receiver.requests())
                .extracting(WebhookReceiver.Received::events)
                .containsExactly(
                        List.of("cache_miss:cache-news", "cache_miss:cache-sport"), List.of("cache_miss:cache-news"));
        assertThat(webhooks.stats().eventsQueued()).isEqualTo(3);
    }

    // ---- filters and endpoints

    @Test
    void sendsEachEndpointOnlyTheEventsItWants() {
        WebhookReceiver channels = receiver();
        WebhookReceiver members = receiver();
        Webhooks webhooks = start(quick().batchWindow(Duration.ofMillis(100)).build());
        App app = app(only(channels.url(), "channel_occupied"), only(members.url(), "member_added", "member_removed"));

        webhooks.channelOccupied(app, "presence-room");
        webhooks.memberAdded(app, "presence-room", "42");
        webhooks.clientEvent(app, "presence-room", "client-x", "{}", "1.1", "42");
        webhooks.cacheMiss(app, "cache-x");

        await().until(() -> webhooks.stats().eventsWaiting() == 0);
        assertThat(channels.events()).containsExactly("channel_occupied:presence-room");
        assertThat(members.events()).containsExactly("member_added:presence-room:42");
        assertThat(webhooks.stats().eventsQueued()).isEqualTo(2); // the others were wanted nowhere
    }

    @Test
    void takesNothingForAnAppWithoutWebhooks() {
        Webhooks webhooks = start(quick().build());
        App app = App.of("1", KEY, SECRET, true);

        webhooks.channelOccupied(app, "room");
        webhooks.memberRemoved(app, "presence-room", "1");
        webhooks.clientEvent(app, "private-room", "client-x", "{}", "1.1", null);

        assertThat(webhooks.stats()).isEqualTo(new WebhookStats(0, 0, 0, 0, 0, 0, 0, 0));
    }

    @Test
    void stillSuppressesAReloadForAnEndpointThatWantsOnlyChannelOccupied() {
        WebhookReceiver receiver = receiver();
        Webhooks webhooks = start(quick().vacancyDelay(Duration.ofSeconds(10)).build());
        App app = app(only(receiver.url(), "channel_occupied"));
        webhooks.channelOccupied(app, "room");
        await().until(() -> receiver.requests().size() == 1);

        webhooks.channelVacated(app, "room");
        webhooks.channelOccupied(app, "room");

        await().until(() -> webhooks.stats().eventsSuppressed() == 2);
        assertThat(receiver.events()).containsExactly("channel_occupied:room");
    }

    // ---- retries

    @Test
    void retriesAfter500sWithTheSameBytesThenDelivers() {
        WebhookReceiver receiver = receiver().failNext(2);
        Webhooks webhooks = start(quick().build());

        webhooks.channelOccupied(app(all(receiver.url())), "room");

        await().until(() -> webhooks.stats().requestsDelivered() == 1);
        List<WebhookReceiver.Received> attempts = receiver.requests();
        assertThat(attempts).hasSize(3);
        assertThat(attempts)
                .extracting(WebhookReceiver.Received::text)
                .containsOnly(attempts.get(0).text());
        assertThat(attempts)
                .extracting(r -> r.headers().getFirst("X-Pusher-Signature"))
                .containsOnly(hmacSha256Hex(SECRET, attempts.get(0).body()));
        // Backoff: 50 ms, then 100 ms.
        assertThat(Duration.ofNanos(attempts.get(1).nanos() - attempts.get(0).nanos()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(50));
        assertThat(Duration.ofNanos(attempts.get(2).nanos() - attempts.get(1).nanos()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(100));
        assertThat(webhooks.stats()).isEqualTo(new WebhookStats(1, 0, 0, 0, 3, 2, 1, 0));
    }

    @Test
    void givesUpRetryForAfterTheFirstAttemptAndCountsTheFailure() throws InterruptedException {
        WebhookReceiver receiver = receiver().failAlways();
        Duration retryFor = Duration.ofMillis(500);
        Webhooks webhooks = start(
                quick().retryFor(retryFor).maxRetryDelay(Duration.ofMillis(100)).build());

        long before = System.nanoTime();
        webhooks.channelOccupied(app(all(receiver.url())), "room");

        await().until(() -> webhooks.stats().requestsFailed() == 1);
        List<WebhookReceiver.Received> attempts = receiver.requests();
        // The first attempt is after the batch window; the last one is retryFor after it.
        assertThat(Duration.ofNanos(attempts.get(attempts.size() - 1).nanos() - before))
                .isGreaterThanOrEqualTo(retryFor);
        assertThat(attempts.size()).isGreaterThanOrEqualTo(3); // 50, 100, 100, ... ms apart
        WebhookStats stats = webhooks.stats();
        assertThat(stats.eventsWaiting()).isZero();
        assertThat(stats.requestsSent()).isEqualTo(attempts.size());
        assertThat(stats.requestsRetried()).isEqualTo(attempts.size() - 1);
        assertThat(stats.requestsDelivered()).isZero();
        Thread.sleep(300); // three retry periods: none comes
        assertThat(receiver.requests()).hasSize(attempts.size());
    }

    @Test
    void retriesAnEndpointThatRefusesConnectionsThenGivesUp() throws IOException {
        URI nobody;
        try (ServerSocket s = new ServerSocket(0)) {
            nobody = URI.create("http://127.0.0.1:" + s.getLocalPort() + "/webhooks");
        }
        Webhooks webhooks = start(quick().retryFor(Duration.ofMillis(300)).build());

        webhooks.channelOccupied(app(all(nobody)), "room");

        await().until(() -> webhooks.stats().requestsFailed() == 1);
        assertThat(webhooks.stats().requestsRetried()).isGreaterThanOrEqualTo(1);
        assertThat(webhooks.stats().eventsWaiting()).isZero();
    }

    @Test
    void retriesARequestThatGetsNoAnswerWithinTheRequestTimeout() {
        WebhookReceiver receiver = receiver().hangNext(1);
        Webhooks webhooks = start(quick().requestTimeout(Duration.ofMillis(200)).build());

        webhooks.channelOccupied(app(all(receiver.url())), "room");

        await().until(() -> webhooks.stats().requestsDelivered() == 1);
        assertThat(receiver.requests()).hasSize(2);
        assertThat(receiver.request(1).text()).isEqualTo(receiver.request(0).text());
    }

    @Test
    void keepsAnEndpointsOrderWhileItRetries() {
        WebhookReceiver receiver = receiver().failNext(2);
        Webhooks webhooks = start(quick().firstRetryDelay(Duration.ofMillis(200))
                .vacancyDelay(Duration.ofMillis(100))
                .build());
        App app = app(all(receiver.url()));

        webhooks.channelOccupied(app, "room");
        await().until(() -> receiver.requests().size() >= 1); // fails; retried in 200 ms, then in 400 ms
        webhooks.channelOccupied(app, "second");
        webhooks.channelVacated(app, "other"); // due 100 ms later, still while "room" is retried

        await().until(() -> webhooks.stats().eventsWaiting() == 0);
        assertThat(receiver.requests())
                .extracting(WebhookReceiver.Received::events)
                .containsExactly(
                        List.of("channel_occupied:room"),
                        List.of("channel_occupied:room"),
                        List.of("channel_occupied:room"),
                        List.of("channel_occupied:second", "channel_vacated:other"));
    }

    @Test
    void retriesEventsThatWaitedBehindAFailingRequestOnlyUntilRetryForAfterTheyWereReady() {
        WebhookReceiver receiver = receiver().failAlways();
        Webhooks webhooks = start(quick().retryFor(Duration.ofMillis(400))
                .maxRetryDelay(Duration.ofMillis(100))
                .build());
        App app = app(all(receiver.url()));
        webhooks.channelOccupied(app, "a");
        await().until(() -> receiver.requests().size() >= 1);

        webhooks.channelOccupied(app, "b"); // ready in 20 ms, but "a" is retried for 400 ms first

        await().until(() -> webhooks.stats().requestsFailed() == 2);
        List<WebhookReceiver.Received> forB = receiver.requests().stream()
                .filter(r -> r.events().equals(List.of("channel_occupied:b")))
                .toList();
        assertThat(forB).isNotEmpty();
        // "b" has waited ~400 ms of its 400: it is tried once or twice more, not for another 400 ms.
        assertThat(Duration.ofNanos(
                        forB.get(forB.size() - 1).nanos() - forB.get(0).nanos()))
                .isLessThan(Duration.ofMillis(250));
        assertThat(receiver.requests().get(receiver.requests().size() - 1).events())
                .containsExactly("channel_occupied:b");
    }

    @Test
    void aFailingEndpointDoesNotDelayAnother() {
        WebhookReceiver failing = receiver().failAlways();
        WebhookReceiver healthy = receiver();
        Webhooks webhooks = start(quick().retryFor(Duration.ofMinutes(1)).build());
        App app = app(all(failing.url()), all(healthy.url()));

        webhooks.channelOccupied(app, "first");
        await().until(() -> failing.requests().size() >= 2 && healthy.requests().size() == 1);
        webhooks.channelOccupied(app, "second");

        await().atMost(1, TimeUnit.SECONDS).until(() -> healthy.requests().size() == 2);
        assertThat(healthy.events()).containsExactly("channel_occupied:first", "channel_occupied:second");
        assertThat(failing.events()).containsOnly("channel_occupied:first"); // still retrying the first
        assertThat(webhooks.stats().requestsFailed()).isZero();
    }

    @Test
    void aFailingEndpointHoldsAtMostAQuarterOfTheQueue() {
        WebhookReceiver failing = receiver().failAlways();
        WebhookReceiver healthy = receiver();
        Webhooks webhooks = start(quick().queueSize(8)
                .maxEventsPerRequest(1)
                .retryFor(Duration.ofMinutes(1))
                .build());
        App broken = app("broken", all(failing.url()));
        App fine = app("fine", all(healthy.url()));
        webhooks.channelOccupied(broken, "c0");
        await().until(() -> webhooks.stats().requestsRetried() >= 1); // its first attempt has failed

        for (int i = 1; i <= 6; i++) {
            webhooks.channelOccupied(broken, "c" + i);
        }
        await().until(() -> webhooks.stats().eventsDropped() == 5); // it holds c0 (retrying) and c1
        for (int i = 0; i < 5; i++) {
            webhooks.channelOccupied(fine, "f" + i);
        }

        await().until(() -> webhooks.stats().requestsDelivered() == 5);
        assertThat(healthy.requests()).hasSize(5);
        assertThat(webhooks.stats().eventsWaiting()).isEqualTo(2);
        assertThat(webhooks.stats().eventsDropped()).isEqualTo(5);
    }

    // ---- bounds

    @Test
    void dropsAndCountsEventsOnceTheQueueIsFull() {
        Webhooks webhooks =
                start(quick().queueSize(3).vacancyDelay(Duration.ofSeconds(10)).build());
        App app = app(all(URI.create("http://127.0.0.1:9/never")));

        for (int i = 0; i < 5; i++) {
            webhooks.channelVacated(app, "room-" + i); // each waits 10 s, holding its slot
        }

        WebhookStats stats = webhooks.stats();
        assertThat(stats.eventsQueued()).isEqualTo(3);
        assertThat(stats.eventsDropped()).isEqualTo(2);
        assertThat(stats.eventsWaiting()).isEqualTo(3);
    }

    @Test
    void eventMethodsReturnAtOnceWhileTheEndpointHangs() {
        WebhookReceiver receiver = receiver().hangNext(Integer.MAX_VALUE);
        Webhooks webhooks = start(quick().requestTimeout(Duration.ofSeconds(30))
                .queueSize(1000)
                .closeTimeout(Duration.ZERO)
                .build());
        App app = app(all(receiver.url()));
        webhooks.channelOccupied(app, "first");
        await().until(() -> receiver.requests().size() == 1);

        long before = System.nanoTime();
        for (int i = 0; i < 2000; i++) {
            webhooks.channelOccupied(app, "room-" + i);
        }

        // Not a benchmark: a generous bound that only a blocking call would exceed.
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(2));
        assertThat(webhooks.stats().eventsDropped()).isEqualTo(1001);
    }

    // ---- close

    @Test
    void closeSendsWhatIsWaitingAtOnceIncludingPendingVacancies() {
        WebhookReceiver receiver = receiver();
        Webhooks webhooks = start(quick().batchWindow(Duration.ofSeconds(10))
                .vacancyDelay(Duration.ofSeconds(10))
                .build());
        App app = app(all(receiver.url()));
        webhooks.channelOccupied(app, "a");
        webhooks.memberRemoved(app, "presence-b", "1");

        long before = System.nanoTime();
        webhooks.close();

        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(2));
        assertThat(receiver.events()).containsExactly("channel_occupied:a", "member_removed:presence-b:1");
        assertThat(webhooks.stats()).isEqualTo(new WebhookStats(2, 0, 0, 0, 1, 0, 1, 0));
    }

    @Test
    void closeGivesARetryingRequestOneLastAttempt() {
        WebhookReceiver receiver = receiver().failNext(1);
        Webhooks webhooks = start(quick().firstRetryDelay(Duration.ofSeconds(30))
                .maxRetryDelay(Duration.ofSeconds(30))
                .build());
        try (LogCapture log = LogCapture.of(WebhookEndpoint.class)) {
            webhooks.channelOccupied(app(all(receiver.url())), "a");
            await().until(() -> log.messages().size() == 1); // the first attempt failed: its retry is in 30 s
        }

        webhooks.close();

        assertThat(receiver.requests()).hasSize(2);
        assertThat(webhooks.stats().requestsDelivered()).isEqualTo(1);
    }

    @Test
    void closeGivesUpAfterItsTimeoutOnAnEndpointThatDoesNotAnswer() {
        WebhookReceiver receiver = receiver().hangNext(Integer.MAX_VALUE);
        Webhooks webhooks = start(quick().closeTimeout(Duration.ofMillis(300))
                .requestTimeout(Duration.ofSeconds(30))
                .build());
        App app = app(all(receiver.url()));
        webhooks.channelOccupied(app, "a");
        await().until(() -> receiver.requests().size() == 1);

        long before = System.nanoTime();
        webhooks.close();

        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(2));
        assertThat(webhooks.stats().eventsDropped()).isEqualTo(1);
        assertThat(webhooks.stats().eventsWaiting()).isZero();
        webhooks.channelOccupied(app, "after");
        assertThat(webhooks.stats().eventsDropped()).isEqualTo(2);
    }

    // ---- logging

    @Test
    void logsAFailingEndpointOncePerStateChangeNotPerRetry() {
        try (LogCapture log = LogCapture.of(WebhookEndpoint.class)) {
            WebhookReceiver receiver = receiver().failNext(4);
            Webhooks webhooks = start(quick().build());

            webhooks.channelOccupied(app(all(receiver.url())), "room");

            await().until(() -> log.levels().contains(Level.INFO));
            assertThat(webhooks.stats().requestsSent()).isEqualTo(5);
            assertThat(log.levels()).containsExactly(Level.WARN, Level.INFO);
            assertThat(log.messages().get(0))
                    .contains("is failing (HTTP 500)")
                    .contains("127.0.0.1")
                    .doesNotContain(SECRET);
            assertThat(log.messages().get(1)).contains("delivers again, after 4 failed attempts");
        }
    }

    @Test
    void logsTheFirstGiveUpOnceNotEveryRequestGivenUp() {
        try (LogCapture log = LogCapture.of(WebhookEndpoint.class)) {
            WebhookReceiver receiver = receiver().failAlways();
            Webhooks webhooks = start(quick().retryFor(Duration.ofMillis(100)).build());
            App app = app(all(receiver.url()));

            webhooks.channelOccupied(app, "a");
            await().until(() -> webhooks.stats().requestsFailed() == 1);
            webhooks.channelOccupied(app, "b");
            await().until(() -> webhooks.stats().requestsFailed() == 2);

            assertThat(log.levels()).containsExactly(Level.WARN, Level.WARN);
            assertThat(log.messages().get(1)).contains("gave up on a request of 1 events");
        }
    }

    @Test
    void leavesQueryAndUserInfoOfTheUrlOutOfTheLog() {
        try (LogCapture log = LogCapture.of(WebhookEndpoint.class)) {
            WebhookReceiver receiver = receiver().failNext(1);
            URI withToken =
                    URI.create("http://user:pw@127.0.0.1:" + receiver.url().getPort() + "/hook?token=s3cret");
            Webhooks webhooks = start(quick().build());

            webhooks.channelOccupied(app(all(withToken)), "room");

            await().until(() -> log.levels().contains(Level.INFO));
            assertThat(log.messages().get(0))
                    .contains("http://127.0.0.1:" + receiver.url().getPort() + "/hook ")
                    .doesNotContain("s3cret")
                    .doesNotContain("pw");
        }
    }

    // ---- helpers

    /** HMAC-SHA256 computed here, independently of {@link WebhookSignature}. */
    private static String hmacSha256Hex(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            StringBuilder hex = new StringBuilder();
            for (byte b : mac.doFinal(body)) {
                hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
            }
            return hex.toString();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A clock that starts at {@code startMillis} and moves one millisecond each time it is read. */
    private static Clock ticking(long startMillis) {
        AtomicLong next = new AtomicLong(startMillis);
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(next.getAndIncrement());
            }
        };
    }
}
