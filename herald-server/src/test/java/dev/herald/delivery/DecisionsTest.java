package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.endpoint.Endpoint;
import dev.herald.endpoint.EndpointSpec;
import dev.herald.endpoint.EndpointSpec.Format;
import dev.herald.endpoint.EndpointSpec.Status;
import dev.herald.endpoint.RetryPolicy;
import dev.herald.endpoint.RetryPolicy.RetryOn;
import dev.herald.store.Delivery;
import dev.herald.store.DispatchStore.Claim;
import dev.herald.store.DispatchStore.Outcome;
import dev.herald.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rules of what an answer means, as a pure function: the verdict, the retry policy, the pause rules. */
class DecisionsTest {
    private final SettableClock clock = new SettableClock();
    private final Decisions decisions = new Decisions(clock, () -> 0.5, Duration.ofDays(5));

    private static Claim claim(RetryPolicy policy, int attemptsSoFar, Integer limit, Instant failingSince) {
        EndpointSpec spec = new EndpointSpec("https://partner.example/hook", "", List.of(), Format.EVENT, null, policy, Map.of(),
                null, Duration.ofSeconds(10), 8, null, EndpointSpec.Ordering.NONE, Status.ACTIVE);
        Endpoint e = new Endpoint("ep-1", "acme", spec, "whsec_x", null, null, null, Instant.EPOCH, Instant.EPOCH);
        return new Claim("dl-1", e, "t", new byte[0], attemptsSoFar, limit, "lease", false, failingSince,
                Instant.EPOCH.plusSeconds(600), false);
    }

    private Sender.Result answer(Integer status) {
        return new Sender.Result(clock.instant(), status, 12, status == null ? "connection refused" : null, "", null);
    }

    @ParameterizedTest
    @CsvSource(nullValues = "none", value = {
            "200, 5xx, DELIVERED", "204, non_2xx, DELIVERED", "none, 5xx, RETRY", "500, 5xx, RETRY", "503, non_2xx, RETRY",
            "408, 5xx, RETRY", "429, 5xx, RETRY", "400, 5xx, FAIL", "404, 5xx, FAIL", "301, 5xx, FAIL", "400, non_2xx, RETRY",
            "410, 5xx, GONE", "410, non_2xx, GONE"})
    void aVerdictForEveryKindOfAnswer(Integer status, String on, Verdict expected) {
        RetryOn retryOn = on.equals("5xx") ? RetryOn.SERVER_ERRORS : RetryOn.NON_2XX;

        assertThat(Verdict.of(status, retryOn)).isEqualTo(expected);
    }

    @Test
    void aRetriedFailureIsDueAfterThePolicysDelayAndTheLastOneFails() {
        RetryPolicy policy = RetryPolicy.exponentialDefault();

        Outcome first = decisions.decide(claim(policy, 0, null, null), answer(500));
        Outcome last = decisions.decide(claim(policy, 2, null, null), answer(500));

        assertThat(first.status()).isEqualTo(Delivery.Status.PENDING);
        assertThat(first.attempt().n()).isEqualTo(1);
        assertThat(first.nextAttemptAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(1)));
        assertThat(last.status()).isEqualTo(Delivery.Status.FAILED);
        assertThat(last.nextAttemptAt()).isNull();
    }

    @Test
    void aManualRetryAllowsExactlyOneMoreAttempt() {
        Outcome o = decisions.decide(claim(RetryPolicy.exponentialDefault(), 3, 4, null), answer(500));

        assertThat(o.status()).isEqualTo(Delivery.Status.FAILED);
        assertThat(o.attempt().n()).isEqualTo(4);
    }

    @Test
    void goneKeepsTheDeliveryForWhenTheEndpointIsResumed() {
        Outcome o = decisions.decide(claim(RetryPolicy.polynomialDefault(), 0, null, null), answer(410));

        assertThat(o.status()).isEqualTo(Delivery.Status.PENDING);
        assertThat(o.pauseReason()).contains("410 Gone");
    }

    @Test
    void aFailureEndingFiveDaysWithoutA2xxPausesTheEndpointAndASuccessNever() {
        Instant since = clock.instant().minus(Duration.ofDays(5));

        assertThat(decisions.decide(claim(RetryPolicy.polynomialDefault(), 0, null, since), answer(500)).pauseReason())
                .startsWith("every attempt failed since " + since);
        assertThat(decisions.decide(claim(RetryPolicy.polynomialDefault(), 0, null, since.plusSeconds(1)), answer(500))
                .pauseReason()).isNull();
        assertThat(decisions.decide(claim(RetryPolicy.polynomialDefault(), 0, null, since), answer(200)).pauseReason()).isNull();
        assertThat(new Decisions(clock, () -> 0.5, Duration.ZERO)
                .decide(claim(RetryPolicy.polynomialDefault(), 0, null, since.minus(Duration.ofDays(300))), answer(500))
                .pauseReason()).as("zero: never").isNull();
    }

    @Test
    void retryAfterLengthensTheDelayUpToThePolicysLongest() {
        RetryPolicy policy = RetryPolicy.exponentialDefault();

        assertThat(policy.delayBeforeRetry(1, 0.5, Duration.ofMinutes(10))).isEqualTo(Duration.ofMinutes(2));
        assertThat(policy.delayBeforeRetry(1, 0.5, Duration.ofSeconds(90))).isEqualTo(Duration.ofSeconds(90));
        assertThat(policy.delayBeforeRetry(1, 0.5, Duration.ofSeconds(5))).isEqualTo(Duration.ofMinutes(1));
        assertThat(policy.delayBeforeRetry(1, 0.0, null)).isEqualTo(Duration.ofMillis(Math.round(60_000 * 0.97)));
        assertThat(policy.delayBeforeRetry(1, 0.999999, null).toMillis()).isLessThanOrEqualTo(Math.round(60_000 * 1.03));
    }

    @Test
    void thePolynomialPolicySpreadsItsAttemptsOverTheHorizon() {
        RetryPolicy policy = RetryPolicy.polynomialDefault();
        Duration total = Duration.ZERO;
        for (int n = 1; n < policy.maxAttempts(); n++) {
            total = total.plus(policy.delayBeforeRetry(n));
        }

        assertThat(total.toMillis()).isCloseTo(Duration.ofDays(30).toMillis(), org.assertj.core.data.Offset.offset(50L));
        assertThat(policy.delayBeforeRetry(2).toMillis()).isCloseTo(16 * policy.delayBeforeRetry(1).toMillis(),
                org.assertj.core.data.Offset.offset(16L));
    }
}
