package dev.herald.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reading a tenant's retained events for the API: the list (newest first, by type and time), and one event with
 * the deliveries that carry it. Retention purges events (see {@code DispatchStore.purge}); their deliveries stay
 * until their own retention, which is why an event's deliveries are found through {@code delivery_events}.
 */
public final class RetainedEventStore {
    /**
     * About how many bytes of {@code data} one page may hold. why: an event's data may be up to 1 MiB and a page
     * 250 events; a page that reached its budget ends early (at least one event, with a cursor to the rest), so
     * one request never holds hundreds of MiB.
     */
    static final long PAGE_DATA_BYTES = 4L << 20;

    private static final String COLUMNS = "seq, id, type, created_at, ordering_key, data";

    /** What an event list is narrowed to; a null field does not narrow it. [since, until) bounds {@code created_at}. */
    public record Filter(String type, Instant since, Instant until) {
        public static final Filter NONE = new Filter(null, null, null);

        Where where(String tenantId) {
            return Where.from("events")
                    .and("tenant_id = ?", tenantId)
                    .andIf("type = ?", type)
                    .andIf("created_at >= ?", since == null ? null : since.toEpochMilli())
                    .andIf("created_at < ?", until == null ? null : until.toEpochMilli());
        }
    }

    private record Sized(long seq, Position position, long bytes) {
    }

    private final Database db;

    public RetainedEventStore(Database db) {
        this.db = db;
    }

    /**
     * Newest first (by creation time, then publish order); {@code after} is where the previous page stopped
     * (from {@link Position#parseNumbered}), null for the first. A page holds up to {@code limit} events, fewer when
     * their data passes {@link #PAGE_DATA_BYTES}.
     */
    public Page<RetainedEvent> list(String tenantId, Filter filter, Position after, int limit) {
        Statement sizes = sizes(tenantId, filter, after, limit);
        return db.read(c -> {
            // why: sizes first, so the data read is only what the page will hold
            List<Sized> candidates = Sql.list(c, sizes.sql(),
                    rs -> new Sized(rs.getLong(1), Position.of(Instant.ofEpochMilli(rs.getLong(2)), rs.getLong(1)), rs.getLong(3)),
                    sizes.params());
            List<Sized> page = new ArrayList<>();
            long bytes = 0;
            for (Sized s : candidates) {
                if (page.size() == limit || (!page.isEmpty() && bytes + s.bytes() > PAGE_DATA_BYTES)) {
                    break;
                }
                page.add(s);
                bytes += s.bytes();
            }
            if (page.isEmpty()) {
                return new Page<>(List.of(), null);
            }
            String in = String.join(", ", Collections.nCopies(page.size(), "?"));
            List<RetainedEvent> events = Sql.list(c, "SELECT " + COLUMNS + " FROM events WHERE seq IN (" + in + ")"
                    + " ORDER BY created_at DESC, seq DESC", RetainedEventStore::event, page.stream().map(Sized::seq).toArray());
            boolean more = page.size() < candidates.size();
            return new Page<>(events, more ? page.getLast().position().key() : null);
        });
    }

    /** The list's first query: the page's candidates (one more than {@code limit}) with the size of their data. */
    static Statement sizes(String tenantId, Filter filter, Position after, int limit) {
        Where where = filter.where(tenantId);
        if (after != null) {
            where.and("(created_at, seq) < (?, ?)", after.createdAt(), after.lastNumber());
        }
        return new Statement("SELECT seq, created_at, octet_length(data)" + where.sql() + " ORDER BY created_at DESC, seq DESC LIMIT ?",
                where.params(limit + 1));
    }

    /** One of the tenant's events, with every delivery that carries it (oldest first); empty when unknown or purged. */
    public Optional<RetainedEvent> get(String tenantId, String id) {
        return db.read(c -> {
            Optional<RetainedEvent> found = Sql.one(c, "SELECT " + COLUMNS + " FROM events WHERE tenant_id = ? AND id = ?",
                    RetainedEventStore::event, tenantId, id);
            if (found.isEmpty()) {
                return found;
            }
            // why: by id and seq: once retention purged an event, its id may be published again as a new event, and the
            // old event's deliveries (still retained) are not this one's
            List<RetainedEvent.DeliveryRef> refs = Sql.list(c, "SELECT d.id, d.endpoint_id, d.status FROM delivery_events de"
                            + " JOIN deliveries d ON d.id = de.delivery_id"
                            + " WHERE de.event_id = ? AND de.event_seq = ? AND d.tenant_id = ? ORDER BY d.created_at, d.id",
                    rs -> new RetainedEvent.DeliveryRef(rs.getString(1), rs.getString(2),
                            Delivery.Status.valueOf(rs.getString(3).toUpperCase(Locale.ROOT))),
                    id, found.get().seq(), tenantId);
            return found.map(e -> e.withDeliveries(refs));
        });
    }

    private static RetainedEvent event(ResultSet rs) throws SQLException {
        return new RetainedEvent(rs.getLong("seq"), rs.getString("id"), rs.getString("type"),
                Instant.ofEpochMilli(rs.getLong("created_at")), rs.getString("ordering_key"), rs.getString("data"), List.of());
    }
}
