package dev.herald.delivery;

import dev.herald.endpoint.RetryPolicy;

/** What one attempt's answer means for its delivery. */
public enum Verdict {
    /** 2xx: delivered. */
    DELIVERED,
    /** A failure the policy retries (while attempts remain). */
    RETRY,
    /** A failure the policy does not retry: the delivery fails now. */
    FAIL,
    /** 410 Gone: the endpoint is paused, the delivery waits for it to be resumed. */
    GONE;

    /**
     * Classifies an answer: {@code statusCode} null means no answer (network error or timeout).
     * {@code 5xx} retries network errors, timeouts, 408, 429 and 5xx, and fails any other answer at once;
     * {@code non_2xx} retries every failure.
     */
    public static Verdict of(Integer statusCode, RetryPolicy.RetryOn on) {
        if (statusCode == null) {
            return RETRY;
        }
        if (statusCode >= 200 && statusCode < 300) {
            return DELIVERED;
        }
        if (statusCode == 410) {
            return GONE;
        }
        if (on == RetryPolicy.RetryOn.NON_2XX) {
            return RETRY;
        }
        return statusCode >= 500 || statusCode == 408 || statusCode == 429 ? RETRY : FAIL;
    }
}
