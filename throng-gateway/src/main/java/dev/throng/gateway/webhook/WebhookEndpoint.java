package dev.throng.gateway.webhook;

import dev.throng.gateway.app.App;
import dev.throng.gateway.app.Webhook;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One app's one {@link Webhook} URL: its events waiting in creation order, and its one request at a time.
 *
 * <p>Everything here runs on the webhook thread (its owner's), so nothing is locked. Events are taken in the order
 * they became due; a request is formed when the oldest waiting event has waited {@code batchWindow}, or at once when
 * {@code maxEventsPerRequest} are waiting; the next request is formed only when the previous one is finished
 * (delivered or given up), so the endpoint sees its events in order, retries included. A request that fails is sent
 * again, the same bytes, after 1 s, 2 s, 4 s ... (capped) until its deadline.
 *
 * <p>Logging follows the endpoint's state, not its attempts: one warning when it starts failing, one when a request
 * is given up (it is then "down" until a 2xx), one info line when it delivers again.
 */
final class WebhookEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookEndpoint.class);

    private enum State {
        DELIVERING,
        FAILING,
        DOWN
    }

    private final Webhooks owner;
    private final App app;
    private final Webhook webhook;
    private final String where;
    private final ArrayDeque<WebhookEvent> queue = new ArrayDeque<>();
    /** The request in flight or waiting for its retry; null when none. */
    private Request request;

    private ScheduledFuture<?> flushTimer;
    private State state = State.DELIVERING;
    private long failingSinceNanos;
    private int failedAttempts;
    private boolean closing;
    /** When the last request was delivered or given up; meaningful once {@code finishedOne}. */
    private long lastFinishedNanos;

    private boolean finishedOne;

    private static final class Request {
        final List<WebhookEvent> events;
        final byte[] body;
        final String signature;
        final long firstAttemptNanos;
        final long deadlineNanos;
        int attempts;
        long nextDelayNanos;
        ScheduledFuture<?> retryTimer;

        Request(
                List<WebhookEvent> events,
                byte[] body,
                String signature,
                long firstAttemptNanos,
                long deadlineNanos,
                long firstDelayNanos) {
            this.events = events;
            this.body = body;
            this.signature = signature;
            this.firstAttemptNanos = firstAttemptNanos;
            this.deadlineNanos = deadlineNanos;
            this.nextDelayNanos = firstDelayNanos;
        }
    }

    WebhookEndpoint(Webhooks owner, App app, Webhook webhook, boolean closing) {
        this.owner = owner;
        this.app = app;
        this.webhook = webhook;
        this.where = "webhook " + printable(webhook.url()) + " of app " + app.id();
        this.closing = closing;
    }

    /**
     * Takes an endpoint copy of {@code event}, or refuses it (false) while this endpoint is failing and already holds
     * its share of the queue, so that an endpoint that is down cannot take every other endpoint's room.
     */
    boolean offer(WebhookEvent event) {
        if (state != State.DELIVERING && held() >= owner.failingShare) {
            return false;
        }
        queue.add(event);
        pump();
        return true;
    }

    /** Sends what is waiting at once, and a request waiting for its retry once more, without further retries. */
    void close() {
        closing = true;
        if (request != null && request.retryTimer != null) {
            request.retryTimer.cancel(false);
            request.retryTimer = null;
            attempt();
        } else {
            pump();
        }
    }

    private int held() {
        return queue.size() + (request == null ? 0 : request.events.size());
    }

    /** Forms the next request if none is in flight and the oldest waiting event has waited long enough. */
    private void pump() {
        if (request != null || queue.isEmpty()) {
            return;
        }
        long waitNanos = closing || queue.size() >= owner.maxEventsPerRequest
                ? 0
                : queue.peek().dueNanos + owner.batchWindowNanos - System.nanoTime();
        if (waitNanos <= 0) {
            if (flushTimer != null) {
                flushTimer.cancel(false);
                flushTimer = null;
            }
            send();
        } else if (flushTimer == null) {
            flushTimer = owner.schedule(this::flushDue, waitNanos);
        }
    }

    private void flushDue() {
        flushTimer = null;
        pump();
    }

    private void send() {
        List<WebhookEvent> events = new ArrayList<>(Math.min(queue.size(), owner.maxEventsPerRequest));
        while (events.size() < owner.maxEventsPerRequest && !queue.isEmpty()) {
            WebhookEvent e = queue.poll();
            events.add(e);
            owner.handedOver(e);
        }
        byte[] body = WebhookEvent.body(events);
        long now = System.nanoTime();
        // Retried until retryFor after this first attempt. But events that became ready while an earlier request
        // was still being retried have waited already: this one is retried until retryFor after the oldest of them
        // was ready, so that a dead endpoint does not keep each batch of its backlog for another full period.
        // Always at least this one attempt.
        long ready = events.get(0).dueNanos + owner.batchWindowNanos;
        boolean waitedBehind = finishedOne && ready - lastFinishedNanos < 0;
        long deadline = waitedBehind ? Math.max(now, ready + owner.retryForNanos) : now + owner.retryForNanos;
        request = new Request(
                events, body, WebhookSignature.sign(app.secret(), body), now, deadline, owner.firstRetryDelayNanos);
        attempt();
    }

    private void attempt() {
        Request r = request;
        r.attempts++;
        owner.requestsSent.increment();
        if (r.attempts > 1) {
            owner.requestsRetried.increment();
        }
        CompletableFuture<HttpResponse<Void>> response;
        try {
            HttpRequest http = HttpRequest.newBuilder(webhook.url())
                    .timeout(owner.requestTimeout)
                    // Exactly this, no charset: the pusher Node SDK compares the header with === (pusher-spec 9).
                    .header("Content-Type", "application/json")
                    .header("X-Pusher-Key", app.key())
                    .header("X-Pusher-Signature", r.signature)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(r.body))
                    .build();
            response = owner.http().sendAsync(http, HttpResponse.BodyHandlers.discarding());
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e); // a URL the client cannot use: fails like any attempt
        }
        response.whenCompleteAsync((answer, error) -> owner.guarded(() -> answered(r, answer, error)), owner.callbacks);
    }

    private void answered(Request r, HttpResponse<Void> answer, Throwable error) {
        if (r != request) {
            return; // not expected: one attempt at a time, and the request stays until it is answered
        }
        if (error == null && answer.statusCode() / 100 == 2) {
            if (state != State.DELIVERING) {
                LOG.info(
                        "{} delivers again, after {} failed attempts over {}",
                        where,
                        failedAttempts,
                        Webhooks.readable(Duration.ofMillis(
                                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - failingSinceNanos))));
                state = State.DELIVERING;
            }
            finish();
            owner.requestsDelivered.increment(); // after finish(): whoever sees the count sees the events gone
            return;
        }
        String why = error == null ? "HTTP " + answer.statusCode() : describe(error);
        failedAttempts++;
        long now = System.nanoTime();
        if (state == State.DELIVERING) {
            state = State.FAILING;
            failingSinceNanos = now;
            failedAttempts = 1;
            LOG.warn(
                    "{} is failing ({}); retrying each request with backoff for up to {}",
                    where,
                    why,
                    Webhooks.readable(Duration.ofNanos(owner.retryForNanos)));
        }
        if (closing || now - r.deadlineNanos >= 0) {
            if (state != State.DOWN) {
                state = State.DOWN;
                LOG.warn(
                        "{}: gave up on a request of {} events after {} attempts ({}){}; further failures are "
                                + "counted, not logged, until it answers 2xx",
                        where,
                        r.events.size(),
                        r.attempts,
                        why,
                        closing ? " while closing" : "");
            }
            finish();
            owner.requestsFailed.increment();
            return;
        }
        long delay = Math.min(r.nextDelayNanos, r.deadlineNanos - now);
        r.nextDelayNanos = Math.min(r.nextDelayNanos * 2, owner.maxRetryDelayNanos);
        r.retryTimer = owner.schedule(
                () -> {
                    r.retryTimer = null;
                    attempt();
                },
                delay);
    }

    /** The request is delivered or given up: its events are done here; the next one may go. */
    private void finish() {
        lastFinishedNanos = System.nanoTime();
        finishedOne = true;
        for (WebhookEvent e : request.events) {
            owner.finished(e);
        }
        request = null;
        pump();
    }

    private static String describe(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return e.getMessage() == null
                ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /** The URL without user info, query or fragment, which may carry credentials. */
    static String printable(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                + (url.getRawPath() == null ? "" : url.getRawPath());
    }
}
