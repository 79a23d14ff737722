package dev.herald.store;

import dev.herald.ingest.NewEvent;
import dev.herald.ingest.Published;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Ingest's one write: events and, for each, a queue row per endpoint of the tenant subscribed to its type,
 * in one transaction, so an acknowledged event always has its queue rows.
 */
public final class EventStore {
    private record Subscriber(String endpointId, List<String> types) {
        boolean wants(String type) {
            return types.isEmpty() || types.contains(type);
        }
    }

    private final Database db;

    public EventStore(Database db) {
        this.db = db;
    }

    /**
     * Stores the events in order. An id the tenant used before (or earlier in the same list) is a no-op
     * answered with the first event.
     */
    public List<Published> publish(String tenantId, List<NewEvent> events, Instant now) {
        return db.inTransaction(c -> {
            List<Subscriber> subscribers = Sql.list(c, "SELECT id, event_types FROM endpoints WHERE tenant_id = ?",
                    rs -> new Subscriber(rs.getString(1), EndpointStore.types(rs.getString(2))), tenantId);
            List<Published> out = new ArrayList<>(events.size());
            for (NewEvent e : events) {
                out.add(publishOne(c, tenantId, e, subscribers, now));
            }
            return out;
        });
    }

    private static Published publishOne(Connection c, String tenantId, NewEvent e, List<Subscriber> subscribers, Instant now)
            throws SQLException {
        Optional<Long> seq = Sql.one(c, "INSERT INTO events (tenant_id, id, type, data, created_at) VALUES (?, ?, ?, ?, ?)"
                        + " ON CONFLICT (tenant_id, id) DO NOTHING RETURNING seq",
                rs -> rs.getLong(1), tenantId, e.id(), e.type(), e.data(), now.toEpochMilli());
        if (seq.isEmpty()) {
            long createdAt = Sql.one(c, "SELECT created_at FROM events WHERE tenant_id = ? AND id = ?",
                    rs -> rs.getLong(1), tenantId, e.id()).orElseThrow(() -> new IllegalStateException(
                    "Event " + e.id() + " conflicted on insert but cannot be read. Should never happen inside one transaction."));
            return new Published(e.id(), Instant.ofEpochMilli(createdAt), true);
        }
        for (Subscriber s : subscribers) {
            if (s.wants(e.type())) {
                Sql.update(c, "INSERT INTO queue (endpoint_id, event_seq) VALUES (?, ?)", s.endpointId(), seq.get());
            }
        }
        return new Published(e.id(), now, false);
    }
}
