package dev.throng.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.throng.core.IoLoop;
import dev.throng.core.ServerConfig;
import dev.throng.core.TransportKind;
import dev.throng.gateway.Gateway;
import dev.throng.gateway.GatewayConfig;
import dev.throng.gateway.app.App;
import dev.throng.gateway.hub.HubProbe;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * REST backpressure (issue #17 item 7) over real sockets: a subscriber's event loop is held busy (a task that blocks
 * it, as a loop stuck writing to a huge channel would be), so what the REST API publishes waits in that loop's inbox.
 * Once the waiting frames reach {@code maxPendingPublicationBytes}, {@code events} and {@code batch_events} are
 * answered 429 with a JSON error and {@code Retry-After}, and counted; a subscriber on the other loop keeps receiving;
 * once the loop runs again the backlog drains, triggers are accepted again, and every subscriber has received exactly
 * what was accepted (200), in order, and nothing that was refused. Raw signed HTTP/1.1 on one kept-alive socket that
 * the free loop serves. Run on both transports.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(
        value = TransportKind.class,
        names = {"EPOLL", "NIO"})
class RestBackpressureIT {
    static final App APP = App.of("bp", "bp-key", "bp-secret", false);
    static final String CHANNEL = "backlog";
    /** The smallest limit GatewayConfig takes: a few events fill it. */
    static final int LIMIT = 64 * 1024;
    /** About 8 KB of data per event: a blocked loop's inbox passes the limit after eight or so. */
    static final String PAD = "x".repeat(8000);

    @Parameter
    TransportKind transport;

    Gateway gateway;
    SignedRest signer;
    final List<PusherWire> wires = new ArrayList<>();
    final List<Held> holds = new ArrayList<>();

    @BeforeEach
    void start() {
        gateway = Gateway.start(
                ServerConfig.builder()
                        .host("127.0.0.1")
                        .port(0)
                        .transport(transport)
                        .ioThreads(2)
                        .pingInterval(Duration.ZERO)
                        .build(),
                GatewayConfig.DEFAULTS.withApps(List.of(APP)).withMaxPendingPublicationBytes(LIMIT));
        signer = new SignedRest(gateway.server().port(), APP.id(), APP.key(), APP.secret());
    }

    @AfterEach
    void stop() {
        holds.forEach(Held::close);
        wires.forEach(PusherWire::close);
        gateway.close();
    }

