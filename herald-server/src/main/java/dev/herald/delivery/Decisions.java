package dev.herald.delivery;

import dev.herald.config.HeraldConfig;
import dev.herald.endpoint.RetryPolicy;
import dev.herald.store.Attempt;
import dev.herald.store.Delivery;
import dev.herald.store.DispatchStore.Claim;
import dev.herald.store.DispatchStore.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.DoubleSupplier;

/**
 * The rules that turn an attempt's answer into what happens next, as a pure function of the claim, the answer
 * and the clock: delivered, retried when (by the endpoint's policy and any Retry-After), failed, or the endpoint
 * paused.
 */
final class Decisions {
    private final Clock clock;
    private final DoubleSupplier random;
    private final Duration pauseFailingAfter;

    /**
     * @param random jitter source, uniform in [0, 1)
     * @param pauseFailingAfter how long an endpoint may fail with no 2xx before it is paused; zero: never
     */
    Decisions(Clock clock, DoubleSupplier random, Duration pauseFailingAfter) {
        this.clock = clock;
        this.random = random;
        this.pauseFailingAfter = pauseFailingAfter;
    }

    /**
     * What an attempt's result means for its delivery, by the endpoint's retry policy; and for its endpoint: a
     * {@code 410 Gone} pauses it, and so does a failure when its attempts have all failed for
     * {@code HERALD_PAUSE_FAILING_AFTER} (no 2xx since {@link Claim#endpointFailingSince()}).
     */
    Outcome decide(Claim claim, Sender.Result r) {
        RetryPolicy policy = claim.endpoint().spec().retry();
        int n = claim.attemptCount() + 1;
        int limit = claim.attemptLimit() != null ? claim.attemptLimit() : policy.maxAttempts();
        Attempt attempt = new Attempt(n, r.at(), r.statusCode(), r.durationMs(), r.error(), r.responseBody());
        Instant now = clock.instant();
        Verdict verdict = Verdict.of(r.statusCode(), policy.on());
        if (claim.test()) {
            // why: a test-send is sent once and reports what came back; it never retries, and neither a 410 nor a
            // failure pauses the endpoint (the test may well be probing a paused one)
            return new Outcome(claim, attempt, verdict == Verdict.DELIVERED ? Delivery.Status.DELIVERED : Delivery.Status.FAILED,
                    null, null);
        }
        String failingTooLong = verdict == Verdict.DELIVERED || verdict == Verdict.GONE ? null : failingTooLong(claim, r.at());
        return switch (verdict) {
            case DELIVERED -> new Outcome(claim, attempt, Delivery.Status.DELIVERED, null, null);
            case GONE -> new Outcome(claim, attempt, Delivery.Status.PENDING, now,
                    "the endpoint answered 410 Gone at " + r.at() + "; resume it (status active) once it accepts deliveries again");
            case FAIL -> new Outcome(claim, attempt, Delivery.Status.FAILED, null, failingTooLong);
            case RETRY -> n >= limit
                    ? new Outcome(claim, attempt, Delivery.Status.FAILED, null, failingTooLong)
                    : new Outcome(claim, attempt, Delivery.Status.PENDING,
                            now.plus(policy.delayBeforeRetry(n, random.getAsDouble(), r.retryAfter())), failingTooLong);
        };
    }

    /** The pause reason when this failure ends a streak of failures as long as the setting allows, else null. */
    private String failingTooLong(Claim claim, Instant at) {
        Instant since = claim.endpointFailingSince();
        if (pauseFailingAfter.isZero() || since == null || at.isBefore(since.plus(pauseFailingAfter))) {
            return null;
        }
        return "every attempt failed since " + since + ", with no 2xx for " + HeraldConfig.format(pauseFailingAfter)
                + " (HERALD_PAUSE_FAILING_AFTER); resume it (status active) once it accepts deliveries again";
    }

}
