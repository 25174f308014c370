package dev.throng.gateway.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.throng.core.fuzz.FuzzMode;
import dev.throng.gateway.auth.ChannelAuth;
import dev.throng.gateway.auth.Hmac;
import dev.throng.gateway.auth.UserAuth;
import dev.throng.gateway.protocol.ClientMessage;
import dev.throng.gateway.protocol.ClientMessage.ClientEvent;
import dev.throng.gateway.protocol.ClientMessage.Invalid;
import dev.throng.gateway.protocol.ClientMessage.Ping;
import dev.throng.gateway.protocol.ClientMessage.Pong;
import dev.throng.gateway.protocol.ClientMessage.Signin;
import dev.throng.gateway.protocol.ClientMessage.Subscribe;
import dev.throng.gateway.protocol.ClientMessage.Unknown;
import dev.throng.gateway.protocol.ClientMessage.Unsubscribe;
import dev.throng.gateway.protocol.ClientMessageParser;
import dev.throng.gateway.protocol.ErrorReply;
import dev.throng.gateway.protocol.PresenceMember;
import dev.throng.gateway.protocol.PusherError;
import dev.throng.gateway.protocol.ServerFrames;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes {@link ClientMessageParser} with any bytes as a client's text frame (decoded as UTF-8, as the engine hands
 * frames over; invalid bytes become U+FFFD, which the engine would have refused anyway).
 *
 * <p>Checks, for every input and two parsers (the defaults, and small limits the fuzzer reaches easily): nothing
 * escapes {@code parse} but a message; what it returns stays within the limits; an {@link Invalid} never closes the
 * connection; {@link ServerFrames} (and the signature checks) can encode whatever it returned, as strict JSON and
 * valid UTF-8; and what a message carries survives the round trip: written back as a client frame, it is read as the
 * same message.
 */
class ClientMessageFuzzTest {
    @BeforeAll
    static void configureJazzer() {
        FuzzMode.configure();
    }

    private static final ClientMessageParser DEFAULTS = new ClientMessageParser();
    /** Small limits, so the fuzzer reaches them. */
    private static final ClientMessageParser SMALL =
            new ClientMessageParser(new ClientMessageParser.Limits(4, 16, 16, 64));

