package dev.throng.core.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.throng.core.TransportKind;
import dev.throng.core.test.RawHttpResponse;
import dev.throng.core.test.RawWebSocketClient;
import dev.throng.core.test.RecordingHandler;
import dev.throng.core.test.TestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The opening handshake over real sockets: each row is a request written by hand and the status, stable reason id
 * ({@code X-Throng-Reason}) and headers the server must answer with before closing the connection.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(
        value = TransportKind.class,
        names = {"EPOLL", "NIO"})
class HandshakeIT {
    static final String PATH = "/ws";
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofMillis(300);
    static final int MAX_LINE = 256;
    static final int MAX_HEADERS = 1024;

    @Parameter
    TransportKind transport;

    static TestServer server;

    @BeforeParameterizedClassInvocation
    static void startServer(TransportKind transport) {
        server = TestServer.start(
                transport,
                new RecordingHandler(),
                b -> b.path(PATH)
                        .allowedOrigins(Set.of("https://good.example"))
                        .subprotocols(List.of("chat.v2", "chat.v1"))
                        .maxInitialLineLength(MAX_LINE)
                        .maxHeaderSize(MAX_HEADERS)
                        .handshakeTimeout(HANDSHAKE_TIMEOUT));
    }

    @AfterParameterizedClassInvocation
    static void stopServer() {
        server.close();
    }

    /** One row: a request and the reply it must get. */
    record Exchange(String name, String request, int status, String reasonId, Map<String, String> headers) {
        @Override
        public String toString() {
            return name + " -> " + status + " " + reasonId;
        }
    }

    private static final String UPGRADE_HEADERS =
            "Upgrade: websocket\r\nConnection: Upgrade\r\n" + "Sec-WebSocket-Key: " + RawWebSocketClient.KEY + "\r\n";

    private static String upgrade(String requestLine, String extraHeaders) {
        return requestLine + "\r\nHost: 127.0.0.1\r\n" + UPGRADE_HEADERS + extraHeaders + "\r\n";
    }

    private static String upgradeV13(String extraHeaders) {
        return upgrade("GET " + PATH + " HTTP/1.1", "Sec-WebSocket-Version: 13\r\n" + extraHeaders);
    }

