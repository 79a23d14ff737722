package dev.herald.delivery;

import dev.herald.delivery.DeliveryMetrics.AttemptOutcome;
import dev.herald.endpoint.Endpoint;
import dev.herald.endpoint.RetryPolicy;
import dev.herald.store.Attempt;
import dev.herald.store.Database;
import dev.herald.store.Delivery;
import dev.herald.store.DispatchStore;
import dev.herald.store.DispatchStore.Claim;
import dev.herald.store.DispatchStore.Outcome;
import dev.herald.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The third step of the data flow: claims due deliveries, sends each on its own virtual thread, and
 * writes the outcomes.
 *
 * <p>Scheduling: each round looks at every active endpoint with due deliveries and claims, per endpoint,
 * only as many as {@link InFlight} allows (the endpoint's cap, its tenant's share, the process's total),
 * oldest due first, taking tenants in turn. So a partner that is down for days holds at most its own cap of
 * workers, no tenant takes another's capacity, and first attempts to healthy endpoints never queue behind
 * retries. Outcomes are written by one recorder thread in groups, one transaction for many attempts; an
 * outcome that cannot be written is isolated and dropped, never holding up the others. Threading and leases
 * are described in docs/concurrency.md.
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    public static final Duration DEFAULT_POLL = Duration.ofMillis(250);
    /** Added to an endpoint's timeout for its lease: covers queueing for the database after the answer. */
    public static final Duration LEASE_MARGIN = Duration.ofSeconds(30);
    private static final int MAX_OUTCOMES_PER_WRITE = 1000;

    private final DispatchStore store;
    private final Database db;
    private final Sender sender;
    private final Clock clock;
    private final DeliveryMetrics metrics;
    private final DoubleSupplier random;
    private final Duration poll;
    private final InFlight inFlight;
    private final Signal signal = new Signal();
    private final LinkedBlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
    private final ExecutorService attempts = Executors.newVirtualThreadPerTaskExecutor();
    private final Thread claimer;
    private final Thread recorder;
    private volatile boolean running = true;
    /** Set once every attempt has ended: only then may the recorder stop. */
    private volatile boolean attemptsDone;

    Dispatcher(DispatchStore store, Database db, Sender sender, Clock clock, DeliveryMetrics metrics, DoubleSupplier random,
               Duration poll, InFlight.Limits limits) {
        this.store = store;
        this.db = db;
        this.sender = sender;
        this.clock = clock;
        this.metrics = metrics;
        this.random = random;
        this.poll = poll;
        this.inFlight = new InFlight(limits);
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
            } catch (Throwable t) {
                // why: the claimer must outlive anything thrown; what was due stays due for the next round
                if (t instanceof StoreException s && s.outage()) {
                    log.warn("Dispatcher round failed; trying again in {} ms: {}", poll.toMillis(), t.getMessage());
                } else {
                    log.error("Dispatcher round failed; trying again in {} ms", poll.toMillis(), t);
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
        if (inFlight.full()) {
            return;
        }
        Instant now = clock.instant();
        Map<Endpoint, Integer> slots = new LinkedHashMap<>();
        for (DispatchStore.Due due : takingTenantsInTurn(store.due(now))) {
            Endpoint e = due.endpoint();
            int got = inFlight.reserve(e.tenantId(), e.id(), e.spec().maxConcurrency(), due.count());
            if (got > 0) {
                slots.put(e, got);
            }
        }
        if (slots.isEmpty()) {
            return;
        }
        List<Claim> claims;
        try {
            claims = store.claim(slots, now, e -> e.spec().timeout().plus(LEASE_MARGIN));
        } catch (Throwable t) {
            slots.forEach((e, n) -> inFlight.release(e.tenantId(), e.id(), n));
            throw t;
        }
        Map<Endpoint, Integer> unused = new HashMap<>(slots);
        for (Claim claim : claims) {
            if (claim.reclaimed()) {
                metrics.reclaimed();
                log.warn("Reclaimed delivery {} of endpoint {}: its previous lease ran out with the attempt's outcome unknown",
                        claim.deliveryId(), claim.endpoint().id());
            }
            if (!claim.toSend()) {
                log.info("Delivery {} to endpoint {} failed: its last allowed attempt ({}) was lost with its node",
                        claim.deliveryId(), claim.endpoint().id(), claim.attemptCount());
                continue;
            }
            unused.merge(claim.endpoint(), -1, Integer::sum);
            start(claim);
        }
        unused.forEach((e, n) -> inFlight.release(e.tenantId(), e.id(), n));
    }

    /**
     * The endpoints ordered so that tenants take turns: one endpoint of each tenant, then the next of each, with
     * tenants and endpoints shuffled, so that when slots are short no tenant or endpoint always comes first.
     */
    static List<DispatchStore.Due> takingTenantsInTurn(List<DispatchStore.Due> due) {
        Map<String, List<DispatchStore.Due>> byTenant = new LinkedHashMap<>();
        List<DispatchStore.Due> shuffled = new ArrayList<>(due);
        Collections.shuffle(shuffled);
        shuffled.forEach(d -> byTenant.computeIfAbsent(d.endpoint().tenantId(), k -> new ArrayList<>()).add(d));
        List<DispatchStore.Due> out = new ArrayList<>(due.size());
        for (int round = 0; out.size() < due.size(); round++) {
            for (List<DispatchStore.Due> own : byTenant.values()) {
                if (round < own.size()) {
                    out.add(own.get(round));
                }
            }
        }
        return out;
    }

    private void start(Claim claim) {
        try {
            attempts.execute(() -> attempt(claim));
        } catch (Throwable t) {
            // why: an attempt that never started must give its slot back; its lease makes it due again later
            inFlight.release(claim.endpoint().tenantId(), claim.endpoint().id(), 1);
            throw t;
        }
    }

    private void attempt(Claim claim) {
        Outcome outcome;
        try {
            outcome = decide(claim, sender.send(claim));
        } catch (Throwable t) {
            log.error("Bug: attempt of delivery {} to endpoint {} failed unexpectedly", claim.deliveryId(), claim.endpoint().id(), t);
            outcome = decide(claim, new Sender.Result(clock.instant(), null, 0, "internal error: " + t, null, null));
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
        if (claim.test()) {
            // why: a test-send is sent once and reports what came back; it never retries, and a 410 to a test does
            // not pause the endpoint (the test may well be probing a paused one)
            return new Outcome(claim, attempt, Verdict.of(r.statusCode(), policy.on()) == Verdict.DELIVERED
                    ? Delivery.Status.DELIVERED : Delivery.Status.FAILED, null, null);
        }
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
        while (!(attemptsDone && outcomes.isEmpty() && batch.isEmpty())) {
            try {
                if (batch.isEmpty()) {
                    Outcome first = outcomes.poll(poll.toMillis(), TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    outcomes.drainTo(batch, MAX_OUTCOMES_PER_WRITE - 1);
                }
                List<Outcome> unwritten = write(batch);
                batch.retainAll(unwritten);
                if (!batch.isEmpty()) {
                    sleepQuietly(poll);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Throwable t) {
                // why: the recorder must outlive anything thrown; the outcomes stay in hand and are written next time
                log.error("Bug: recording {} delivery outcome(s) failed unexpectedly; trying again", batch.size(), t);
                sleepQuietly(poll);
            }
        }
    }

    /**
     * Writes the outcomes in one transaction, or, when that fails, each on its own, so that one that cannot be
     * written never holds up the others. Answers the outcomes still to write: none, or (while the store takes
     * no writes at all) every one that failed. An outcome that fails on its own while the store takes other
     * writes is dropped, logged and counted: its delivery stays leased and is sent again when the lease ends.
     */
    private List<Outcome> write(List<Outcome> batch) {
        try {
            finish(batch, store.record(batch, clock.instant()));
            return List.of();
        } catch (RuntimeException groupFailed) {
            log.warn("Writing {} delivery outcome(s) in one transaction failed ({}); writing them one at a time",
                    batch.size(), groupFailed.getMessage());
        }
        List<Outcome> failed = new ArrayList<>();
        RuntimeException lastFailure = null;
        for (Outcome o : batch) {
            try {
                finish(List.of(o), store.record(List.of(o), clock.instant()));
            } catch (RuntimeException e) {
                failed.add(o);
                lastFailure = e;
            }
        }
        if (failed.isEmpty()) {
            return List.of();
        }
        boolean othersWritten = failed.size() < batch.size() || db.writable();
        if (!othersWritten) {
            log.error("Writing {} delivery outcome(s) failed: the database takes no writes ({}); they are kept and"
                    + " written when it does", failed.size(), lastFailure.getMessage());
            return failed;
        }
        for (Outcome o : failed) {
            metrics.droppedOutcome();
            log.error("Dropped the outcome of delivery {} to endpoint {} (attempt {}): it cannot be written while other"
                            + " writes succeed ({}); the delivery is sent again when its lease ends",
                    o.claim().deliveryId(), o.claim().endpoint().id(), o.attempt().n(), lastFailure.getMessage());
            release(o);
        }
        signal.wake();
        return List.of();
    }

    private void finish(List<Outcome> written, Set<String> fenced) {
        for (Outcome o : written) {
            if (fenced.contains(o.claim().deliveryId())) {
                metrics.attempt(AttemptOutcome.FENCED, o.attempt().durationMs());
                log.warn("Outcome of delivery {} to endpoint {} was not written: its lease had run out, so it may"
                        + " be sent again", o.claim().deliveryId(), o.claim().endpoint().id());
            } else {
                count(o);
            }
            release(o);
        }
        signal.wake();
    }

    private void release(Outcome o) {
        inFlight.release(o.claim().endpoint().tenantId(), o.claim().endpoint().id(), 1);
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

    /** Attempts in flight now, by tenant; for tests and gauges. */
    int inFlightOf(String tenantId) {
        return inFlight.ofTenant(tenantId);
    }

    int inFlight() {
        return inFlight.total();
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
