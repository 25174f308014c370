package dev.throng.bench.run;

import dev.throng.bench.protocol.Histograms;
import dev.throng.bench.pusher.EpochClock;
import dev.throng.bench.pusher.EventData;
import dev.throng.bench.pusher.RestSigner;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Triggers benchmark events through the Pusher HTTP API at a steady rate: {@code POST /apps/{id}/events} with
 * {@code {"name":…,"channels":[…],"data":"…"}}, signed ({@link RestSigner}). The channels are split into equal
 * groups of at most 100 (Pusher's limit per trigger); one request publishes one event on every channel of a group,
 * and the groups take turns, so each channel gets {@code rate} events per second and every channel of a group shares
 * the group's sequence numbers.
 *
 * <p>Requests go out on {@code --publish-connections} kept-alive HTTP/1.1 connections, pipelined
 * ({@link PipelinedClient}), at most {@code --publish-concurrency} in flight; each group always on the same connection,
 * so that its events are published in sequence. A request that cannot go out on time because its connection's
 * pipeline is full waits, and the lag is reported; one that cannot go out before the step ends is not sent.
 *
 * <p>{@link #publish} runs on one thread at a time (it owns the signer and the sequence numbers); responses complete
 * on the client's executor.
 */
final class Publisher implements AutoCloseable {

    /** What one step published. */
    record StepPublication(
            long requests,
            long failed,
            Map<String, Long> errors,
            long channelEvents,
            long expectedDeliveries,
            double publishSeconds,
            double lagMaxMillis,
            Histogram requestLatency) {}

    private final SubscribeSettings s;
    private final String path;
    private final RestSigner signer;
    private final String hostHeader;
    private final PipelinedClient client;
    /** Per group: the JSON before the data string, and its channel count. */
    private final byte[][] heads;

    private final int[] groupChannels;
    private final long[] groupSeq;
    private long[] groupSubscribers;

    /** @param api the HTTP API's base, {@code http://host:port} */
    Publisher(SubscribeSettings s, URI api) {
        this.s = s;
        this.path = "/apps/" + s.appId() + "/events";
        int port = api.getPort() < 0 ? 80 : api.getPort();
        this.hostHeader = api.getHost() + ":" + port;
        this.signer = new RestSigner(s.key(), s.secret());
        int groups = s.groups();
        // A group's requests stay on one connection, so more connections than groups would stay unused and their
        // share of the concurrency with them: one channel (one group) would get 16 requests in flight of 64, and a
        // server answering in 150 ms under load would cap the publisher at ~107 requests/s (issue #17).
        int connections = Math.min(s.publishConnections(), groups);
        this.client = new PipelinedClient(
                api.getHost(),
                port,
                connections,
                (s.publishConcurrency() + connections - 1) / connections,
                s.requestTimeout());
        int size = s.groupSize();
        this.heads = new byte[groups][];
        this.groupChannels = new int[groups];
        this.groupSeq = new long[groups];
        this.groupSubscribers = new long[groups];
        int channels = s.plan().channels();
        for (int g = 0; g < groups; g++) {
            StringBuilder b =
                    new StringBuilder("{\"name\":\"").append(s.eventName()).append("\",\"channels\":[");
            int first = g * size;
            int last = Math.min(channels, first + size);
            for (int c = first; c < last; c++) {
                b.append(c > first ? "," : "")
                        .append('"')
                        .append(s.channelPrefix())
                        .append(c)
                        .append('"');
            }
            heads[g] = b.append("],\"data\":\"").toString().getBytes(StandardCharsets.UTF_8);
            groupChannels[g] = last - first;
        }
    }

    /** The acknowledged subscribers of each channel, so that each accepted trigger adds what it should deliver. */
    void subscribers(long[] perChannel) {
        int size = s.groupSize();
        long[] sums = new long[heads.length];
        for (int c = 0; c < perChannel.length; c++) {
            sums[Math.min(heads.length - 1, c / size)] += perChannel[c];
        }
        this.groupSubscribers = sums;
    }

    /**
     * Publishes step {@code step} for {@code duration} at {@code ratePerChannel} events per second per channel, then
     * waits for the requests in flight; returns what was published.
     */
    StepPublication publish(int step, double ratePerChannel, Duration duration) throws InterruptedException {
        int groups = heads.length;
        double perSecond = ratePerChannel * groups;
        long intervalNanos = Math.max(1, (long) (1e9 / perSecond));
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong channelEvents = new AtomicLong();
        AtomicLong expected = new AtomicLong();
        Map<String, LongAdder> errors = new ConcurrentHashMap<>();
        Histogram latency = Histograms.create();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long lagMax = 0;
        long sent = 0;
        StringBuilder body = new StringBuilder(s.eventSize() + 64);
        for (long i = 0; ; i++) {
            long due = start + i * intervalNanos;
            if (due - end >= 0) {
                break;
            }
            for (long now = System.nanoTime(); due - now > 0; now = System.nanoTime()) {
                LockSupport.parkNanos(due - now);
            }
            int g = (int) (i % groups);
            if (!client.acquire(g, end)) {
                break; // the step is over while every request is still in flight
            }
            lagMax = Math.max(lagMax, System.nanoTime() - due);
            long seq = ++groupSeq[g];
            body.setLength(0);
            EventData.appendEscaped(body, EpochClock.micros(), seq, step, s.eventSize());
            body.append("\"}");
            byte[] data = body.toString().getBytes(StandardCharsets.UTF_8);
            byte[] json = new byte[heads[g].length + data.length];
            System.arraycopy(heads[g], 0, json, 0, heads[g].length);
            System.arraycopy(data, 0, json, heads[g].length, data.length);
            String query = signer.signedQuery("POST", path, Map.of(), json, System.currentTimeMillis() / 1000);
            byte[] head = PipelinedClient.postHead(hostHeader, path + "?" + query, json.length);
            byte[] request = new byte[head.length + json.length];
            System.arraycopy(head, 0, request, 0, head.length);
            System.arraycopy(json, 0, request, head.length, json.length);
            int channels = groupChannels[g];
            long subscribers = groupSubscribers[g];
            client.send(g, request, (status, error, sentNanos) -> {
                long tookNanos = System.nanoTime() - sentNanos;
                synchronized (latency) {
                    Histograms.recordNanos(latency, tookNanos);
                }
                if (status == 200) {
                    ok.incrementAndGet();
                    channelEvents.addAndGet(channels);
                    expected.addAndGet(subscribers);
                } else {
                    failed.incrementAndGet();
                    errors.computeIfAbsent(status > 0 ? "http-" + status : error, k -> new LongAdder())
                            .increment();
                }
            });
            sent++;
        }
        // Requests are issued on the schedule until the step's end and never after, so it published for its duration.
        double publishSeconds = duration.toNanos() / 1e9;
        // Wait for the requests in flight: each ends within its timeout.
        client.drain(s.requestTimeout().toNanos() + TimeUnit.SECONDS.toNanos(5));
        Map<String, Long> errorCounts = new TreeMap<>();
        errors.forEach((k, v) -> errorCounts.put(k, v.sum()));
        long unanswered = sent - ok.get() - failed.get();
        if (unanswered > 0) {
            errorCounts.merge("unanswered", unanswered, Long::sum);
        }
        Histogram latencyCopy;
        synchronized (latency) {
            latencyCopy = latency.copy();
        }
        return new StepPublication(
                sent,
                sent - ok.get(),
                errorCounts,
                channelEvents.get(),
                expected.get(),
                publishSeconds,
                lagMax / 1e6,
                latencyCopy);
    }

    @Override
    public void close() {
        client.close();
    }
}
