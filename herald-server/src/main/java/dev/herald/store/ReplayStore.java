package dev.herald.store;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Replay's SQL: a tenant's retained events in a time range, counted by type, and queued again for one endpoint a
 * chunk at a time. Which types the endpoint takes (its subscription, judged on the types counted) and how large a
 * replay may be are the caller's rules, handed in.
 *
 * <p>Chunks walk the range in publish order, {@code (created_at, seq)}, each in its own short transaction, so a
 * replay of 100,000 events never holds SQLite's one writer for long and publishes keep flowing between chunks.
 */
public final class ReplayStore {
    /** Where a replay stands: the last event it read, in {@code (created_at, seq)} order. */
    public record Position(long createdAt, long seq) {
    }

    /**
     * What one chunk did: how many events it queued again, and where the next chunk starts (null when the range is
     * done, or the endpoint is gone).
     */
    public record Chunk(int replayed, Position next) {
    }

    private final Database db;
    private final EventStore.EventBody eventBody;

    /** @param eventBody writes a per-event delivery's body (the batching step owns the format) */
    public ReplayStore(Database db, EventStore.EventBody eventBody) {
        this.db = db;
        this.eventBody = eventBody;
    }

    /** The tenant's events created in [{@code since}, {@code until}), counted by type. */
    public Map<String, Long> countByType(String tenantId, Instant since, Instant until) {
        return db.read(c -> {
            Map<String, Long> out = new LinkedHashMap<>();
            for (var row : Sql.list(c, "SELECT type, COUNT(*) FROM events WHERE tenant_id = ? AND created_at >= ?"
                            + " AND created_at < ? GROUP BY type ORDER BY type",
                    rs -> Map.entry(rs.getString(1), rs.getLong(2)), tenantId, since.toEpochMilli(), until.toEpochMilli())) {
                out.put(row.getKey(), row.getValue());
            }
            return out;
        });
    }

    /**
     * Reads up to {@code limit} of the tenant's events of {@code types} created in [{@code since}, {@code until})
     * after {@code after} (null: from the start) and queues each for the endpoint again, in one transaction: a
     * queue row for a {@code batch} endpoint (the batcher seals it; one already waiting is not queued twice), a new
     * sealed delivery for an {@code event} endpoint. Event ids and times are unchanged.
     */
    public Chunk replay(String tenantId, String endpointId, Collection<String> types, Instant since, Instant until,
                        Position after, int limit, Instant now) {
        if (types.isEmpty()) {
            return new Chunk(0, null);
        }
        return db.inTransaction(c -> {
            record Settings(boolean perEvent, boolean orderedByKey) {
            }
            Optional<Settings> settings = Sql.one(c, "SELECT format, ordering FROM endpoints WHERE tenant_id = ? AND id = ?"
                    + " AND deleted_at IS NULL", rs -> new Settings("event".equals(rs.getString(1)), "key".equals(rs.getString(2))),
                    tenantId, endpointId);
            if (settings.isEmpty()) {
                return new Chunk(0, null); // deleted meanwhile: nothing more to queue
            }
            boolean perEvent = settings.get().perEvent();
            // why: (created_at, seq) is the index's order; the range starts at the last chunk's end, so no chunk
            // rereads what the ones before it read
            String from = after == null ? "" : " AND (created_at > ? OR seq > ?)";
            List<Object> params = new ArrayList<>(List.of(tenantId, after == null ? since.toEpochMilli() : after.createdAt(),
                    until.toEpochMilli()));
            if (after != null) {
                params.addAll(List.of(after.createdAt(), after.seq()));
            }
            params.addAll(types);
            params.add(limit);
            // why: a batch endpoint's queue row needs no data; read it only to seal per-event deliveries
            List<QueuedEvent> events = Sql.list(c, "SELECT seq, id, type, " + (perEvent ? "data" : "NULL AS data")
                            + ", created_at, ordering_key FROM events WHERE tenant_id = ? AND created_at >= ? AND created_at < ?" + from
                            + " AND type IN (" + String.join(", ", Collections.nCopies(types.size(), "?")) + ")"
                            + " ORDER BY created_at, seq LIMIT ?",
                    rs -> new QueuedEvent(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            Instant.ofEpochMilli(rs.getLong(5)), rs.getString(6)), params.toArray());
            try (Prepared p = new Prepared(c)) {
                for (QueuedEvent e : events) {
                    if (perEvent) {
                        String id = Ids.uuid7(Clock.fixed(now, ZoneOffset.UTC));
                        BatchStore.insert(p, id, tenantId, endpointId, e.type(), List.of(e), eventBody.write(id, e),
                                settings.get().orderedByKey() ? e.orderingKey() : null, now);
                    } else {
                        p.batch("INSERT INTO queue (endpoint_id, event_seq) VALUES (?, ?) ON CONFLICT DO NOTHING",
                                endpointId, e.seq());
                    }
                }
                p.flush();
            }
            QueuedEvent last = events.isEmpty() ? null : events.getLast();
            return new Chunk(events.size(), events.size() < limit ? null : new Position(last.createdAt().toEpochMilli(), last.seq()));
        });
    }
}
