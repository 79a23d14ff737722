package dev.herald.batching;

import dev.herald.delivery.Signal;
import dev.herald.endpoint.EndpointSpec.Batching;
import dev.herald.store.BatchStore;
import dev.herald.store.BatchStore.Queue;
import dev.herald.store.BatchStore.Sealed;
import dev.herald.store.BatchStore.Sealing;
import dev.herald.store.Ids;
import dev.herald.store.QueuedEvent;
import dev.herald.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second step of the data flow: seals queued events into deliveries. Woken by every publish, and by
 * its own timer when a batch window ends; it also looks every {@code poll} for events another node
 * published.
 *
 * <p>The rules, in one place: an endpoint of format {@code event} gets one delivery per event; format
 * {@code batch} gets full batches of {@code max_events} whenever that many wait, and a partial batch once
 * the window since its last seal has passed (the window then restarts). Events keep their publish order
 * within and across deliveries. An endpoint that orders by key gets batches of one key each: full ones
 * whenever a key has that many waiting, and every key's partial one once the window has passed.
 */
public final class Batcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Batcher.class);
    public static final Duration DEFAULT_POLL = Duration.ofMillis(250);
    /** Bounds one sealing transaction, so that it never holds the SQLite writer for long; no batch is larger. */
    static final int MAX_EVENTS_PER_TRANSACTION = Batching.MAX_MAX_EVENTS;

    private final BatchStore store;
    private final Clock clock;
    private final Runnable onSealed;
    private final Duration poll;
    private final Signal signal = new Signal();
    private final Thread thread;
    private volatile boolean running = true;

    /** @param onSealed told after deliveries were sealed (wakes the dispatcher) */
    public Batcher(BatchStore store, Clock clock, Runnable onSealed, Duration poll) {
        this.store = store;
        this.clock = clock;
        this.onSealed = onSealed;
        this.poll = poll;
        this.thread = Thread.ofPlatform().name("herald-batcher").daemon().unstarted(this::run);
    }

    public Batcher start() {
        thread.start();
        return this;
    }

    public void wake() {
        signal.wake();
    }

    private void run() {
        while (running) {
            Duration wait = poll;
            try {
                wait = round();
            } catch (Throwable t) {
                // why: the batcher must outlive anything thrown; the events stay queued for the next round
                if (t instanceof StoreException s && s.outage()) {
                    log.warn("Batcher round failed; trying again in {} ms: {}", poll.toMillis(), t.getMessage());
                } else {
                    log.error("Batcher round failed; trying again in {} ms", poll.toMillis(), t);
                }
            }
            try {
                signal.await(wait);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Seals what is due; answers how long to wait before the next look. */
    Duration round() {
        Instant now = clock.instant();
        Instant nextLook = now.plus(poll);
        for (BatchStore.Waiting w : store.waiting(MAX_EVENTS_PER_TRANSACTION)) {
            Instant look = isDue(w.queue(), w.count(), now) ? sealNow(w.queue().endpointId()) : windowEnd(w.queue(), now);
            if (look != null && look.isBefore(nextLook)) {
                nextLook = look;
            }
        }
        Duration wait = Duration.between(clock.instant(), nextLook);
        return wait.isNegative() ? Duration.ZERO : wait.compareTo(poll) > 0 ? poll : wait;
    }

    /** Seals one endpoint; answers when it next needs a look (null: when woken). */
    private Instant sealNow(String endpointId) {
        Instant now = clock.instant();
        Optional<Sealed> done = store.seal(endpointId, MAX_EVENTS_PER_TRANSACTION, now, this::plan);
        if (done.isEmpty()) {
            return null;
        }
        Sealed s = done.get();
        if (!s.deliveries().isEmpty()) {
            onSealed.run();
        }
        if (s.read() >= MAX_EVENTS_PER_TRANSACTION && !s.deliveries().isEmpty()) {
            // why: a full read may have left more behind it, even when every event read was sealed; waiting
            // for the next wake or poll would drain a backlog at one transaction per poll
            return now;
        }
        if (s.eventsSealed() < s.read()) {
            return (s.deliveries().isEmpty() ? windowStart(s.queue(), now) : now).plus(s.queue().window());
        }
        return null;
    }

    /** Whether the endpoint has a delivery to seal now: a per-event queue, a full batch, or a window that ended. */
    static boolean isDue(Queue q, int waiting, Instant now) {
        return q.perEvent() || waiting >= q.maxEvents() || !now.isBefore(windowEnd(q, now));
    }

    private static Instant windowStart(Queue q, Instant now) {
        return q.lastSealedAt() == null ? now.minus(q.window()) : q.lastSealedAt();
    }

    private static Instant windowEnd(Queue q, Instant now) {
        return windowStart(q, now).plus(q.window());
    }

    /** The deliveries to seal from {@code waiting}, by the rules in the class comment. */
    List<Sealing> plan(Queue q, List<QueuedEvent> waiting, Instant now) {
        boolean windowPassed = !now.isBefore(windowEnd(q, now));
        if (q.perEvent()) {
            return waiting.stream().map(e -> seal(q, List.of(e), now)).toList();
        }
        List<Sealing> out = new ArrayList<>();
        if (!q.orderedByKey()) {
            for (int from = 0; from < waiting.size(); from += q.maxEvents()) {
                List<QueuedEvent> events = waiting.subList(from, Math.min(from + q.maxEvents(), waiting.size()));
                if (events.size() < q.maxEvents() && !windowPassed) {
                    break;
                }
                out.add(seal(q, events, now));
                windowPassed = false; // why: the window restarts at this seal
            }
            return out;
        }
        // why: ordered by key, a batch holds one key's events, in publish order; events without a key are one group
        Map<String, List<QueuedEvent>> byKey = new LinkedHashMap<>();
        for (QueuedEvent e : waiting) {
            byKey.computeIfAbsent(e.orderingKey(), k -> new ArrayList<>()).add(e);
        }
        for (List<QueuedEvent> group : byKey.values()) {
            for (int from = 0; from < group.size(); from += q.maxEvents()) {
                List<QueuedEvent> events = group.subList(from, Math.min(from + q.maxEvents(), group.size()));
                if (events.size() == q.maxEvents() || windowPassed) {
                    out.add(seal(q, events, now));
                }
            }
        }
        return out;
    }

    private Sealing seal(Queue q, List<QueuedEvent> events, Instant now) {
        String id = Ids.uuid7(clock);
        QueuedEvent first = events.getFirst();
        String key = q.orderedByKey() ? first.orderingKey() : null;
        return q.perEvent()
                ? new Sealing(id, first.type(), List.of(first), DeliveryBodies.event(id, first), key)
                : new Sealing(id, "batch", List.copyOf(events), DeliveryBodies.batch(id, now, events), key);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
