package dev.herald.delivery;

import dev.herald.delivery.DeliveryMetrics.AttemptOutcome;
import dev.herald.endpoint.Endpoint;
import dev.herald.endpoint.EndpointSpec;
import dev.herald.store.Attempt;
import dev.herald.store.Database;
import dev.herald.store.Delivery;
import dev.herald.store.DispatchStore;
import dev.herald.store.DispatchStore.Claim;
import dev.herald.store.DispatchStore.ClaimRequest;
import dev.herald.store.DispatchStore.Cycle;
import dev.herald.store.DispatchStore.Outcome;
import dev.herald.store.DispatchStore.Release;
import dev.herald.store.EventStore;
import dev.herald.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The third step of the data flow: claims due deliveries, sends them, and writes what came back.
 *
 * <p>The pipeline: each endpoint with due work has a {@link Lane} on this node, holding claims taken ahead of its
 * free slots. Up to {@code max_concurrency} workers (virtual threads) per lane each send one claim, and the moment
 * the answer comes take the next from the lane: the cap bounds requests in flight, not throughput. Outcomes go to
 * the cycle thread, which in ONE transaction writes them, gives back claims that will not be sent, and claims
 * more for every lane that wants them ({@link DispatchStore#cycle}). So a slot freed by an answer never waits for
 * the database, and writing and claiming share one trip to it.
 *
 * <p>Scheduling: lanes are filled only from their own endpoint's due deliveries, oldest due first, so a partner
 * that is down for days holds at most its own cap, and first attempts to healthy endpoints never queue behind
 * its retries. Every start also takes a slot of {@link InFlight} (per tenant and in all), so no tenant takes
 * another's capacity. Threading, leases and the cycle are described in docs/concurrency.md.
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    /** A lane idle this long is forgotten (and, on PostgreSQL, its endpoint left for any node to take). */
    static final Duration IDLE_LANE = Duration.ofSeconds(30);
    private static final int MAX_OUTCOMES_PER_CYCLE = 1000;

    private final DispatchStore store;
    private final Database db;
    private final EventStore events;
    private final Sender sender;
    private final Clock clock;
    private final DeliveryMetrics metrics;
    private final Duration poll;
    private final Duration leaseMargin;
    private final Duration shutdownGrace;
    private final InFlight inFlight;
    private final Decisions decisions;
    private final Notices notices;
    private final Ownership ownership;
    private final Signal signal = new Signal();
    private final LinkedBlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final Thread cycler;

    /** Guards every lane and the lists below; held only for moments, never across I/O. */
    private final Object lock = new Object();
    private final Map<String, Lane> lanes = new HashMap<>();
    /** Claims to give back in the next cycle (stale, or of an endpoint that was paused). */
    private final List<Release> toRelease = new ArrayList<>();
    /** Lease tokens of claims whose transaction failed: they may have committed, so they are released once the store answers. */
    private final Set<String> uncertain = new LinkedHashSet<>();
    /** Endpoints whose settings or status changed: read again in the next cycle. */
    private final Set<String> changed = new HashSet<>();
    private final AtomicBoolean discoverNow = new AtomicBoolean(true);

    private volatile boolean running = true;
    private volatile boolean stopping;

    Dispatcher(DispatchStore store, Database db, EventStore events, Sender sender, Clock clock, DeliveryMetrics metrics,
               DeliveryEngine.Settings settings, Ownership ownership) {
        this.store = store;
        this.db = db;
        this.events = events;
        this.sender = sender;
        this.clock = clock;
        this.metrics = metrics;
        this.poll = settings.poll();
        this.leaseMargin = settings.leaseMargin();
        this.shutdownGrace = settings.shutdownGrace();
        this.inFlight = new InFlight(settings.limits());
        this.decisions = new Decisions(clock, settings.random(), settings.pauseFailingAfter());
        this.notices = new Notices(settings.operatorTenant());
        this.ownership = ownership;
        this.cycler = Thread.ofPlatform().name("herald-dispatcher").daemon().unstarted(this::loop);
    }

    Dispatcher start() {
        if (db.dialect() == dev.herald.store.Dialect.SQLITE) {
            int expired = store.expireLeasesOfAStoppedProcess(clock.instant());
            if (expired > 0) {
                log.warn("{} deliveries were in flight when Herald last stopped; they are sent again now, each with its"
                        + " lost attempt recorded", expired);
            }
        }
        cycler.start();
        return this;
    }

    /** A delivery may be due now somewhere: look for it without waiting for the next poll. */
    public void wake() {
        discoverNow.set(true);
        signal.wake();
    }

    /** Deliveries of these endpoints are due now: fill their lanes (finding new endpoints takes a look). */
    public void wake(Collection<String> endpointIds) {
        boolean unknown = false;
        synchronized (lock) {
            for (String id : endpointIds) {
                Lane lane = lanes.get(id);
                if (lane == null) {
                    unknown = true;
                } else {
                    lane.markHungry();
                }
            }
        }
        if (unknown) {
            discoverNow.set(true);
        }
        signal.wake();
    }

    /** An endpoint's settings or status changed (a PATCH, a pause, a delete): read it again before sending more. */
    public void changed(String endpointId) {
        synchronized (lock) {
            changed.add(endpointId);
        }
        signal.wake();
    }

    private void loop() {
        long nextLook = 0;
        while (running) {
            boolean busy = false;
            try {
                boolean look = discoverNow.getAndSet(false) || System.nanoTime() - nextLook >= 0;
                if (look) {
                    nextLook = System.nanoTime() + poll.toNanos();
                }
                busy = cycle(look);
            } catch (Throwable t) {
                // why: the cycle thread must outlive anything thrown; what was due stays due for the next cycle
                if (t instanceof StoreException s && s.outage()) {
                    log.warn("Dispatch cycle failed; trying again in {} ms: {}", poll.toMillis(), t.getMessage());
                } else {
                    log.error("Dispatch cycle failed; trying again in {} ms", poll.toMillis(), t);
                }
                sleepQuietly(poll);
            }
            if (!busy) {
                try {
                    signal.await(Duration.ofNanos(Math.max(0, nextLook - System.nanoTime())));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /**
     * One cycle: reads what changed, writes the outcomes that came back, gives back what will not be sent, claims
     * for the lanes that want more, and starts workers. Answers whether it did anything (then it goes round again
     * at once, since more may have come back meanwhile).
     */
    boolean cycle(boolean look) {
        Instant now = clock.instant();
        if (look) {
            look(now);
        }
        refreshChanged();
        List<Outcome> written = new ArrayList<>();
        outcomes.drainTo(written, MAX_OUTCOMES_PER_CYCLE);
        List<ClaimRequest> requests = new ArrayList<>();
        List<Release> releases;
        Set<String> tokens;
        synchronized (lock) {
            if (!stopping) {
                for (Lane lane : lanes.values()) {
                    int want = lane.hungry() ? lane.wanted() : 0;
                    if (want > 0) {
                        ClaimRequest r = new ClaimRequest(lane.endpoint(), want, lane.leaseFor(want, leaseMargin),
                                UUID.randomUUID().toString());
                        requests.add(r);
                    }
                }
            }
            releases = List.copyOf(toRelease);
            toRelease.clear();
            tokens = Set.copyOf(uncertain);
        }
        if (written.isEmpty() && requests.isEmpty() && releases.isEmpty() && tokens.isEmpty()) {
            return false;
        }
        Cycle done;
        try {
            done = store.cycle(written, releases, tokens, requests, now);
        } catch (RuntimeException e) {
            synchronized (lock) {
                // why: the claims may have committed unseen; their leases are released once the store answers
                requests.forEach(r -> uncertain.add(r.token()));
                toRelease.addAll(releases);
            }
            if (!written.isEmpty()) {
                List<Outcome> left = writeOneByOne(written, e);
                outcomes.addAll(left);
                if (!left.isEmpty()) {
                    sleepQuietly(poll);
                }
            } else {
                throw e;
            }
            return true;
        }
        synchronized (lock) {
            uncertain.removeAll(tokens);
        }
        finish(written, done.fenced());
        hand(done.claims(), requests, now);
        return true;
    }

    /**
     * Finds the endpoints with due deliveries that this node sends ({@link Ownership}), makes their lanes, refreshes
     * their settings, and drops the lanes of endpoints it no longer holds or that have been idle a while.
     */
    private void look(Instant now) {
        List<DispatchStore.Due> due = store.due(now);
        Set<String> mine = ownership.sendable(due, now);
        List<String> idle = new ArrayList<>();
        synchronized (lock) {
            for (DispatchStore.Due d : due) {
                if (!mine.contains(d.endpoint().id())) {
                    continue;
                }
                Lane lane = lanes.computeIfAbsent(d.endpoint().id(), k -> new Lane(d.endpoint(), now));
                lane.update(d.endpoint());
                if (d.count() > 0) {
                    lane.markHungry();
                }
            }
            var it = lanes.entrySet().iterator();
            while (it.hasNext()) {
                var e = it.next();
                Instant idleSince = e.getValue().idleSince(now);
                if (!ownership.holds(e.getKey())) {
                    // why: another node took it (this node's hold lapsed, as in a database outage): it sends nothing more
                    release(e.getValue().drain());
                    if (e.getValue().idle()) {
                        it.remove();
                    }
                } else if (!mine.contains(e.getKey()) && idleSince != null && !now.isBefore(idleSince.plus(IDLE_LANE))) {
                    it.remove();
                    idle.add(e.getKey());
                } else if (!mine.contains(e.getKey()) && e.getValue().queuedCount() > 0) {
                    // why: queued claims of an endpoint that is no longer due-and-active may belong to a paused one
                    changed.add(e.getKey());
                }
            }
        }
        ownership.release(idle);
    }

    /** Reads again the endpoints that changed: a paused or deleted one gives its queued claims back. */
    private void refreshChanged() {
        Set<String> ids;
        synchronized (lock) {
            if (changed.isEmpty()) {
                return;
            }
            ids = Set.copyOf(changed);
            changed.clear();
        }
        Map<String, Endpoint> fresh = store.endpoints(ids);
        synchronized (lock) {
            for (String id : ids) {
                Lane lane = lanes.get(id);
                if (lane == null) {
                    continue;
                }
                Endpoint e = fresh.get(id);
                if (e == null || e.spec().status() != EndpointSpec.Status.ACTIVE) {
                    release(lane.drain());
                } else {
                    lane.update(e);
                    lane.markHungry();
                }
            }
        }
    }

    /** Hands new claims to their lanes and starts workers; a claim whose last attempt was lost fails here. */
    private void hand(List<Claim> claims, List<ClaimRequest> requests, Instant now) {
        Map<String, List<Claim>> byToken = new HashMap<>();
        for (Claim claim : claims) {
            if (claim.reclaimed()) {
                metrics.reclaimed();
                log.warn("Reclaimed delivery {} of endpoint {}: its previous lease ran out with the attempt's outcome unknown",
                        claim.deliveryId(), claim.endpoint().id());
            }
            if (!claim.toSend()) {
                log.info("Delivery {} to endpoint {} failed: its last allowed attempt ({}) was lost with its node",
                        claim.deliveryId(), claim.endpoint().id(), claim.attemptCount());
                notices.lostLastAttempt(claim.endpoint().tenantId(), claim.endpoint().id(), claim.deliveryId(),
                        claim.attemptCount(), now).ifPresent(n -> events.publish(List.of(n)));
                continue;
            }
            byToken.computeIfAbsent(claim.leaseToken(), k -> new ArrayList<>()).add(claim);
        }
        synchronized (lock) {
            for (ClaimRequest r : requests) {
                List<Claim> got = byToken.getOrDefault(r.token(), List.of());
                Lane lane = lanes.get(r.endpoint().id());
                if (lane != null && !stopping) {
                    // why: fewer than asked says nothing more is due for that lane until something wakes it
                    lane.offer(got, r.limit());
                } else {
                    release(got);
                }
            }
            startWorkers();
        }
    }

    /** Starts the workers every lane may run now (called with the lock held). */
    private void startWorkers() {
        if (stopping) {
            return;
        }
        for (Lane lane : lanes.values()) {
            for (int i = lane.workersToStart(); i > 0; i--) {
                lane.workerStarted();
                try {
                    workers.execute(() -> work(lane));
                } catch (RuntimeException e) {
                    lane.workerStopped();
                    throw e;
                }
            }
        }
    }

    /**
     * A worker: sends its lane's claims one after another, as long as there are any and its tenant has a slot; then
     * stops, asking for more.
     */
    private void work(Lane lane) {
        List<Claim> stale = new ArrayList<>();
        while (true) {
            Claim claim;
            Duration wait;
            synchronized (lock) {
                claim = stopping ? null : lane.next(clock.instant(), stale);
                if (!stale.isEmpty()) {
                    release(stale);
                    stale.clear();
                }
                if (claim == null) {
                    lane.workerStopped();
                    lane.markHungry();
                    signal.wake();
                    return;
                }
                wait = lane.rateWait(System.nanoTime());
                if (!ownership.valid(clock.instant())) {
                    // why: this node's hold on its endpoints has lapsed (it cannot reach the database to renew it);
                    // another node may take them, so it starts nothing until the hold is renewed
                    lane.putBack(claim);
                    lane.workerStopped();
                    return;
                } else if (!wait.isZero()) {
                    lane.putBack(claim);
                } else if (inFlight.reserve(claim.endpoint().tenantId(), claim.endpoint().id(),
                        claim.endpoint().spec().maxConcurrency(), 1) == 0) {
                    // why: the tenant (or the process) is at its share; the lane goes on when a slot comes back
                    lane.putBack(claim);
                    lane.workerStopped();
                    return;
                } else {
                    lane.started(System.nanoTime());
                }
            }
            if (!wait.isZero()) {
                sleepQuietly(wait);
                continue;
            }
            Outcome outcome;
            try {
                outcome = decisions.decide(claim, sender.send(claim));
            } catch (Throwable t) {
                log.error("Bug: attempt of delivery {} to endpoint {} failed unexpectedly", claim.deliveryId(),
                        claim.endpoint().id(), t);
                outcome = decisions.decide(claim, new Sender.Result(clock.instant(), null, 0, "internal error: " + t, null, null));
            } finally {
                synchronized (lock) {
                    inFlight.release(claim.endpoint().tenantId(), claim.endpoint().id(), 1);
                    lane.completed(System.nanoTime());
                }
            }
            outcomes.add(notices.attach(outcome, clock.instant()));
            signal.wake();
        }
    }

    /** Queues claims to be given back (called with the lock held). */
    private void release(List<Claim> claims) {
        for (Claim c : claims) {
            toRelease.add(new Release(c.deliveryId(), c.leaseToken()));
        }
    }

    /**
     * After a cycle failed: writes each outcome on its own, so that one that cannot be written never holds up the
     * others. Answers those still to write: every one that failed because the database was out of reach or took no
     * writes (they are written when it does). One refused for what it holds, while the store takes other writes, is
     * dropped, logged and counted: its delivery stays leased and is sent again when the lease ends.
     */
    private List<Outcome> writeOneByOne(List<Outcome> batch, RuntimeException cycleFailure) {
        log.warn("A dispatch cycle of {} outcome(s) failed ({}); writing them one at a time", batch.size(),
                cycleFailure.getMessage());
        List<Outcome> kept = new ArrayList<>();
        List<Outcome> refused = new ArrayList<>();
        RuntimeException lastFailure = cycleFailure;
        for (Outcome o : batch) {
            try {
                finish(List.of(o), store.record(List.of(o), clock.instant()));
            } catch (RuntimeException e) {
                // why: an outage (a restart, a lost connection) says nothing about the outcome: keep it; only a
                // refusal of this very row may mark it as one that can never be written
                (e instanceof StoreException s && s.outage() ? kept : refused).add(o);
                lastFailure = e;
            }
        }
        if (!refused.isEmpty() && !db.writable()) {
            kept.addAll(refused);
            refused.clear();
        }
        if (!kept.isEmpty()) {
            log.error("Writing {} delivery outcome(s) failed: the database takes no writes ({}); they are kept and"
                    + " written when it does", kept.size(), lastFailure.getMessage());
        }
        for (Outcome o : refused) {
            metrics.droppedOutcome();
            log.error("Dropped the outcome of delivery {} to endpoint {} (attempt {}): it cannot be written while other"
                            + " writes succeed ({}); the delivery is sent again when its lease ends",
                    o.claim().deliveryId(), o.claim().endpoint().id(), o.attempt().n(), lastFailure.getMessage());
        }
        return kept;
    }

    private void finish(List<Outcome> written, Set<String> fenced) {
        for (Outcome o : written) {
            if (o.pauseReason() != null && !fenced.contains(o.claim().deliveryId())) {
                // why: the pause is written now; what the lane holds waits in the database for the resume
                synchronized (lock) {
                    Lane lane = lanes.get(o.claim().endpoint().id());
                    if (lane != null) {
                        release(lane.drain());
                    }
                }
            }
            if (fenced.contains(o.claim().deliveryId())) {
                metrics.attempt(AttemptOutcome.FENCED, o.attempt().durationMs());
                log.warn("Outcome of delivery {} to endpoint {} was not written: its lease had run out, so it may"
                        + " be sent again", o.claim().deliveryId(), o.claim().endpoint().id());
            } else {
                count(o);
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
            log.warn("Endpoint {} paused by delivery {}: {}", o.claim().endpoint().id(), o.claim().deliveryId(), o.pauseReason());
        }
    }

    private static String describe(Attempt a) {
        return a.statusCode() != null ? "HTTP " + a.statusCode() : a.error();
    }

    /** Attempts being sent now, in all (every slot is given back when its request ends). */
    int inFlight() {
        synchronized (lock) {
            return inFlight.total();
        }
    }

    private static void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops claiming; gives back the claims not yet started; lets requests in flight finish (up to their deadlines)
     * and writes their outcomes.
     */
    @Override
    public void close() {
        synchronized (lock) {
            stopping = true;
            for (Lane lane : lanes.values()) {
                release(lane.drain());
            }
        }
        try {
            workers.shutdown();
            workers.awaitTermination(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS);
            // why: one last cycle on this thread writes every outcome and gives back every unsent claim
            running = false;
            cycler.interrupt();
            cycler.join(10_000);
            while (!outcomes.isEmpty() || hasReleases()) {
                if (!cycle(false)) {
                    break;
                }
            }
            ownership.leave();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("Writing the last outcomes at shutdown failed; those deliveries are sent again when their leases end: {}",
                    e.getMessage());
        }
    }

    private boolean hasReleases() {
        synchronized (lock) {
            return !toRelease.isEmpty();
        }
    }
}
