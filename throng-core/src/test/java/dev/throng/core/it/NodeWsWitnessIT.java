package dev.throng.core.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.throng.core.TransportKind;
import dev.throng.core.WebSocketConnection;
import dev.throng.core.test.NodeWitness;
import dev.throng.core.test.RecordingHandler;
import dev.throng.core.test.TestServer;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Node's {@code ws}, an independent implementation, talks to the server through {@code src/test/node/witness.js}:
 * each test runs one scenario there and asserts on the JSON it reports.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(
        value = TransportKind.class,
        names = {"EPOLL", "NIO"})
class NodeWsWitnessIT {
    @Parameter
    TransportKind transport;

    /**
     * Echoes text as its bytes (the byte-level {@code onText} and {@code sendText(ByteBuf)}, as EchoHandler does:
     * every length class, compressed and fragmented, goes through them here), and closes with 1000 'server bye'
     * when the client sends "close-me".
     */
    static final class Handler extends RecordingHandler {
        @Override
        public void onText(WebSocketConnection connection, ByteBuf utf8) {
            if (utf8.toString(StandardCharsets.UTF_8).equals("close-me")) {
                connection.close(1000, "server bye");
            } else {
                connection.sendText(utf8.retain());
            }
        }
    }

    static final Handler HANDLER = new Handler();
    static TestServer server;

    @BeforeParameterizedClassInvocation
    static void startServer(TransportKind transport) {
        server = TestServer.start(transport, HANDLER);
    }

    @AfterParameterizedClassInvocation
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void forgetEarlierEvents() {
        HANDLER.closed.clear();
    }

    /** The 1 MiB messages run on their own: byte-wise work is slow under paranoid leak detection. */
    @ParameterizedTest(name = "{1} of {0} bytes")
    @CsvSource(
            delimiter = '|',
            value = {
                "0,125,126,65535,65536 | text,binary",
                "1048576 | text",
                "1048576 | binary",
            })
    void echoesTextAndBinaryOfEveryLengthClass(String sizes, String kinds) throws Exception {
        Map<String, Object> result = NodeWitness.run(server.uri("/"), "echo", sizes, kinds);
        assertThat(result.get("extensionsHeader"))
                .as("no extension when none is offered")
                .isNull();
        List<Map<String, Object>> echoes = list(result.get("results"));
        assertThat(echoes).hasSize(sizes.split(",").length * kinds.split(",").length);
        for (Map<String, Object> echo : echoes) {
            assertThat(echo.get("identical"))
                    .as("%s echo of %s bytes is identical", echo.get("type"), echo.get("size"))
                    .isEqualTo(true);
        }
        assertThat(number(map(result.get("close")).get("code"))).isEqualTo(1000);
        assertThat(HANDLER.awaitClose().code()).isEqualTo(1000);
    }

    @Test
    void negotiatesPermessageDeflateAndRoundTripsCompressedMessages() throws Exception {
        Map<String, Object> result = NodeWitness.run(server.uri("/"), "deflate", "1,200,65536,262144");
        assertThat(result.get("extensions")).isEqualTo("permessage-deflate");
        assertThat((String) result.get("extensionsHeader"))
                .startsWith("permessage-deflate")
                .contains("server_no_context_takeover")
                .contains("client_no_context_takeover");
        for (Map<String, Object> echo : list(result.get("results"))) {
            String what = echo.get("type") + " echo of " + number(echo.get("size")) + " bytes";
            assertThat(echo.get("identical")).as("%s is identical", what).isEqualTo(true);
            if (number(echo.get("size")) >= 65536) {
                assertThat(number(echo.get("wireBytes")))
                        .as("%s came back compressed", what)
                        .isLessThan(number(echo.get("size")) / 4);
            }
        }
        Map<String, Object> fragmented = map(result.get("fragmented"));
        assertThat(fragmented.get("identical"))
                .as("fragmented compressed message echoed identically")
                .isEqualTo(true);
        assertThat(number(fragmented.get("wireBytes"))).isLessThan(number(fragmented.get("size")) / 4);
        assertThat(number(map(result.get("close")).get("code"))).isEqualTo(1000);
        assertThat(HANDLER.awaitClose().code()).isEqualTo(1000);
    }

    @Test
    void handsTheClientsCloseCodeAndReasonToTheHandler() throws Exception {
        Map<String, Object> result = NodeWitness.run(server.uri("/"), "close-client");
        assertThat(number(map(result.get("close")).get("code")))
                .as("the answer echoes the code")
                .isEqualTo(4001);
        assertThat(HANDLER.awaitClose()).isEqualTo(new RecordingHandler.Closed(4001, "client bye"));
    }

    @Test
    void closesWithTheHandlersCodeAndReason() throws Exception {
        Map<String, Object> result = NodeWitness.run(server.uri("/"), "close-server");
        Map<String, Object> close = map(result.get("close"));
        assertThat(number(close.get("code"))).isEqualTo(1000);
        assertThat(close.get("reason")).isEqualTo("server bye");
        assertThat(HANDLER.awaitClose()).isEqualTo(new RecordingHandler.Closed(1000, "server bye"));
    }

    @Test
    void answersThePingOfTheClientWithAPong() throws Exception {
        Map<String, Object> result = NodeWitness.run(server.uri("/"), "ping");
        assertThat(result.get("pong")).isEqualTo("are you there?");
        assertThat(HANDLER.awaitClose().code()).isEqualTo(1000);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        return (List<Map<String, Object>>) o;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    private static long number(Object o) {
        return ((Double) o).longValue();
    }
}
