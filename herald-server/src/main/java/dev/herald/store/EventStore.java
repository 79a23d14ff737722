package dev.herald.store;

import dev.herald.batching.QueuedEvent;
import dev.herald.ingest.NewEvent;
import dev.herald.ingest.Published;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingest's one write: events and, for each, a queue row per endpoint of the tenant subscribed to its type,
 * in one transaction, so an acknowledged event always has its queue rows. For an endpoint of format
 * {@code event} there is nothing to wait for: the event is sealed into its own delivery in the same
 * transaction, so it can be sent the moment the publish commits.
 *
 * <p>Group commit: publishes are handed to one writer thread, which stores everything waiting in a single
 * transaction and only then answers each caller. With {@code synchronous=FULL} every commit is an fsync;
 * this way many requests share one, and each is still acknowledged only after its own rows are durable.
 * A group that fails is retried one publish at a time, so one bad publish never fails its neighbours.
 */
public final class EventStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventStore.class);
    /** Bounds one group, so a commit never waits long for a giant group to be written. */
    static final int MAX_EVENTS_PER_GROUP = 2000;

    private record Subscriber(String endpointId, List<String> types, boolean perEvent) {
        boolean wants(String type) {
            return types.isEmpty() || types.contains(type);
        }
    }

    private record Pending(String tenantId, List<NewEvent> events, Instant now, CompletableFuture<List<Published>> result) {
    }

    private final Database db;
    private final LinkedBlockingQueue<Pending> waiting = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean running = true;

    public EventStore(Database db) {
        this.db = db;
        this.writer = Thread.ofPlatform().name("herald-ingest-writer").daemon().unstarted(this::writeLoop);
        writer.start();
    }

    /**
     * Stores the events in order, durably, before answering. An id the tenant used before (or earlier in
     * the same list) is a no-op answered with the first event.
     */
    public List<Published> publish(String tenantId, List<NewEvent> events, Instant now) {
        if (!running) {
            throw new StoreException("the store is closing", null);
        }
        Pending p = new Pending(tenantId, events, now, new CompletableFuture<>());
        waiting.add(p);
        try {
            return p.result().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private void writeLoop() {
        List<Pending> group = new ArrayList<>();
        while (running || !waiting.isEmpty()) {
            try {
                Pending first = waiting.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                int events = first.events().size();
                Pending next;
                while (events < MAX_EVENTS_PER_GROUP && (next = waiting.poll()) != null) {
                    group.add(next);
                    events += next.events().size();
                }
                write(group);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                group.clear();
            }
        }
    }

    private void write(List<Pending> group) {
        try {
            List<List<Published>> results = db.inTransaction(c -> {
                try (Prepared p = new Prepared(c)) {
                    Map<String, List<Subscriber>> subscribers = new HashMap<>();
                    List<List<Published>> out = new ArrayList<>(group.size());
                    for (Pending pending : group) {
                        out.add(store(p, pending, subscribers));
                    }
                    p.flush();
                    return out;
                }
            });
            for (int i = 0; i < group.size(); i++) {
                group.get(i).result().complete(results.get(i));
            }
        } catch (RuntimeException e) {
            if (e instanceof StoreException s && s.outage()) {
                // why: the database is down or full, not one publish at fault: answer everyone waiting now
                // instead of trying each alone, so no publish waits for more than one connection timeout
                group.forEach(pending -> pending.result().completeExceptionally(e));
                for (Pending pending; (pending = waiting.poll()) != null; ) {
                    pending.result().completeExceptionally(e);
                }
                return;
            }
            if (group.size() == 1) {
                group.getFirst().result().completeExceptionally(e);
                return;
            }
            log.debug("A group of {} publishes failed; writing them one by one", group.size(), e);
            for (Pending pending : group) {
                write(List.of(pending));
            }
        }
    }

    private static List<Published> store(Prepared p, Pending pending, Map<String, List<Subscriber>> cache) throws SQLException {
        List<Subscriber> subscribers = cache.get(pending.tenantId());
        if (subscribers == null) {
            subscribers = p.list("SELECT id, event_types, format FROM endpoints WHERE tenant_id = ?",
                    rs -> new Subscriber(rs.getString(1), EndpointStore.types(rs.getString(2)), "event".equals(rs.getString(3))),
                    pending.tenantId());
            cache.put(pending.tenantId(), subscribers);
        }
        List<Published> out = new ArrayList<>(pending.events().size());
        for (NewEvent e : pending.events()) {
            out.add(storeOne(p, pending.tenantId(), e, subscribers, pending.now()));
        }
        return out;
    }

    private static Published storeOne(Prepared p, String tenantId, NewEvent e, List<Subscriber> subscribers, Instant now)
            throws SQLException {
        Optional<Long> seq = p.one("INSERT INTO events (tenant_id, id, type, data, created_at) VALUES (?, ?, ?, ?, ?)"
                        + " ON CONFLICT (tenant_id, id) DO NOTHING RETURNING seq",
                rs -> rs.getLong(1), tenantId, e.id(), e.type(), e.data(), now.toEpochMilli());
        if (seq.isEmpty()) {
            // why: the first event may be earlier in this very group, its queue rows still batched
            long createdAt = p.one("SELECT created_at FROM events WHERE tenant_id = ? AND id = ?",
                    rs -> rs.getLong(1), tenantId, e.id()).orElseThrow(() -> new IllegalStateException(
                    "Event " + e.id() + " conflicted on insert but cannot be read. Should never happen inside one transaction."));
            return new Published(e.id(), Instant.ofEpochMilli(createdAt), true);
        }
        for (Subscriber s : subscribers) {
            if (s.wants(e.type()) && s.perEvent()) {
                BatchStore.sealOne(p, tenantId, s.endpointId(), new QueuedEvent(seq.get(), e.id(), e.type(), e.data(), now), now);
            } else if (s.wants(e.type())) {
                p.batch("INSERT INTO queue (endpoint_id, event_seq) VALUES (?, ?)", s.endpointId(), seq.get());
            }
        }
        return new Published(e.id(), now, false);
    }

    /** Writes what is waiting, then stops taking publishes. */
    @Override
    public void close() {
        running = false;
        try {
            writer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
