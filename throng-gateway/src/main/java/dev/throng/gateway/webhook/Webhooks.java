package dev.throng.gateway.webhook;

import static dev.throng.gateway.webhook.WebhookEvent.CACHE_MISS;
import static dev.throng.gateway.webhook.WebhookEvent.CHANNEL_OCCUPIED;
import static dev.throng.gateway.webhook.WebhookEvent.CHANNEL_VACATED;
import static dev.throng.gateway.webhook.WebhookEvent.CLIENT_EVENT;
import static dev.throng.gateway.webhook.WebhookEvent.MEMBER_ADDED;
import static dev.throng.gateway.webhook.WebhookEvent.MEMBER_REMOVED;

import dev.throng.gateway.app.App;
import dev.throng.gateway.app.Webhook;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends Pusher's webhooks (pusher-spec section 9): signed JSON POSTs of channel, presence, client-event and cache
 * events to each of an app's {@link Webhook} URLs that wants them, batched, with the vacancy delay, retried, bounded.
 *
 * <p><b>Threads.</b> The event methods are called from the gateway's event loops, concurrently for any apps and
 * channels. Each returns at once: it checks the app's filters, takes a slot of the bounded queue (or counts a drop),
 * and hands a small object to the webhook thread through a lock-free queue; no I/O, no waiting, no lock other than
 * the executor's queue lock, taken at most once per batch of calls to wake the webhook thread. Everything else (delays,
 * batching, encoding, signing, retries) happens on one daemon thread, {@code throng-webhooks}; the JDK
 * {@link HttpClient} does the I/O on its selector thread and at most four {@code throng-webhooks-http} threads (made
 * when needed, ended after a minute idle), which keep a slow DNS lookup off the webhook thread. No thread per event or
 * per endpoint.
 *
 * <pre>
 * Webhooks webhooks = new Webhooks(WebhookSettings.of(gatewayConfig), Clock.systemUTC());
 * webhooks.channelOccupied(app, "presence-room");          // on an event loop: returns at once
 * webhooks.memberAdded(app, "presence-room", "42");
 * ...
 * webhooks.close();                                         // at shutdown: sends what is left, for a few seconds
 * </pre>
 *
 * <p><b>Guarantees</b> (docs/gateway.md, "Webhooks"):
 * <ul>
 *   <li>Order: each endpoint gets its events in the order they became due, one request at a time, retries included:
 *       a later request is sent only once the earlier one is delivered or given up. Events become due when they
 *       reach the webhook thread (calls from one thread in call order), except {@code channel_vacated} and
 *       {@code member_removed}, which become due {@code vacancyDelay} after their call. Endpoints are independent.
 *       </li>
 *   <li>Vacancy delay: a {@code channel_vacated} (a {@code member_removed}) waits {@code vacancyDelay}; if the same
 *       channel is occupied again (the same user joins the same channel again) meanwhile, neither webhook is sent.</li>
 *   <li>Batching: an endpoint's events due within {@code batchWindow} of the oldest waiting one share a request, at
 *       most {@code maxEventsPerRequest}; {@code time_ms} is the creation time of the request's first event.</li>
 *   <li>Retries: a request not answered 2xx (an error status, a redirect, a refused connection, a timeout) is sent
 *       again, the same bytes, after {@code firstRetryDelay}, doubled after each failure up to
 *       {@code maxRetryDelay}, until {@code retryFor} after its first attempt (after its oldest event was ready, if
 *       that had to wait behind a failing request), then given up and counted.</li>
 *   <li>Bounds: at most {@code queueSize} events wait, across apps; more are dropped and counted, and a failing
 *       endpoint holds at most a quarter of the queue. Nothing blocks a caller.</li>
 *   <li>Delivery is at least once while a request is retried: a receiver that processed a request but answered late
 *       or with an error gets the same body again. Nothing is persisted: what waits when the process dies is lost.
 *       </li>
 * </ul>
 */
