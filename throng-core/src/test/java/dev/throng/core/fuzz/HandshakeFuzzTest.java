package dev.throng.core.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.throng.core.ServerConfig;
import dev.throng.core.codec.TrackingAllocator;
import dev.throng.core.handshake.DeflateAgreement;
import dev.throng.core.handshake.DeflateNegotiator;
import dev.throng.core.handshake.UpgradeOutcome;
import dev.throng.core.handshake.UpgradeValidator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.BeforeAll;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

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
        new UpgradeValidator(ServerConfig.builder().path("/ws").allowedOrigins(Set.of("https://example.com"))
            .subprotocols(List.of("chat.v2", "chat.v1")).build()),
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
        channel.pipeline().addLast(new HttpRequestDecoder(new HttpDecoderConfig()
            .setMaxInitialLineLength(4096).setMaxHeaderSize(8192).setInitialBufferSize(512)));
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
            .as("the response header is printable ASCII").isTrue();
    }
}
