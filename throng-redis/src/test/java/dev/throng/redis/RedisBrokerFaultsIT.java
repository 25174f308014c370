package dev.throng.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.throng.gateway.app.App;
import dev.throng.gateway.app.Apps;
import dev.throng.gateway.broker.Broker;
import dev.throng.gateway.broker.BrokerUnavailableException;
import dev.throng.gateway.broker.Publication;
import dev.throng.gateway.metrics.GatewayMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What only a cluster broker has to survive: a node that dies without a word (its lease expires and a live node
 * reaps it), a node that leaves, Redis going away and coming back empty, a node reaped while it was alive. Each test
 * has its own {@code redis-server} (one is stopped and restarted).
 */
class RedisBrokerFaultsIT {
    static final App APP = App.of("faults", "faults-key", "faults-secret", true);
    static final Duration WAIT = Duration.ofSeconds(10);

    RedisServer redis;
    final List<RedisBroker> brokers = new ArrayList<>();

    @BeforeEach
    void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        brokers.forEach(RedisBroker::close);
        redis.stop();
    }

    /** What a node is told. */
    static final class Seen implements Broker.Node {
        final List<Publication> delivered = new CopyOnWriteArrayList<>();
        final List<String> told = new CopyOnWriteArrayList<>();

        @Override
        public List<App> apps() {
            return List.of(APP);
        }

        @Override
        public void deliver(Publication p) {
            delivered.add(p);
        }

        @Override
        public void terminateUser(App app, String userId) {
            told.add("terminate " + userId);
        }

        @Override
        public void occupancy(App app, String channel, boolean occupied) {
            told.add(channel + (occupied ? " occupied" : " vacated"));
        }

        @Override
        public void membership(App app, String channel, String userId, boolean present) {
            told.add(channel + " " + userId + (present ? " added" : " removed"));
        }

        List<String> events(String channel) {
            return delivered.stream()
                    .filter(p -> p.channel().equals(channel))
                    .map(p -> p.event() + " " + p.data())
                    .toList();
        }
    }

    record Node(RedisBroker broker, Seen seen) {}

    Node node() {
        RedisBroker broker = RedisBroker.connect(RedisBrokerIT.settings(redis.uri(), "faults"));
        Seen seen = new Seen();
        broker.start(seen, new GatewayMetrics(new Apps(List.of(APP))));
        brokers.add(broker);
        return new Node(broker, seen);
    }

    static <T> T answer(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    static Broker.Member member(String id) {
        return new Broker.Member("\"" + id + "\"", id, null);
    }

    static Publication event(String channel, String data) {
        return new Publication(APP, channel, "e", data, null, null, System.nanoTime());
    }

    static void interested(Node node, String channel) throws Exception {
        node.broker().interest(APP, channel, true);
        answer(node.broker().ready(APP, channel));
    }

    @Test
    void aDeadNodesMembersAndChannelsAreReapedOnceItsLeaseExpires() throws Exception {
        Node dying = node();
        Node alive = node();
        interested(alive, "presence-room");
        answer(dying.broker().join(APP, "presence-room", member("u1"), "1.1", 10));
        dying.broker().subscribed(APP, "presence-room", 1);
        dying.broker().subscribed(APP, "lonely", 1);
        await().atMost(WAIT)
                .untilAsserted(() ->
                        assertThat(answer(alive.broker().channels(APP, ""))).hasSize(2));
        long died = System.nanoTime();

        dying.broker().crash();

        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(alive.seen().told)
                        .contains("presence-room u1 removed", "presence-room vacated", "lonely vacated"));
        Duration took = Duration.ofNanos(System.nanoTime() - died);
        assertThat(took)
                .as("within the lease and a refresh (1.5 s + 0.5 s), with slack")
                .isLessThan(
                        RedisBrokerIT.settings(redis.uri(), "x").expiryBound().plusSeconds(2));
        assertThat(alive.seen().events("presence-room"))
                .containsExactly(
                        "pusher_internal:member_added {\"user_id\":\"u1\"}",
                        "pusher_internal:member_removed {\"user_id\":\"u1\"}");
        assertThat(answer(alive.broker().members(APP, "presence-room"))).isEmpty();
        assertThat(answer(alive.broker().channels(APP, ""))).isEmpty();
        Thread.sleep(1000);
        assertThat(alive.seen().told).as("reaped once").containsOnlyOnce("presence-room u1 removed", "lonely vacated");
    }

    @Test
    void aClosingNodeTakesItsMembersAndCountsAlongAtOnce() throws Exception {
        Node leaving = node();
        Node staying = node();
        interested(staying, "presence-room");
        answer(leaving.broker().join(APP, "presence-room", member("u1"), "1.1", 10));
        leaving.broker().subscribed(APP, "presence-room", 1);
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(answer(staying.broker().channel(APP, "presence-room"))
                                .subscriptionCount())
                        .isEqualTo(1));

        leaving.broker().close();

        await().atMost(Duration.ofMillis(800)).untilAsserted(() -> {
            assertThat(staying.seen().events("presence-room"))
                    .contains("pusher_internal:member_removed {\"user_id\":\"u1\"}");
            assertThat(answer(staying.broker().channels(APP, ""))).isEmpty();
        });
    }

    @Test
    void whileRedisIsAwayANodeServesItsOwnAndRebuildsTheClusterWhenItIsBack() throws Exception {
        Node a = node();
        Node b = node();
        interested(a, "news");
        interested(b, "news");
        interested(b, "presence-room");
        answer(a.broker().join(APP, "presence-room", member("u1"), "1.1", 10));
        answer(a.broker().join(APP, "presence-room", member("u2"), "1.2", 10));
        a.broker().subscribed(APP, "news", 1);
        a.broker().subscribed(APP, "short", 1);
        b.broker().subscribed(APP, "news", 1);
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(
                                answer(b.broker().channel(APP, "news")).subscriptionCount())
                        .isEqualTo(2));
        await().atMost(WAIT)
                .untilAsserted(
                        () -> assertThat(b.seen().events("presence-room")).hasSize(2));

        redis.stop();
        await().atMost(WAIT).until(() -> a.broker().degradedReason() != null);

        a.broker().publish(event("news", "while away"));
        assertThat(a.seen().events("news")).as("delivered locally at once").containsExactly("e while away");
        assertThat(a.broker().ready(APP, "other").toCompletableFuture().isCompletedExceptionally())
                .as("no waiting for a cluster that is not there")
                .isTrue();
        assertThatThrownBy(() -> answer(a.broker().join(APP, "presence-room", member("u3"), "1.3", 10)))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(BrokerUnavailableException.class);
        assertThatThrownBy(() -> answer(a.broker().channel(APP, "news")))
                .hasCauseInstanceOf(BrokerUnavailableException.class);
        a.broker().subscribed(APP, "news", 1); // a second local subscriber meanwhile
        a.broker().leave(APP, "presence-room", member("u2"), "1.2"); // u2 leaves meanwhile
        a.broker().subscribed(APP, "short", -1); // and "short" loses its only subscriber

        redis.start(Duration.ofSeconds(10)); // empty: it lost everything
        await().atMost(WAIT)
                .until(() -> a.broker().degradedReason() == null && b.broker().degradedReason() == null);

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(answer(b.broker().channel(APP, "news")).subscriptionCount())
                    .as("rebuilt from both nodes")
                    .isEqualTo(3);
            assertThat(answer(b.broker().members(APP, "presence-room"))).containsExactly(member("u1"));
        });
        await().atMost(WAIT).untilAsserted(() -> {
            b.seen().delivered.removeIf(p -> p.data().startsWith("probe"));
            a.broker().publish(event("news", "probe"));
            Thread.sleep(100);
            assertThat(b.seen().events("news")).as("resubscribed").contains("e probe");
        });
        assertThat(b.seen().events("news"))
                .as("what was published while away stays away")
                .doesNotContain("e while away");
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(b.seen().events("presence-room"))
                        .as("u2, who left while Redis was away, is announced gone after the rebuilds")
                        .endsWith("pusher_internal:member_removed {\"user_id\":\"u2\"}"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(a.seen().told).contains("short vacated"));
        Thread.sleep(600);
        assertThat(b.seen().events("presence-room"))
                .as("u1 was there all along: not announced again")
                .containsExactly(
                        "pusher_internal:member_added {\"user_id\":\"u1\"}",
                        "pusher_internal:member_added {\"user_id\":\"u2\"}",
                        "pusher_internal:member_removed {\"user_id\":\"u2\"}");
        List<String> told = new ArrayList<>(a.seen().told);
        told.addAll(b.seen().told);
        assertThat(told)
                .as("occupancy once over the cluster, not again for channels occupied all along")
                .containsOnlyOnce("news occupied", "short occupied", "short vacated");
    }

    @Test
    void aNodeReapedWhileAliveRebuildsItsState() throws Exception {
        Node a = node();
        Node b = node();
        interested(b, "presence-room");
        answer(a.broker().join(APP, "presence-room", member("u1"), "1.1", 10));
        a.broker().subscribed(APP, "presence-room", 1);
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(answer(b.broker().channel(APP, "presence-room")))
                        .isEqualTo(new Broker.ChannelInfo(1, 1)));

        // As if a had been away (a partition, a long pause) longer than its lease: b reaps it.
        answer(b.broker().reap(a.broker().nodeId()));

        await().atMost(WAIT).untilAsserted(() -> assertThat(b.seen().told).contains("presence-room u1 removed"));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(answer(b.broker().channel(APP, "presence-room")))
                    .as("a put it back")
                    .isEqualTo(new Broker.ChannelInfo(1, 1));
            assertThat(b.seen().events("presence-room")).endsWith("pusher_internal:member_added {\"user_id\":\"u1\"}");
        });
    }
}
