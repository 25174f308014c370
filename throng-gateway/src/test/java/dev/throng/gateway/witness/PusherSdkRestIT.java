package dev.throng.gateway.witness;

import static dev.throng.gateway.witness.PusherJsConnectionIT.texts;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.throng.core.ServerConfig;
import dev.throng.gateway.Gateway;
import dev.throng.gateway.GatewayConfig;
import dev.throng.gateway.app.App;
import dev.throng.gateway.app.AppLimits;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The REST API as the pusher server SDK (5.x) calls it, every endpoint, with pusher-js subscribers watching what is
 * delivered (pusher-spec 7, 8): answers are 200 with a JSON object, signatures and timestamps are checked (a wrong
 * secret, key or body: 401; a timestamp 600 s or more away: 401), and event data over 10 KB is 413.
 */
class PusherSdkRestIT {
    static final App MAIN = App.of("rest-main", "rest-main-key", "rest-main-secret", true);
    static final App OTHER = App.of("rest-other", "rest-other-key", "rest-other-secret", true);
    static final App DISABLED =
            new App("rest-off", "rest-off-key", "rest-off-secret", false, 0, true, AppLimits.PUSHER, List.of());

    static Gateway gateway;
    static Witness witness;

    @BeforeAll
    static void start() {
        gateway = Gateway.start(
                ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(2).build(),
                GatewayConfig.DEFAULTS.withApps(List.of(MAIN, OTHER, DISABLED)));
        witness = new Witness(gateway, Map.of("main", MAIN, "other", OTHER, "disabled", DISABLED));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void triggerToOneChannelAnswers200WithAnEmptyObjectAndDelivers() throws Exception {
        JsonNode seen = witness.run("rest.js", "triggerOne");
        assertOk(seen.path("answer"));
        assertThat(seen.path("answer").path("body").isEmpty()).as("{}").isTrue();
        assertThat(seen.path("answer").path("contentType").asText()).startsWith("application/json");
        assertThat(seen.path("received")).hasSize(1);
        assertThat(seen.path("received").get(0).path("a").asInt()).isEqualTo(1);
    }

    @Test
    void triggerToSeveralChannelsSkipsTheExcludedSocketAndAnswersTheRequestedInfoPerChannel() throws Exception {
        JsonNode seen = witness.run("rest.js", "triggerSeveral");
        assertOk(seen.path("answer"));
        JsonNode channels = seen.path("answer").path("body").path("channels");
        assertThat(fieldNames(channels)).containsExactlyInAnyOrder("rest-a", "rest-b", "presence-rest");
        assertThat(channels.path("rest-a").path("subscription_count").asInt()).isEqualTo(2);
        assertThat(channels.path("rest-b").path("subscription_count").asInt()).isEqualTo(2);
        assertThat(channels.path("presence-rest").path("user_count").asInt()).isEqualTo(2);
        assertThat(channels.path("rest-a").has("user_count"))
                .as("user_count is for presence channels")
                .isFalse();
        for (JsonNode other : seen.path("otherSaw")) {
            assertThat(texts(other)).containsSubsequence("multi", "after");
        }
        for (JsonNode excluded : seen.path("excludedSaw")) {
            assertThat(texts(excluded))
                    .as("the socket_id's connection got none of them")
                    .doesNotContain("multi")
                    .contains("after");
        }
    }

    @Test
    void triggerBatchDeliversEachEventToItsChannelAndAnswersInfoItemByItem() throws Exception {
        JsonNode seen = witness.run("rest.js", "triggerBatch");
        assertOk(seen.path("answer"));
        JsonNode batch = seen.path("answer").path("body").path("batch");
        assertThat(batch).hasSize(3);
        assertThat(batch.get(0).isEmpty()).as("no info asked: {}").isTrue();
        assertThat(batch.get(1).path("subscription_count").asInt()).isEqualTo(2);
        assertThat(batch.get(2).path("user_count").asInt()).isEqualTo(2);
        assertThat(texts(seen.path("otherSaw").get(0))).containsSubsequence("b1", "after");
        assertThat(texts(seen.path("otherSaw").get(1))).containsSubsequence("b2", "after");
        assertThat(texts(seen.path("otherSaw").get(2))).containsSubsequence("b3", "after");
        assertThat(texts(seen.path("excludedSaw").get(0))).contains("b1");
        assertThat(texts(seen.path("excludedSaw").get(1))).contains("b2");
        assertThat(texts(seen.path("excludedSaw").get(2)))
                .as("b3 named its socket_id")
                .doesNotContain("b3")
                .contains("after");
        assertThat(seen.path("dataOfB2").get(0).path("i").asInt()).isEqualTo(2);
    }

    @Test
    void channelsAreListedByPrefixWithUserCountsAndDescribedOneByOneWithTheirUsers() throws Exception {
        JsonNode seen = witness.run("rest.js", "channels");
        JsonNode all = seen.path("all");
        assertOk(all);
        assertThat(fieldNames(all.path("body").path("channels")))
                .contains("rest-list-1", "rest-list-2", "presence-list")
                .as("server-to-user channels are internal")
                .noneMatch(name -> name.startsWith("#"));
        assertThat(all.path("body").path("channels").path("rest-list-1").isEmpty())
                .as("no info asked: {}")
                .isTrue();

        assertOk(seen.path("byPrefix"));
        assertThat(text(seen.path("byPrefix"))).isEqualTo("{\"channels\":{\"rest-list-1\":{},\"rest-list-2\":{}}}");
        assertOk(seen.path("presenceWithUserCount"));
        assertThat(text(seen.path("presenceWithUserCount")))
                .as("two users (one of them with two connections)")
                .isEqualTo("{\"channels\":{\"presence-list\":{\"user_count\":2}}}");
        assertThat(seen.path("userCountWithoutPresencePrefix").path("status").asInt())
                .isEqualTo(400);

        JsonNode presence = seen.path("presenceInfo");
        assertOk(presence);
        assertThat(presence.path("body").path("occupied").asBoolean()).isTrue();
        assertThat(presence.path("body").path("user_count").asInt()).isEqualTo(2);
        assertThat(presence.path("body").path("subscription_count").asInt()).isEqualTo(3);
        assertThat(text(seen.path("publicInfo"))).isEqualTo("{\"occupied\":true,\"subscription_count\":1}");
        assertOk(seen.path("vacantInfo"));
        assertThat(seen.path("vacantInfo").path("body").path("occupied").asBoolean())
                .isFalse();
        assertThat(seen.path("userCountOfPublic").path("status").asInt()).isEqualTo(400);

        assertOk(seen.path("users"));
        assertThat(PusherJsChannelsIT.ids(seen.path("users").path("body").path("users")))
                .containsExactlyInAnyOrder("u-a", "u-b");
        assertThat(seen.path("usersOfPublic").path("status").asInt())
                .as("users of a public channel")
                .isEqualTo(400);
    }

    @Test
    void terminateUserConnectionsAnswers200WithAnEmptyObject() throws Exception {
        JsonNode seen = witness.run("rest.js", "terminate");
        assertOk(seen.path("answer"));
        assertThat(text(seen.path("answer"))).isEqualTo("{}");
    }

    @Test
    void callsForADisabledAppAre403AndForAnUnknownAppId404() throws Exception {
        JsonNode seen = witness.run("rest.js", "disabledAndUnknownApps");
        assertThat(seen.path("disabled").path("status").asInt()).isEqualTo(403);
        assertThat(seen.path("disabledGet").path("status").asInt()).isEqualTo(403);
        assertThat(seen.path("unknown").path("status").asInt()).isEqualTo(404);
    }

    /** Fails until the real RequestAuth replaces the placeholder (which accepts every request). */
    @Test
    void requestsSignedWithAWrongSecretOnEveryEndpointOrAnotherAppsKeyOrForAnotherBodyOrNotAtAllAre401AndDoNothing()
            throws Exception {
        JsonNode seen = witness.run("rest.js", "badSignatures");
        seen.path("wrongSecret")
                .fields()
                .forEachRemaining(
                        call -> assertThat(call.getValue().path("status").asInt())
                                .as("%s with a wrong secret", call.getKey())
                                .isEqualTo(401));
        assertThat(seen.path("wrongSecret").size()).isEqualTo(7);
        for (String call : List.of("otherKeyTrigger", "otherBody", "unsigned")) {
            assertThat(seen.path(call).path("status").asInt()).as(call).isEqualTo(401);
        }
        assertThat(texts(seen.path("received")))
                .as("nothing forged was delivered")
                .containsExactly("pusher:subscription_succeeded", "barrier");
        assertThat(seen.path("receivedAsUser")).as("nor sent to the user").isEmpty();
        assertThat(seen.path("subscriberState").asText())
                .as("nor terminated it")
                .isEqualTo("connected");
    }

    /** Fails until the real RequestAuth replaces the placeholder (which accepts every request). */
    @Test
    void requestsSigned601SecondsAwayAre401AndThoseSigned599SecondsAwayAreAccepted() throws Exception {
        JsonNode seen = witness.run("rest.js", "timestamps");
        JsonNode answers = seen.path("answers");
        assertThat(answers.path("-601").path("status").asInt()).as("601 s old").isEqualTo(401);
        assertThat(answers.path("601").path("status").asInt()).as("601 s ahead").isEqualTo(401);
        assertThat(answers.path("-599").path("status").asInt()).as("599 s old").isEqualTo(200);
        assertThat(answers.path("599").path("status").asInt()).as("599 s ahead").isEqualTo(200);
        assertThat(texts(seen.path("received")))
                .containsExactly("pusher:subscription_succeeded", "at-599", "at599", "barrier");
    }

    @Test
    void eventDataOver10KilobytesIs413AndPublishesNothing() throws Exception {
        JsonNode seen = witness.run("rest.js", "bodyLimit");
        assertOk(seen.path("atLimit"));
        assertThat(seen.path("overLimit").path("status").asInt()).isEqualTo(413);
        assertThat(seen.path("overInBytes").path("status").asInt())
                .as("10,242 bytes in 5,121 characters")
                .isEqualTo(413);
        assertThat(seen.path("batch").path("status").asInt()).isEqualTo(413);
        assertThat(texts(seen.path("received")))
                .as("only the event at the limit, and none of the batch")
                .containsExactly("pusher:subscription_succeeded", "at-limit", "barrier");
        assertThat(seen.path("atLimitLength").get(0).asInt()).isEqualTo(10240);
    }

    private static void assertOk(JsonNode answer) {
        assertThat(answer.path("status").asInt()).as("status of %s", answer).isEqualTo(200);
        assertThat(answer.path("body").isObject())
                .as("a JSON object: %s", answer)
                .isTrue();
    }

    /** The body as the gateway sent it. */
    private static String text(JsonNode answer) {
        return answer.path("text").asText();
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }
}
