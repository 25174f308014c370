package dev.throng.gateway.witness;

import static dev.throng.gateway.witness.PusherJsConnectionIT.errorCodes;
import static dev.throng.gateway.witness.PusherJsConnectionIT.texts;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.throng.core.ServerConfig;
import dev.throng.gateway.Gateway;
import dev.throng.gateway.GatewayConfig;
import dev.throng.gateway.app.App;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * pusher-js (in Node) on every kind of channel, with the pusher server SDK authorizing its subscriptions
 * ({@code authorizeChannel}, {@code authenticateUser}), publishing ({@code trigger}, {@code sendToUser}) and
 * terminating users: what pusher-js emits is what an application would see (pusher-spec 3-6, 10).
 */
class PusherJsChannelsIT {
    static final App MAIN = App.of("chan-main", "chan-main-key", "chan-main-secret", true);
    static final App NO_CLIENT_EVENTS = App.of("chan-quiet", "chan-quiet-key", "chan-quiet-secret", false);

    static Gateway gateway;
    static Witness witness;

    @BeforeAll
    static void start() {
        gateway = Gateway.start(
                ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(2).build(),
                GatewayConfig.DEFAULTS.withApps(List.of(MAIN, NO_CLIENT_EVENTS)));
        witness = new Witness(gateway, Map.of("main", MAIN, "noClientEvents", NO_CLIENT_EVENTS));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void publicChannelSubscribersReceiveWhatTheSdkTriggers() throws Exception {
        JsonNode seen = witness.run("channels.js", "publicChannel");
        for (JsonNode events : List.of(seen.path("one"), seen.path("two"))) {
            assertThat(eventNames(events)).containsExactly("pusher:subscription_succeeded", "flash");
            assertThat(events.get(1).path("data").path("headline").asText()).isEqualTo("witnessed");
        }
    }

    @Test
    void privateChannelsAuthorizedByTheSdkReceiveWhatTheSdkTriggers() throws Exception {
        JsonNode seen = witness.run("channels.js", "privateChannel");
        for (JsonNode events : List.of(seen.path("one"), seen.path("two"))) {
            assertThat(eventNames(events)).containsExactly("pusher:subscription_succeeded", "notice");
            assertThat(events.get(1).path("data").path("text").asText()).isEqualTo("for members only");
        }
    }

    @Test
    void presenceAnnouncesEachUserOnceWhateverItsTabsAndListsMembersWithNumericAndStringIds() throws Exception {
        JsonNode seen = witness.run("channels.js", "presence");
        JsonNode observer = seen.path("observerFirst");
        assertThat(observer.path("count").asInt()).isEqualTo(1);
        assertThat(observer.path("me").path("id").asText()).isEqualTo("observer");
        assertThat(observer.path("me").path("info").path("name").asText()).isEqualTo("Olive");

        assertThat(seen.path("secondTab").path("count").asInt())
                .as("two tabs of alice are one member")
                .isEqualTo(2);
        assertThat(texts(seen.path("secondTab").path("ids"))).containsExactly("alice", "observer");

        JsonNode added = seen.path("addedWhileJoining");
        assertThat(added)
                .as("member_added: alice once (not for her second tab), then bob")
                .hasSize(2);
        assertThat(added.get(0).path("id").asText()).isEqualTo("alice");
        assertThat(added.get(0).path("info").path("name").asText()).isEqualTo("Alice");
        assertThat(added.get(1).path("id").asText()).isEqualTo("7");
        assertThat(added.get(1).path("info").path("name").asText()).isEqualTo("Bob");

        JsonNode bob = seen.path("bobFirst");
        assertThat(bob.path("count").asInt()).isEqualTo(3);
        assertThat(texts(bob.path("ids"))).containsExactly("7", "alice", "observer");
        assertThat(bob.path("me").path("id").asText())
                .as("pusher-js finds the numeric user_id as 'me'")
                .isEqualTo("7");
        assertThat(bob.path("me").path("info").path("name").asText()).isEqualTo("Bob");
        assertThat(bob.path("me").path("idType").asText())
                .as("the JSON type of user_id, kept")
                .isEqualTo("number");
        assertThat(added.get(1).path("idType").asText()).isEqualTo("number");

        assertThat(ids(seen.path("users").path("users")))
                .as("REST users: ids as strings")
                .containsExactlyInAnyOrder("observer", "alice", "7");
        assertThat(seen.path("users").path("users").get(0).path("id").isTextual())
                .isTrue();
        assertThat(seen.path("info").path("occupied").asBoolean()).isTrue();
        assertThat(seen.path("info").path("user_count").asInt()).isEqualTo(3);
        assertThat(seen.path("info").path("subscription_count").asInt()).isEqualTo(4);

        assertThat(seen.path("afterFirstTabLeft").path("removed"))
                .as("alice still has a tab open")
                .isEmpty();
        assertThat(seen.path("afterFirstTabLeft").path("count").asInt()).isEqualTo(3);
        JsonNode removed = seen.path("removed");
        assertThat(removed).hasSize(2);
        assertThat(removed.get(0).path("id").asText()).isEqualTo("alice");
        assertThat(removed.get(1).path("id").asText()).isEqualTo("7");
        assertThat(seen.path("countAtEnd").asInt()).isEqualTo(1);
    }

    @Test
    void aSignedInUserJoinsPresenceWithoutChannelDataAsItsSignedInSelf() throws Exception {
        JsonNode seen = witness.run("channels.js", "presenceAsTheSignedInUser");
        assertThat(seen.path("added")).hasSize(1);
        assertThat(seen.path("added").get(0).path("id").asText()).isEqualTo("sam");
        assertThat(seen.path("added").get(0).path("info").path("name").asText())
                .as("the user_info of the sign-in")
                .isEqualTo("Sam");
        assertThat(seen.path("me").path("id").asText()).isEqualTo("sam");
        assertThat(seen.path("count").asInt()).isEqualTo(2);
        assertThat(texts(seen.path("ids"))).containsExactly("sam", "watcher");
    }

    @Test
    void encryptedChannelsCarryTheSdksCiphertextUntouchedAndRefuseClientEvents() throws Exception {
        JsonNode seen = witness.run("channels.js", "encrypted");
        assertThat(seen.path("decrypted"))
                .as("pusher-js decrypted what the SDK encrypted")
                .hasSize(1);
        assertThat(seen.path("decrypted").get(0)).isEqualTo(seen.path("sent"));
        assertThat(seen.path("wireData").asText())
                .as("the gateway forwarded ciphertext only")
                .contains("\"ciphertext\"")
                .contains("\"nonce\"")
                .doesNotContain(seen.path("sent").path("message").asText());
        assertThat(seen.path("wireOpensWithSharedSecret").asBoolean()).isTrue();

        assertThat(seen.path("clientTrigger").path("threw").asText())
                .as("pusher-js itself refuses")
                .contains("UnsupportedFeature");
        JsonNode refusal = seen.path("refusal");
        assertThat(refusal.path("event").asText()).isEqualTo("pusher:error");
        assertThat(refusal.path("data").path("code").isNull())
                .as("a refusal of one request: code null")
                .isTrue();
        assertThat(texts(seen.path("receiverEvents")))
                .as("the refused client event reached nobody")
                .doesNotContain("client-leak")
                .contains("secret", "after");
        assertThat(seen.path("multiChannelStatus").asInt())
                .as("an encrypted channel among several: 400")
                .isEqualTo(400);
    }

    @Test
    void aCacheChannelSaysCacheMissWhenEmptyAndReplaysOnlyItsLastEventToALateSubscriber() throws Exception {
        JsonNode seen = witness.run("channels.js", "cache");
        assertThat(eventNames(seen.path("early")))
                .containsExactly("pusher:subscription_succeeded", "pusher:cache_miss", "price", "price");
        JsonNode late = seen.path("late");
        assertThat(eventNames(late)).containsExactly("pusher:subscription_succeeded", "price");
        assertThat(late.get(1).path("data").path("v").asInt())
                .as("the last event, as triggered")
                .isEqualTo(2);
        assertThat(seen.path("cached").path("cache").path("data").asText()).isEqualTo("{\"v\":2}");
        assertThat(seen.path("cached").path("cache").path("ttl").asInt()).isPositive();
    }

    @Test
    void badSignaturesAreAPusherErrorWithCodeNullLeavingTheConnectionUpAndAuthEndpointFailuresASubscriptionError()
            throws Exception {
        JsonNode seen = witness.run("channels.js", "badSignatures");
        for (String refusal : List.of("wrongSecret", "tampered")) {
            JsonNode r = seen.path(refusal);
            assertThat(r.path("subscribed").asBoolean()).as(refusal).isFalse();
            assertThat(eventNames(r.path("events")))
                    .as("%s: pusher-js emits no subscription event", refusal)
                    .isEmpty();
            assertThat(r.path("errors")).as(refusal).hasSize(1);
            JsonNode error = r.path("errors").get(0);
            assertThat(error.path("type").asText()).as(refusal).isEqualTo("PusherError");
            assertThat(error.path("data").path("code").isNull())
                    .as("%s: code null", refusal)
                    .isTrue();
            assertThat(error.path("data").path("message").asText()).as(refusal).containsIgnoringCase("signature");
        }
        JsonNode endpoint = seen.path("endpointRefused");
        assertThat(endpoint.path("subscribed").asBoolean()).isFalse();
        JsonNode subscriptionError = endpoint.path("events").get(0);
        assertThat(subscriptionError.path("event").asText()).isEqualTo("pusher:subscription_error");
        assertThat(subscriptionError.path("data").path("type").asText()).isEqualTo("AuthError");
        assertThat(subscriptionError.path("data").path("status").asInt()).isEqualTo(403);
        assertThat(endpoint.path("errors")).as("nothing reached the gateway").isEmpty();

        JsonNode afterwards = seen.path("afterwards");
        assertThat(afterwards.path("state").asText()).isEqualTo("connected");
        assertThat(afterwards.path("sameSocket").asBoolean()).isTrue();
        assertThat(texts(afterwards.path("states"))).containsExactly("connecting", "connected");
        assertThat(afterwards.path("fineSubscribed").asBoolean()).isTrue();
    }

    @Test
    void clientEventsReachTheOtherSubscribersNotTheSenderAndCarryTheSendersUserIdOnPresence() throws Exception {
        JsonNode seen = witness.run("channels.js", "clientEvents");
        assertThat(seen.path("accepted").asBoolean()).isTrue();
        assertThat(eventNames(seen.path("sender")))
                .as("no echo")
                .containsExactly("pusher:subscription_succeeded", "barrier");
        for (JsonNode other : seen.path("others")) {
            assertThat(eventNames(other)).containsExactly("pusher:subscription_succeeded", "client-typing", "barrier");
            assertThat(other.get(1).path("data").path("who").asText()).isEqualTo("from");
        }
        for (JsonNode heard : seen.path("heardByOthers")) {
            assertThat(heard).hasSize(1);
            assertThat(heard.get(0).path("metadata").path("user_id").isMissingNode())
                    .as("no user_id on private channels")
                    .isTrue();
        }
        JsonNode move = seen.path("atAnn").get(0);
        assertThat(move.path("data").path("x").asInt()).isEqualTo(1);
        assertThat(move.path("metadata").path("user_id").isTextual())
                .as("user_id as a string")
                .isTrue();
        assertThat(move.path("metadata").path("user_id").asText()).isEqualTo("42");
        assertThat(seen.path("atNum").get(0).path("metadata").path("user_id").asText())
                .isEqualTo("ann");
        assertThat(seen.path("ownAtAnn").asInt()).isZero();
        assertThat(seen.path("ownAtNum").asInt()).isZero();
    }

    @Test
    void clientEventsOnPublicChannelsOrOfAnAppWithoutThemAreRefusedWithAPusherErrorAndReachNobody() throws Exception {
        JsonNode seen = witness.run("channels.js", "clientEventsRefused");
        for (String where : List.of("publicChannel", "disabledApp")) {
            JsonNode r = seen.path(where);
            assertThat(r.path("errors")).as(where).hasSize(1);
            assertThat(r.path("errors").get(0).path("type").asText()).as(where).isEqualTo("PusherError");
            assertThat(r.path("errors").get(0).path("data").path("code").isNull())
                    .as(where)
                    .isTrue();
            assertThat(texts(r.path("received"))).as(where).containsExactly("pusher:subscription_succeeded", "barrier");
            assertThat(r.path("state").asText()).as(where).isEqualTo("connected");
        }
    }

    @Test
    void theEleventhClientEventWithinASecondIsRefusedWith4301AndTheConnectionStaysOpen() throws Exception {
        JsonNode seen = witness.run("channels.js", "clientEventRateLimit");
        List<Integer> burst = new ArrayList<>();
        seen.path("burst").forEach(n -> burst.add(n.asInt()));
        assertThat(burst).as("the first ten, in order").containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(errorCodes(seen.path("errors"))).containsExactly(4301);
        assertThat(seen.path("stateAfter").asText()).isEqualTo("connected");
        assertThat(seen.path("sameSocket").asBoolean()).isTrue();
        assertThat(texts(seen.path("states"))).containsExactly("connecting", "connected");
    }

    @Test
    void signedInUsersReceiveWhatSendToUserSendsOnEveryTabAndOnlyThem() throws Exception {
        JsonNode seen = witness.run("channels.js", "signinAndSendToUser");
        assertThat(seen.path("userData").path("id").asText()).isEqualTo("u1");
        for (String tab : List.of("u1a", "u1b")) {
            assertThat(seen.path(tab)).as(tab).hasSize(1);
            assertThat(seen.path(tab).get(0).path("event").asText()).isEqualTo("hello");
            assertThat(seen.path(tab).get(0).path("data").path("to").asText()).isEqualTo("u1");
        }
        assertThat(seen.path("u2")).hasSize(1);
        assertThat(seen.path("u2").get(0).path("data").path("to").asText()).isEqualTo("u2");
    }

    @Test
    void terminateUserConnectionsClosesEverySignedInConnectionOfTheUserAndPusherJsStaysDisconnected() throws Exception {
        JsonNode seen = witness.run("channels.js", "terminateUserConnections");
        assertThat(seen.path("status").asInt()).isEqualTo(200);
        assertThat(seen.path("body").isObject() && seen.path("body").isEmpty())
                .as("{}")
                .isTrue();
        for (String tab : List.of("u1a", "u1b")) {
            JsonNode t = seen.path(tab);
            assertThat(t.path("state").asText()).as(tab).isEqualTo("disconnected");
            assertThat(texts(t.path("states")))
                    .as("%s: no reconnection", tab)
                    .containsExactly("connecting", "connected", "disconnected");
            assertThat(errorCodes(t.path("errors")))
                    .as("%s: the code pusher-js reports", tab)
                    .contains(4009)
                    .allMatch(code -> code == 4009);
        }
        assertThat(seen.path("u2").path("state").asText()).isEqualTo("connected");
        assertThat(seen.path("presenceOnly").path("state").asText())
                .as("a presence member named u1 that never signed in is not terminated")
                .isEqualTo("connected");
    }

    static List<String> eventNames(JsonNode events) {
        List<String> names = new ArrayList<>();
        events.forEach(e -> names.add(e.path("event").asText()));
        return names;
    }

    static List<String> ids(JsonNode users) {
        List<String> ids = new ArrayList<>();
        users.forEach(u -> ids.add(u.path("id").asText()));
        return ids;
    }
}
