package dev.throng.core.it;

import static dev.throng.core.test.ClientFrames.FIN;
import static dev.throng.core.test.ClientFrames.TEXT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.throng.core.HttpService;
import dev.throng.core.IoLoop;
import dev.throng.core.PreparedMessage;
import dev.throng.core.ServerConfig;
import dev.throng.core.ThrongServer;
import dev.throng.core.TransportKind;
import dev.throng.core.UpgradeDecision;
import dev.throng.core.UpgradeRequest;
import dev.throng.core.WebSocketConnection;
import dev.throng.core.test.ClientFrames;
import dev.throng.core.test.RawHttpResponse;
import dev.throng.core.test.RawWebSocketClient;
import dev.throng.core.test.RecordingHandler;
import dev.throng.core.test.ServerFrame;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What an application (the gateway, issue #17) builds on: the upgrade hook, plain HTTP handed over on the same port,
 * messages encoded once for many connections, and the event loops as handles with a slot of its own.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(
        value = TransportKind.class,
        names = {"EPOLL", "NIO"})
class ApplicationHooksIT {
    @Parameter
    TransportKind transport;

    /** Accepts /app/{name} with the name attached, refuses other paths with 404, greets on open with the name. */
    static final class Hooks extends RecordingHandler {
        final List<String> seenQueries = new ArrayList<>();

        @Override
        public UpgradeDecision onUpgrade(UpgradeRequest request) {
            seenQueries.add(request.query());
            if (!request.path().startsWith("/app/")) {
                return UpgradeDecision.refuse(404, "no such app");
            }
            return UpgradeDecision.accept(request.path().substring(5));
        }

        @Override
        public void onOpen(WebSocketConnection connection) {
            super.onOpen(connection);
            connection.sendText("hello " + connection.attachment());
        }
    }

    /** Answers GET and POST on /api/ with the method, path and body it got; keeps connections alive. */
    static final class Api implements HttpService {
        @Override
        public boolean serves(HttpRequest request) {
            return request.uri().startsWith("/api/");
        }

        @Override
        public void initChannel(Channel channel) {
            channel.pipeline()
                    .addLast(
                            new HttpServerCodec(),
                            new HttpObjectAggregator(1 << 20),
                            new SimpleChannelInboundHandler<FullHttpRequest>() {
                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                                    String body = request.method() + " " + request.uri() + " "
                                            + request.content().toString(StandardCharsets.UTF_8);
                                    FullHttpResponse response = new DefaultFullHttpResponse(
                                            HttpVersion.HTTP_1_1,
                                            HttpResponseStatus.OK,
                                            Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
                                    HttpUtil.setContentLength(
                                            response, response.content().readableBytes());
                                    boolean keepAlive = HttpUtil.isKeepAlive(request);
                                    if (keepAlive) {
                                        response.headers().set(HttpHeaderNames.CONNECTION, "keep-alive");
                                    }
                                    var written = ctx.writeAndFlush(response);
                                    if (!keepAlive) {
                                        written.addListener(ChannelFutureListener.CLOSE);
                                    }
                                }
                            });
        }
    }

    private ThrongServer start(Hooks hooks) {
        return ThrongServer.start(
                ServerConfig.builder()
                        .host("127.0.0.1")
                        .port(0)
                        .transport(transport)
                        .ioThreads(2)
                        .pingInterval(Duration.ZERO)
                        .build(),
                hooks,
                new Api());
    }

    @Test
    void theUpgradeHookAttachesAnIdentityBeforeOnOpenOrRefusesWithItsStatus() throws Exception {
        Hooks hooks = new Hooks();
        try (ThrongServer server = start(hooks);
                RawWebSocketClient accepted = RawWebSocketClient.connect(server.port());
                RawWebSocketClient refused = RawWebSocketClient.connect(server.port())) {
            accepted.write(RawWebSocketClient.upgradeRequest("/app/alpha?protocol=7"));
            assertThat(accepted.readHttpResponse().status()).isEqualTo(101);
            assertThat(accepted.readFrame().text()).isEqualTo("hello alpha");

            refused.write(RawWebSocketClient.upgradeRequest("/other"));
            RawHttpResponse response = refused.readHttpResponse();
            assertThat(response.status()).isEqualTo(404);
            assertThat(response.bodyText()).isEqualTo("no such app\n");
            assertThat(response.header("X-Throng-Reason")).isEqualTo("REFUSED_BY_HANDLER");
            assertThat(hooks.seenQueries).contains("protocol=7");
            assertThat(server.stats().openConnections()).isEqualTo(1);
        }
    }

    @Test
    void plainHttpTheServiceClaimsIsHandedOverOnTheSamePortAndKeptAlive() throws Exception {
        Hooks hooks = new Hooks();
        try (ThrongServer server = start(hooks)) {
            HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI base = URI.create("http://127.0.0.1:" + server.port());
            for (int i = 0; i < 3; i++) { // the same pooled connection for all three, as SDKs keep them
                HttpResponse<String> get = http.send(
                        java.net.http.HttpRequest.newBuilder(base.resolve("/api/x?n=" + i))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(get.statusCode()).isEqualTo(200);
                assertThat(get.body()).isEqualTo("GET /api/x?n=" + i + " ");
            }
            HttpResponse<String> post = http.send(
                    java.net.http.HttpRequest.newBuilder(base.resolve("/api/events"))
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"name\":\"e\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(post.body()).isEqualTo("POST /api/events {\"name\":\"e\"}");
            // Not claimed: the server's own answers, as before (on new connections: a connection handed over is the
            // service's for good, keep-alive requests included).
            HttpClient fresh =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> health = fresh.send(
                    java.net.http.HttpRequest.newBuilder(base.resolve("/healthz"))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            HttpResponse<String> plain = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .build()
                    .send(
                            java.net.http.HttpRequest.newBuilder(base.resolve("/app/x"))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(plain.statusCode()).isEqualTo(426);
            assertThat(server.stats().openConnections()).isZero();
        }
    }

    @Test
    void aPreparedMessageReachesEveryConnectionCompressedWhereNegotiated() throws Exception {
        Hooks hooks = new Hooks();
        try (ThrongServer server = start(hooks);
                RawWebSocketClient plain = RawWebSocketClient.connect(server.port());
                RawWebSocketClient deflating = RawWebSocketClient.connect(server.port())) {
            plain.write(RawWebSocketClient.upgradeRequest("/app/p"));
            assertThat(plain.readHttpResponse().status()).isEqualTo(101);
            deflating.write(RawWebSocketClient.upgradeRequest(
                    "/app/d", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"));
            assertThat(deflating.readHttpResponse().status()).isEqualTo(101);
            plain.readFrame();
            deflating.readFrame();
            List<WebSocketConnection> connections = List.of(hooks.awaitOpen(), hooks.awaitOpen());

            String text = "{\"event\":\"e\",\"data\":\"" + "x".repeat(2000) + "\",\"channel\":\"c\"}";
            PreparedMessage message = PreparedMessage.text(text);
            try {
                for (WebSocketConnection c : connections) {
                    CompletableFuture<Boolean> offered = new CompletableFuture<>();
                    c.loop().execute(() -> offered.complete(c.offer(message)));
                    assertThat(offered.get(5, TimeUnit.SECONDS)).isTrue();
                }
            } finally {
                message.release();
            }
            ServerFrame p = plain.readFrame();
            assertThat(p.rsv()).isZero();
            assertThat(p.text()).isEqualTo(text);
            ServerFrame d = deflating.readFrame();
            assertThat(d.rsv() & 0x40).as("RSV1").isNotZero();
            assertThat(d.payload().length).isLessThan(text.length() / 4);
            assertThat(new String(ClientFrames.inflate(d.payload()), StandardCharsets.UTF_8))
                    .isEqualTo(text);
            assertThat(message.refCnt())
                    .as("released: the connections kept nothing")
                    .isZero();
        }
    }

    @Test
    void preparedMessagesOfferedTogetherArriveWholeAndInOrderWhenTheKernelTakesOnlyPartOfThem() throws Exception {
        Hooks hooks = new Hooks();
        try (ThrongServer server = start(hooks);
                RawWebSocketClient slow = RawWebSocketClient.connect(server.port(), 4096)) {
            slow.write(RawWebSocketClient.upgradeRequest("/app/slow"));
            assertThat(slow.readHttpResponse().status()).isEqualTo(101);
            slow.readFrame();
            WebSocketConnection connection = hooks.awaitOpen();
            // Batches of 20 messages of ~1.5 KB until the connection refuses one: the kernel's buffers filled, a
            // gathering write was cut short inside a batch, and maxOutboundBytes (1 MiB) queued behind it.
            int perBatch = 20;
            List<PreparedMessage> all = new ArrayList<>();
            int offered = 0;
            boolean refused = false;
            while (!refused && offered < 20_000) {
                PreparedMessage[] batch = new PreparedMessage[perBatch];
                for (int i = 0; i < perBatch; i++) {
                    batch[i] = PreparedMessage.text("message " + (offered + i) + " " + "x".repeat(1500));
                    all.add(batch[i]);
                }
                CompletableFuture<Boolean> done = new CompletableFuture<>();
                connection.loop().execute(() -> done.complete(connection.offer(batch, perBatch)));
                if (done.get(5, TimeUnit.SECONDS)) {
                    offered += perBatch;
                } else {
                    refused = true;
                }
            }
            all.forEach(PreparedMessage::release);
            assertThat(refused)
                    .as("the connection queued a megabyte and refused more")
                    .isTrue();
            for (int n = 0; n < offered; n++) {
                assertThat(slow.readFrame().text()).startsWith("message " + n + " ");
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> all.stream().allMatch(m -> m.refCnt() == 0));
        }
    }

    @Test
    void theLoopsAreHandlesWithASlotOfTheApplicationsOwn() throws Exception {
        Hooks hooks = new Hooks();
        try (ThrongServer server = start(hooks);
                RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            List<IoLoop> loops = server.loops();
            assertThat(loops).hasSize(2).extracting(IoLoop::index).containsExactly(0, 1);
            for (IoLoop loop : loops) {
                CompletableFuture<Object> seen = new CompletableFuture<>();
                loop.execute(() -> {
                    loop.attach("shard " + loop.index());
                    seen.complete(loop.inLoop() + " " + loop.attachment());
                });
                assertThat(seen.get(5, TimeUnit.SECONDS)).isEqualTo("true shard " + loop.index());
                assertThat(loop.inLoop()).isFalse();
            }
            client.write(RawWebSocketClient.upgradeRequest("/app/x"));
            client.readHttpResponse();
            WebSocketConnection connection = hooks.awaitOpen();
            assertThat(loops).contains(connection.loop());
            client.write(ClientFrames.frame(FIN | TEXT, ClientFrames.ascii("ping")));
        }
    }
}
