package dev.throng.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.throng.gateway.app.AppLimits;
import dev.throng.gateway.protocol.ClientMessage.ClientEvent;
import dev.throng.gateway.protocol.ClientMessage.Invalid;
import dev.throng.gateway.protocol.ClientMessage.Ping;
import dev.throng.gateway.protocol.ClientMessage.Pong;
import dev.throng.gateway.protocol.ClientMessage.Signin;
import dev.throng.gateway.protocol.ClientMessage.Subscribe;
import dev.throng.gateway.protocol.ClientMessage.Unknown;
import dev.throng.gateway.protocol.ClientMessage.Unsubscribe;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Frames as pusher-js 8.6, the Java client, the Swift client and others send them, each to the message it is; and
 * malformed frames, each to the pusher:error it gets. Frames are written with single quotes for readability ('
 * becomes ").
 */
class ClientMessageParserTest {
    private static final String PRIVATE_AUTH =
            "278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4";
    private static final String PRESENCE_AUTH =
            "278d425bdf160c739803:afaed3695da2ffd16931f457e338e6c9f2921fa133ce7dac49f529792be6304c";
    private static final String SIGNIN_AUTH =
            "278d425bdf160c739803:4708d583dada6a56435fb8bc611c77c359a31eebde13337c16ab43aa6de336ba";

    private final ClientMessageParser parser = new ClientMessageParser();

    /** {@code '} → {@code "}, so frames read like JSON; a real {@code '} is written {@code \u0027}. */
    private static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    static Stream<Arguments> validFrames() {
        return Stream.of(
                Arguments.of("pusher-js ping", json("{'event':'pusher:ping','data':{}}"), Ping.INSTANCE),
                Arguments.of("ping with data as a string", json("{'event':'pusher:ping','data':'{}'}"), Ping.INSTANCE),
                Arguments.of("Java client ping, no data", json("{'event': 'pusher:ping'}"), Ping.INSTANCE),
                Arguments.of(
                        "ping with odd data", json("{'event':'pusher:ping','data':[1,{'a':null}]}"), Ping.INSTANCE),
                Arguments.of("pusher-js pong", json("{'event':'pusher:pong','data':{}}"), Pong.INSTANCE),
                Arguments.of(
                        "pusher-js public subscribe",
                        json("{'event':'pusher:subscribe','data':{'auth':'','channel':'my-channel'}}"),
                        new Subscribe("my-channel", "", null)),
                Arguments.of(
                        "Java client public subscribe, no auth",
                        json("{'event':'pusher:subscribe','data':{'channel':'my-channel'}}"),
                        new Subscribe("my-channel", null, null)),
                Arguments.of(
                        "Swift client subscribe, data first",
                        json("{'data':{'channel':'my-channel'},'event':'pusher:subscribe'}"),
                        new Subscribe("my-channel", null, null)),
                Arguments.of(
                        "erlpusher subscribe, with spaces",
                        json("{'event': 'pusher:subscribe', 'data': {'channel': 'my-channel'} }"),
                        new Subscribe("my-channel", null, null)),
                Arguments.of(
                        "pusher-js private subscribe",
                        json("{'event':'pusher:subscribe','data':{'auth':'" + PRIVATE_AUTH
                                + "','channel':'private-foobar'}}"),
                        new Subscribe("private-foobar", PRIVATE_AUTH, null)),
                Arguments.of(
                        "pusher-js presence subscribe, channel_data a string kept exactly",
                        json("{'event':'pusher:subscribe','data':{'auth':'" + PRESENCE_AUTH + "','channel_data':"
                                + "'{\\'user_id\\':10,\\'user_info\\':{\\'name\\':\\'Mr. Pusher\\'}}',"
                                + "'channel':'presence-foobar'}}"),
                        new Subscribe(
                                "presence-foobar",
                                PRESENCE_AUTH,
                                json("{'user_id':10,'user_info':{'name':'Mr. Pusher'}}"))),
                Arguments.of(
                        "subscribe whose data is a string holding the object (Reverb accepts it)",
                        json(
                                "{'event':'pusher:subscribe','data':'{\\'channel\\':\\'my-channel\\',\\'auth\\':\\'\\'}'}"),
                        new Subscribe("my-channel", "", null)),
                Arguments.of(
                        "subscribe with null for the optional fields",
                        json("{'event':'pusher:subscribe','data':{'channel':'c','auth':null,'channel_data':null}}"),
                        new Subscribe("c", null, null)),
                Arguments.of(
                        "subscribe with fields the gateway does not read",
                        json(
                                "{'event':'pusher:subscribe','data':{'channel':'c','shared_secret':'x','more':[{'a':[1]}]}}"),
                        new Subscribe("c", null, null)),
                Arguments.of(
                        "subscribe to the server-to-user channel after a sign-in",
                        json("{'event':'pusher:subscribe','data':{'auth':'','channel':'#server-to-user-12345'}}"),
                        new Subscribe("#server-to-user-12345", "", null)),
                Arguments.of(
                        "pusher-js unsubscribe",
                        json("{'event':'pusher:unsubscribe','data':{'channel':'my-channel'}}"),
                        new Unsubscribe("my-channel")),
                Arguments.of(
                        "pusher-js signin, user_data a string kept exactly",
                        json("{'event':'pusher:signin','data':{'auth':'" + SIGNIN_AUTH + "',"
                                + "'user_data':'{\\'id\\':\\'12345\\'}'}}"),
                        new Signin(SIGNIN_AUTH, json("{'id':'12345'}"))),
                Arguments.of(
                        "pusher-js client event, data an object, kept as its JSON text",
                        json("{'event':'client-typing','data':{'your':'data'},'channel':'private-chat'}"),
                        new ClientEvent("client-typing", "private-chat", json("{'your':'data'}"))),
                Arguments.of(
                        "client event whose data has every kind of value and spaces, made compact, numbers as written",
                        json(
                                "{'event':'client-x','data':{ 'a' : [1, 2.50, -0, 1e3, 1E-7, true, false, null, 's'] , 'b':{} ,"
                                        + " 'c':[] },'channel':'presence-c'}"),
                        new ClientEvent(
                                "client-x",
                                "presence-c",
                                json("{'a':[1,2.50,-0,1e3,1E-7,true,false,null,'s'],'b':{},'c':[]}"))),
                Arguments.of(
                        "Java client event, channel before data, data a string passed on as it is",
                        json("{'event':'client-x','channel':'private-c','data':'{\\'a\\':1}'}"),
                        new ClientEvent("client-x", "private-c", json("{'a':1}"))),
                Arguments.of(
                        "Swift client event, data first",
                        json("{'data':{'a':1},'channel':'private-c','event':'client-x'}"),
                        new ClientEvent("client-x", "private-c", json("{'a':1}"))),
                Arguments.of(
                        "client event without data",
                        json("{'event':'client-x','channel':'private-c'}"),
                        new ClientEvent("client-x", "private-c", "null")),
                Arguments.of(
                        "client event with data null",
                        json("{'event':'client-x','channel':'private-c','data':null}"),
                        new ClientEvent("client-x", "private-c", "null")),
                Arguments.of(
                        "client event with a number",
                        json("{'event':'client-x','channel':'private-c','data':5}"),
                        new ClientEvent("client-x", "private-c", "5")),
                Arguments.of(
                        "client event with an array",
                        json("{'event':'client-x','channel':'private-c','data':[ 1 ,2]}"),
                        new ClientEvent("client-x", "private-c", "[1,2]")),
                Arguments.of(
                        "client event whose data holds escapes: read, then written the way JSON.stringify does",
                        json("{'event':'client-x','channel':'private-c',"
                                + "'data':{'m':'a\\nb \\'q\\' \\u00e9 \\ud83d\\ude00 \\/'}}"),
                        new ClientEvent("client-x", "private-c", json("{'m':'a\\nb \\'q\\' \u00e9 \ud83d\ude00 /'}"))),
                Arguments.of(
                        "an event from the server's side",
                        json("{'event':'pusher_internal:subscription_succeeded'," + "'data':'{}'}"),
                        new Unknown("pusher_internal:subscription_succeeded")),
                Arguments.of(
                        "an event that is no client event",
                        json("{'event':'my-event','channel':'c','data':{}}"),
                        new Unknown("my-event")),
                Arguments.of("an empty event name", json("{'event':''}"), new Unknown("")),
                Arguments.of(
                        "fields the gateway does not read, at the top",
                        json("{'event':'pusher:ping','data':{},'extra':[{'x':[1]}],'socket_id':'1.2'}"),
                        Ping.INSTANCE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validFrames")
    void readsWhatClientsSend(String what, String frame, ClientMessage expected) {
        assertThat(parser.parse(frame)).isEqualTo(expected);
    }

    @Test
    void keepsChannelDataExactlyAsSentWithItsEscapes() {
        // The app signed these bytes: \u00e9 as six characters, the spaces, the key order.
        String channelData = "{ \"user_id\" : \"\\u00e9\", \"user_info\":{\"b\":1,\"a\":2} }";
        String frame = "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"presence-x\",\"auth\":\"k:s\","
                + "\"channel_data\":" + JsonText.quote(channelData) + "}}";

        assertThat(parser.parse(frame)).isEqualTo(new Subscribe("presence-x", "k:s", channelData));
    }

    @Test
    void keepsChannelDataExactlyWhenTheDataObjectComesFirst() {
        String channelData = "{\"user_id\":\"x\\\"y\",\"user_info\":\"\\ud800\"}";
        String frame = "{\"data\":{\"channel_data\":" + JsonText.quote(channelData) + ",\"channel\":\"presence-x\","
                + "\"auth\":\"k:s\"},\"event\":\"pusher:subscribe\"}";

        assertThat(parser.parse(frame)).isEqualTo(new Subscribe("presence-x", "k:s", channelData));
    }

    @Test
    void readsAnUnpairedSurrogateEscapeAndGivesItBackEscaped() {
        String frame = "{\"event\":\"client-x\",\"channel\":\"private-c\",\"data\":{\"m\":\"\\ud800\"}}";

        ClientEvent event = (ClientEvent) parser.parse(frame);

        assertThat(event.data()).isEqualTo("{\"m\":\"\\ud800\"}");
    }

    static Stream<Arguments> malformedFrames() {
        String deep10 = json("{'event':'client-x','channel':'private-c','data':" + "[".repeat(9) + "]".repeat(9) + "}");
        return Stream.of(
                Arguments.of("an empty frame", "", PusherError.INVALID_JSON),
                Arguments.of("only spaces", "   ", PusherError.INVALID_JSON),
                Arguments.of("not JSON", "hello", PusherError.INVALID_JSON),
                Arguments.of("an object cut short", json("{'event':'pusher:ping'"), PusherError.INVALID_JSON),
                Arguments.of("a string cut short", json("{'event':'pusher:pi"), PusherError.INVALID_JSON),
                Arguments.of("a brace too many", json("{'event':'pusher:ping'}}"), PusherError.INVALID_JSON),
                Arguments.of("two objects", json("{'event':'pusher:ping'} {}"), PusherError.INVALID_JSON),
                Arguments.of("a trailing comma", json("{'event':'pusher:ping',}"), PusherError.INVALID_JSON),
                Arguments.of("single quotes", "{'event':'pusher:ping'}", PusherError.INVALID_JSON),
                Arguments.of("a comment", json("{'event':'pusher:ping'} // hi"), PusherError.INVALID_JSON),
                Arguments.of("an unquoted name", json("{event:'pusher:ping'}"), PusherError.INVALID_JSON),
                Arguments.of(
                        "a raw control character in a string", "{\"event\":\"a\u0001\"}", PusherError.INVALID_JSON),
                Arguments.of(
                        "a leading zero",
                        json("{'event':'client-x','channel':'c','data':01}"),
                        PusherError.INVALID_JSON),
                Arguments.of("NaN", json("{'event':'client-x','channel':'c','data':NaN}"), PusherError.INVALID_JSON),
                Arguments.of(
                        "a number of 2000 digits (Jackson's own limit)",
                        json("{'event':'client-x','channel':'c','data':" + "1".repeat(2000) + "}"),
                        PusherError.INVALID_JSON),
                Arguments.of("an array", "[]", PusherError.INVALID_MESSAGE),
                Arguments.of("a string", json("'pusher:ping'"), PusherError.INVALID_MESSAGE),
                Arguments.of("null", "null", PusherError.INVALID_MESSAGE),
                Arguments.of("no event", "{}", PusherError.INVALID_MESSAGE),
                Arguments.of("a number for event", json("{'event':5}"), PusherError.INVALID_MESSAGE),
                Arguments.of("null for event", json("{'event':null}"), PusherError.INVALID_MESSAGE),
                Arguments.of("an object for event", json("{'event':{'a':1}}"), PusherError.INVALID_MESSAGE),
                Arguments.of(
                        "event twice", json("{'event':'pusher:ping','event':'client-x'}"), PusherError.INVALID_MESSAGE),
                Arguments.of(
                        "data twice", json("{'event':'pusher:ping','data':{},'data':{}}"), PusherError.INVALID_MESSAGE),
                Arguments.of(
                        "channel twice",
                        json("{'event':'client-x','channel':'a','channel':'b'}"),
                        PusherError.INVALID_MESSAGE),
                Arguments.of(
                        "subscribe without data", json("{'event':'pusher:subscribe'}"), PusherError.INVALID_MESSAGE),
                Arguments.of(
                        "subscribe without a channel",
                        json("{'event':'pusher:subscribe','data':{'auth':''}}"),
                        PusherError.INVALID_MESSAGE),
                Arguments.of(
                        "subscribe with data an array",
                        json("{'event':'pusher:subscribe','data':[]}"),
                        PusherError.INVALID_MESSAGE),
                Arguments.of(
                        "subscribe with data null",
                        json("{'event':'pusher:subscribe','data':null}"),
                        PusherError.INVALID_MESSAGE),
                Arguments.of(
                        "subscribe with data a string holding no JSON",
                        json("{'event':'pusher:subscribe','data':'channel=x'}"),
                        PusherError.INVALID_JSON),
                Arguments.of(
                        "subscribe with data a string holding an array",
                        json("{'event':'pusher:subscribe','data':'[1]'}"),
                        PusherError.INVALID_MESSAGE),
                Arguments.of(
                        "subscribe with data a string holding an empty string",
                        json("{'event':'pusher:subscribe','data':''}"),
                        PusherError.INVALID_MESSAGE),
                Arguments.of(
                        "subscribe with data a string holding more than an object",
                        json("{'event':'pusher:subscribe','data':'{\\'channel\\':\\'c\\'} 1'}"),
                        PusherError.INVALID_JSON),
                Arguments.of(
                        "subscribe to a channel given as a number",
                        json("{'event':'pusher:subscribe','data':{'channel':5}}"),
                        PusherError.INVALID_MESSAGE),
                Arguments.of(
                        "subscribe with the channel twice",
                        json("{'event':'pusher:subscribe','data':{'channel':'a','channel':'b'}}"),
                        PusherError.INVALID_MESSAGE),
                Arguments.of(
                        "subscribe with channel_data an object (its exact text cannot be signed)",
                        json(
                                "{'event':'pusher:subscribe','data':{'channel':'presence-c','channel_data':{'user_id':1}}}"),
                        PusherError.INVALID_MESSAGE),
                Arguments.of(
                        "subscribe with auth a number",
                        json("{'event':'pusher:subscribe','data':{'channel':'private-c','auth':1}}"),
                        PusherError.INVALID_MESSAGE),
                Arguments.of(
                        "unsubscribe without a channel",
                        json("{'event':'pusher:unsubscribe','data':{}}"),
                        PusherError.INVALID_MESSAGE),
                Arguments.of(
                        "signin without user_data",
                        json("{'event':'pusher:signin','data':{'auth':'k:s'}}"),
                        PusherError.INVALID_MESSAGE),
                Arguments.of(
                        "signin without auth",
                        json("{'event':'pusher:signin','data':{'user_data':'{}'}}"),
                        PusherError.INVALID_MESSAGE),
                Arguments.of(
                        "signin with user_data an object",
                        json("{'event':'pusher:signin','data':{'auth':'k:s','user_data':{'id':'1'}}}"),
                        PusherError.INVALID_MESSAGE),
                Arguments.of(
                        "client event without a channel",
                        json("{'event':'client-x','data':{}}"),
                        PusherError.INVALID_MESSAGE),
                Arguments.of(
                        "client event with channel null",
                        json("{'event':'client-x','channel':null,'data':{}}"),
                        PusherError.INVALID_MESSAGE),
                Arguments.of(
                        "client event with a channel that is no string",
                        json("{'event':'client-x','channel':['private-c'],'data':{}}"),
                        PusherError.INVALID_MESSAGE),
                Arguments.of(
                        "client event data nested 11 levels deep",
                        deep10.replace("[]", "[[]]"),
                        PusherError.MESSAGE_TOO_DEEP),
                Arguments.of(
                        "a field the gateway skips nested 11 levels deep",
                        json("{'event':'pusher:ping','x':" + "{'a':".repeat(10) + "1" + "}".repeat(10) + "}"),
                        PusherError.MESSAGE_TOO_DEEP),
                Arguments.of(
                        "subscribe data given as a string, nested 11 levels deep",
                        json("{'event':'pusher:subscribe','data':'{\\'channel\\':\\'c\\',\\'x\\':" + "[".repeat(9)
                                + "]".repeat(9) + "}'}"),
                        PusherError.MESSAGE_TOO_DEEP),
                Arguments.of(
                        "a hundred thousand open brackets",
                        json("{'event':'client-x','channel':'c','data':") + "[".repeat(100_000),
                        PusherError.MESSAGE_TOO_DEEP),
                Arguments.of(
                        "an event name of 201 characters",
                        json("{'event':'client-" + "x".repeat(194) + "'}"),
                        PusherError.FIELD_TOO_LONG),
                Arguments.of(
                        "a channel name of 201 characters",
                        json("{'event':'client-x','channel':'" + "c".repeat(201) + "','data':{}}"),
                        PusherError.FIELD_TOO_LONG),
                Arguments.of(
                        "a subscribe channel name of 201 characters",
                        json("{'event':'pusher:subscribe','data':{'channel':'" + "c".repeat(201) + "'}}"),
                        PusherError.FIELD_TOO_LONG),
                Arguments.of(
                        "an auth of 257 characters",
                        json("{'event':'pusher:subscribe','data':{'channel':'private-c','auth':'" + "a".repeat(257)
                                + "'}}"),
                        PusherError.FIELD_TOO_LONG),
                Arguments.of(
                        "client event data, a string over 32 KiB",
                        json("{'event':'client-x','channel':'c','data':'" + "d".repeat(32 * 1024 + 1) + "'}"),
                        PusherError.FIELD_TOO_LONG),
                Arguments.of(
                        "client event data, an object over 32 KiB",
                        json("{'event':'client-x','channel':'c','data':{'d':'" + "d".repeat(32 * 1024) + "'}}"),
                        PusherError.FIELD_TOO_LONG),
                Arguments.of(
                        "client event data, an array over 32 KiB of small items",
                        json("{'event':'client-x','channel':'c','data':[" + "0,".repeat(20_000) + "0]}"),
                        PusherError.FIELD_TOO_LONG));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedFrames")
    void answersAMalformedFrameWithItsError(String what, String frame, PusherError error) {
        ClientMessage message = parser.parse(frame);

        assertThat(message).isInstanceOf(Invalid.class);
        assertThat(((Invalid) message).error()).isEqualTo(error);
        assertThat(error.closes())
                .as("a bad frame costs an error message, not the connection")
                .isFalse();
    }

    @Test
    void acceptsDataNestedTenLevelsDeep() {
        String frame =
                "{\"event\":\"client-x\",\"channel\":\"private-c\",\"data\":" + "[".repeat(9) + "]".repeat(9) + "}";

        assertThat(parser.parse(frame))
                .isEqualTo(new ClientEvent("client-x", "private-c", "[".repeat(9) + "]".repeat(9)));
    }

    @Test
    void acceptsAnEventNameOf200Characters() {
        String event = "client-" + "x".repeat(193);

        assertThat(parser.parse("{\"event\":\"" + event + "\",\"channel\":\"c\"}"))
                .isEqualTo(new ClientEvent(event, "c", "null"));
    }

    @Test
    void acceptsClientEventDataOf32KiB() {
        String data = "d".repeat(32 * 1024);

        assertThat(parser.parse("{\"event\":\"client-x\",\"channel\":\"c\",\"data\":\"" + data + "\"}"))
                .isEqualTo(new ClientEvent("client-x", "c", data));
    }

    @Test
    void namesTheProblemInTheErrorMessage() {
        Invalid tooDeep =
                (Invalid) parser.parse("{\"event\":\"client-x\",\"channel\":\"c\",\"data\":" + "[".repeat(20));
        Invalid noChannel = (Invalid) parser.parse("{\"event\":\"client-x\",\"data\":{}}");
        Invalid tooLong = (Invalid) parser.parse("{\"event\":\"client-x\",\"channel\":\"" + "c".repeat(300) + "\"}");

        assertThat(tooDeep.reply().message()).isEqualTo("Invalid message: nested deeper than 10 levels");
        assertThat(noChannel.reply().message()).isEqualTo("Invalid message: a client event needs a channel");
        assertThat(tooLong.reply().message()).isEqualTo("Invalid message: channel longer than 200 characters");
    }

    @Test
    void describesInvalidJsonBrieflyWithWhereItFailed() {
        Invalid invalid = (Invalid) parser.parse("{\"event\":" + "x".repeat(500) + "}");

        assertThat(invalid.reply().message()).startsWith("Invalid JSON: ").contains("(at character ");
        assertThat(invalid.reply().message().length()).isLessThan(200);
    }

    @Test
    void answersEveryCutOfAValidFrameWithoutThrowing() {
        String frame = "{\"event\":\"pusher:subscribe\",\"data\":{\"auth\":\"" + PRESENCE_AUTH + "\",\"channel_data\":"
                + "\"{\\\"user_id\\\":10,\\\"user_info\\\":{\\\"name\\\":\\\"Mr. Pusher\\\"}}\","
                + "\"channel\":\"presence-foobar\"}}";

        for (int end = 0; end < frame.length(); end++) {
            assertThat(parser.parse(frame.substring(0, end)))
                    .as("cut at %d", end)
                    .isInstanceOf(Invalid.class);
        }
        assertThat(parser.parse(frame)).isInstanceOf(Subscribe.class);
    }

    @Test
    void widensItsLimitsToAnAppsLongerNamesAndLargerData() {
        AppLimits roomy = new AppLimits(64 * 1024, 300, 250, 100, 10, 100, 1024, 128, 10, 100);

        ClientMessageParser.Limits limits = ClientMessageParser.Limits.of(roomy);

        assertThat(limits.maxNameLength()).isEqualTo(300);
        assertThat(limits.maxDataLength()).isEqualTo(64 * 1024);
        assertThat(ClientMessageParser.Limits.of(AppLimits.PUSHER)).isEqualTo(ClientMessageParser.Limits.DEFAULTS);
    }

    @Test
    void appliesTheLimitsItIsGiven() {
        ClientMessageParser small = new ClientMessageParser(new ClientMessageParser.Limits(3, 10, 10, 20));

        assertThat(small.parse("{\"event\":\"client-x\",\"channel\":\"c\",\"data\":[[]]}"))
                .isEqualTo(new ClientEvent("client-x", "c", "[[]]"));
        assertThat(((Invalid) small.parse("{\"event\":\"client-x\",\"channel\":\"c\",\"data\":[[[]]]}")).error())
                .isEqualTo(PusherError.MESSAGE_TOO_DEEP);
        assertThat(((Invalid) small.parse("{\"event\":\"client-xyzab\",\"channel\":\"c\"}")).error())
                .isEqualTo(PusherError.FIELD_TOO_LONG);
        assertThat(((Invalid) small.parse("{\"event\":\"client-x\",\"channel\":\"c\",\"data\":[1,2,3,4,5,6,7,8,9,10]}"))
                        .error())
                .isEqualTo(PusherError.FIELD_TOO_LONG);
    }
}
