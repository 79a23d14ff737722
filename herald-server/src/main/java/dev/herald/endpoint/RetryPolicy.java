package dev.herald.endpoint;

import java.time.Duration;

/**
 * When a failed attempt is tried again, and which failures count.
 *
 * <p>{@code polynomial}: the delay before retry n is c·n⁴, with c chosen so that all delays add up to the
 * horizon (26 attempts over 30 days by default). {@code exponential}: the delay before retry n is
 * initial·2^(n−1) (3 attempts from one minute by default).
 */
public record RetryPolicy(Kind policy, int maxAttempts, Duration horizon, Duration initialDelay, RetryOn on) {

    public enum Kind {
        POLYNOMIAL, EXPONENTIAL;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Which answers are retried: {@code 5xx} also retries network errors, timeouts, 408 and 429. */
    public enum RetryOn {
        SERVER_ERRORS("5xx"), NON_2XX("non_2xx");

        private final String wire;

        RetryOn(String wire) {
            this.wire = wire;
        }

        @Override
        public String toString() {
            return wire;
        }
    }

    public static final int POLYNOMIAL_MAX_ATTEMPTS = 26;
    public static final Duration POLYNOMIAL_HORIZON = Duration.ofDays(30);
    public static final int EXPONENTIAL_MAX_ATTEMPTS = 3;
    public static final Duration EXPONENTIAL_INITIAL_DELAY = Duration.ofMinutes(1);
    public static final Duration MIN_DELAY = Duration.ofMillis(100);
    public static final Duration MAX_HORIZON = Duration.ofDays(365);
    public static final int MAX_ATTEMPTS = 100;

    public static RetryPolicy polynomialDefault() {
        return new RetryPolicy(Kind.POLYNOMIAL, POLYNOMIAL_MAX_ATTEMPTS, POLYNOMIAL_HORIZON, null, RetryOn.NON_2XX);
    }

    public static RetryPolicy exponentialDefault() {
        return new RetryPolicy(Kind.EXPONENTIAL, EXPONENTIAL_MAX_ATTEMPTS, null, EXPONENTIAL_INITIAL_DELAY, RetryOn.SERVER_ERRORS);
    }

    /** Σ n⁴ for n = 1..retries: the polynomial weights of all delays. */
    static double polynomialWeight(int retries) {
        double sum = 0;
        for (int n = 1; n <= retries; n++) {
            sum += Math.pow(n, 4);
        }
        return sum;
    }

    /** The delay before retry {@code n} (1-based), without jitter. */
    public Duration delayBeforeRetry(int n) {
        if (n < 1 || n >= maxAttempts) {
            throw new IllegalArgumentException("retry " + n + " is outside 1.." + (maxAttempts - 1));
        }
        return switch (policy) {
            case POLYNOMIAL -> Duration.ofMillis(Math.round(horizon.toMillis() * Math.pow(n, 4) / polynomialWeight(maxAttempts - 1)));
            case EXPONENTIAL -> initialDelay.multipliedBy(1L << (n - 1));
        };
    }

    /** Bounded jitter: each delay is stretched or shrunk by at most this fraction (so 30 days stay within ±1 day). */
    public static final double JITTER = 0.03;

    /**
     * The delay before retry {@code n} with jitter ({@code random} in [0, 1)), and a {@code Retry-After}
     * honoured within the policy: it may lengthen the delay, up to the policy's longest single delay.
     */
    public Duration delayBeforeRetry(int n, double random, Duration retryAfter) {
        long base = delayBeforeRetry(n).toMillis();
        long jittered = Math.max(MIN_DELAY.toMillis(), Math.round(base * (1 + JITTER * (2 * random - 1))));
        if (retryAfter != null && retryAfter.toMillis() > jittered) {
            long longest = delayBeforeRetry(maxAttempts - 1).toMillis();
            jittered = Math.max(jittered, Math.min(retryAfter.toMillis(), longest));
        }
        return Duration.ofMillis(jittered);
    }

    /** The whole time from the first attempt to the last, without jitter. */
    public Duration span() {
        return switch (policy) {
            case POLYNOMIAL -> maxAttempts > 1 ? horizon : Duration.ZERO;
            case EXPONENTIAL -> initialDelay.multipliedBy((1L << (maxAttempts - 1)) - 1);
        };
    }
}
