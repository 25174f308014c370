package dev.throng.bench.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.throng.core.codec.CloseReason;
import dev.throng.core.codec.FrameLimits;
import dev.throng.core.codec.FrameParser;
import dev.throng.core.codec.FrameSink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Client frames checked by an independent parser: the server's own (throng-core's FrameParser). */
class ClientFramesTest {

    private final List<String> seen = new ArrayList<>();
    private final FrameSink sink = new FrameSink() {
        @Override
        public CloseReason onData(ByteBuf payload, boolean text, boolean first, boolean last, boolean compressed) {
            seen.add((text ? "text " : "binary ")
                    + (text ? payload.toString(StandardCharsets.UTF_8) : ByteBufUtil.hexDump(payload)));
            return null;
        }

        @Override
        public CloseReason onPing(ByteBuf payload) {
            seen.add("ping " + ByteBufUtil.hexDump(payload));
            return null;
        }

        @Override
        public CloseReason onPong(ByteBuf payload) {
            seen.add("pong " + ByteBufUtil.hexDump(payload));
            return null;
        }

        @Override
        public CloseReason onClose(int code, ByteBuf reason) {
            seen.add("close " + code);
            return null;
        }
    };

    private void parse(ByteBuf frame) {
        try {
            assertThat(frame.getByte(1) & 0x80).as("mask bit").isEqualTo(0x80);
            CloseReason verdict = new FrameParser(new FrameLimits(1 << 20, 1 << 20)).parse(frame, sink, false);
            assertThat(verdict).isNull();
            assertThat(frame.isReadable()).isFalse();
        } finally {
            frame.release();
        }
    }

    @Test
    void aTextMessageCarriesTheStampAsHexThenFiller() {
        parse(ClientFrames.stampedMessage(ByteBufAllocator.DEFAULT, true, 20, 0x0123456789abcdefL, 0x5a5a1234));
        assertThat(seen).containsExactly("text 0123456789abcdefxxxx");
    }

    @Test
    void aBinaryMessageCarriesTheStampBigEndianThenZeros() {
        parse(ClientFrames.stampedMessage(ByteBufAllocator.DEFAULT, false, 10, 0x0102030405060708L, -1));
        assertThat(seen).containsExactly("binary 01020304050607080000");
    }

    @ParameterizedTest
    @ValueSource(ints = {125, 126, 65_535, 65_536, 70_000})
    void everyLengthEncodingIsValid(int size) {
        parse(ClientFrames.stampedMessage(ByteBufAllocator.DEFAULT, false, size, 42, 0x01020304));
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0)).hasSize("binary ".length() + 2 * size);
    }

    @Test
    void aPongEchoesThePingPayload() {
        ByteBuf payload = Unpooled.wrappedBuffer(new byte[] {1, 2, 3});
        parse(ClientFrames.pong(ByteBufAllocator.DEFAULT, payload, 0x11223344));
        assertThat(seen).containsExactly("pong 010203");
        assertThat(payload.readableBytes()).as("payload not consumed").isEqualTo(3);
    }

    @Test
    void aPingCarriesTheStamp() {
        parse(ClientFrames.stampedPing(ByteBufAllocator.DEFAULT, 0x0102030405060708L, 7));
        assertThat(seen).containsExactly("ping 0102030405060708");
    }

    @Test
    void aCloseCarriesItsCode() {
        parse(ClientFrames.close(ByteBufAllocator.DEFAULT, 1000, 0xdeadbeef));
        assertThat(seen).containsExactly("close 1000");
    }
}