public final class Webhooks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);

    /**
     * Threads of the HTTP client's executor, at most; made when needed, ended after a minute idle. The JDK client
     * resolves host names synchronously on its executor, so the webhook thread must not be it: a receiver whose DNS
     * hangs would stop every endpoint. 4: each endpoint has at most one request in flight, and more endpoints than
     * that with DNS hanging at once is an outage of its own.
     */
    private static final int HTTP_THREADS = 4;

    /** A failing endpoint holds at most this part of the queue, so a few dead endpoints leave room for the others. */
    private static final int FAILING_SHARE_DIVISOR = 4;

    private final Clock clock;
    private final WebhookSettings settings;
    private final ScheduledThreadPoolExecutor thread;
    private final ThreadPoolExecutor httpThreads;
    private final long vacancyDelayNanos;
    private final ConcurrentLinkedQueue<WebhookEvent> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    /** Events accepted and not finished: the bounded queue's fill. */
    private final AtomicInteger waiting = new AtomicInteger();

    private final CountDownLatch drained = new CountDownLatch(1);
    private volatile boolean closed;

    // ---- read by the endpoints (webhook thread)
    /** Runs HTTP completions on the webhook thread; after close, drops them. */
    final Executor callbacks;

    final long batchWindowNanos;
    final long retryForNanos;
    final long firstRetryDelayNanos;
    final long maxRetryDelayNanos;
    final Duration requestTimeout;
    final int maxEventsPerRequest;
    final int failingShare;

    final LongAdder eventsQueued = new LongAdder();
    final LongAdder eventsSuppressed = new LongAdder();
    final LongAdder eventsDropped = new LongAdder();
    final LongAdder requestsSent = new LongAdder();
    final LongAdder requestsRetried = new LongAdder();
    final LongAdder requestsDelivered = new LongAdder();
    final LongAdder requestsFailed = new LongAdder();

    // ---- webhook thread only
    /**
     * Made on the first request, not here: the JDK client loads the default {@code SSLContext} with its trust store
     * (1.5 MiB of heap) and starts a selector thread when built, and most gateways (every worker of a cluster) have no
     * webhook URL. Use {@link #http()}.
     */
    private HttpClient http;

    /**
     * Pending {@code channel_vacated} (user null) and {@code member_removed} events, oldest first: all wait the same
     * delay, so insertion order is expiry order and one timer for the oldest serves them all.
     */
    private final LinkedHashMap<Key, WebhookEvent> vacancies = new LinkedHashMap<>();

    private ScheduledFuture<?> vacancyTimer;
    /** Channels with a {@code cache_miss} not yet put into a request everywhere. */
    private final Set<Key> cacheMisses = new HashSet<>();

    private final Map<EndpointKey, WebhookEndpoint> endpoints = new HashMap<>();
    private boolean closing;

    private record Key(String appId, String channel, String userId) {}

    private record EndpointKey(App app, Webhook webhook) {}

    /** Webhooks with {@code settings} ({@code GatewayConfig.webhookSettings()}) and the system clock. */
    public Webhooks(WebhookSettings settings) {
        this(settings, Clock.systemUTC());
    }

    /**
     * Starts the webhook thread.
     *
     * @param clock the wall clock of {@code time_ms}; delays and timeouts use {@link System#nanoTime()}
     */
    public Webhooks(WebhookSettings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.vacancyDelayNanos = settings.vacancyDelay().toNanos();
        this.batchWindowNanos = settings.batchWindow().toNanos();
        this.retryForNanos = settings.retryFor().toNanos();
        this.firstRetryDelayNanos = settings.firstRetryDelay().toNanos();
        this.maxRetryDelayNanos = settings.maxRetryDelay().toNanos();
        this.requestTimeout = settings.requestTimeout();
        this.maxEventsPerRequest = settings.maxEventsPerRequest();
        this.failingShare = Math.max(settings.maxEventsPerRequest(), settings.queueSize() / FAILING_SHARE_DIVISOR);
        this.thread = new ScheduledThreadPoolExecutor(1, daemon("throng-webhooks"));
        thread.setRemoveOnCancelPolicy(true); // cancelled batch and retry timers leave the queue at once
        this.callbacks = task -> {
            try {
                thread.execute(task);
            } catch (RejectedExecutionException closedMeanwhile) {
                // close() has given up on what is still in flight; its events were counted as dropped
            }
        };
        this.httpThreads = new ThreadPoolExecutor(
                HTTP_THREADS,
                HTTP_THREADS,
                60,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                daemon("throng-webhooks-http"));
        httpThreads.allowCoreThreadTimeOut(true);
    }

    /** The settings this was made with. */
    public WebhookSettings settings() {
        return settings;
    }

    /** {@code channel} went from no subscribers to one. Cancels a pending {@code channel_vacated} of it instead. */
    public void channelOccupied(App app, String channel) {
        if (wanted(app, CHANNEL_OCCUPIED, CHANNEL_VACATED)) {
            submit(app, CHANNEL_OCCUPIED, Objects.requireNonNull(channel, "channel"), null, null, null, null);
        }
    }

    /** {@code channel} lost its last subscriber: sent after {@code vacancyDelay} unless it is occupied again first. */
    public void channelVacated(App app, String channel) {
        if (wanted(app, CHANNEL_OCCUPIED, CHANNEL_VACATED)) {
            submit(app, CHANNEL_VACATED, Objects.requireNonNull(channel, "channel"), null, null, null, null);
        }
    }

    /**
     * {@code userId}'s first connection joined presence {@code channel}. Cancels a pending {@code member_removed} of
     * the same user and channel instead.
     */
    public void memberAdded(App app, String channel, String userId) {
        if (wanted(app, MEMBER_ADDED, MEMBER_REMOVED)) {
            submit(
                    app,
                    MEMBER_ADDED,
                    Objects.requireNonNull(channel, "channel"),
                    Objects.requireNonNull(userId, "userId"),
                    null,
                    null,
                    null);
        }
    }

    /**
     * {@code userId}'s last connection left presence {@code channel}: sent after {@code vacancyDelay} unless the
     * user joins the channel again first.
     */
    public void memberRemoved(App app, String channel, String userId) {
        if (wanted(app, MEMBER_ADDED, MEMBER_REMOVED)) {
            submit(
                    app,
                    MEMBER_REMOVED,
                    Objects.requireNonNull(channel, "channel"),
                    Objects.requireNonNull(userId, "userId"),
                    null,
                    null,
                    null);
        }
    }

    /**
     * A client event was accepted on {@code channel}.
     *
     * @param data the event's data as the string that goes into the webhook: the client's string, or the JSON
     *     encoding of what it sent if that was not a string
     * @param userId the sender's user id on a presence channel; null elsewhere (then no {@code user_id} is sent)
     */
    public void clientEvent(App app, String channel, String event, String data, String socketId, String userId) {
        if (wanted(app, CLIENT_EVENT, CLIENT_EVENT)) {
            submit(
                    app,
                    CLIENT_EVENT,
                    Objects.requireNonNull(channel, "channel"),
                    userId,
                    Objects.requireNonNull(event, "event"),
                    Objects.requireNonNull(data, "data"),
                    Objects.requireNonNull(socketId, "socketId"));
        }
    }

    /**
     * A client subscribed to cache {@code channel} while its cache was empty. While one {@code cache_miss} of the
     * channel waits to be sent, more are not queued.
     */
    public void cacheMiss(App app, String channel) {
        if (wanted(app, CACHE_MISS, CACHE_MISS)) {
            submit(app, CACHE_MISS, Objects.requireNonNull(channel, "channel"), null, null, null, null);
        }
    }

    /** The counters; any thread. */
    public WebhookStats stats() {
        return new WebhookStats(
                eventsQueued.sum(),
                waiting.get(),
                eventsSuppressed.sum(),
                eventsDropped.sum(),
                requestsSent.sum(),
                requestsRetried.sum(),
                requestsDelivered.sum(),
                requestsFailed.sum());
    }

    /**
     * Stops taking events (later ones are counted as dropped), sends what is waiting at once, pending
     * {@code channel_vacated} and {@code member_removed} included, gives each request waiting for a retry one more
     * attempt and retries nothing more, and waits for that at most {@code closeTimeout}; then stops the webhook
     * thread and counts what is still unsent as dropped. Blocks the caller for up to {@code closeTimeout} and a
     * second: not for an event loop. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            thread.execute(guarding(this::beginClose));
            if (!drained.await(settings.closeTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
                LOG.warn(
                        "Webhooks: {} events still unsent after {}; closing without them",
                        waiting.get(),
                        readable(settings.closeTimeout()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            thread.shutdownNow();
            try {
                thread.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            httpThreads.shutdownNow();
            eventsDropped.add(waiting.getAndSet(0));
        }
    }

    // ---- caller threads

    private static boolean wanted(App app, String name, String pairedName) {
        for (Webhook w : app.webhooks()) {
            if (w.wants(name) || w.wants(pairedName)) {
                return true;
            }
        }
        return false;
    }

    private void submit(
            App app, String name, String channel, String userId, String event, String data, String socketId) {
        if (closed || !reserve()) {
            eventsDropped.increment();
            return;
        }
        eventsQueued.increment();
        inbox.add(
                new WebhookEvent(app, name, channel, userId, event, data, socketId, clock.millis(), System.nanoTime()));
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                thread.execute(guarding(this::drain));
            } catch (RejectedExecutionException closedMeanwhile) {
                // close() has finished: what is left in the inbox was counted as dropped
            }
        }
    }

    /** Takes a slot of the queue, or none when it is full. */
    private boolean reserve() {
        int n;
        do {
            n = waiting.get();
            if (n >= settings.queueSize()) {
                return false;
            }
        } while (!waiting.compareAndSet(n, n + 1));
        return true;
    }

    // ---- the webhook thread

    private void drain() {
        drainScheduled.set(false); // before polling: a call that adds after the last poll schedules a new drain
        for (WebhookEvent e; (e = inbox.poll()) != null; ) {
            switch (e.name) {
                case CHANNEL_OCCUPIED, MEMBER_ADDED -> arrive(e);
                case CHANNEL_VACATED, MEMBER_REMOVED -> depart(e);
                case CACHE_MISS -> {
                    if (cacheMisses.add(new Key(e.app.id(), e.channel, null))) {
                        dispatch(e);
                    } else {
                        eventsQueued.decrement(); // one is waiting already: not counted as a new one
                        release();
                    }
                }
                default -> dispatch(e);
            }
        }
    }

    private static Key vacancyKey(WebhookEvent e) {
        return new Key(e.app.id(), e.channel, e.userId);
    }

    /** Occupied or added: undoes a pending vacated or removed of the same channel (and user), or goes out. */
    private void arrive(WebhookEvent e) {
        WebhookEvent pending = vacancies.remove(vacancyKey(e));
        if (pending == null) {
            dispatch(e);
            return;
        }
        // A reload: the channel (the member) never looked vacant from outside, so neither webhook is sent.
        eventsSuppressed.add(2);
        release();
        release();
    }

    /** Vacated or removed: waits out the vacancy delay (sent at once when there is none, or when closing). */
    private void depart(WebhookEvent e) {
        if (vacancyDelayNanos == 0 || closing) {
            dispatch(e);
        } else if (vacancies.putIfAbsent(vacancyKey(e), e) != null) {
            eventsQueued.decrement(); // a second vacated without an occupied between: the first one stands
            release();
        } else if (vacancyTimer == null) {
            scheduleVacancyTimer();
        }
    }

    private void scheduleVacancyTimer() {
        WebhookEvent oldest = vacancies.values().iterator().next();
        vacancyTimer = schedule(this::vacanciesDue, oldest.createdNanos + vacancyDelayNanos - System.nanoTime());
    }

    private void vacanciesDue() {
        vacancyTimer = null;
        long now = System.nanoTime();
        for (Iterator<WebhookEvent> it = vacancies.values().iterator(); it.hasNext(); ) {
            WebhookEvent e = it.next();
            if (e.createdNanos + vacancyDelayNanos - now > 0) {
                break;
            }
            it.remove();
            dispatch(e);
        }
        if (!vacancies.isEmpty()) {
            scheduleVacancyTimer();
        }
    }

    /** Hands {@code e} to each endpoint of its app that wants it. */
    private void dispatch(WebhookEvent e) {
        e.dueNanos = System.nanoTime();
        List<Webhook> targets = new ArrayList<>(e.app.webhooks().size());
        for (Webhook w : e.app.webhooks()) {
            if (w.wants(e.name)) {
                targets.add(w);
            }
        }
        // Counted before the first offer: an endpoint may send (and so hand over) the event within offer().
        e.copies = targets.size();
        e.unsent = targets.size();
        if (targets.isEmpty()) {
            // Only its pair was wanted (an occupied for the vacated's sake): nothing to send.
            unsentNowhere(e);
            release();
            return;
        }
        for (Webhook w : targets) {
            WebhookEndpoint endpoint = endpoints.computeIfAbsent(
                    new EndpointKey(e.app, w), k -> new WebhookEndpoint(this, k.app(), k.webhook(), closing));
            if (!endpoint.offer(e)) {
                eventsDropped.increment();
                handedOver(e);
                finished(e);
            }
        }
    }

    /** An endpoint put its copy of {@code e} into a request (or refused it). */
    void handedOver(WebhookEvent e) {
        if (--e.unsent == 0) {
            unsentNowhere(e);
        }
    }

    private void unsentNowhere(WebhookEvent e) {
        if (CACHE_MISS.equals(e.name)) {
            cacheMisses.remove(new Key(e.app.id(), e.channel, null));
        }
    }

    /** An endpoint is done with its copy of {@code e}: delivered, given up or refused. */
    void finished(WebhookEvent e) {
        if (--e.copies == 0) {
            release();
        }
    }

    private void release() {
        if (waiting.decrementAndGet() == 0 && closing) {
            drained.countDown();
        }
    }

    private void beginClose() {
        closing = true;
        drain();
        if (vacancyTimer != null) {
            vacancyTimer.cancel(false);
            vacancyTimer = null;
        }
        List<WebhookEvent> pending = new ArrayList<>(vacancies.values());
        vacancies.clear();
        for (WebhookEvent e : pending) {
            dispatch(e); // real vacancies: nothing will undo them now
        }
        for (WebhookEndpoint endpoint : endpoints.values()) {
            endpoint.close();
        }
        if (waiting.get() == 0) {
            drained.countDown();
        }
    }

    /** Runs {@code task} on the webhook thread after {@code delayNanos}; null once closed. */
    ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        try {
            return thread.schedule(guarding(task), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closedMeanwhile) {
            return null;
        }
    }

    void guarded(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            // A bug; the executor would swallow it silently. Logged, and the thread goes on with the next task.
            LOG.error("Webhooks: unexpected failure on the webhook thread", e);
        }
    }

    /** "300 ms", "5 s", "5 min" for the log, rather than ISO-8601's "PT5M". */
    static String readable(Duration d) {
        if (d.toMillis() < 1000 || d.toMillis() % 1000 != 0) {
            return d.toMillis() + " ms";
        }
        return d.getSeconds() % 60 == 0 && d.getSeconds() > 0 ? d.toMinutes() + " min" : d.getSeconds() + " s";
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            int n = count.getAndIncrement();
            Thread t = new Thread(r, n == 0 ? name : name + "-" + n);
            t.setDaemon(true);
            return t;
        };
    }

    private Runnable guarding(Runnable task) {
        return () -> guarded(task);
    }

    /** The HTTP client of the endpoints, built on first use. Webhook thread only. */
    HttpClient http() {
        if (http == null) {
            http = HttpClient.newBuilder()
                    // HTTP/1.1: plain-http receivers get no h2c upgrade headers, which some proxies refuse.
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(settings.connectTimeout())
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .executor(task -> {
                        try {
                            httpThreads.execute(task);
                        } catch (RejectedExecutionException closedMeanwhile) {
                            // After close: the client's bookkeeping of abandoned requests, on its own thread.
                            task.run();
                        }
                    })
                    .build();
        }
        return http;
    }
}