    @Test
    void aTriggerWhileTheBacklogIsFullIsAnswered429WithRetryAfterAndEverythingAcceptedIsDeliveredOnceInOrder()
            throws Exception {
        // Subscribers until both loops have one. NIO deals connections round robin; epoll's loops take turns only
        // when they are busy, so there the loops that have subscribers are held while the next one connects.
        List<Integer> perLoop = List.of(0, 0);
        while (wires.size() < 8 && !perLoop.stream().allMatch(n -> n > 0)) {
            List<Held> held = new ArrayList<>();
            for (int i = 0; i < perLoop.size() && transport == TransportKind.EPOLL; i++) {
                if (perLoop.get(i) > 0) {
                    held.add(new Held(gateway.server().loops().get(i)));
                }
            }
            try {
                subscribe();
            } finally {
                held.forEach(Held::close);
            }
            perLoop = HubProbe.subscribersPerLoop(gateway, APP, 0, CHANNEL);
        }
        assertThat(perLoop).as("subscribers per loop").allMatch(n -> n > 0);
        List<Integer> spread = perLoop;

        Held loop0 = new Held(gateway.server().loops().get(0));
        holds.add(loop0);
        try (RawHttp http = RawHttp.onAFreeLoop(gateway.server().port())) {
            List<Integer> accepted = new ArrayList<>();
            int seq = 0;
            RawHttp.Response refused = null;
            while (refused == null && seq < 100) {
                RawHttp.Response r = trigger(http, seq);
                if (r.status() == 200) {
                    accepted.add(seq);
                } else {
                    refused = r;
                }
                seq++;
            }
            assertThat(refused).as("a trigger refused within 100").isNotNull();
            assertThat(accepted.size())
                    .as("triggers accepted before the first refusal")
                    .isBetween(LIMIT / PAD.length() - 1, LIMIT / PAD.length() + 2);
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.header("retry-after")).isEqualTo("1");
            assertThat(refused.header("content-type")).isEqualTo("application/json");
            assertThat(PusherWire.JSON.readTree(refused.body()).path("error").asText())
                    .contains("gateway.maxPendingPublicationBytes")
                    .contains(Integer.toString(LIMIT));

            int refusals = 1;
            RawHttp.Response batch = http.send(
                    "POST",
                    signer,
                    "/batch_events",
                    "{\"batch\":[" + event(seq++, true) + "," + event(seq++, true) + "]}");
            refusals++;
            assertThat(batch.status())
                    .as("batch_events while full: %s", batch.body())
                    .isEqualTo(429);
            assertThat(batch.header("retry-after")).isEqualTo("1");
            assertThat(trigger(http, seq++).status()).as("still full").isEqualTo(429);
            refusals++;
            RawHttp.Response bad = http.send(
                    "POST", signer, "/events", "{\"name\":\"tick\",\"channel\":\"a b\"," + "\"data\":\"{}\"}");
            assertThat(bad.status())
                    .as("a bad request is told so, not to come back: %s", bad.body())
                    .isEqualTo(400);

            String metrics = http.send("GET", null, "/metrics", null).body();
            assertThat(sample(metrics, "throng_rest_throttled_total{app=\"bp\"}"))
                    .isEqualTo(refusals);
            assertThat(sample(metrics, "throng_publication_backlog_bytes")).isGreaterThanOrEqualTo(LIMIT);
            assertThat(sample(metrics, "throng_publication_backlog_limit_bytes"))
                    .isEqualTo(LIMIT);

            // While loop 0 is held, loop 1's subscribers have everything accepted so far, and loop 0's nothing.
            int all = accepted.size();
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(wires.stream()
                                    .filter(w -> queuedTicks(w) == all)
                                    .count())
                            .as("subscribers with all %s accepted", all)
                            .isEqualTo((long) spread.get(1)));
            assertThat(wires.stream().filter(w -> queuedTicks(w) == 0).count())
                    .as("subscribers with none")
                    .isEqualTo((long) spread.get(0));

            loop0.close();
            int tries = 0;
            RawHttp.Response again;
            do {
                Thread.sleep(1000L * Integer.parseInt(refused.header("retry-after")));
                again = trigger(http, seq);
                tries++;
            } while (again.status() == 429 && tries < 10);
            assertThat(again.status())
                    .as("accepted again once the backlog drained: %s", again.body())
                    .isEqualTo(200);
            accepted.add(seq++);
            for (int i = 0; i < 5; i++, seq++) {
                assertThat(trigger(http, seq).status()).isEqualTo(200);
                accepted.add(seq);
            }

