package dev.herald.store;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Sealing's SQL: which endpoints have events waiting, and one transaction that turns some of them into
 * deliveries whose bodies are frozen. Which events go into which delivery is the batcher's rule, handed in
 * as a {@link Sealer}. One endpoint is sealed by one transaction at a time (its row is locked first), so
 * two nodes never seal the same events.
 */
public final class BatchStore {
    /**
     * An endpoint's batching settings, whether it orders by key, and the start of its current window (null: never
     * sealed).
     */
    public record Queue(String endpointId, String tenantId, boolean perEvent, int maxEvents, Duration window,
                        Instant lastSealedAt, boolean orderedByKey) {
        public Queue(String endpointId, String tenantId, boolean perEvent, int maxEvents, Duration window, Instant lastSealedAt) {
            this(endpointId, tenantId, perEvent, maxEvents, window, lastSealedAt, false);
        }
    }

    /** An endpoint with events waiting; {@code count} is counted only up to what the caller asked for. */
    public record Waiting(Queue queue, int count) {
    }

    /**
     * A delivery to insert: its id, {@code X-Webhook-Event} value, events in body order, frozen body, and the ordering
     * key it is sent in order under (null: none).
     */
    public record Sealing(String id, String eventType, List<QueuedEvent> events, byte[] body, String orderingKey) {
        public Sealing(String id, String eventType, List<QueuedEvent> events, byte[] body) {
            this(id, eventType, events, body, null);
        }
    }

    /** Decides, inside the sealing transaction, which of the waiting events to seal now and how. */
    @FunctionalInterface
    public interface Sealer {
        List<Sealing> seal(Queue queue, List<QueuedEvent> waiting, Instant now);
    }

    /** What one sealing transaction did: the endpoint as it was read, how many events it read, what it sealed. */
    public record Sealed(Queue queue, int read, List<Sealing> deliveries) {
        public int eventsSealed() {
            return deliveries.stream().mapToInt(d -> d.events().size()).sum();
        }
    }

    private static final String QUEUE_COLUMNS = "e.id, e.tenant_id, e.format, e.batch_max_events, e.batch_window_ms, e.last_sealed_at,"
            + " e.ordering";

    private final Database db;

    public BatchStore(Database db) {
        this.db = db;
    }

    /**
     * Every endpoint with events waiting, found by a read: the sealing transaction, which takes the
     * database's one writer lock, is opened only for those the batcher finds due.
     */
    public List<Waiting> waiting(int countUpTo) {
        return db.read(c -> Sql.list(c, "SELECT " + QUEUE_COLUMNS
                        // why: counted only up to what a decision needs; a full count of a million-event backlog on
                        // every round made draining it quadratic
                        + ", (SELECT COUNT(*) FROM (SELECT 1 FROM queue q WHERE q.endpoint_id = e.id LIMIT ?) w) AS waiting"
                        + " FROM endpoints e WHERE e.deleted_at IS NULL AND EXISTS (SELECT 1 FROM queue q WHERE q.endpoint_id = e.id)",
                rs -> new Waiting(queue(rs), rs.getInt("waiting")), countUpTo));
    }

    /**
     * Reads up to {@code readUpTo} of the endpoint's waiting events (in publish order), lets {@code sealer}
     * choose the deliveries, and inserts them, all in one transaction. Empty when the endpoint is gone.
     */
    public Optional<Sealed> seal(String endpointId, int readUpTo, Instant now, Sealer sealer) {
        // why: relaxed is safe; no delivery is sent before the durable claim that takes it
        return db.inRelaxedTransaction(c -> {
            Optional<Queue> found = Sql.one(c, "SELECT " + QUEUE_COLUMNS + " FROM endpoints e WHERE e.id = ? AND e.deleted_at IS NULL"
                    + db.dialect().forUpdate(), BatchStore::queue, endpointId);
            if (found.isEmpty()) {
                return Optional.empty(); // deleted meanwhile; its queue goes with it
            }
            Queue queue = found.get();
            List<QueuedEvent> waiting = Sql.list(c, "SELECT ev.seq, ev.id, ev.type, ev.data, ev.created_at, ev.ordering_key"
                            + " FROM queue q JOIN events ev ON ev.seq = q.event_seq"
                            + " WHERE q.endpoint_id = ? ORDER BY q.event_seq LIMIT ?",
                    rs -> new QueuedEvent(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            Instant.ofEpochMilli(rs.getLong(5)), rs.getString(6)),
                    endpointId, readUpTo);
            List<Sealing> deliveries = sealer.seal(queue, waiting, now);
            try (Prepared p = new Prepared(c)) {
                for (Sealing d : deliveries) {
                    insert(p, d.id(), queue.tenantId(), endpointId, d.eventType(), d.events(), d.body(), d.orderingKey(), now);
                    for (QueuedEvent q : d.events()) {
                        p.batch("DELETE FROM queue WHERE endpoint_id = ? AND event_seq = ?", endpointId, q.seq());
                    }
                }
                p.flush();
            }
            if (!deliveries.isEmpty()) {
                Sql.update(c, "UPDATE endpoints SET last_sealed_at = ? WHERE id = ?", now.toEpochMilli(), endpointId);
                Notifications.workMade(c, db.dialect());
            }
            return Optional.of(new Sealed(queue, waiting.size(), deliveries));
        });
    }

    /**
     * Inserts a pending delivery, due now, with its event list (ids and types); inside the caller's transaction.
     * The one insert of a delivery: the batcher's seal and per-event sealing at publish both come here. Its place in
     * publish order is its first event's seq.
     */
    static void insert(Prepared p, String id, String tenantId, String endpointId, String eventType,
                       List<QueuedEvent> events, byte[] body, String orderingKey, Instant now) throws SQLException {
        p.batch("INSERT INTO deliveries (id, tenant_id, endpoint_id, status, event_type, event_count, body,"
                        + " attempt_count, next_attempt_at, created_at, ordering_key, order_seq)"
                        + " VALUES (?, ?, ?, 'pending', ?, ?, ?, 0, ?, ?, ?, ?)",
                id, tenantId, endpointId, eventType, events.size(), body, now.toEpochMilli(), now.toEpochMilli(), orderingKey,
                events.getFirst().seq());
        for (int i = 0; i < events.size(); i++) {
            QueuedEvent e = events.get(i);
            // why: the type is kept with the delivery, so ?event_type= finds it after the event is purged
            p.batch("INSERT INTO delivery_events (delivery_id, position, event_seq, event_id, event_type) VALUES (?, ?, ?, ?, ?)",
                    id, i, e.seq(), e.id(), e.type());
        }
    }

    private static Queue queue(java.sql.ResultSet rs) throws SQLException {
        Long lastSealed = Sql.nullableLong(rs, "last_sealed_at");
        return new Queue(rs.getString("id"), rs.getString("tenant_id"), "event".equals(rs.getString("format")),
                rs.getInt("batch_max_events"), Duration.ofMillis(rs.getLong("batch_window_ms")),
                lastSealed == null ? null : Instant.ofEpochMilli(lastSealed), "key".equals(rs.getString("ordering")));
    }
}
