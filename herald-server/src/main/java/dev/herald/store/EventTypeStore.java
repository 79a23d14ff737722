package dev.herald.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The catalogue of event types that may be published and subscribed to. Types are never deleted, so a
 * name once found stays known: the cache answers every publish of a known type without a query.
 */
public final class EventTypeStore {
    private final Database db;
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    public EventTypeStore(Database db) {
        this.db = db;
    }

    /** Inserts the type; false when the name is taken. */
    public boolean create(EventType t) {
        return db.inTransaction(c -> Sql.update(c,
                "INSERT INTO event_types (name, description, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
                t.name(), t.description(), t.createdAt().toEpochMilli()) == 1);
    }

    public Page<EventType> list(String after, int limit) {
        return db.read(c -> Page.of(Sql.list(c,
                "SELECT name, description, created_at FROM event_types WHERE name > ? ORDER BY name LIMIT ?",
                EventTypeStore::eventType, after == null ? "" : after, limit + 1), limit, EventType::name));
    }

    /** The names among {@code names} that are not in the catalogue, in the order given. */
    public List<String> unknown(Collection<String> names) {
        List<String> unseen = names.stream().filter(n -> !known.contains(n)).distinct().toList();
        if (unseen.isEmpty()) {
            return List.of();
        }
        known.addAll(db.read(c -> {
            Set<String> found = new HashSet<>();
            for (String name : unseen) {
                Sql.one(c, "SELECT name FROM event_types WHERE name = ?", rs -> rs.getString(1), name).ifPresent(found::add);
            }
            return found;
        }));
        return unseen.stream().filter(n -> !known.contains(n)).toList();
    }

    /** The catalogue's example payload of the type (JSON text), if the type exists and has one. */
    public Optional<String> example(String name) {
        return db.read(c -> Sql.list(c, "SELECT example FROM event_types WHERE name = ?", rs -> rs.getString(1), name))
                .stream().filter(java.util.Objects::nonNull).findFirst();
    }

    /** Up to {@code limit} names of types that have an example, in name order, after {@code after} ("" from the start). */
    public List<String> namesWithExample(String after, int limit) {
        return db.read(c -> Sql.list(c, "SELECT name FROM event_types WHERE example IS NOT NULL AND name > ? ORDER BY name LIMIT ?",
                rs -> rs.getString(1), after, limit));
    }

    private static EventType eventType(ResultSet rs) throws SQLException {
        return new EventType(rs.getString("name"), rs.getString("description"), Instant.ofEpochMilli(rs.getLong("created_at")));
    }
}