            for (PusherWire wire : wires) {
                assertThat(ticks(wire, accepted.size()))
                        .as("what a subscriber received")
                        .isEqualTo(accepted);
            }
            assertThat(sample(http.send("GET", null, "/metrics", null).body(), "throng_publication_backlog_bytes"))
                    .as("the backlog once everything is written")
                    .isZero();
        }
    }

    private void subscribe() throws Exception {
        PusherWire wire = PusherWire.connect(gateway.server().port(), APP.key());
        wires.add(wire);
        wire.subscribePublic(CHANNEL);
    }

    /** An event loop kept busy by a task that waits until {@link #close}: it reads, accepts and drains nothing. */
    static final class Held implements AutoCloseable {
        private final CountDownLatch release = new CountDownLatch(1);

        Held(IoLoop loop) throws InterruptedException {
            CountDownLatch holding = new CountDownLatch(1);
            loop.execute(() -> {
                holding.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(holding.await(5, TimeUnit.SECONDS))
                    .as("loop %s held", loop.index())
                    .isTrue();
        }

        @Override
        public void close() {
            release.countDown();
        }
    }

    private RawHttp.Response trigger(RawHttp http, int seq) throws Exception {
        return http.send("POST", signer, "/events", event(seq, false));
    }

    private static String event(int seq, boolean inBatch) {
        String data = "{\\\"s\\\":" + seq + ",\\\"pad\\\":\\\"" + PAD + "\\\"}";
        return "{\"name\":\"tick\"," + (inBatch ? "\"channel\"" : "\"channels\"") + ":"
                + (inBatch ? "\"" + CHANNEL + "\"" : "[\"" + CHANNEL + "\"]") + ",\"data\":\"" + data + "\"}";
    }

    private static long queuedTicks(PusherWire wire) {
        return wire.frames.stream()
                .filter(f -> f.path("event").asText().equals("tick"))
                .count();
    }

    /** The sequence numbers of the first {@code count} tick events {@code wire} received, then checks none follows. */
    private static List<Integer> ticks(PusherWire wire, int count) throws Exception {
        List<Integer> seen = new ArrayList<>();
        while (seen.size() < count) {
            JsonNode frame = wire.next("tick");
            seen.add(PusherWire.JSON
                    .readTree(frame.path("data").asText())
                    .path("s")
                    .asInt());
        }
        JsonNode extra = wire.frames.poll(200, TimeUnit.MILLISECONDS);
        assertThat(extra).as("nothing after the last accepted event").isNull();
        return seen;
    }

    private static double sample(String metrics, String series) {
        return metrics.lines()
                .filter(l -> l.startsWith(series + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + series + " in the metrics"));
    }

    /** HTTP/1.1 on one kept-alive socket, written by hand: the test knows which connection (so which loop) it uses. */
    static final class RawHttp implements AutoCloseable {
        record Response(int status, Map<String, String> headers, String body) {
            String header(String name) {
                return headers.get(name.toLowerCase(Locale.ROOT));
            }
        }

        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        private RawHttp(int port) throws IOException {
            socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        /**
         * A connection a loop that is not held serves: one that answers {@code GET /metrics} within 500 ms (epoll:
         * the held loop accepts nothing; NIO deals connections round robin, so the next one goes elsewhere).
         */
        static RawHttp onAFreeLoop(int port) throws IOException {
            for (int i = 0; i < 6; i++) {
                RawHttp http = new RawHttp(port);
                http.socket.setSoTimeout(500);
                try {
                    http.send("GET", null, "/metrics", null);
                    http.socket.setSoTimeout(5000);
                    return http;
                } catch (SocketTimeoutException stuck) {
                    http.close();
                }
            }
            throw new AssertionError("no connection answered: every loop held?");
        }

        /** Sends a request ({@code signer} signs {@code /apps/{id}} + {@code resource}; null: the path as is). */
        Response send(String method, SignedRest signer, String resource, String body) throws IOException {
            String target;
            try {
                target = signer == null
                        ? resource
                        : signer.target(method, resource, new TreeMap<>(), body, System.currentTimeMillis() / 1000);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            String head = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + content.length + "\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(content);
            out.flush();
            String status = line();
            Map<String, String> headers = new TreeMap<>();
            for (String l = line(); !l.isEmpty(); l = line()) {
                int colon = l.indexOf(':');
                headers.put(
                        l.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        l.substring(colon + 1).trim());
            }
            byte[] answer = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
            return new Response(
                    Integer.parseInt(status.split(" ")[1]), headers, new String(answer, StandardCharsets.UTF_8));
        }

        private String line() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("connection closed");
                }
                if (b != '\r') {
                    line.write(b);
                }
            }
            return line.toString(StandardCharsets.US_ASCII);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
