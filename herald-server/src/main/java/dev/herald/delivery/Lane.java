package dev.herald.delivery;

import dev.herald.endpoint.Endpoint;
import dev.herald.store.DispatchStore.Claim;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One endpoint's deliveries on this node: claimed ahead of free slots (a small queue under lease), and sent by
 * at most {@code max_concurrency} workers that each take the next claim the moment their request ends, so the
 * cap bounds requests in flight, not throughput. Starts are spaced by the endpoint's {@code rate_limit_per_s}.
 * Not thread-safe: the {@link Dispatcher} guards every lane with its one lock.
 */
final class Lane {
    /** A claim must have this much of its lease left beyond the endpoint's timeout to be started. */
    static final Duration START_MARGIN = Duration.ofSeconds(2);
    /** How far ahead a fast lane claims: enough claims for this long at its recent rate (at least its cap). */
    static final Duration PREFETCH_FOR = Duration.ofMillis(25);
    /** A fast lane holds at most this many times its cap in its queue. */
    static final int MAX_PREFETCH_FACTOR = 8;

    private Endpoint endpoint;
    private final ArrayDeque<Claim> queued = new ArrayDeque<>();
    private int workers;
    /** The last claim filled what was asked: more may be due. */
    private boolean hungry;
    private final RateWindow rate = new RateWindow();
    /** Completions per second, smoothed: how far ahead to claim. */
    private double completionsPerSecond;
    private long lastCompletionNanos;
    private Instant idleSince;

    Lane(Endpoint endpoint, Instant now) {
        this.endpoint = endpoint;
        this.idleSince = now;
    }

    Endpoint endpoint() {
        return endpoint;
    }

    /** New settings (a PATCH, or a fresh read): the cap, timeout and rate limit apply from the next start. */
    void update(Endpoint e) {
        this.endpoint = e;
    }

    boolean hungry() {
        return hungry;
    }

    void markHungry() {
        hungry = true;
    }

    /** How many more claims to ask for now: up to the prefetch target, counting those queued and in flight. */
    int wanted() {
        int cap = endpoint.spec().maxConcurrency();
        int target = Math.min(cap * MAX_PREFETCH_FACTOR,
                Math.max(cap, (int) Math.ceil(completionsPerSecond * PREFETCH_FOR.toNanos() / 1e9)));
        Integer limit = endpoint.spec().rateLimitPerS();
        if (limit != null) {
            // why: a rate-limited lane sends at most `limit` a second; claims beyond a second's worth only age in the queue
            target = Math.min(target, Math.max(1, limit));
        }
        return Math.max(0, target + cap - queued.size() - workers);
    }

    /**
     * How long a lease must last for claims taken now: the timeout of the request itself, plus the time the last
     * of them may wait behind the others (each worker takes at most one timeout per claim), plus the margin.
     */
    Duration leaseFor(int claiming, Duration margin) {
        int cap = endpoint.spec().maxConcurrency();
        long rounds = 1 + (queued.size() + workers + claiming + cap - 1) / cap;
        Duration waitForRate = endpoint.spec().rateLimitPerS() == null ? Duration.ZERO
                : Duration.ofMillis(1000L * (queued.size() + claiming) / endpoint.spec().rateLimitPerS());
        return endpoint.spec().timeout().multipliedBy(rounds).plus(waitForRate).plus(margin);
    }

    /** Takes new claims; {@code asked} says whether the claim filled the request (then more may be due). */
    void offer(List<Claim> claims, int asked) {
        queued.addAll(claims);
        hungry = claims.size() >= asked;
    }

    /** How many more workers should start now. */
    int workersToStart() {
        return Math.max(0, Math.min(endpoint.spec().maxConcurrency() - workers, queued.size() - workers));
    }

    void workerStarted() {
        workers++;
    }

    void workerStopped() {
        workers--;
    }

    /**
     * The next claim to send, or null when the queue is empty. Claims whose lease no longer covers a whole request
     * are moved to {@code stale}, to be given back.
     */
    Claim next(Instant now, List<Claim> stale) {
        Duration needed = endpoint.spec().timeout().plus(START_MARGIN);
        while (!queued.isEmpty()) {
            Claim c = queued.poll();
            if (c.leaseExpiresAt() != null && c.leaseExpiresAt().isAfter(now.plus(needed))) {
                return c;
            }
            stale.add(c);
        }
        return null;
    }

    /** Puts a claim back at the head of the queue (a worker could not start it). */
    void putBack(Claim c) {
        queued.addFirst(c);
    }

    /** How long to wait before the next start may begin, by the rate limit (zero: now). */
    Duration rateWait(long nowNanos) {
        return rate.waitFor(endpoint.spec().rateLimitPerS(), nowNanos);
    }

    void started(long nowNanos) {
        rate.started(endpoint.spec().rateLimitPerS(), nowNanos);
    }

    /** A request ended: updates the rate that sizes how far ahead the lane claims. */
    void completed(long nowNanos) {
        if (lastCompletionNanos != 0) {
            double gap = Math.max(1e-6, (nowNanos - lastCompletionNanos) / 1e9);
            completionsPerSecond = 0.9 * completionsPerSecond + 0.1 * (1 / gap);
        }
        lastCompletionNanos = nowNanos;
    }

    /** Every queued claim, removed (the endpoint was paused or deleted, or the node is stopping). */
    List<Claim> drain() {
        List<Claim> all = new ArrayList<>(queued);
        queued.clear();
        hungry = false;
        return all;
    }

    boolean idle() {
        return queued.isEmpty() && workers == 0;
    }

    /** Notes whether the lane is idle now; answers since when it has been (null while busy). */
    Instant idleSince(Instant now) {
        if (!idle() || hungry) {
            idleSince = null;
        } else if (idleSince == null) {
            idleSince = now;
        }
        return idleSince;
    }

    int queuedCount() {
        return queued.size();
    }

    int workers() {
        return workers;
    }

    /**
     * The starts of the last second, to hold {@code rate_limit_per_s}: a new start may begin once the start
     * {@code limit} starts ago is a second old, so no window of one second ever holds more than {@code limit}.
     */
    static final class RateWindow {
        /** No start in this slot yet ({@code System.nanoTime()} may be any value, zero and negatives included). */
        private static final long NEVER = Long.MIN_VALUE;
        private long[] starts = new long[0];
        private int next;

        Duration waitFor(Integer limit, long nowNanos) {
            if (limit == null) {
                return Duration.ZERO;
            }
            resize(limit);
            long oldest = starts[next];
            long wait = oldest == NEVER ? 0 : oldest + 1_000_000_000L - nowNanos;
            return wait <= 0 ? Duration.ZERO : Duration.ofNanos(wait);
        }

        void started(Integer limit, long nowNanos) {
            if (limit == null) {
                return;
            }
            resize(limit);
            starts[next] = nowNanos;
            next = (next + 1) % starts.length;
        }

        private void resize(int limit) {
            if (starts.length != limit) {
                starts = new long[limit];
                java.util.Arrays.fill(starts, NEVER);
                next = 0;
            }
        }
    }
}
