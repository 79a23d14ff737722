package dev.herald.store;

import dev.herald.batching.DeliveryBodies;
import dev.herald.batching.QueuedEvent;
import dev.herald.endpoint.EndpointSpec.Batching;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Sealing: turns an endpoint's queued events into deliveries whose bodies are frozen. One endpoint is
 * sealed by one transaction at a time (its row is locked first), so two nodes never seal the same events.
 */
public final class BatchStore {
    /** Bounds one sealing transaction, so that it never holds the SQLite writer for long; no batch is larger. */
    static final int MAX_EVENTS_PER_TRANSACTION = Batching.MAX_MAX_EVENTS;

    /** What one sealing pass did: deliveries made, and when this endpoint next needs a look (null: when woken). */
    public record Sealed(int deliveries, Instant nextLook) {
    }

    private final Database db;
    private final Clock clock;

    public BatchStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Endpoints with something to seal now, and when the next batch window ends (null: none pending). */
    public record Due(List<String> endpointIds, Instant nextWindowEnd) {
    }

    /**
     * Which endpoints have something to seal at {@code now}, found by a read: the sealing transaction, which
     * takes the database's one writer lock, is opened only for those.
     */
    public Due due(Instant now) {
        record Waiting(String id, boolean perEvent, int maxEvents, long windowMs, Long lastSealedAt, long count) {
        }
        List<Waiting> waiting = db.read(c -> Sql.list(c, "SELECT e.id, e.format, e.batch_max_events, e.batch_window_ms,"
                        // why: counted only up to the largest batch; a full count of a million-event backlog on
                        // every round made draining it quadratic
                        + " e.last_sealed_at, (SELECT COUNT(*) FROM (SELECT 1 FROM queue q WHERE q.endpoint_id = e.id"
                        + " LIMIT " + MAX_EVENTS_PER_TRANSACTION + ") w) AS waiting"
                        + " FROM endpoints e WHERE EXISTS (SELECT 1 FROM queue q WHERE q.endpoint_id = e.id)",
                rs -> new Waiting(rs.getString(1), "event".equals(rs.getString(2)), rs.getInt(3), rs.getLong(4),
                        Sql.nullableLong(rs, "last_sealed_at"), rs.getLong("waiting"))));
        List<String> due = new java.util.ArrayList<>();
        Instant nextWindowEnd = null;
        for (Waiting w : waiting) {
            Instant windowEnds = w.lastSealedAt() == null ? now : Instant.ofEpochMilli(w.lastSealedAt() + w.windowMs());
            if (w.perEvent() || w.count() >= w.maxEvents() || !now.isBefore(windowEnds)) {
                due.add(w.id());
            } else if (nextWindowEnd == null || windowEnds.isBefore(nextWindowEnd)) {
                nextWindowEnd = windowEnds;
            }
        }
        return new Due(due, nextWindowEnd);
    }

