package dev.herald.delivery;

import dev.herald.delivery.DeliveryMetrics.AttemptOutcome;
import dev.herald.endpoint.Endpoint;
import dev.herald.store.DispatchStore;
import dev.herald.store.DispatchStore.Claim;
import dev.herald.store.DispatchStore.Outcome;
import dev.herald.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The third step of the data flow: claims due deliveries, sends each on its own virtual thread, and
 * writes the outcomes.
 *
 * <p>Scheduling: each round looks at every active endpoint with due deliveries and claims, per endpoint,
 * only as many as its concurrency cap leaves free, oldest due first. So a partner that is down for days
 * holds at most its own cap of workers, and first attempts to healthy endpoints never queue behind its
 * retries. Outcomes are written by one recorder thread in groups, one transaction for many attempts.
 * Threading and leases are described in docs/concurrency.md.
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    public static final Duration DEFAULT_POLL = Duration.ofMillis(250);
    public static final int DEFAULT_MAX_IN_FLIGHT = 512;
    /** Added to an endpoint's timeout for its lease: covers queueing for the database after the answer. */
    public static final Duration LEASE_MARGIN = Duration.ofSeconds(30);
    private static final int MAX_OUTCOMES_PER_WRITE = 1000;

    private final DispatchStore store;
    private final Sender sender;
    private final Clock clock;
    private final DeliveryMetrics metrics;
    private final DoubleSupplier random;
    private final Duration poll;
    private final int maxInFlight;
    private final Signal signal = new Signal();
    private final LinkedBlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
    private final Map<String, AtomicInteger> inFlightByEndpoint = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ExecutorService attempts = Executors.newVirtualThreadPerTaskExecutor();
    private final Thread claimer;
    private final Thread recorder;
    private volatile boolean running = true;
    /** Set once every attempt has ended: only then may the recorder stop. */
    private volatile boolean attemptsDone;

    Dispatcher(DispatchStore store, Sender sender, Clock clock, DeliveryMetrics metrics, DoubleSupplier random,
               Duration poll, int maxInFlight) {
        this.store = store;
        this.sender = sender;
        this.clock = clock;
        this.metrics = metrics;
        this.random = random;
        this.poll = poll;
        this.maxInFlight = maxInFlight;
        this.claimer = Thread.ofPlatform().name("herald-dispatcher").daemon().unstarted(this::claimLoop);
        this.recorder = Thread.ofPlatform().name("herald-recorder").daemon().unstarted(this::recordLoop);
    }

    Dispatcher start() {
        claimer.start();
        recorder.start();
        return this;
    }

    public void wake() {
        signal.wake();
    }

    private void claimLoop() {
        while (running) {
            try {
                round();
            } catch (RuntimeException e) {
                if (e instanceof StoreException s && s.outage()) {
                    log.warn("Dispatcher round failed; trying again in {} ms: {}", poll.toMillis(), e.getMessage());
                } else {
                    log.error("Dispatcher round failed; trying again in {} ms", poll.toMillis(), e);
                }
            }
            try {
                signal.await(poll);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Claims what is due and free to send, and starts sending it. */
    void round() {
        int free = maxInFlight - inFlight.get();
        if (free <= 0) {
            return;
        }
        Instant now = clock.instant();
        List<Endpoint> due = new ArrayList<>(store.endpointsWithDueDeliveries(now));
        Collections.shuffle(due); // why: when workers are short, no endpoint always comes first
        Map<Endpoint, Integer> slots = new LinkedHashMap<>();
        for (Endpoint e : due) {
            int open = e.spec().maxConcurrency() - inFlightOf(e.id()).get();
            int take = Math.min(open, free);
            if (take > 0) {
                slots.put(e, take);
                free -= take;
            }
            if (free == 0) {
                break;
            }
        }
        if (slots.isEmpty()) {
            return;
        }
        for (Claim claim : store.claim(slots, now, e -> e.spec().timeout().plus(LEASE_MARGIN))) {
            if (claim.reclaimed()) {
                metrics.reclaimed();
                log.warn("Reclaimed delivery {} of endpoint {}: its previous lease ran out", claim.deliveryId(), claim.endpoint().id());
            }
            inFlight.incrementAndGet();
            inFlightOf(claim.endpoint().id()).incrementAndGet();
            attempts.execute(() -> attempt(claim));
        }
    }

    private void attempt(Claim claim) {
        Outcome outcome;
        try {
            outcome = decide(claim, sender.send(claim));
        } catch (RuntimeException e) {
            log.error("Bug: attempt of delivery {} to endpoint {} failed unexpectedly", claim.deliveryId(), claim.endpoint().id(), e);
            outcome = decide(claim, new Sender.Result(clock.instant(), null, 0, "internal error: " + e, null, null));
        }
        outcomes.add(outcome);
    }

    /** What an attempt's result means for its delivery, by the endpoint's retry policy. */
    Outcome decide(Claim claim, Sender.Result r) {
        RetryPolicy policy = claim.endpoint().spec().retry();
        int n = claim.attemptCount() + 1;
        int limit = claim.attemptLimit() != null ? claim.attemptLimit() : policy.maxAttempts();
        Attempt attempt = new Attempt(n, r.at(), r.statusCode(), r.durationMs(), r.error(), r.responseBody());
        Instant now = clock.instant();
        return switch (Verdict.of(r.statusCode(), policy.on())) {
            case DELIVERED -> new Outcome(claim, attempt, Delivery.Status.DELIVERED, null, null);
            case GONE -> new Outcome(claim, attempt, Delivery.Status.PENDING, now,
                    "the endpoint answered 410 Gone at " + r.at() + "; resume it (status active) once it accepts deliveries again");
            case FAIL -> new Outcome(claim, attempt, Delivery.Status.FAILED, null, null);
            case RETRY -> n >= limit
                    ? new Outcome(claim, attempt, Delivery.Status.FAILED, null, null)
                    : new Outcome(claim, attempt, Delivery.Status.PENDING,
                            now.plus(policy.delayBeforeRetry(n, random.getAsDouble(), r.retryAfter())), null);
        };
    }

    private void recordLoop() {
        List<Outcome> batch = new ArrayList<>();
        while (!(attemptsDone && outcomes.isEmpty())) {
            try {
                if (batch.isEmpty()) {
                    Outcome first = outcomes.poll(poll.toMillis(), TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    outcomes.drainTo(batch, MAX_OUTCOMES_PER_WRITE - 1);
                }
                Set<String> fenced = store.record(batch, clock.instant());
                for (Outcome o : batch) {
                    if (fenced.contains(o.claim().deliveryId())) {
                        metrics.attempt(AttemptOutcome.FENCED, o.attempt().durationMs());
                        log.warn("Outcome of delivery {} to endpoint {} was not written: its lease had run out, so it may"
                                + " be sent again", o.claim().deliveryId(), o.claim().endpoint().id());
                    } else {
                        count(o);
                    }
                    inFlightOf(o.claim().endpoint().id()).decrementAndGet();
                    inFlight.decrementAndGet();
                }
                batch.clear();
                signal.wake();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // why: the outcomes stay in hand and are written when the store answers again; their
                // leases outlast a short outage, and a long one only risks a duplicate send
                if (e instanceof StoreException s && s.outage()) {
                    log.warn("Writing {} delivery outcome(s) failed; trying again: {}", batch.size(), e.getMessage());
                } else {
                    log.error("Writing {} delivery outcome(s) failed; trying again", batch.size(), e);
                }
                sleepQuietly(poll);
            }
        }
    }

    private void count(Outcome o) {
        AttemptOutcome kind = switch (o.status()) {
            case DELIVERED -> AttemptOutcome.DELIVERED;
            case FAILED -> AttemptOutcome.FAILED;
            case PENDING -> o.pauseReason() != null ? AttemptOutcome.PAUSED : AttemptOutcome.RETRYING;
        };
        metrics.attempt(kind, o.attempt().durationMs());
        if (kind == AttemptOutcome.FAILED) {
            log.info("Delivery {} to endpoint {} failed after {} attempt(s): {}", o.claim().deliveryId(),
                    o.claim().endpoint().id(), o.attempt().n(), describe(o.attempt()));
        } else if (kind == AttemptOutcome.PAUSED) {
            log.warn("Endpoint {} answered 410 Gone to delivery {}: paused", o.claim().endpoint().id(), o.claim().deliveryId());
        }
    }

    private static String describe(Attempt a) {
        return a.statusCode() != null ? "HTTP " + a.statusCode() : a.error();
    }

    private AtomicInteger inFlightOf(String endpointId) {
        return inFlightByEndpoint.computeIfAbsent(endpointId, k -> new AtomicInteger());
    }

    private static void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops claiming, lets attempts in flight finish (up to their deadlines), writes their outcomes. */
    @Override
    public void close() {
        running = false;
        claimer.interrupt();
        try {
            claimer.join(10_000); // why: no claim may start once the store is being closed
            attempts.shutdown();
            attempts.awaitTermination(70, TimeUnit.SECONDS);
            attemptsDone = true;
            recorder.join(10_000); // why: not interrupted, so it writes every outcome still queued
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