    static Stream<Exchange> rejections() {
        return Stream.of(
                new Exchange("health check", "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 200, "HEALTHY", Map.of()),
                new Exchange(
                        "plain GET on the WebSocket path",
                        "GET " + PATH + " HTTP/1.1\r\nHost: x\r\n\r\n",
                        426,
                        "UPGRADE_REQUIRED",
                        Map.of("Upgrade", "websocket", "Sec-WebSocket-Version", "13")),
                new Exchange(
                        "POST upgrade",
                        upgrade("POST " + PATH + " HTTP/1.1", "Sec-WebSocket-Version: 13\r\n"),
                        405,
                        "METHOD_NOT_ALLOWED",
                        Map.of("Allow", "GET")),
                new Exchange(
                        "HTTP/1.0 upgrade",
                        upgrade("GET " + PATH + " HTTP/1.0", "Sec-WebSocket-Version: 13\r\n"),
                        505,
                        "UNSUPPORTED_HTTP_VERSION",
                        Map.of()),
                new Exchange(
                        "version 8",
                        upgrade("GET " + PATH + " HTTP/1.1", "Sec-WebSocket-Version: 8\r\n"),
                        426,
                        "UNSUPPORTED_WEBSOCKET_VERSION",
                        Map.of("Sec-WebSocket-Version", "13")),
                new Exchange(
                        "no version",
                        upgrade("GET " + PATH + " HTTP/1.1", ""),
                        400,
                        "MISSING_WEBSOCKET_VERSION",
                        Map.of()),
                new Exchange(
                        "key of 15 bytes",
                        "GET " + PATH + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                                + "Connection: Upgrade\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA\r\nSec-WebSocket-Version: 13\r\n\r\n",
                        400,
                        "INVALID_WEBSOCKET_KEY",
                        Map.of()),
                new Exchange(
                        "key not base64",
                        "GET " + PATH + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                                + "Connection: Upgrade\r\nSec-WebSocket-Key: not a key!\r\nSec-WebSocket-Version: 13\r\n\r\n",
                        400,
                        "INVALID_WEBSOCKET_KEY",
                        Map.of()),
                new Exchange(
                        "no Host",
                        "GET " + PATH + " HTTP/1.1\r\n" + UPGRADE_HEADERS + "Sec-WebSocket-Version: 13\r\n\r\n",
                        400,
                        "MISSING_HOST",
                        Map.of()),
                new Exchange(
                        "Connection without upgrade",
                        "GET " + PATH + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                                + "Connection: keep-alive\r\nSec-WebSocket-Key: " + RawWebSocketClient.KEY
                                + "\r\nSec-WebSocket-Version: 13\r\n\r\n",
                        400,
                        "MISSING_CONNECTION_UPGRADE",
                        Map.of()),
                new Exchange(
                        "origin not allowed",
                        upgradeV13("Origin: https://evil.example\r\n"),
                        403,
                        "ORIGIN_NOT_ALLOWED",
                        Map.of()),
                new Exchange(
                        "wrong path",
                        upgrade("GET /elsewhere HTTP/1.1", "Sec-WebSocket-Version: 13\r\n"),
                        404,
                        "NOT_FOUND",
                        Map.of()),
                new Exchange(
                        "request line over the limit",
                        upgrade(
                                "GET " + PATH + "?" + "q".repeat(MAX_LINE) + " HTTP/1.1",
                                "Sec-WebSocket-Version: 13\r\n"),
                        414,
                        "REQUEST_LINE_TOO_LONG",
                        Map.of()),
                new Exchange(
                        "headers over the limit",
                        upgradeV13("X-Filler: " + "f".repeat(MAX_HEADERS) + "\r\n"),
                        431,
                        "HEADERS_TOO_LARGE",
                        Map.of()),
                new Exchange(
                        "garbage",
                        "\u0016\u0003\u0001 this is not HTTP at all \u00ff\u00fe\r\n\r\n",
                        400,
                        "MALFORMED_REQUEST",
                        Map.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void answersWithTheStatusAndReasonOfTheRequest(Exchange exchange) throws Exception {
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.write(exchange.request().getBytes(StandardCharsets.ISO_8859_1));
            RawHttpResponse response = client.readHttpResponse();
            assertThat(response.status()).as("status of %s", response).isEqualTo(exchange.status());
            assertThat(response.header("X-Throng-Reason")).isEqualTo(exchange.reasonId());
            exchange.headers()
                    .forEach((name, value) -> assertThat(response.header(name))
                            .as("header %s", name)
                            .isEqualTo(value));
            if (exchange.status() != 200) {
                client.expectEof(); // every error reply closes the connection
            }
        }
    }

    @Test
    void answersASilentClientWith408AfterTheHandshakeTimeoutAndCloses() throws Exception {
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            long start = System.nanoTime();
            RawHttpResponse response = client.readHttpResponse();
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            assertThat(response.status()).isEqualTo(408);
            assertThat(response.header("X-Throng-Reason")).isEqualTo("HANDSHAKE_TIMEOUT");
            assertThat(waited).isGreaterThan(HANDSHAKE_TIMEOUT.dividedBy(2)).isLessThan(Duration.ofSeconds(3));
            client.expectEof();
        }
    }

    @Test
    void answersAClientThatStopsMidRequestWith408() throws Exception {
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.write(("GET " + PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpg").getBytes(StandardCharsets.US_ASCII));
            RawHttpResponse response = client.readHttpResponse();
            assertThat(response.status()).isEqualTo(408);
            assertThat(response.header("X-Throng-Reason")).isEqualTo("HANDSHAKE_TIMEOUT");
            client.expectEof();
        }
    }

    @Test
    void upgradesAValidRequestWithTheAcceptKeyOfRfc6455() throws Exception {
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.write(upgradeV13("Origin: https://good.example\r\n").getBytes(StandardCharsets.US_ASCII));
            RawHttpResponse response = client.readHttpResponse();
            assertThat(response.status()).isEqualTo(101);
            assertThat(response.header("Upgrade")).isEqualToIgnoringCase("websocket");
            assertThat(response.header("Connection")).isEqualToIgnoringCase("Upgrade");
            assertThat(response.header("Sec-WebSocket-Accept")).isEqualTo(RawWebSocketClient.ACCEPT);
            assertThat(response.header("Sec-WebSocket-Protocol"))
                    .as("none offered, none chosen")
                    .isNull();
        }
    }

    @ParameterizedTest(name = "client offers [{0}] -> {1}")
    @CsvSource(
            delimiter = '|',
            nullValues = "none",
            value = {
                "chat.v1, chat.v2 | chat.v1",
                "chat.v2, chat.v1 | chat.v2",
                "x.unknown, chat.v1 | chat.v1",
                "x.unknown | none",
            })
    void choosesTheFirstSubprotocolInTheClientsOrderThatTheServerSpeaks(String offered, String chosen)
            throws Exception {
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.write(
                    upgradeV13("Sec-WebSocket-Protocol: " + offered + "\r\n").getBytes(StandardCharsets.US_ASCII));
            RawHttpResponse response = client.readHttpResponse();
            assertThat(response.status()).isEqualTo(101);
            assertThat(response.header("Sec-WebSocket-Protocol")).isEqualTo(chosen);
        }
    }
}