    private static final Hmac HMAC = new Hmac("7ad3773142a6692b25b8");
    private static final ChannelAuth CHANNEL_AUTH = new ChannelAuth("278d425bdf160c739803", HMAC);
    private static final UserAuth USER_AUTH = new UserAuth("278d425bdf160c739803", HMAC);
    /** Strict: one value, no duplicate names; a frame the gateway writes must pass. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    @FuzzTest(maxDuration = "60s")
    void parsesAnyFrameIntoAMessageOrAnError(byte[] data) throws Throwable {
        FuzzMode.run(() -> check(new String(data, StandardCharsets.UTF_8)));
    }

    private static void check(String text) throws JsonProcessingException {
        for (ClientMessageParser parser : List.of(DEFAULTS, SMALL)) {
            ClientMessage message = parser.parse(text);
            assertThat(message).as("what parse returned").isNotNull();
            checkWithinLimits(message, parser.limits());
            for (String frame : encode(message)) {
                checkIsStrictJson(frame);
            }
            checkRoundTrip(message);
        }
    }

    private static void checkWithinLimits(ClientMessage message, ClientMessageParser.Limits limits) {
        if (message instanceof Subscribe s) {
            assertThat(s.channel().length()).isLessThanOrEqualTo(limits.maxNameLength());
            assertThat(s.auth() == null ? 0 : s.auth().length()).isLessThanOrEqualTo(limits.maxAuthLength());
            assertThat(s.channelData() == null ? 0 : s.channelData().length())
                    .isLessThanOrEqualTo(limits.maxDataLength());
        } else if (message instanceof Unsubscribe u) {
            assertThat(u.channel().length()).isLessThanOrEqualTo(limits.maxNameLength());
        } else if (message instanceof Signin s) {
            assertThat(s.auth().length()).isLessThanOrEqualTo(limits.maxAuthLength());
            assertThat(s.userData().length()).isLessThanOrEqualTo(limits.maxDataLength());
        } else if (message instanceof ClientEvent e) {
            assertThat(e.event()).startsWith("client-");
            assertThat(e.event().length()).isLessThanOrEqualTo(limits.maxNameLength());
            assertThat(e.channel().length()).isLessThanOrEqualTo(limits.maxNameLength());
            assertThat(e.data().length()).isLessThanOrEqualTo(limits.maxDataLength());
        } else if (message instanceof Unknown u) {
            assertThat(u.event()).doesNotStartWith("client-");
            assertThat(u.event().length()).isLessThanOrEqualTo(limits.maxNameLength());
        } else if (message instanceof Invalid i) {
            assertThat(i.error().closes())
                    .as("a bad frame never closes the connection")
                    .isFalse();
        } else {
            assertThat(message).isIn(Ping.INSTANCE, Pong.INSTANCE);
        }
    }

    /** Every frame the gateway could send in answer, and the signature checks it would run. */
    private static List<String> encode(ClientMessage message) {
        List<String> frames = new ArrayList<>();
        if (message instanceof Ping) {
            frames.add(ServerFrames.pong());
        } else if (message instanceof Pong) {
            frames.add(ServerFrames.ping());
        } else if (message instanceof Subscribe s) {
            frames.add(ServerFrames.subscriptionSucceeded(s.channel()));
            frames.add(ServerFrames.cacheMiss(s.channel()));
            frames.add(ServerFrames.memberRemoved(
                    s.channel(), PresenceMember.withStringId(s.channel(), null).userIdJson()));
            if (s.channelData() != null) {
                frames.add(ServerFrames.channelEvent("client-x", s.channel(), s.channelData(), s.auth()));
            }
            addIfRefused(frames, CHANNEL_AUTH.verify("1234.1234", s.channel(), s.auth(), s.channelData()));
        } else if (message instanceof Unsubscribe u) {
            frames.add(PusherError.NO_SUBSCRIPTION.frame(u.channel()));
            frames.add(PusherError.INVALID_CHANNEL_NAME.frame(u.channel()));
        } else if (message instanceof Signin s) {
            frames.add(ServerFrames.signinSuccess(s.userData()));
            addIfRefused(frames, USER_AUTH.verify("1234.1234", s.auth(), s.userData()));
        } else if (message instanceof ClientEvent e) {
            frames.add(ServerFrames.channelEvent(e.event(), e.channel(), e.data(), null));
            frames.add(ServerFrames.channelEvent(e.event(), e.channel(), e.data(), e.channel()));
        } else if (message instanceof Unknown u) {
            frames.add(PusherError.UNSUPPORTED_EVENT.frame(u.event()));
        } else if (message instanceof Invalid i) {
            frames.add(i.reply().frame());
        }
        return frames;
    }

    private static void addIfRefused(List<String> frames, ErrorReply refused) {
        if (refused != null) {
            frames.add(refused.frame());
        }
    }

    private static void checkIsStrictJson(String frame) throws JsonProcessingException {
        assertThat(isValidUtf16(frame)).as("frame %s encodes as UTF-8", frame).isTrue();
        JsonNode node = JSON.readTree(frame);
        assertThat(node.isObject()).as("frame %s is an object", frame).isTrue();
        assertThat(node.get("event").isTextual())
                .as("frame %s has an event", frame)
                .isTrue();
        assertThat(node.has("data")).as("frame %s has data", frame).isTrue();
    }

    /**
     * Written back as a client would send it, the message reads the same (with the default limits: the frame written
     * back may be longer than the one read, with fields the original left out).
     */
    private static void checkRoundTrip(ClientMessage message) throws JsonProcessingException {
        String frame;
        if (message instanceof Subscribe s) {
            frame = "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":" + quote(s.channel()) + ",\"auth\":"
                    + quote(s.auth()) + ",\"channel_data\":" + quote(s.channelData()) + "}}";
        } else if (message instanceof Unsubscribe u) {
            frame = "{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":" + quote(u.channel()) + "}}";
        } else if (message instanceof Signin s) {
            frame = "{\"event\":\"pusher:signin\",\"data\":{\"auth\":" + quote(s.auth()) + ",\"user_data\":"
                    + quote(s.userData()) + "}}";
        } else if (message instanceof ClientEvent e) {
            // The fan-out frame is a client event frame too: data a string, passed on as it is.
            frame = ServerFrames.channelEvent(e.event(), e.channel(), e.data(), null);
        } else {
            return;
        }
        assertThat(DEFAULTS.parse(frame))
                .as("%s written back as %s", message, frame)
                .isEqualTo(message);
    }

    private static String quote(String s) throws JsonProcessingException {
        return JSON.writeValueAsString(s);
    }

    private static boolean isValidUtf16(String s) {
        try {
            StandardCharsets.UTF_8
                    .newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
