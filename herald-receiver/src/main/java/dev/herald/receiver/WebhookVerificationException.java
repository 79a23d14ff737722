package dev.herald.receiver;

/**
 * The request is not a webhook Herald signed for this endpoint, or not a fresh one. Answer it with a 4xx and do not
 * process its body. The message says what was wrong and what to check; {@link #reason()} is for metrics.
 */
public final class WebhookVerificationException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why verification failed, in a form to count or branch on. */
    public enum Reason {
        /** A header Herald always sends is absent (under both its {@code webhook-} and {@code X-Webhook-} name). */
        MISSING_HEADER,
        /** A header is present but not in the form Herald sends. */
        MALFORMED_HEADER,
        /** The timestamp is older than the tolerance: a replay, or this machine's clock is ahead. */
        TIMESTAMP_TOO_OLD,
        /** The timestamp is further ahead than the tolerance: this machine's clock is behind. */
        TIMESTAMP_IN_FUTURE,
        /** No signature in the header verifies with any of the keys given. */
        SIGNATURE_MISMATCH
    }

    private final Reason reason;

    WebhookVerificationException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
