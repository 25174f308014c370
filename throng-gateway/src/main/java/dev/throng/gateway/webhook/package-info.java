/**
 * Webhook delivery (pusher-spec section 9): {@link dev.throng.gateway.webhook.Webhooks} takes channel, presence,
 * client-event and cache events from the event loops without blocking them, and POSTs them, signed
 * ({@link dev.throng.gateway.webhook.WebhookSignature}), batched and retried, to each app's webhook URLs, from one
 * thread of its own. {@link dev.throng.gateway.webhook.WebhookSettings} holds its timings and bounds,
 * {@link dev.throng.gateway.webhook.WebhookStats} its counters; docs/gateway.md ("Webhooks") states its guarantees.
 */
package dev.throng.gateway.webhook;
