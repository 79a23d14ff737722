package dev.herald.receiver;

import java.time.Instant;

/**
 * What a successful {@link WebhookVerifier#verify} vouches for: the request was signed by Herald with one of the
 * given keys, for this delivery id, at this time.
 *
 * @param id        the delivery id ({@code webhook-id}), the same on every retry of a delivery; deduplicate by it
 *                  (see {@link Deduplicator})
 * @param timestamp when Herald sent this attempt ({@code webhook-timestamp}); new on every retry
 */
public record VerifiedWebhook(String id, Instant timestamp) {
}
