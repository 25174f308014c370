package dev.throng.bench.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServerFrameParserTest {

    /** Records what the parser reports. */
    static class Recorder extends ServerFrameParser {
        final List<String> events = new ArrayList<>();

        ParseError feed(ByteBuf in) {
            return consume(in);
        }

        @Override
        protected void onMessage(boolean text, boolean hasStamp, long stamp) {
            events.add((text ? "text" : "binary") + (hasStamp ? " stamp=" + Long.toHexString(stamp) : " no-stamp"));
        }

        @Override
        protected void onPing(ByteBuf payload) {
            events.add("ping " + ByteBufUtil.hexDump(payload));
        }

        @Override
        protected void onPong(ByteBuf payload) {
            events.add("pong " + ByteBufUtil.hexDump(payload));
        }

        @Override
        protected void onClose(int code) {
            events.add("close " + code);
        }
    }

    private final Recorder parser = new Recorder();
    private final List<ByteBuf> buffers = new ArrayList<>();

    private ByteBuf hex(String hex) {
        ByteBuf b = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex.replace(" ", "")));
        buffers.add(b);
        return b;
    }

    @AfterEach
    void release() {
        buffers.forEach(ByteBuf::release);
    }

    @Test
    void readsTheStampOfABinaryMessage() {
        assertThat(parser.feed(hex("820a 0102030405060708 ffff"))).isNull();
        assertThat(parser.events).containsExactly("binary stamp=102030405060708");
    }

    @Test
    void readsTheStampOfATextMessageAsHexDigits() {
        String payload = "00000000deadbeefxx";
        ByteBuf frame = hex("81" + String.format("%02x", payload.length()) + ByteBufUtil.hexDump(payload.getBytes()));
        assertThat(parser.feed(frame)).isNull();
        assertThat(parser.events).containsExactly("text stamp=deadbeef");
    }

    @Test
    void aTextMessageWithoutHexDigitsHasNoStamp() {
        assertThat(parser.feed(hex("8111 68656c6c6f2c20776f726c64212121212121")))
                .isNull();
        assertThat(parser.events).containsExactly("text no-stamp");
    }

    @Test
    void aMessageShorterThanAStampHasNone() {
        assertThat(parser.feed(hex("8203 010203"))).isNull();
        assertThat(parser.events).containsExactly("binary no-stamp");
    }

    @Test
    void readsAStampAcrossFragmentsAndReads() {
        assertThat(parser.feed(hex("0203 010203"))).isNull(); // first fragment, 3 bytes
        ByteBuf rest = hex("8005 0405060708"); // final continuation, arriving in two reads
        ByteBuf first = rest.readRetainedSlice(4);
        buffers.add(first);
        assertThat(parser.feed(first)).isNull();
        assertThat(parser.feed(rest)).isNull();
        assertThat(parser.events).containsExactly("binary stamp=102030405060708");
    }

    @Test
    void leavesAnIncompleteHeaderUnread() {
        ByteBuf in = hex("827e 00");
        assertThat(parser.feed(in)).isNull();
        assertThat(in.readableBytes()).isEqualTo(3);
        assertThat(parser.events).isEmpty();
    }

    @Test
    void leavesAnIncompleteControlFrameUnreadUntilItIsWhole() {
        ByteBuf in = hex("8904 0102");
        assertThat(parser.feed(in)).isNull();
        assertThat(in.readerIndex()).isZero();
        assertThat(parser.feed(hex("8904 01020304"))).isNull();
        assertThat(parser.events).containsExactly("ping 01020304");
    }

    @Test
    void reportsPingsAndPongsBetweenFragmentsOfAMessage() {
        assertThat(parser.feed(hex("0202 0102 8900 8a01 aa 8006 030405060708"))).isNull();
        assertThat(parser.events).containsExactly("ping ", "pong aa", "binary stamp=102030405060708");
    }

    @Test
    void stopsAfterAClose() {
        ByteBuf in = hex("8802 03e8 8900");
        assertThat(parser.feed(in)).isNull();
        assertThat(parser.events).containsExactly("close 1000");
        assertThat(in.readableBytes()).isEqualTo(2);
    }

    @Test
    void aCloseWithoutPayloadHasNoStatus() {
        assertThat(parser.feed(hex("8800"))).isNull();
        assertThat(parser.events).containsExactly("close 1005");
    }

    @Test
    void skipsLargeMessagesWithoutBuffering() {
        ByteBuf header = hex("827f 0000000000010000"); // 65,536 bytes
        assertThat(parser.feed(header)).isNull();
        ByteBuf body = Unpooled.buffer(65_536).writeZero(65_536);
        buffers.add(body);
        assertThat(parser.feed(body)).isNull();
        assertThat(body.readableBytes()).isZero();
        assertThat(parser.events).containsExactly("binary stamp=0");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "rsv-set,            c200",
        "masked-frame,       8280 00000000",
        "reserved-opcode,    8300",
        "reserved-opcode,    8b00",
        "control-too-long,   897e 007e",
        "fragmented-control, 0900",
        "unexpected-continuation, 8000",
        "expected-continuation,   0200 0200",
        "bad-length,         827e 007d",
        "bad-length,         827f 000000000000ffff",
        "bad-length,         827f 8000000000000000",
        "bad-close-payload,  8801 03"
    })
    void reportsEachViolationWithItsIdAndCloseCode(String id, String bytes) {
        ParseError error = parser.feed(hex(bytes));
        assertThat(error).isNotNull();
        assertThat(error.id()).isEqualTo(id);
        assertThat(error.closeCode()).isEqualTo(1002);
    }

    /** Records whole text messages, as the Pusher connection asks for them. */
    static final class WholeTextRecorder extends Recorder {
        @Override
        protected boolean wholeTextMessages() {
            return true;
        }

        @Override
        protected void onText(ByteBuf buf, int from, int to) {
            events.add("whole " + buf.toString(from, to - from, java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void givesATextMessageWholeWhenAskedTo() {
        WholeTextRecorder whole = new WholeTextRecorder();
        assertThat(whole.feed(hex("8105 68656c6c6f 8a00"))).isNull();
        assertThat(whole.events).containsExactly("whole hello", "pong ");
    }

    @Test
    void leavesAWholeTextMessageUnreadUntilAllOfItArrived() {
        WholeTextRecorder whole = new WholeTextRecorder();
        ByteBuf part = hex("8105 68656c");
        assertThat(whole.feed(part)).isNull();
        assertThat(whole.events).isEmpty();
        assertThat(part.readableBytes()).isEqualTo(5);
    }

    @Test
    void aFragmentedTextMessageStillStreamsPastWhenWholeMessagesAreAsked() {
        WholeTextRecorder whole = new WholeTextRecorder();
        assertThat(whole.feed(hex("0102 6869 8001 21"))).isNull();
        assertThat(whole.events).containsExactly("text no-stamp");
    }

    @Test
    void binaryMessagesStreamPastWhenWholeTextIsAsked() {
        WholeTextRecorder whole = new WholeTextRecorder();
        assertThat(whole.feed(hex("820a 0102030405060708 ffff"))).isNull();
        assertThat(whole.events).containsExactly("binary stamp=102030405060708");
    }
}
