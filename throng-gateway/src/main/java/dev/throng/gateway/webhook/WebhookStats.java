package dev.throng.gateway.webhook;

/**
 * Counters of {@link Webhooks} since it was made, read with {@link Webhooks#stats()}. Each is exact on its own; read
 * while events flow, the set is not one atomic snapshot. "Event" counts an event once however many endpoints it goes
 * to, except where an endpoint's copy of it is dropped (below).
 *
 * @param eventsQueued events accepted (by a call that found room; events no endpoint of the app asked for are not
 *     taken, and a {@code cache_miss} already waiting for the same channel is not counted again)
 * @param eventsWaiting events accepted and not yet finished: waiting out the vacancy delay or the batch window, in a
 *     request in flight, or waiting for a retry. Bounded by {@link WebhookSettings#queueSize()}
 * @param eventsSuppressed events cancelled by the vacancy delay: a {@code channel_vacated} or {@code member_removed}
 *     followed within the delay by the {@code channel_occupied} or {@code member_added} that undoes it counts 2
 * @param eventsDropped events not accepted because the queue was full or {@link Webhooks#close()} had been called,
 *     endpoint copies refused because a failing endpoint held its share of the queue, and events still unsent when
 *     {@code close()} gave up
 * @param requestsSent HTTP attempts made, first attempts and retries
 * @param requestsRetried of {@code requestsSent}, the attempts that were retries
 * @param requestsDelivered requests answered with a 2xx status
 * @param requestsFailed requests given up: still failing {@code retryFor} after their first attempt, or failing
 *     while {@code close()} was sending what was left
 */
public record WebhookStats(
        long eventsQueued,
        long eventsWaiting,
        long eventsSuppressed,
        long eventsDropped,
        long requestsSent,
        long requestsRetried,
        long requestsDelivered,
        long requestsFailed) {}
