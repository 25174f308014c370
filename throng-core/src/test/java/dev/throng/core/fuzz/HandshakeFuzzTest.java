package dev.throng.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.throng.core.ServerConfig;
import dev.throng.core.codec.TrackingAllocator;
import dev.throng.core.handshake.DeflateAgreement;
import dev.throng.core.handshake.DeflateNegotiator;
import dev.throng.core.handshake.RequestHead;
import dev.throng.core.handshake.UpgradeOutcome;
import dev.throng.core.handshake.UpgradeValidator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes the opening handshake: arbitrary bytes through Netty's {@link HttpRequestDecoder} with the production limits,
 * every decoded request through {@link UpgradeValidator} under a few configurations, and arbitrary
 * Sec-WebSocket-Extensions values through {@link DeflateNegotiator}. Nothing may throw, and every answer must be one
 * the server can send.
 */
class HandshakeFuzzTest {
    @BeforeAll
    static void configureJazzer() {
        FuzzMode.configure();
    }

    private static final List<UpgradeValidator> VALIDATORS = List.of(
            new UpgradeValidator(ServerConfig.builder().build()),
            new UpgradeValidator(ServerConfig.builder()
                    .path("/ws")
                    .allowedOrigins(Set.of("https://example.com"))
                    .subprotocols(List.of("chat.v2", "chat.v1"))
                    .build()),
            new UpgradeValidator(ServerConfig.builder().compression(false).build()));

    @FuzzTest(maxDuration = "60s")
    void decodesAndValidatesArbitraryRequests(byte[] data) throws Throwable {
        FuzzMode.run(() -> decodeAndValidate(data));
    }

    private static void decodeAndValidate(byte[] data) {
        TrackingAllocator alloc = new TrackingAllocator();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(alloc);
        // The production decoder: ServerConfig's defaults for the request line and header block.
        channel.pipeline()
                .addLast(new HttpRequestDecoder(new HttpDecoderConfig()
                        .setMaxInitialLineLength(4096)
                        .setMaxHeaderSize(8192)
                        .setInitialBufferSize(512)));
        try {
            // Two reads, split in the middle, as a request often arrives.
            int half = data.length / 2;
            channel.writeInbound(alloc.heapBuffer(half).writeBytes(data, 0, half));
            channel.writeInbound(alloc.heapBuffer(data.length - half).writeBytes(data, half, data.length - half));
            Object msg;
            while ((msg = channel.readInbound()) != null) {
                try {
                    if (msg instanceof HttpRequest request) {
                        for (UpgradeValidator validator : VALIDATORS) {
                            check(validator.validate(request));
                        }
                    }
                } finally {
                    ReferenceCountUtil.release(msg);
                }
            }
        } finally {
            channel.finishAndReleaseAll();
        }
        assertThat(alloc.live).as("buffers not released").isZero();
    }

    /**
     * Differential: the lean connections' own {@link RequestHead} parser against Netty's decoder on the same bytes.
     * RequestHead may refuse what Netty accepts (it is stricter about obs-fold, stray CRs and odd versions), but what
     * it accepts Netty must accept the same way: method, target, version and every header, in order. Bytes split
     * anywhere give the same result as in one piece.
     */
    @FuzzTest(maxDuration = "60s")
    void parsesRequestHeadsAsNettysDecoderDoes(byte[] data) throws Throwable {
        FuzzMode.run(() -> compareWithNetty(data));
    }

    private static void compareWithNetty(byte[] data) {
        ByteBuf whole = Unpooled.wrappedBuffer(data);
        HttpRequest ours = RequestHead.parse(whole, 4096, 8192);
        int rest = whole.readableBytes();
        if (ours == null) {
            return; // incomplete: nothing to compare
        }
        // The same bytes a few at a time, as a slow client sends them: the same verdict at the same point.
        int split = data.length / 3;
        ByteBuf pieces = Unpooled.buffer();
        HttpRequest piecewise = null;
        for (int from = 0; from < data.length && piecewise == null; from += Math.max(1, split)) {
            pieces.writeBytes(data, from, Math.min(Math.max(1, split), data.length - from));
            piecewise = RequestHead.parse(pieces, 4096, 8192);
        }
        assertThat(piecewise).as("parsed in pieces").isNotNull();
        assertThat(piecewise.decoderResult().isSuccess())
                .isEqualTo(ours.decoderResult().isSuccess());
        if (!ours.decoderResult().isSuccess()) {
            return;
        }
        assertThat(piecewise.uri()).isEqualTo(ours.uri());
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestDecoder(new HttpDecoderConfig()
                .setMaxInitialLineLength(4096)
                .setMaxHeaderSize(8192)
                .setInitialBufferSize(512)));
        try {
            channel.writeInbound(Unpooled.wrappedBuffer(data, 0, data.length - rest));
            Object msg = channel.readInbound();
            assertThat(msg).as("Netty decodes what RequestHead accepted").isInstanceOf(HttpRequest.class);
            HttpRequest netty = (HttpRequest) msg;
            try {
                assertThat(netty.decoderResult().isSuccess())
                        .as("Netty's verdict: %s", netty.decoderResult())
                        .isTrue();
                assertThat(ours.method()).isEqualTo(netty.method());
                assertThat(ours.uri()).isEqualTo(netty.uri());
                assertThat(ours.protocolVersion()).isEqualTo(netty.protocolVersion());
                assertThat(fields(ours)).isEqualTo(fields(netty));
            } finally {
                ReferenceCountUtil.release(msg);
            }
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    private static List<String> fields(HttpRequest request) {
        List<String> fields = new ArrayList<>();
        request.headers().forEach(e -> fields.add(e.getKey() + ": " + e.getValue()));
        return fields;
    }

    @FuzzTest(maxDuration = "60s")
    void negotiatesArbitraryExtensionHeaders(FuzzedDataProvider data) throws Throwable {
        List<String> values = new ArrayList<>();
        for (int i = data.consumeInt(0, 3); i >= 0; i--) {
            values.add(data.consumeString(200));
        }
        values.add(data.consumeRemainingAsAsciiString());

        FuzzMode.run(() -> {
            DeflateAgreement agreement = DeflateNegotiator.negotiate(values);
            if (agreement != null) {
                check(agreement);
            }
        });
    }

    private static void check(UpgradeOutcome outcome) {
        if (outcome instanceof UpgradeOutcome.Accept accept) {
            assertThat(accept.accept()).hasSize(28);
            assertThat(accept.path()).isNotNull();
            if (accept.deflate() != null) {
                check(accept.deflate());
            }
        } else {
            UpgradeOutcome.Reply reply = (UpgradeOutcome.Reply) outcome;
            assertThat(reply.reason().status()).isBetween(200, 599);
            assertThat(reply.headers()).isNotNull();
        }
    }

    private static void check(DeflateAgreement agreement) {
        assertThat(agreement.serverMaxWindowBits()).isBetween(8, 15);
        assertThat(agreement.responseHeader())
                .startsWith("permessage-deflate; server_no_context_takeover; client_no_context_takeover");
        assertThat(agreement.responseHeader().chars().allMatch(c -> c >= 0x20 && c < 0x7f))
                .as("the response header is printable ASCII")
                .isTrue();
    }
}
