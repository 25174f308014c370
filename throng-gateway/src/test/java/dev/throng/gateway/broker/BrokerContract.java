package dev.throng.gateway.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.throng.gateway.app.App;
import dev.throng.gateway.app.AppLimits;
import dev.throng.gateway.app.Apps;
import dev.throng.gateway.metrics.GatewayMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link Broker} contract, one suite for every backend (STYLE.md, "Contract suites"): {@code LocalBrokerTest}
 * runs it on the in-process broker, {@code RedisBrokerIT} (throng-redis) on a real Redis. A case that needs several
 * nodes sharing one state runs only where {@link #clustered()}; answers that a cluster broker settles in the
 * background are awaited (a local broker has them at once).
 */
public abstract class BrokerContract {
    /** An app with a quota of 3 connections and Pusher's limits but 2 presence members. */
    protected static final App APP = new App(
            "contract",
            "contract-key",
            "contract-secret",
            true,
            3,
            true,
            new AppLimits(10 * 1024, 200, 164, 2, 10, 100, 1024, 128, 10, 100),
            List.of());

    protected static final Duration WAIT = Duration.ofSeconds(5);

    private final List<Broker> brokers = new ArrayList<>();

    /** A new, unstarted broker on the backend; in one test, every one made shares the same state. */
    protected abstract Broker newBroker();

    /** Whether brokers made by {@link #newBroker} are nodes of one cluster (else each is alone). */
    protected abstract boolean clustered();

    /** Waits for the broker's periodic work to have run at least once more (quota syncs); nothing by default. */
    protected void settle() throws InterruptedException {}

    @AfterEach
    void closeBrokers() {
        for (Broker broker : brokers) {
            broker.close();
        }
        brokers.clear();
    }

    /** What a broker told its node. */
    protected static final class Recorder implements Broker.Node {
        final List<Publication> delivered = new CopyOnWriteArrayList<>();
        final List<String> terminated = new CopyOnWriteArrayList<>();
        final List<String> occupancy = new CopyOnWriteArrayList<>();
        final List<String> membership = new CopyOnWriteArrayList<>();

        @Override
        public List<App> apps() {
            return List.of(APP);
        }

        @Override
        public void deliver(Publication publication) {
            delivered.add(publication);
        }

        @Override
        public void terminateUser(App app, String userId) {
            terminated.add(userId);
        }

        @Override
        public void occupancy(App app, String channel, boolean occupied) {
            occupancy.add(channel + (occupied ? " occupied" : " vacated"));
        }

        @Override
        public void membership(App app, String channel, String userId, boolean present) {
            membership.add(channel + " " + userId + (present ? " added" : " removed"));
        }

        List<String> events(String channel) {
            return delivered.stream()
                    .filter(p -> p.channel().equals(channel))
                    .map(p -> p.event() + " " + p.data())
                    .collect(Collectors.toList());
        }
    }

    /** A started node and what it is told. */
    protected record Node(Broker broker, Recorder seen) {}

    protected Node node() {
        Broker broker = newBroker();
        Recorder recorder = new Recorder();
        broker.start(recorder, new GatewayMetrics(new Apps(List.of(APP))));
        brokers.add(broker);
        return new Node(broker, recorder);
    }

    private static Publication event(String channel, String name, String data) {
        return new Publication(APP, channel, name, data, null, null, System.nanoTime());
    }

    private static <T> T answer(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Registers interest in {@code channel} on {@code node} and waits until it is delivered there. */
    private static void interested(Node node, String channel) throws Exception {
        node.broker().interest(APP, channel, true);
        answer(node.broker().ready(APP, channel));
    }

    private static Broker.Member member(String id) {
        return new Broker.Member("\"" + id + "\"", id, "{\"name\":\"" + id + "\"}");
    }

    // ---- publications -----------------------------------------------------------------------------------------

    @Test
    void deliversItsOwnPublicationAtOnceAndOnlyOnce() throws Exception {
        Node a = node();
        interested(a, "news");

        a.broker().publish(event("news", "flash", "{\"n\":1}"));

        assertThat(a.seen().events("news"))
                .as("at once, on the publisher's thread")
                .containsExactly("flash {\"n\":1}");
        Thread.sleep(200); // a cluster broker's own message comes back from the shared state: it is ignored
        assertThat(a.seen().events("news")).containsExactly("flash {\"n\":1}");
    }

    @Test
    void deliversOnePublishersEventsToAChannelInOrder() throws Exception {
        Node a = node();
        interested(a, "ordered");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            a.broker().publish(event("ordered", "e", Integer.toString(i)));
            expected.add("e " + i);
        }
        assertThat(a.seen().events("ordered")).containsExactlyElementsOf(expected);
    }

    @Test
    void deliversAnotherNodesPublicationsOnceInOrderWithTheirFields() throws Exception {
        assumeTrue(clustered());
        Node a = node();
        Node b = node();
        interested(b, "shared");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            a.broker().publish(event("shared", "e", Integer.toString(i)));
            expected.add("e " + i);
        }
        a.broker().publish(new Publication(APP, "shared", "client-x", "d", "12.34", "u7", System.nanoTime()));
        expected.add("client-x d");

        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(b.seen().events("shared")).hasSize(expected.size()));
        Thread.sleep(200);
        assertThat(b.seen().events("shared")).containsExactlyElementsOf(expected);
        Publication last = b.seen().delivered.get(b.seen().delivered.size() - 1);
        assertThat(last.excludedSocketId()).isEqualTo("12.34");
        assertThat(last.userId()).isEqualTo("u7");
        assertThat(last.app()).isEqualTo(APP);
    }

    @Test
    void aNodeReceivesOnlyTheChannelsItIsInterestedIn() throws Exception {
        assumeTrue(clustered());
        Node a = node();
        Node b = node();
        interested(b, "wanted");
        interested(b, "dropped");
        b.broker().interest(APP, "dropped", false);
        Thread.sleep(200); // the unsubscription reaches the shared state

        a.broker().publish(event("dropped", "e", "1"));
        a.broker().publish(event("elsewhere", "e", "2"));
        a.broker().publish(event("wanted", "marker", "3")); // after the others, from the same publisher

        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(b.seen().events("wanted")).containsExactly("marker 3"));
        assertThat(b.seen().delivered).extracting(Publication::channel).containsExactly("wanted");
    }

    // ---- channel counts ---------------------------------------------------------------------------------------

    @Test
    void decidesOccupiedAndVacatedOnceFromTheCounts() throws Exception {
        Node a = node();
        a.broker().subscribed(APP, "room", 1);
        a.broker().subscribed(APP, "room", 1);
        await().atMost(WAIT)
                .untilAsserted(() ->
                        assertThat(answer(a.broker().channel(APP, "room"))).isEqualTo(new Broker.ChannelInfo(2, 0)));
        assertThat(a.seen().occupancy).containsExactly("room occupied");

        a.broker().subscribed(APP, "room", -1);
        a.broker().subscribed(APP, "room", -1);
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(a.seen().occupancy).containsExactly("room occupied", "room vacated"));
        assertThat(answer(a.broker().channel(APP, "room"))).isEqualTo(Broker.ChannelInfo.VACANT);
    }

    @Test
    void decidesOccupancyOnceForTheWholeCluster() throws Exception {
        assumeTrue(clustered());
        Node a = node();
        Node b = node();
        a.broker().subscribed(APP, "hall", 1);
        await().atMost(WAIT).untilAsserted(() -> assertThat(a.seen().occupancy).containsExactly("hall occupied"));
        b.broker().subscribed(APP, "hall", 1);
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(
                                answer(b.broker().channel(APP, "hall")).subscriptionCount())
                        .isEqualTo(2));

        a.broker().subscribed(APP, "hall", -1);
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(
                                answer(b.broker().channel(APP, "hall")).subscriptionCount())
                        .isEqualTo(1));
        b.broker().subscribed(APP, "hall", -1);
        await().atMost(WAIT).untilAsserted(() -> assertThat(b.seen().occupancy).containsExactly("hall vacated"));
        Thread.sleep(200);
        assertThat(a.seen().occupancy).containsExactly("hall occupied");
        assertThat(b.seen().occupancy).containsExactly("hall vacated");
    }

    @Test
    void listsOccupiedChannelsByPrefixSortedWithTheirCounts() throws Exception {
        Node a = node();
        a.broker().subscribed(APP, "b-two", 1);
        a.broker().subscribed(APP, "b-two", 1);
        a.broker().subscribed(APP, "a-one", 1);
        a.broker().subscribed(APP, "c-gone", 1);
        a.broker().subscribed(APP, "c-gone", -1);
        a.broker().subscribed(APP, "x-other", 1);

        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(
                                answer(a.broker().channels(APP, "")).keySet())
                        .containsExactly("a-one", "b-two", "x-other"));
        Map<String, Broker.ChannelInfo> some = answer(a.broker().channels(APP, "b-"));
        assertThat(some).containsExactly(Map.entry("b-two", new Broker.ChannelInfo(2, 0)));
    }

    // ---- presence ---------------------------------------------------------------------------------------------

    @Test
    void announcesAUsersFirstJoinAndLastLeaveOnce() throws Exception {
        Node a = node();
        interested(a, "presence-room");

        Broker.Joined first = answer(a.broker().join(APP, "presence-room", member("u1"), "1.1", 10));
        Broker.Joined again = answer(a.broker().join(APP, "presence-room", member("u1"), "1.2", 10));

        assertThat(first.outcome()).isEqualTo(Broker.Join.FIRST);
        assertThat(first.members()).containsExactly(member("u1"));
        assertThat(again.outcome()).isEqualTo(Broker.Join.AGAIN);
        assertThat(a.seen().events("presence-room"))
                .containsExactly("pusher_internal:member_added {\"user_id\":\"u1\",\"user_info\":{\"name\":\"u1\"}}");
        assertThat(a.seen().delivered.get(0).excludedSocketId())
                .as("not to the joining connection")
                .isEqualTo("1.1");
        assertThat(a.seen().membership).containsExactly("presence-room u1 added");

        a.broker().leave(APP, "presence-room", member("u1"), "1.1");
        Thread.sleep(100);
        assertThat(a.seen().membership).as("a tab left, the user stays").containsExactly("presence-room u1 added");
        a.broker().leave(APP, "presence-room", member("u1"), "1.2");
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(a.seen().membership)
                        .containsExactly("presence-room u1 added", "presence-room u1 removed"));
        assertThat(a.seen().events("presence-room"))
                .hasSize(2)
                .last()
                .isEqualTo("pusher_internal:member_removed {\"user_id\":\"u1\"}");
        assertThat(answer(a.broker().members(APP, "presence-room"))).isEmpty();
    }

    @Test
    void refusesANewUserOfAFullChannelButNotAnotherTabOfAMember() throws Exception {
        Node a = node();
        assertThat(answer(a.broker().join(APP, "presence-full", member("u1"), "1.1", 2))
                        .outcome())
                .isEqualTo(Broker.Join.FIRST);
        assertThat(answer(a.broker().join(APP, "presence-full", member("u2"), "1.2", 2))
                        .outcome())
                .isEqualTo(Broker.Join.FIRST);

        Broker.Joined refused = answer(a.broker().join(APP, "presence-full", member("u3"), "1.3", 2));
        Broker.Joined tab = answer(a.broker().join(APP, "presence-full", member("u1"), "1.4", 2));

        assertThat(refused.outcome()).isEqualTo(Broker.Join.FULL);
        assertThat(tab.outcome()).isEqualTo(Broker.Join.AGAIN);
        assertThat(answer(a.broker().members(APP, "presence-full")))
                .extracting(Broker.Member::id)
                .containsExactlyInAnyOrder("u1", "u2");
        assertThat(a.seen().membership).doesNotContain("presence-full u3 added");
    }

    @Test
    void countsAPresenceChannelsUsersInItsInfo() throws Exception {
        Node a = node();
        answer(a.broker().join(APP, "presence-count", member("u1"), "1.1", 10));
        answer(a.broker().join(APP, "presence-count", member("u1"), "1.2", 10));
        answer(a.broker().join(APP, "presence-count", member("u2"), "1.3", 10));
        a.broker().subscribed(APP, "presence-count", 1);
        a.broker().subscribed(APP, "presence-count", 1);
        a.broker().subscribed(APP, "presence-count", 1);

        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(answer(a.broker().channel(APP, "presence-count")))
                        .isEqualTo(new Broker.ChannelInfo(3, 2)));
        assertThat(answer(a.broker().channels(APP, "presence-")))
                .containsEntry("presence-count", new Broker.ChannelInfo(3, 2));
    }

    @Test
    void aUserWithTabsOnTwoNodesIsOneMember() throws Exception {
        assumeTrue(clustered());
        Node a = node();
        Node b = node();
        interested(a, "presence-two");
        interested(b, "presence-two");

        Broker.Joined onA = answer(a.broker().join(APP, "presence-two", member("u1"), "1.1", 10));
        Broker.Joined onB = answer(b.broker().join(APP, "presence-two", member("u1"), "2.1", 10));

        assertThat(onA.outcome()).isEqualTo(Broker.Join.FIRST);
        assertThat(onB.outcome()).isEqualTo(Broker.Join.AGAIN);
        assertThat(onB.members()).containsExactly(member("u1"));
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(b.seen().events("presence-two")).hasSize(1));

        a.broker().leave(APP, "presence-two", member("u1"), "1.1");
        Thread.sleep(200);
        assertThat(answer(b.broker().members(APP, "presence-two"))).containsExactly(member("u1"));
        b.broker().leave(APP, "presence-two", member("u1"), "2.1");

        String removed = "pusher_internal:member_removed {\"user_id\":\"u1\"}";
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(a.seen().events("presence-two")).containsOnlyOnce(removed);
            assertThat(b.seen().events("presence-two")).containsOnlyOnce(removed);
        });
        Thread.sleep(200);
        assertThat(a.seen().membership).containsExactly("presence-two u1 added");
        assertThat(b.seen().membership).containsExactly("presence-two u1 removed");
        assertThat(a.seen().events("presence-two")).hasSize(2);
        assertThat(b.seen().events("presence-two")).hasSize(2);
    }

    @Test
    void enforcesTheMemberLimitOverTheCluster() throws Exception {
        assumeTrue(clustered());
        Node a = node();
        Node b = node();
        answer(a.broker().join(APP, "presence-limit", member("u1"), "1.1", 2));
        answer(b.broker().join(APP, "presence-limit", member("u2"), "2.1", 2));

        assertThat(answer(a.broker().join(APP, "presence-limit", member("u3"), "1.2", 2))
                        .outcome())
                .isEqualTo(Broker.Join.FULL);
        assertThat(answer(b.broker().join(APP, "presence-limit", member("u3"), "2.2", 2))
                        .outcome())
                .isEqualTo(Broker.Join.FULL);
        assertThat(answer(b.broker().join(APP, "presence-limit", member("u1"), "2.3", 2))
                        .outcome())
                .as("another tab of a member, on another node")
                .isEqualTo(Broker.Join.AGAIN);
    }

    @Test
    void theMembersOfAChannelNobodyJoinedAreNone() throws Exception {
        Node a = node();
        assertThat(answer(a.broker().members(APP, "presence-empty"))).isEmpty();
        assertThat(answer(a.broker().channel(APP, "presence-empty"))).isEqualTo(Broker.ChannelInfo.VACANT);
    }

    // ---- cache channels ---------------------------------------------------------------------------------------

    @Test
    void keepsACacheChannelsLastEventForItsTtl() throws Exception {
        Node a = node();
        interested(a, "cache-news");
        a.broker().publishCached(event("cache-news", "first", "1"), Duration.ofMinutes(1));
        a.broker().publishCached(event("cache-news", "second", "2"), Duration.ofMillis(500));

        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(a.seen().events("cache-news")).containsExactly("first 1", "second 2"));
        Broker.Cached cached = answer(a.broker().cached(APP, "cache-news"));
        assertThat(cached.event()).isEqualTo("second");
        assertThat(cached.data()).isEqualTo("2");
        assertThat(cached.ttl()).isPositive().isLessThanOrEqualTo(Duration.ofMillis(500));

        Thread.sleep(700);
        assertThat(answer(a.broker().cached(APP, "cache-news"))).as("expired").isNull();
    }

    @Test
    void aCacheChannelNeverPublishedHasNoEvent() throws Exception {
        Node a = node();
        assertThat(answer(a.broker().cached(APP, "cache-never"))).isNull();
    }

    @Test
    void theCacheIsSharedByTheCluster() throws Exception {
        assumeTrue(clustered());
        Node a = node();
        Node b = node();
        a.broker().publishCached(event("cache-shared", "e", "{\"x\":\"é\"}"), Duration.ofMinutes(1));
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(answer(b.broker().cached(APP, "cache-shared")))
                        .isNotNull()
                        .extracting(Broker.Cached::data)
                        .isEqualTo("{\"x\":\"é\"}"));
    }

    // ---- users and quotas -------------------------------------------------------------------------------------

    @Test
    void terminatesAUserOnTheNodeItself() {
        Node a = node();
        a.broker().terminateUser(APP, "u9");
        assertThat(a.seen().terminated).containsExactly("u9");
    }

    @Test
    void terminatesAUserOnEveryNode() throws Exception {
        assumeTrue(clustered());
        Node a = node();
        Node b = node();
        a.broker().terminateUser(APP, "u|9");
        await().atMost(WAIT).untilAsserted(() -> assertThat(b.seen().terminated).containsExactly("u|9"));
        assertThat(a.seen().terminated).containsExactly("u|9");
    }

    @Test
    void admitsConnectionsUpToTheQuotaAndAgainAfterARelease() {
        Node a = node();
        assertThat(a.broker().admit(APP, 3)).isTrue();
        assertThat(a.broker().admit(APP, 3)).isTrue();
        assertThat(a.broker().admit(APP, 3)).isTrue();
        assertThat(a.broker().admit(APP, 3)).isFalse();
        a.broker().release(APP);
        assertThat(a.broker().admit(APP, 3)).isTrue();
        assertThat(a.broker().admit(APP, 3)).isFalse();
    }

    @Test
    void enforcesTheQuotaOverTheClusterOnceTheNodesHaveSynced() throws Exception {
        assumeTrue(clustered());
        Node a = node();
        Node b = node();
        assertThat(a.broker().admit(APP, 3)).isTrue();
        assertThat(a.broker().admit(APP, 3)).isTrue();
        assertThat(b.broker().admit(APP, 3)).isTrue();
        settle();
        assertThat(a.broker().admit(APP, 3)).isFalse();
        assertThat(b.broker().admit(APP, 3)).isFalse();
        a.broker().release(APP);
        settle();
        assertThat(b.broker().admit(APP, 3))
                .as("a slot freed on the other node")
                .isTrue();
    }

    @Test
    void aLocalAnswerIsNeverDegraded() {
        Node a = node();
        assertThat(a.broker().degradedReason()).isNull();
        assertThat(Set.of(a.broker().ready(APP, "any").toCompletableFuture().isDone()))
                .containsExactly(true);
    }
}