    /**
     * Seals what is due for one endpoint: format {@code event}, every waiting event on its own; format
     * {@code batch}, full batches of {@code max_events}, then a partial one if the window since the last seal
     * has passed. Events keep their publish order within and across deliveries.
     */
    public Sealed seal(String endpointId) {
        // why: relaxed is safe; no delivery is sent before the durable claim that takes it
        return db.inRelaxedTransaction(c -> {
            Optional<EndpointRow> found = Sql.one(c, "SELECT id, tenant_id, format, batch_max_events, batch_window_ms,"
                            + " last_sealed_at FROM endpoints WHERE id = ?" + db.dialect().forUpdate(),
                    rs -> new EndpointRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getLong(5),
                            Sql.nullableLong(rs, "last_sealed_at")), endpointId);
            if (found.isEmpty()) {
                return new Sealed(0, null); // deleted meanwhile; its queue went with it
            }
            EndpointRow e = found.get();
            Instant now = clock.instant();
            boolean single = e.format.equals("event");
            int perDelivery = single ? 1 : e.maxEvents;
            List<QueuedEvent> waiting = Sql.list(c, "SELECT ev.seq, ev.id, ev.type, ev.data, ev.created_at"
                            + " FROM queue q JOIN events ev ON ev.seq = q.event_seq"
                            + " WHERE q.endpoint_id = ? ORDER BY q.event_seq LIMIT ?",
                    rs -> new QueuedEvent(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            Instant.ofEpochMilli(rs.getLong(5))),
                    endpointId, Math.max(MAX_EVENTS_PER_TRANSACTION, perDelivery));
            int sealed = 0;
            int from = 0;
            boolean windowPassed = e.lastSealedAt == null || now.toEpochMilli() >= e.lastSealedAt + e.windowMs;
            try (Prepared statements = new Prepared(c)) {
                while (from < waiting.size()) {
                    int to = Math.min(from + perDelivery, waiting.size());
                    boolean full = to - from == perDelivery;
                    if (!full && !windowPassed) {
                        break;
                    }
                    insertDelivery(statements, e, waiting.subList(from, to), single, now);
                    sealed++;
                    from = to;
                    windowPassed = false; // why: the window restarts at this seal
                }
                statements.flush();
            }
            if (sealed > 0) {
                Sql.update(c, "UPDATE endpoints SET last_sealed_at = ? WHERE id = ?", now.toEpochMilli(), endpointId);
            }
            Instant nextLook = null;
            if (waiting.size() >= MAX_EVENTS_PER_TRANSACTION && sealed > 0) {
                // why: a full read may have left more behind it, even when every event read was sealed; waiting
                // for the next wake or poll would drain a backlog at one transaction per poll
                nextLook = now;
            } else if (from < waiting.size()) {
                long windowStart = sealed > 0 ? now.toEpochMilli() : e.lastSealedAt;
                nextLook = Instant.ofEpochMilli(windowStart + e.windowMs);
            }
            return new Sealed(sealed, nextLook);
        });
    }

    private void insertDelivery(Prepared p, EndpointRow e, List<QueuedEvent> events, boolean single, Instant now)
            throws SQLException {
        String id = Ids.uuid7(clock);
        byte[] body = single ? DeliveryBodies.event(id, events.getFirst()) : DeliveryBodies.batch(id, now, events);
        insert(p, id, e.tenantId, e.id, single ? events.getFirst().type() : "batch", events, body, now);
        for (QueuedEvent q : events) {
            p.batch("DELETE FROM queue WHERE endpoint_id = ? AND event_seq = ?", e.id, q.seq());
        }
    }

    /** Seals one event into its own delivery (format {@code event}), inside the caller's transaction. */
    static void sealOne(Prepared p, String tenantId, String endpointId, QueuedEvent event, Instant now) throws SQLException {
        String id = Ids.uuid7(Clock.fixed(now, java.time.ZoneOffset.UTC));
        insert(p, id, tenantId, endpointId, event.type(), List.of(event), DeliveryBodies.event(id, event), now);
    }

    private static void insert(Prepared p, String id, String tenantId, String endpointId, String eventType,
                               List<QueuedEvent> events, byte[] body, Instant now) throws SQLException {
        p.batch("INSERT INTO deliveries (id, tenant_id, endpoint_id, status, event_type, event_count, body,"
                        + " attempt_count, next_attempt_at, created_at) VALUES (?, ?, ?, 'pending', ?, ?, ?, 0, ?, ?)",
                id, tenantId, endpointId, eventType, events.size(), body, now.toEpochMilli(), now.toEpochMilli());
        for (int i = 0; i < events.size(); i++) {
            p.batch("INSERT INTO delivery_events (delivery_id, position, event_seq, event_id) VALUES (?, ?, ?, ?)",
                    id, i, events.get(i).seq(), events.get(i).id());
        }
    }

    private record EndpointRow(String id, String tenantId, String format, int maxEvents, long windowMs, Long lastSealedAt) {
    }
}
